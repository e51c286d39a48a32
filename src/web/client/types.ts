// The API's JSON as the page reads it.
export type { ReportResource } from '../../domain/report';

/** One entry of `GET /api/report-types`. */
export interface ReportType {
  name: string;
  title: string;
  description: string;
  formats: string[];
  /** JSON Schema of the request's `parameters`. */
  parameters: Record<string, unknown>;
}

/** `GET /api/reports`. */
export interface ReportPage<R> {
  items: R[];
  continuationToken: string | null;
}
