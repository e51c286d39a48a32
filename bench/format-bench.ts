// Part 2: every registered export format through the production pipeline (writeExport -> format writer ->
// uploadStream into Azurite), at two row counts, against CSV as the baseline. Each run is a child process
// of its own (bench/export-child.ts `format`), so its peak RSS is its own; the growth of peak RSS from the
// smaller to the larger row count is the measure of "memory stays bounded".
import { BlobServiceClient } from '@azure/storage-blob';
import { azuriteConnectionString } from '../dev/standins/azurite';
import { formatNames } from '../src/domain/formats';
import { runChild, summarise, type ExportRun } from './export-bench';
import { startStandin } from './processes';
import { atMost, num, progress, round, table, type Target } from './report';

export interface FormatBenchOptions {
  /** Two or more row counts; the smallest and the largest give the memory growth. */
  sizes: number[];
  /** Runs per format and size (the median by time counts). */
  repeats: number;
  /** Formats to run (default: every registered one); `csv` is always run, as the baseline. */
  formats?: readonly string[];
}

export interface FormatSummary {
  format: string;
  /** Rows asked of the source. */
  sourceRows: number;
  /** Rows in the file (PDF stops at its row cap). */
  rows: number;
  runs: number;
  ms: number;
  bytes: number;
  rowsPerSec: number;
  mbPerSec: number;
  peakRssMb: number;
  /** rows/s of this format / rows/s of CSV at the same size. */
  ratioToCsv: number | null;
  error?: string;
}

export interface FormatResults {
  sizes: number[];
  repeats: number;
  summaries: FormatSummary[];
  /** Per format: peak RSS at the largest size minus at the smallest (MB). */
  peakRssGrowthMb: Record<string, number | null>;
  targets: Target[];
}

/** The same bound as the CSV pipeline's: a streaming format must not grow with the row count. */
const GROWTH_LIMIT_MB = 64;
const CONTAINER = 'bench-formats';

export async function runFormatBench(options: FormatBenchOptions): Promise<FormatResults> {
  const chosen = options.formats ?? formatNames;
  for (const name of chosen) {
    if (!formatNames.includes(name))
      throw new Error(`unknown format ${name} (known: ${formatNames.join(', ')})`);
  }
  const names = ['csv', ...chosen.filter((name) => name !== 'csv')];
  const sizes = [...options.sizes].sort((a, b) => a - b);

  const azurite = await startStandin('azurite'); // in memory
  const connection = azuriteConnectionString('127.0.0.1', azurite.port);
  const container = BlobServiceClient.fromConnectionString(connection).getContainerClient(CONTAINER);
  await container.createIfNotExists();
  const env = { ...process.env, BENCH_BLOB: connection, BENCH_CONTAINER: CONTAINER };
  const clearBlobs = async () => {
    for await (const item of container.listBlobsFlat()) await container.deleteBlob(item.name);
  };

  const summaries: FormatSummary[] = [];
  try {
    for (const sourceRows of sizes) {
      const runs = new Map<string, ExportRun[]>();
      // Round-robin over the formats, so drift on the machine hits every format alike.
      for (let i = 0; i < options.repeats; i++) {
        for (const name of names) {
          if (summaries.some((s) => s.format === name && s.sourceRows === sourceRows && s.error)) continue;
          try {
            const run = await runChild('format', sourceRows, env, azurite.pid, [], name);
            runs.set(name, [...(runs.get(name) ?? []), run]);
            progress(
              `${name.padEnd(7)} ${num(sourceRows).padStart(9)} rows asked, ${num(run.rows).padStart(9)} written: ` +
                `${num(run.ms / 1000, 2)} s, ${num(run.rowsPerSec)} rows/s, peak RSS ${num(run.peakRssMb)} MB`,
            );
          } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            progress(`${name} ${num(sourceRows)} rows FAILED: ${message}`);
            summaries.push(failedSummary(name, sourceRows, message));
          }
          await clearBlobs();
        }
      }
      const csv = runs.get('csv');
      const csvRate = csv ? summarise('format', sourceRows, csv).rowsPerSec : undefined;
      for (const name of names) {
        const formatRuns = runs.get(name);
        if (!formatRuns) continue;
        const mid = summarise('format', sourceRows, formatRuns);
        summaries.push({
          format: name,
          sourceRows,
          rows: formatRuns[0]?.rows ?? 0,
          runs: mid.runs,
          ms: mid.ms,
          bytes: mid.bytes,
          rowsPerSec: mid.rowsPerSec,
          mbPerSec: mid.mbPerSec,
          peakRssMb: mid.peakRssMb,
          ratioToCsv: csvRate ? round(mid.rowsPerSec / csvRate, 3) : null,
        });
      }
    }
  } finally {
    await azurite.stop();
  }

  const smallest = sizes[0] ?? 0;
  const largest = sizes[sizes.length - 1] ?? 0;
  const find = (name: string, rows: number) =>
    summaries.find((s) => s.format === name && s.sourceRows === rows && !s.error);
  const peakRssGrowthMb: Record<string, number | null> = {};
  for (const name of names) {
    const a = find(name, smallest);
    const b = find(name, largest);
    peakRssGrowthMb[name] = a && b ? round(b.peakRssMb - a.peakRssMb, 1) : null;
  }
  const targets = names.map((name) =>
    atMost(`formats.${name}.peakRssGrowthMb`, peakRssGrowthMb[name] ?? null, GROWTH_LIMIT_MB, 'MB', true),
  );
  summaries.sort((a, b) => a.sourceRows - b.sourceRows || names.indexOf(a.format) - names.indexOf(b.format));
  return { sizes, repeats: options.repeats, summaries, peakRssGrowthMb, targets };
}

