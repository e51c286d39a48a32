// One report is one trace across the three functions it passes through: the HTTP request (createReport),
// the outbox relay's send, and the worker's export, read from the OpenTelemetry SDK's in-memory span
// exporter. The whole app runs on the local host in this process, against a Cosmos database and a
// Service Bus peer of this file's own, through the real SDK clients.
import { randomUUID } from 'node:crypto';
import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eFixture } from '../../support/e2e-fixture';
import { installTestTelemetry } from '../../support/telemetry';

const telemetry = installTestTelemetry();
const e2e = e2eFixture({
  name: 'tracing',
  seed: { albums: 30, ratings: 3_000, seed: 3 },
  timerSchedules: { outboxSweeper: '*/1 * * * * *', exportWatchdog: '*/1 * * * * *' },
  changeFeedPollMs: 200,
  user: 'u',
});
const { tenant } = e2e;
const client = e2e.api;

beforeAll(() => e2e.start());

afterAll(() => e2e.cleanup());

const spanId = (span: ReadableSpan) => span.spanContext().spanId;
const traceId = (span: ReadableSpan) => span.spanContext().traceId;
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

/** The spans of one report: its POST, the send span that the export's message carried, and the export. */
function spansOf(reportId: string) {
  const spans = telemetry.spans.getFinishedSpans();
  const exported = spans.find((s) => s.kind === SpanKind.CONSUMER && s.attributes.reportId === reportId);
  const send = spans.find(
    (s) => s.kind === SpanKind.PRODUCER && exported && spanId(s) === parentOf(exported),
  );
  const post = spans.find((s) => s.kind === SpanKind.SERVER && send && spanId(s) === parentOf(send));
  return { exported, send, post };
}

describe('one trace per report', () => {
  it('joins the HTTP request, the relay send and the export, with the report on the export span', async () => {
    const response = await client.call('POST', '/api/reports/popularity', {
      format: 'csv',
      parameters: { fromDate: '2019-01-01', toDate: '2023-12-31' },
    });
    expect(response.status).toBe(202);
    const reportId = response.body.reportId as string;
    const report = await client.untilStatus(reportId, ['Completed'], 20_000);

    const { exported, send, post } = spansOf(reportId);
    expect(exported, 'the export span').toBeDefined();
    expect(send, "the send span the export's message carried").toBeDefined();
    expect(post, 'the POST span').toBeDefined();
    if (!exported || !send || !post) return;
    expect(post.name).toBe('POST /api/reports/{reportType}');
    expect(post.attributes['http.response.status_code']).toBe(202);
    expect(post.parentSpanContext).toBeUndefined();
    expect(new Set([traceId(post), traceId(send), traceId(exported)]).size).toBe(1);
    expect(send.attributes).toMatchObject({ reportId, tenantId: tenant, 'messaging.system': 'servicebus' });
    expect(exported.attributes).toMatchObject({
      reportId,
      tenantId: tenant,
      reportType: 'popularity',
      format: 'csv',
      rows: report.rowCount,
      bytes: report.sizeBytes,
      status: 'Completed',
      outcome: 'completed',
    });
    expect(report.rowCount).toBeGreaterThan(0);
  });

  it('continues the trace a client started (its traceparent header)', async () => {
    const clientTrace = randomUUID().replaceAll('-', '');
    const response = await fetch(`${e2e.host.url}/api/reports/popularity`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${e2e.token}`,
        'content-type': 'application/json',
        traceparent: `00-${clientTrace}-00f067aa0ba902b7-01`,
      },
      body: JSON.stringify({ parameters: { fromDate: '2019-02-01', toDate: '2023-12-31' } }),
    });
    expect(response.status).toBe(202);
    const { reportId } = (await response.json()) as { reportId: string };
    await client.untilStatus(reportId, ['Completed'], 20_000);
    const { exported, post } = spansOf(reportId);
    expect(post?.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(post && traceId(post)).toBe(clientTrace);
    expect(exported && traceId(exported)).toBe(clientTrace);
  });
});
