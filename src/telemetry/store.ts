// Report metrics and export span attributes read off the report store's writes, so that the services
// stay free of telemetry: a new report is a successful createWithOutbox, and a report's end is a
// successful etag-conditional replace to a terminal status (nothing rewrites a terminal report, so each
// such write is the one transition). Every other method passes through untouched.
import { isTerminal, type ReportDocument } from '../domain/report';
import type { ReportStore, Stored } from '../services/ports';
import { countCreated, countFinished, recordExport, recordQueueWait } from './metrics';
import { annotateActiveSpan } from './tracing';

const seconds = (from: string | null, to: string | null): number | undefined => {
  const start = from ? Date.parse(from) : NaN;
  const end = to ? Date.parse(to) : NaN;
  return Number.isFinite(start) && Number.isFinite(end) ? (end - start) / 1000 : undefined;
};

function finished(report: ReportDocument): void {
  if (report.status !== 'Completed' && report.status !== 'Failed' && report.status !== 'Cancelled') return;
  countFinished({
    reportType: report.reportType,
    format: report.format,
    status: report.status,
    ...(report.error ? { errorCode: report.error.code } : {}),
  });
  annotateActiveSpan({
    status: report.status,
    ...(report.rowCount !== null ? { rows: report.rowCount } : {}),
    ...(report.sizeBytes !== null ? { bytes: report.sizeBytes } : {}),
    ...(report.error ? { errorCode: report.error.code } : {}),
  });
  const ran = seconds(report.startedAt, report.completedAt);
  if (report.status === 'Completed' && ran !== undefined) recordExport(report, ran, report.rowCount ?? 0);
}

/**
 * `store` with its writes observed for metrics and the active span. A proxy, so that every other method
 * (those added later too) reaches the store as it is.
 */
export function observedReportStore(store: ReportStore): ReportStore {
  const createWithOutbox: ReportStore['createWithOutbox'] = async (report, outbox) => {
    const result = await store.createWithOutbox(report, outbox);
    if (result === 'created') countCreated(report);
    return result;
  };
  const replace: ReportStore['replace'] = async (
    report,
    etag,
  ): Promise<Stored<ReportDocument> | 'conflict'> => {
    const result = await store.replace(report, etag);
    if (result !== 'conflict' && isTerminal(result.doc.status)) finished(result.doc);
    return result;
  };
  return new Proxy(store, {
    get(target, property) {
      if (property === 'createWithOutbox') return createWithOutbox;
      if (property === 'replace') return replace;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * A worker claimed `report` (its status is Processing, `startedAt` the claim time): the first claim
 * records how long the request waited for a worker, relay and any fair-share deferral included.
 */
export function observeClaim(report: ReportDocument): void {
  annotateActiveSpan({ attempt: report.attempts });
  if (report.attempts !== 1) return;
  const waited = seconds(report.createdAt, report.startedAt);
  if (waited !== undefined) recordQueueWait(report, waited);
}
