// The export options a request may add to its format: `compression` (gzip, for the text formats), a
// chosen subset and order of `columns`, and the IANA `timeZone` timestamps are written in. Their request
// schema, and what they do to the columns and rows a format writer gets. Knows nothing of formats'
// code or Azure: a writer only says how it takes timestamps (see FormatWriter.timestamps).
import { z } from 'zod';
import type { Column, Row, TimestampStyle } from './format';
import { canonicalTimeZone, isTimeZone, isUtc, ZoneOffsets } from './time-zone';

const COMPRESSIONS = ['gzip'] as const;
export type Compression = (typeof COMPRESSIONS)[number];

/** The formats `compression: "gzip"` applies to: text, which compresses well. */
export const GZIP_FORMATS: readonly string[] = ['csv', 'json', 'ndjson'];

/** The options as stored on a report (each absent when the request left it out). */
export interface ExportOptions {
  compression?: Compression;
  /** Column keys in output order. */
  columns?: string[];
  /** A canonical IANA name; absent means UTC. */
  timeZone?: string;
}

const lowerCased = (value: unknown): unknown => (typeof value === 'string' ? value.toLowerCase() : value);

/** The request fields of the options for a type with `columns`. */
export function exportOptionsShape(columns: readonly Column[]) {
  const keys = columns.map((column) => column.key);
  return {
    compression: z
      .preprocess(lowerCased, z.enum(COMPRESSIONS))
      .optional()
      .describe(
        `Compress the file: \`gzip\` for ${GZIP_FORMATS.join(', ')} (the file is then \`<name>.<format>.gz\`, \`application/gzip\`).`,
      ),
    columns: z
      .array(z.string().max(100))
      .min(1)
      .max(keys.length)
      .superRefine((chosen, ctx) => {
        const unknown = chosen.filter((key) => !keys.includes(key));
        if (unknown.length > 0) {
          ctx.addIssue({
            code: 'custom',
            message: `unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((key) => `'${key}'`).join(', ')}; the columns are: ${keys.join(', ')}`,
          });
        }
        const repeated = chosen.filter((key, index) => chosen.indexOf(key) !== index);
        if (repeated.length > 0) {
          ctx.addIssue({ code: 'custom', message: `names '${repeated[0]}' more than once` });
        }
      })
      .optional()
      .describe(`Only these columns, in this order (of: ${keys.join(', ')}). Default: all of them.`),
    timeZone: z
      .string()
      .refine(isTimeZone, 'must be an IANA time zone name, such as Europe/Berlin or America/New_York')
      .optional()
      .describe(
        'The IANA time zone timestamps are written in (ISO 8601 with its offset; local times in XLSX and PDF). Default UTC. The date range is always in UTC.',
      ),
  };
}

/** The problem of a `compression` the format cannot take, or undefined. */
export function compressionProblem(format: string, compression: string | undefined): string | undefined {
  if (compression === undefined || GZIP_FORMATS.includes(format)) return undefined;
  return `cannot be used with format '${format}' (only with ${GZIP_FORMATS.join(', ')})`;
}

/** The options of a validated request, as stored: the zone's canonical name, nothing for defaults. */
export function storedOptions(request: ExportOptions): ExportOptions {
  return {
    ...(request.compression === undefined ? {} : { compression: request.compression }),
    ...(request.columns === undefined ? {} : { columns: [...request.columns] }),
    ...(request.timeZone === undefined ? {} : { timeZone: canonicalTimeZone(request.timeZone) }),
  };
}

/** The type's columns the options choose, in their order (all of them when none are chosen). */
export function selectColumns(all: readonly Column[], chosen: readonly string[] | undefined): Column[] {
  if (chosen === undefined) return [...all];
  return chosen.map((key) => {
    const column = all.find((candidate) => candidate.key === key);
    if (!column) throw new Error(`the report has no column '${key}'`);
    return column;
  });
}

/** A full ISO 8601 timestamp with `Z` or an offset (a bare date is a day, not an instant). */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

function instantOf(value: unknown): Date | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value;
  if (typeof value !== 'string' || !TIMESTAMP.test(value)) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * A function that rewrites the timestamps of a row (the values of `date` columns) for `timeZone`, as
 * the writer takes them: ISO text with the zone's offset, or the zone's wall clock as a Date. Undefined
 * when nothing changes: UTC, or a writer that keeps instants (Parquet).
 */
export function timestampShaper(
  columns: readonly Column[],
  timeZone: string | undefined,
  style: TimestampStyle = 'iso',
): ((row: Row) => Row) | undefined {
  const keys = columns.filter((column) => column.type === 'date').map((column) => column.key);
  if (timeZone === undefined || isUtc(timeZone) || style === 'instant' || keys.length === 0) return undefined;
  const zone = new ZoneOffsets(timeZone);
  return (row) => {
    const shaped: Record<string, unknown> = { ...row };
    for (const key of keys) {
      const instant = instantOf(row[key]);
      if (instant) shaped[key] = style === 'iso' ? zone.iso(instant) : zone.wallClock(instant);
    }
    return shaped;
  };
}

/** `pages` with each row passed through `shape`. */
export async function* shapedPages(
  pages: AsyncIterable<readonly Row[]>,
  shape: (row: Row) => Row,
): AsyncGenerator<readonly Row[]> {
  for await (const page of pages) yield page.map(shape);
}
