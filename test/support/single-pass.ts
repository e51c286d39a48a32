// The file a single pass of a `ratings` export writes over some source data: what a chunked export of
// the same data must equal, byte for byte.
import { getFormat } from '../../src/formats';
import { builtInReportTypes } from '../../src/domain/report-types';
import type { SourceData } from '../../src/domain/report-types/source-data';
import { writeExport } from '../../src/services/export-pipeline';
import { MemoryReportFiles } from '../fakes/memory-report-files';

export async function singlePassRatings(
  data: SourceData,
  format: string,
  parameters: Record<string, unknown>,
): Promise<Buffer> {
  const type = builtInReportTypes.get('ratings');
  const writer = getFormat(format);
  if (!type || !writer) throw new Error(`no ratings type or no ${format} format`);
  const files = new MemoryReportFiles();
  const parsed = type.parameters.parse(parameters);
  const never = new AbortController().signal;
  await writeExport({
    pages: type.rows(parsed, { data, signal: never, progress: () => undefined }),
    writer,
    columns: type.columns,
    title: type.title,
    parameters: parsed,
    files,
    name: 'single',
    headers: { contentType: writer.contentType, contentDisposition: 'attachment' },
    signal: never,
  });
  const file = files.files.get('single');
  if (!file) throw new Error('the single pass wrote no file');
  return file.bytes;
}
