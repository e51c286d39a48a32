// What every export step checks before it runs anything of a report: its type, its format and its
// parameters, as the worker knows them now (a type or format may have gone since the request).
import type { FormatWriter } from '../../domain/format';
import type { ReportDocument } from '../../domain/report';
import type { ReportTypeDefinition } from '../../domain/report-types';
import type { WorkerContext } from './context';

/** A claimed report's type, writer and parsed parameters, or the reason it cannot run. */
export type Runnable =
  | { ok: true; type: ReportTypeDefinition; writer: FormatWriter; parameters: Record<string, unknown> }
  | { ok: false; code: string; message: string };

export type RunnableReport = Extract<Runnable, { ok: true }>;

export function runnable(ctx: WorkerContext, doc: ReportDocument): Runnable {
  const type = ctx.reportTypeOf(doc.reportType);
  if (!type)
    return { ok: false, code: 'UnknownReportType', message: `There is no report type '${doc.reportType}'.` };
  const writer = ctx.formatOf(doc.format);
  if (!writer || !type.formats.includes(writer.name)) {
    return {
      ok: false,
      code: 'UnsupportedFormat',
      message: `The ${type.title} report cannot be exported as '${doc.format}'.`,
    };
  }
  const parsed = type.parameters.safeParse(doc.parameters);
  if (!parsed.success) {
    return {
      ok: false,
      code: 'InvalidParameters',
      message: `The report parameters are not valid: ${parsed.error.message}`,
    };
  }
  return { ok: true, type, writer, parameters: parsed.data };
}
