// What every export step checks before it runs anything of a report: its type, its format and its
// parameters, as the worker knows them now (a type or format may have gone since the request).
import { z } from 'zod';
import { exportOptionsShape, selectColumns, shapedPages, timestampShaper } from '../../domain/export-options';
import type { FormatWriter } from '../../domain/format';
import type { ReportDocument } from '../../domain/report';
import type { ReportTypeDefinition } from '../../domain/report-types';
import type { WorkerContext } from './context';

/** A claimed report's type, writer and parsed parameters, or the reason it cannot run. */
export type Runnable =
  | { ok: true; type: ReportTypeDefinition; writer: FormatWriter; parameters: Record<string, unknown> }
  | { ok: false; code: string; message: string };

export type RunnableReport = Extract<Runnable, { ok: true }>;

/**
 * The type as this report exports it: only the columns it chose, in their order, and its rows'
 * timestamps in its time zone as the writer takes them (the type itself when it chose neither).
 */
function asExported(
  type: ReportTypeDefinition,
  writer: FormatWriter,
  doc: ReportDocument,
): ReportTypeDefinition {
  const columns = selectColumns(type.columns, doc.columns);
  const shape = timestampShaper(columns, doc.timeZone, writer.timestamps);
  if (!shape && doc.columns === undefined) return type;
  const chunking = type.chunking;
  return {
    ...type,
    columns,
    rows: (parameters, context) => {
      const pages = type.rows(parameters, context);
      return shape ? shapedPages(pages, shape) : pages;
    },
    ...(chunking
      ? {
          chunking: {
            plan: (parameters, context) => chunking.plan(parameters, context),
            rows: (parameters, slice, context) => {
              const pages = chunking.rows(parameters, slice, context);
              return shape ? shapedPages(pages, shape) : pages;
            },
          },
        }
      : {}),
  };
}

export function runnable(ctx: WorkerContext, doc: ReportDocument): Runnable {
  const type = ctx.reportTypeOf(doc.reportType);
  if (!type)
    return { ok: false, code: 'UnknownReportType', message: `There is no report type '${doc.reportType}'.` };
  const writer = ctx.writerOf(doc);
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
  const options = z.strictObject(exportOptionsShape(type.columns)).safeParse({
    compression: doc.compression,
    columns: doc.columns,
    timeZone: doc.timeZone,
  });
  if (!options.success) {
    return {
      ok: false,
      code: 'InvalidParameters',
      message: `The export options are not valid: ${options.error.message}`,
    };
  }
  return { ok: true, type: asExported(type, writer, doc), writer, parameters: parsed.data };
}
