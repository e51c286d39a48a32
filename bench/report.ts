// Small helpers shared by the benchmark parts: statistics, plain-text tables and targets.

export const MB = 1024 * 1024;

/** The p-th percentile (0..1) of `values` by nearest rank; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
  return sorted[rank - 1] ?? NaN;
}

export const median = (values: readonly number[]): number => percentile(values, 0.5);

export const round = (value: number, digits = 0): number => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};

/** `1234567` -> `1,234,567`; `digits` decimals. */
export function num(value: number | undefined, digits = 0): string {
  if (value === undefined || Number.isNaN(value)) return '-';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A plain-text table: the first row is the header; numbers-looking cells are right-aligned. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  const numeric = (cell: string) => /^[-+]?[\d,.]+( ?[a-zA-Z%/]+)?$|^-$/.test(cell);
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) =>
        numeric(cell) && i > 0 ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0),
      )
      .join('  ')
      .trimEnd();
  const [header, ...body] = rows;
  if (!header) return '';
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export interface Target {
  /** The JSON field, e.g. `export.ratioToCsvStringify`. */
  name: string;
  value: number | null;
  unit: string;
  /** e.g. `>= 0.9`. */
  target: string;
  met: boolean | null;
  /** PASS / MISS with the distance to the target, or why it was not measured. */
  note: string;
}

function fmt(value: number, unit: string): string {
  const digits = Math.abs(value) < 10 && !Number.isInteger(value) ? 2 : 0;
  return `${num(value, digits)}${unit ? ` ${unit}` : ''}`;
}

/** A target the value must reach (>= min). */
export function atLeast(name: string, value: number | null, min: number, unit = ''): Target {
  if (value === null || Number.isNaN(value)) {
    return { name, value: null, unit, target: `>= ${fmt(min, unit)}`, met: null, note: 'not measured' };
  }
  const met = value >= min;
  const short = min - value;
  return {
    name,
    value,
    unit,
    target: `>= ${fmt(min, unit)}`,
    met,
    note: met ? 'PASS' : `MISS by ${fmt(short, unit)} (${num((short / min) * 100, 0)} % below the target)`,
  };
}

/** A target the value must stay under (`strict`: <, else <=). */
export function atMost(name: string, value: number | null, max: number, unit = '', strict = false): Target {
  const target = `${strict ? '<' : '<='} ${fmt(max, unit)}`;
  if (value === null || Number.isNaN(value))
    return { name, value: null, unit, target, met: null, note: 'not measured' };
  const met = strict ? value < max : value <= max;
  const over = value - max;
  return {
    name,
    value,
    unit,
    target,
    met,
    note: met
      ? 'PASS'
      : `MISS by ${fmt(Math.max(over, 0), unit)} (${num((over / max) * 100, 0)} % over the target)`,
  };
}

/** An exact count (e.g. zero lost reports). */
export function exactly(name: string, value: number | null, expected: number, unit = ''): Target {
  const target = `= ${fmt(expected, unit)}`;
  if (value === null) return { name, value, unit, target, met: null, note: 'not measured' };
  const met = value === expected;
  return { name, value, unit, target, met, note: met ? 'PASS' : `MISS: ${fmt(value, unit)}` };
}

export function targetsTable(targets: readonly Target[]): string {
  return table([
    ['target', 'measured', 'wanted', 'result'],
    ...targets.map((t) => [t.name, t.value === null ? '-' : fmt(t.value, t.unit), t.target, t.note]),
  ]);
}

/** Prints a progress line on stderr (stdout carries the results). */
export function progress(line: string): void {
  process.stderr.write(`  ${line}\n`);
}
