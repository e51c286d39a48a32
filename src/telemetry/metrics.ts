// The service's metrics, through the OpenTelemetry API (Azure Monitor exports them as custom metrics when
// telemetry is on; without an SDK they cost nothing). Instruments are made from the global meter provider
// in use and made again should it change (an SDK registered after the first use, tests).
import { metrics, type Counter, type Gauge, type Histogram, type MeterProvider } from '@opentelemetry/api';

const METER_NAME = 'report-exports';

/** Metric names, as they appear in Application Insights `customMetrics` (the alerts and workbook use them). */
export const METRIC = {
  created: 'reports.created',
  completed: 'reports.completed',
  failed: 'reports.failed',
  cancelled: 'reports.cancelled',
  exportDuration: 'exports.duration',
  exportRowsPerSecond: 'exports.rows_per_second',
  queueWait: 'exports.queue_wait',
  deferred: 'exports.deferred',
  outboxOldestAge: 'outbox.oldest_undispatched_age',
  deadLettered: 'exports.dead_lettered',
  redriven: 'exports.redriven',
} as const;

interface Instruments {
  created: Counter;
  completed: Counter;
  failed: Counter;
  cancelled: Counter;
  exportDuration: Histogram;
  exportRowsPerSecond: Histogram;
  queueWait: Histogram;
  deferred: Counter;
  outboxOldestAge: Gauge;
  deadLettered: Counter;
  redriven: Counter;
}

let cached: { provider: MeterProvider; instruments: Instruments } | undefined;

function instruments(): Instruments {
  const provider = metrics.getMeterProvider();
  if (cached?.provider === provider) return cached.instruments;
  const meter = provider.getMeter(METER_NAME);
  const made: Instruments = {
    created: meter.createCounter(METRIC.created, { description: 'Reports accepted (POST 202, new report).' }),
    completed: meter.createCounter(METRIC.completed, { description: 'Reports that ended Completed.' }),
    failed: meter.createCounter(METRIC.failed, { description: 'Reports that ended Failed.' }),
    cancelled: meter.createCounter(METRIC.cancelled, { description: 'Reports that ended Cancelled.' }),
    exportDuration: meter.createHistogram(METRIC.exportDuration, {
      description: 'Claim to Completed of one export.',
      unit: 's',
    }),
    exportRowsPerSecond: meter.createHistogram(METRIC.exportRowsPerSecond, {
      description: 'Rows written per second by one completed export.',
      unit: '{row}/s',
    }),
    queueWait: meter.createHistogram(METRIC.queueWait, {
      description: 'From the request accepted (report and outbox written) to its first claim by a worker.',
      unit: 's',
    }),
    deferred: meter.createCounter(METRIC.deferred, {
      description:
        'Export requests put back on the queue because their tenant had its cap of exports running.',
    }),
    outboxOldestAge: meter.createGauge(METRIC.outboxOldestAge, {
      description:
        'Age of the oldest outbox document not yet sent to Service Bus (0: none), after each sweep.',
      unit: 's',
    }),
    deadLettered: meter.createCounter(METRIC.deadLettered, {
      description: 'Export request messages that reached the dead-letter queue.',
    }),
    redriven: meter.createCounter(METRIC.redriven, {
      description: 'Stalled work the watchdog sent again (its message had left the queue unprocessed).',
    }),
  };
  cached = { provider, instruments: made };
  return made;
}

/** The dimensions of a report's metrics. */
export interface ReportKind {
  reportType: string;
  format: string;
}

const dimensions = (report: ReportKind) => ({ reportType: report.reportType, format: report.format });

export function countCreated(report: ReportKind): void {
  instruments().created.add(1, dimensions(report));
}

/** A report reached a terminal status. */
export function countFinished(
  report: ReportKind & { status: 'Completed' | 'Failed' | 'Cancelled'; errorCode?: string },
): void {
  const all = instruments();
  if (report.status === 'Completed') all.completed.add(1, dimensions(report));
  else if (report.status === 'Cancelled') all.cancelled.add(1, dimensions(report));
  else all.failed.add(1, { ...dimensions(report), errorCode: report.errorCode ?? 'unknown' });
}

/** A completed export: how long it ran and how many rows it wrote. */
export function recordExport(report: ReportKind, seconds: number, rows: number): void {
  if (!(seconds >= 0)) return;
  const all = instruments();
  all.exportDuration.record(seconds, dimensions(report));
  if (seconds > 0) all.exportRowsPerSecond.record(rows / seconds, dimensions(report));
}

export function recordQueueWait(report: ReportKind, seconds: number): void {
  if (seconds >= 0) instruments().queueWait.record(seconds, dimensions(report));
}

export function countDeferred(report: ReportKind): void {
  instruments().deferred.add(1, dimensions(report));
}

export function recordOutboxOldestAge(seconds: number): void {
  instruments().outboxOldestAge.record(Math.max(0, seconds));
}

export function countDeadLettered(reason: string): void {
  instruments().deadLettered.add(1, { reason: reason.slice(0, 64) });
}

export function countRedriven(count: number): void {
  if (count > 0) instruments().redriven.add(count);
}
