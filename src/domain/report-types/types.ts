// What a report type is, and the parameter pieces report types share. Knows nothing of Azure SDKs.
import { z } from 'zod';
import type { ChunkSlice } from '../chunks';
import type { SourceData } from './source-data';
import type { Column, Row } from '../format';

export type { Row };

/** What a row source gets besides its parameters. */
export interface RowSourceContext {
  readonly data: SourceData;
  /** Aborted when the report is cancelled or the worker loses its claim: stop at the next page. */
  readonly signal: AbortSignal;
  /**
   * Work done so far, in the type's own unit (rows written, or records scanned for an aggregate), and
   * the total when it can be known cheaply. Call it as often as you like; the worker throttles writes.
   */
  progress(done: number, total: number | null): void;
}

/**
 * One pluggable report type. Adding a type is one module exporting a definition plus one line in
 * ./index.ts. `P` is the parsed parameter object (defaults applied).
 */
export interface ReportTypeDefinition<P = Record<string, unknown>> {
  /** URL-safe, lowercase: the `{reportType}` route segment. */
  readonly name: string;
  readonly title: string;
  readonly description: string;
  /** A strict zod object schema: unknown keys are rejected, defaults are applied on parse. */
  readonly parameters: z.ZodType<P>;
  /** Output formats this type can be exported as. */
  readonly formats: readonly string[];
  /**
   * Columns in output order: `key` is the row property, `header` the CSV header cell, `type` what the
   * column holds (typed formats, and a `date` column's timestamps follow the report's time zone).
   */
  readonly columns: readonly Column[];
  /**
   * The warning a report that matched no rows gets, e.g. that the album it names does not exist.
   * Absent: a general one. Only asked when the export has no rows.
   */
  emptyWarning?(parameters: P, context: { data: SourceData; signal: AbortSignal }): Promise<string>;
  /**
   * The rows, in output order, one page (array) at a time. Reads its source in pages and honours
   * `context.signal`. Throw a {@link ReportTypeError} for a problem the user should read about.
   */
  rows(parameters: P, context: RowSourceContext): AsyncIterable<readonly Row[]>;
  /**
   * A type that can split its source declares a chunk plan: its export is then cut into chunks that
   * workers run side by side (for formats that can be joined, see FormatWriter.chunked). Absent: every
   * export of the type runs in one pass.
   */
  readonly chunking?: ChunkPlanner<P>;
}

/** What a chunk planner gets besides the parameters. */
export interface ChunkPlanContext {
  readonly data: SourceData;
  readonly signal: AbortSignal;
  /** Rows a chunk should hold, about. */
  readonly targetRows: number;
  /** Most chunks the plan may have. */
  readonly maxChunks: number;
}

export interface ChunkPlan {
  /** Ordered, disjoint slices that together cover exactly the rows `rows(parameters)` yields, in order. */
  readonly slices: ChunkSlice[];
  /** Rows in all slices together, as counted when planning. */
  readonly estimatedRows: number;
}

export interface ChunkPlanner<P> {
  plan(parameters: P, context: ChunkPlanContext): Promise<ChunkPlan>;
  /**
   * The rows of one slice, in output order: the pages of every slice of a plan, one slice after the
   * other, are exactly the pages of `rows(parameters)`.
   */
  rows(parameters: P, slice: ChunkSlice, context: RowSourceContext): AsyncIterable<readonly Row[]>;
}

/**
 * The exclusive end of the last day a date range can name: the instant after 9999-12-31. Written as the
 * ISO 8601 end of that day because the next day, year 10000, is written `+010000-01-01...`, which sorts
 * before every four-digit year when timestamps compare as strings.
 */
export const END_OF_CALENDAR = '9999-12-31T24:00:00.000Z';

/**
 * The first instant after `isoDay` (a `YYYY-MM-DD` date), as a timestamp that compares as a string with
 * the stored `ratedAt` values: the exclusive end of a day range.
 */
export function dayAfter(isoDay: string): string {
  const next = new Date(`${isoDay}T00:00:00.000Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.getUTCFullYear() > 9999 ? END_OF_CALENDAR : next.toISOString();
}

const DATE_MESSAGE = 'must be a calendar date in YYYY-MM-DD format';

/** An ISO calendar date `YYYY-MM-DD` that exists (zod's ISO date check rejects 2024-02-30, 2023-02-29). */
const isoDate = () => z.iso.date({ error: DATE_MESSAGE });

/**
 * The `fromDate`/`toDate` pair, both inclusive. Spread into a report type's shape via {@link dateRangeParameters}.
 * A range may be as long as the calendar allows: exports stream, so no range is too long to run.
 */
const dateRangeShape = {
  fromDate: isoDate().describe('First day of the range (inclusive), YYYY-MM-DD.'),
  toDate: isoDate().describe('Last day of the range (inclusive), YYYY-MM-DD; not before fromDate.'),
};

const validDate = z.iso.date();
const isValidDate = (value: unknown): value is string => validDate.safeParse(value).success;

/**
 * A strict parameter object made of the shared date range plus `extra` fields. The range checks run
 * once both dates are valid and report on `toDate`. ISO dates compare correctly as strings.
 */
export function dateRangeParameters<Extra extends z.ZodRawShape>(extra: Extra) {
  return z.strictObject({ ...dateRangeShape, ...extra }).superRefine((value, ctx) => {
    const { fromDate, toDate } = value as { fromDate: unknown; toDate: unknown };
    // zod still runs object refinements after format issues; a bad date is already reported on its field.
    if (!isValidDate(fromDate) || !isValidDate(toDate)) return;
    if (fromDate > toDate) {
      ctx.addIssue({
        code: 'custom',
        path: ['toDate'],
        message: `must be on or after fromDate (${fromDate})`,
      });
    }
  });
}
