// What the export form's option fields put in a request body (no DOM here: unit-tested in Node).
import type { ReportType } from './types';

/** The option fields of a request body; only those that differ from the defaults are sent. */
export interface OptionValues {
  compression?: string;
  columns?: string[];
  timeZone?: string;
}

/**
 * The options a request carries: `compression` when one is chosen and the format takes it, `columns`
 * when not all are checked (in the type's order), `timeZone` when one is typed.
 */
export function optionValues(
  type: Pick<ReportType, 'columns' | 'compressions'>,
  format: string,
  chosen: { compression: string; checked: readonly string[]; timeZone: string },
): OptionValues {
  const values: OptionValues = {};
  if (chosen.compression === 'gzip' && type.compressions.gzip.includes(format)) values.compression = 'gzip';
  const keys = type.columns.map((column) => column.key);
  const checked = keys.filter((key) => chosen.checked.includes(key));
  if (checked.length < keys.length) values.columns = checked;
  const zone = chosen.timeZone.trim();
  if (zone !== '') values.timeZone = zone;
  return values;
}
