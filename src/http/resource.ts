// The report as the HTTP API shows it, made from the stored document (or a list page's summary of it).
import { RESOURCE_FIELDS, type ReportDocument, type ReportSummary } from '../domain/report';

/** What the API returns for a report. */
export interface ReportResource extends Pick<ReportDocument, (typeof RESOURCE_FIELDS)[number]> {
  reportId: string;
  truncated: boolean;
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
    downloadUrl: download?.url ?? null,
    downloadExpiresAt: download?.expiresAt ?? null,
  };
}
