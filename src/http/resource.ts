// The report as the HTTP API shows it, made from the stored document (or a list page's summary of it).
import { reportView, type ReportSummary, type ReportView } from '../domain/report';

/** What the API returns for a report. */
export interface ReportResource extends ReportView {
  downloadUrl: string | null;
  downloadExpiresAt: string | null;
}

export function toResource(
  report: ReportSummary,
  download?: { url: string; expiresAt: string },
): ReportResource {
  return {
    ...reportView(report),
    downloadUrl: download?.url ?? null,
    downloadExpiresAt: download?.expiresAt ?? null,
  };
}
