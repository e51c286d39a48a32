// Cell values for the formats that type their cells (XLSX, PDF). Each column gets a kind: its declared
// `type`, or one decided from the first rows (a sample) when it has none. The kind then turns each raw
// row value into a typed cell: text, a number, an instant, a boolean or nothing.
import type { Column, ColumnType, Row } from '../domain/format';

/** A column's kind: a declared type, or `auto` (every value as its own JavaScript type says). */
export type CellKind = Exclude<ColumnType, 'integer'> | 'auto';

/** A typed cell; null is an empty cell. */
export type CellValue = string | number | boolean | Date | null;

/** A full ISO 8601 UTC timestamp as the source data holds them, e.g. `2024-03-01T12:34:56.000Z`. */
const UTC_TIMESTAMP = /^(\d{4}-\d{2}-\d{2})T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/;
/** What a declared `date` column also accepts: a calendar date, or a timestamp with an offset. */
const ISO_DATE_OR_TIMESTAMP =
  /^(\d{4}-\d{2}-\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;
/** A decimal number as text: `12`, `-3.5`, `.5`, `1e6`. */
const NUMERIC = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/** The instant `text` names, when it matches `pattern` and is a real calendar day (no 2024-02-30). */
function parseInstant(text: string, pattern: RegExp): Date | undefined {
  const match = pattern.exec(text);
  if (!match) return undefined;
  const date = new Date(match[0].length === 10 ? `${match[0]}T00:00:00.000Z` : match[0]);
  if (Number.isNaN(date.getTime())) return undefined;
  // The calendar day must survive parsing; only checkable when the text is in UTC (or a bare date).
  const utc = match[0].length === 10 || match[0].endsWith('Z');
  if (utc && date.toISOString().slice(0, 10) !== match[1]) return undefined;
  return date;
}

/** Whether `value` is a timestamp string the writers treat as a date when the column is not declared. */
const isUtcTimestamp = (value: unknown): boolean =>
  typeof value === 'string' && parseInstant(value, UTC_TIMESTAMP) !== undefined;

const isEmpty = (value: unknown): boolean => value === null || value === undefined || value === '';

/**
 * The kind of each column. A declared `type` wins. Otherwise the sample decides, looking only at its
 * non-empty values: all numbers (or bigints) make a `number` column, all dates or full UTC timestamp
 * strings a `date` column, anything else `auto`. Numeric strings never make a number column: an id
 * like `00123` stays text.
 */
export function columnKinds(columns: readonly Column[], sample: readonly Row[]): CellKind[] {
  return columns.map((column) => {
    // Whole numbers are numbers to the typed cells (only Parquet tells them apart).
    if (column.type) return column.type === 'integer' ? 'number' : column.type;
    const values = sample.map((row) => row[column.key]).filter((value) => !isEmpty(value));
    if (values.length === 0) return 'auto';
    if (values.every((value) => typeof value === 'number' || typeof value === 'bigint')) return 'number';
    if (
      values.every(
        (value) => (value instanceof Date && !Number.isNaN(value.getTime())) || isUtcTimestamp(value),
      )
    ) {
      return 'date';
    }
    return 'auto';
  });
}

/** Text of any value: dates as ISO 8601, objects as JSON (bigints inside as strings), nothing as ''. */
export function plainText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString();
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  // A cyclic object throws: a report type bug, which fails the export like any other.
  return (
    JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? inner.toString() : inner)) ??
    ''
  );
}

/** A number cell for a finite number or a bigint that fits a double exactly; text for a bigger bigint. */
function numberCell(value: number | bigint): CellValue {
  if (typeof value === 'bigint') {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  // NaN and the infinities have no spreadsheet cell; they are left empty.
  return Number.isFinite(value) ? value : null;
}

/**
 * The typed cell of `value` in a column of `kind`:
 * - `string`: text of anything (see {@link plainText}); empty text is an empty cell;
 * - `number`: numbers, bigints and numeric strings as numbers, anything else as in `auto`;
 * - `date`: Date objects and ISO 8601 dates and timestamps as instants, anything else as in `auto`;
 * - `auto`: finite numbers and safe bigints as numbers, valid dates as instants, booleans as booleans,
 *   strings as text, other objects as JSON text; NaN, infinities and invalid dates empty.
 */
export function cellValue(value: unknown, kind: CellKind): CellValue {
  if (value === null || value === undefined) return null;
  if (kind === 'string') {
    const text = plainText(value);
    return text === '' ? null : text;
  }
  if (typeof value === 'string') {
    if (kind === 'number' && NUMERIC.test(value.trim())) {
      const parsed = Number(value.trim());
      if (Number.isFinite(parsed)) return parsed;
    }
    if (kind === 'date') {
      const instant = parseInstant(value.trim(), ISO_DATE_OR_TIMESTAMP);
      if (instant) return instant;
    }
    return value === '' ? null : value;
  }
  if (typeof value === 'number' || typeof value === 'bigint') return numberCell(value);
  if (typeof value === 'boolean') return value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  return plainText(value);
}

/** `2024-03-01T12:34:56.000Z` as `2024-03-01 12:34:56` (milliseconds kept when there are any). */
export function instantText(date: Date): string {
  const iso = date.toISOString();
  const seconds = iso.endsWith('.000Z') ? iso.slice(0, 19) : iso.slice(0, 23);
  return seconds.replace('T', ' ');
}

/** A typed cell as one line of readable text (the PDF table): dates in UTC without the `T` and `Z`. */
export function cellText(cell: CellValue): string {
  if (cell === null) return '';
  if (cell instanceof Date) return instantText(cell);
  return String(cell);
}
