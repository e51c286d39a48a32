// The report as the HTTP API shows it, made from the stored document (or a list page's summary of it).
import { RESOURCE_FIELDS, type ReportDocument, type ReportSummary } from '../domain/report';

/** What the API returns for a report. */
export interface ReportResource extends Pick<ReportDocument, (typeof RESOURCE_FIELDS)[number]> {
  reportId: string;
  truncated: boolean;
  /** What the user should know about the export (e.g. that it matched no rows); empty when nothing. */
  warnings: string[];
  compression: 'gzip' | null;
  /** The chosen columns, or null for all of the type's. */
  columns: string[] | null;
  timeZone: string;
  downloadUrl: string | null;
  downloadExpiresAt: string | null;
}

export function toResource(
  report: ReportSummary,
  download?: { url: string; expiresAt: string },
): ReportResource {
  const shown = Object.fromEntries(RESOURCE_FIELDS.map((field) => [field, report[field]])) as Pick<
    ReportDocument,
    (typeof RESOURCE_FIELDS)[number]
  >;
  return {
    reportId: report.id,
    ...shown,
    truncated: report.truncated ?? false,
    warnings: report.warnings ?? [],
    compression: report.compression ?? null,
    columns: report.columns ?? null,
    timeZone: report.timeZone ?? 'UTC',
    downloadUrl: download?.url ?? null,
    downloadExpiresAt: download?.expiresAt ?? null,
  };
}