function failedSummary(format: string, sourceRows: number, error: string): FormatSummary {
  return {
    format,
    sourceRows,
    rows: 0,
    runs: 0,
    ms: 0,
    bytes: 0,
    rowsPerSec: 0,
    mbPerSec: 0,
    peakRssMb: 0,
    ratioToCsv: null,
    error,
  };
}

export function formatFormatResults(results: FormatResults): string {
  const rows: string[][] = [
    [
      'format',
      'rows asked',
      'rows written',
      'runs',
      'time s',
      'rows/s',
      'MB/s',
      'file MB',
      'peak RSS MB',
      'vs CSV',
    ],
  ];
  for (const s of results.summaries) {
    if (s.error) {
      rows.push([s.format, num(s.sourceRows), '-', '0', 'failed', '-', '-', '-', '-', '-']);
      continue;
    }
    rows.push([
      s.format,
      num(s.sourceRows),
      num(s.rows),
      String(s.runs),
      num(s.ms / 1000, 2),
      num(s.rowsPerSec),
      num(s.mbPerSec, 1),
      num(s.bytes / 1024 / 1024, 1),
      num(s.peakRssMb),
      s.ratioToCsv === null ? '-' : `${num(s.ratioToCsv, 2)}x`,
    ]);
  }
  const smallest = results.sizes[0] ?? 0;
  const largest = results.sizes[results.sizes.length - 1] ?? 0;
  const growth = Object.entries(results.peakRssGrowthMb)
    .map(([name, mb]) => `${name} ${mb === null ? 'failed' : `${num(mb, 1)} MB`}`)
    .join(', ');
  return [
    'Export formats: ratings-shaped rows through writeExport -> format writer -> uploadStream (Azurite, in memory);',
    'one child process per run; rows/s of the median run counts the rows written; "vs CSV" = rows/s / CSV rows/s',
    '',
    table(rows),
    '',
    `peak RSS growth ${num(smallest)} -> ${num(largest)} rows asked: ${growth}`,
    ...results.summaries
      .filter((s) => s.error)
      .map((s) => `FAILED ${s.format} ${num(s.sourceRows)}: ${s.error?.split('\n')[0] ?? ''}`),
  ].join('\n');
}
