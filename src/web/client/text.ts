// Wording of reports on the page: progress, ETA, sizes, parameters. No DOM here.

export interface ProgressView {
  processedRows: number;
  totalRows: number | null;
  percent: number | null;
  etaSeconds?: number | null;
}

const count = (n: number): string => n.toLocaleString('en-US');

/** `about 5 s left`, `about 3 min left`, `about 1 h 5 min left`. */
export function etaText(seconds: number): string {
  const s = Math.max(1, Math.round(seconds));
  if (s < 60) return `about ${s} s left`;
  const minutes = Math.round(s / 60);
  if (minutes < 60) return `about ${minutes} min left`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return `about ${hours} h${rest ? ` ${rest} min` : ''} left`;
}

/** `1,200 of 2,930 rows (41%), about 3 s left`, or `1,200 rows` when the total is unknown. */
export function progressText(progress: ProgressView): string {
  const rows =
    progress.totalRows === null
      ? `${count(progress.processedRows)} rows`
      : `${count(progress.processedRows)} of ${count(progress.totalRows)} rows`;
  const percent = progress.percent === null ? '' : ` (${Math.floor(progress.percent)}%)`;
  const eta =
    progress.etaSeconds === null || progress.etaSeconds === undefined
      ? ''
      : `, ${etaText(progress.etaSeconds)}`;
  return `${rows}${percent}${eta}`;
}

/** `394 bytes`, `12.5 KB`, `3.2 MB`. */
export function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit] ?? 'TB'}`;
}

const valueText = (value: unknown): string =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : JSON.stringify(value);

/** `2024-01-01 to 2024-12-31, top 5, genre Rock`: the date range first, then the other parameters. */
/**
 * What a Completed report's file holds: `1,234 rows, 56 KB`, and when the format cut it short, that the
 * report has more rows than the file shows.
 */
export function fileText(report: {
  rowCount: number | null;
  sizeBytes: number | null;
  truncated: boolean;
  format: string;
}): string {
  const rows = report.rowCount ?? 0;
  const text = `${rows.toLocaleString('en-US')} ${rows === 1 ? 'row' : 'rows'}, ${sizeText(report.sizeBytes ?? 0)}`;
  if (!report.truncated) return text;
  return `${text}. Cut short: a ${report.format.toUpperCase()} file stops at ${rows.toLocaleString('en-US')} rows and this report has more; export it as CSV, JSON or XLSX for every row.`;
}

export function parametersText(parameters: Readonly<Record<string, unknown>>): string {
  const { fromDate, toDate, ...rest } = parameters;
  const parts: string[] = [];
  if (typeof fromDate === 'string' && typeof toDate === 'string') parts.push(`${fromDate} to ${toDate}`);
  else {
    if (fromDate !== undefined) parts.push(`from ${valueText(fromDate)}`);
    if (toDate !== undefined) parts.push(`to ${valueText(toDate)}`);
  }
  for (const [name, value] of Object.entries(rest)) {
    if (value === undefined || value === null) continue;
    const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
    parts.push(`${words} ${valueText(value)}`);
  }
  return parts.join(', ');
}

/**
 * The status as the page shows it: a report being cancelled reads `Cancelling` (a Processing report the
 * API has the request for, or an active one whose `DELETE` is still on its way).
 */
export function statusLabel(status: string, cancelRequested: boolean): string {
  return (status === 'Processing' || status === 'Pending') && cancelRequested ? 'Cancelling' : status;
}

/**
 * What the page announces when a report reaches `status`: ready to download, the failure, or that a
 * cancel came too late (the report finished first and its file is complete).
 */
export function outcomeText(report: {
  status: string;
  cancelRequested: boolean;
  error?: { message: string } | null;
}): string {
  switch (report.status) {
    case 'Completed':
      return report.cancelRequested
        ? ', before the cancel could stop it; ready to download'
        : ', ready to download';
    case 'Failed':
      return `: ${report.error?.message ?? 'the export failed'}`;
    default:
      return '';
  }
}
