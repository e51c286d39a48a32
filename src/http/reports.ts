// Mapping reports to HTTP: the resource body and the headers the contract asks for.
import type { HttpResponseInit } from '@azure/functions';
import { isTerminal, type ReportDocument } from '../domain/report';
import { toResource } from './resource';
import type { DownloadLink } from '../services/ports';

/** Seconds a client should wait before polling a report that is not finished. */
export const POLL_AFTER_SECONDS = 2;

export function reportResponse(
  status: number,
  report: ReportDocument,
  options: { correlationId?: string; link?: DownloadLink | undefined } = {},
): HttpResponseInit {
  const headers: Record<string, string> = { 'Cache-Control': 'no-store' };
  if (!isTerminal(report.status)) headers['Retry-After'] = String(POLL_AFTER_SECONDS);
  if (options.correlationId) headers['x-correlation-id'] = options.correlationId;
  const download = options.link && { url: options.link.url, expiresAt: options.link.expiresAt };
  return { status, jsonBody: toResource(report, download), headers };
}
