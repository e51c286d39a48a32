// The output format registry. Adding a format: one module next to this file plus one line in `formats`.
import { csv } from './csv';
import type { FormatWriter } from './types';

export type { Column, CreateStreamOptions, FormatWriter } from './types';
export { attachmentDisposition, fileNameFor } from './types';
export { createCsvWriter, type CsvOptions } from './csv';

export const formats: readonly FormatWriter[] = [csv];

const byName = new Map(formats.map((format) => [format.name, format]));

/** The format called `name` (exact, lowercase), or undefined (also for names like `constructor`). */
export function getFormat(name: string): FormatWriter | undefined {
  return byName.get(name);
}

/** Names of every registered format, in registry order. */
export const formatNames: readonly string[] = formats.map((format) => format.name);
