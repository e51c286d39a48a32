// Webhooks end to end on the local host, through the real SDK clients and the stand-ins: endpoints
// registered through the API, reports ending (completed, failed, cancelled), their events relayed through
// the outbox to the report-events queue and POSTed to receivers on this machine, which verify every
// signature with the `standardwebhooks` package (an implementation independent of ours). Also a receiver
// that is down and comes back, one that always fails (the delivery ends Failed and its message in the
// dead-letter queue), and a host that stops between a report's end and the delivery of its event.
// Each scenario runs in a tenant of its own, so no endpoint sees another scenario's events.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueDevToken } from '../../../dev/token';
import { ReportTypeError } from '../../../src/domain/errors';
import { builtInReportTypes, createReportTypeRegistry } from '../../../src/domain/report-types';
import { dateRangeParameters } from '../../../src/domain/report-types/types';
import { apiClient, until, type ApiClient } from '../../support/api';
import { e2eFixture } from '../../support/e2e-fixture';
import { freePort } from '../../support/net';

const reportTypes = createReportTypeRegistry([
  ...builtInReportTypes.all,
  {
    name: 'always-fails',
    title: 'Always fails',
    description: 'A report whose source breaks (for tests).',
    parameters: dateRangeParameters({}),
    formats: ['csv'],
    columns: [{ key: 'n', header: 'N' }],
    // eslint-disable-next-line require-yield
    async *rows() {
      throw new ReportTypeError('SourceBroken', 'The source of this report is broken.');
    },
  },
]);

const e2e = e2eFixture({
  name: 'webhooks',
  env: {
    WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
    // Four attempts, 1 s apart: the schedule's shape, in test time.
    WEBHOOK_RETRY_SCHEDULE_SECONDS: '1,1,1',
    WEBHOOK_TIMEOUT_SECONDS: '2',
    SERVICEBUS_MAX_DELIVERY_COUNT: '3',
    EXPORT_CHUNK_TARGET_ROWS: '10000000',
  },
  seed: { albums: 20, ratings: 2_000, seed: 11 },
  timerSchedules: { outboxSweeper: '*/1 * * * * *', exportWatchdog: '*/1 * * * * *' },
  changeFeedPollMs: 200,
  reportTypes,
  debug: 'DEBUG_WEBHOOKS',
});

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  /** The body as `standardwebhooks` verified it (it throws on a bad signature). */
  verified: Record<string, unknown>;
}

/** A receiver on 127.0.0.1 that verifies each POST with the endpoint's secret, then answers `status()`. */
class Receiver {
  readonly received: Received[] = [];
  readonly failures: string[] = [];
  secret = '';
  status: () => number = () => 200;
  #server: Server | undefined;

  constructor(readonly port: number) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  async start(): Promise<void> {
    this.#server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        try {
          const headers = Object.fromEntries(
            Object.entries(request.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]),
          );
          const verified = new Webhook(this.secret).verify(body, headers) as Record<string, unknown>;
          this.received.push({ headers: request.headers, body, verified });
          response.writeHead(this.status()).end('thanks');
        } catch (error) {
          this.failures.push(String(error));
          response.writeHead(401).end();
        }
      });
    });
    await new Promise<void>((resolve) => this.#server?.listen(this.port, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

const receivers: Receiver[] = [];

async function receiver(start = true): Promise<Receiver> {
  const r = new Receiver(await freePort());
  receivers.push(r);
  if (start) await r.start();
  return r;
}

/** An admin of a tenant of its own, and its API client. */
async function tenantAdmin(): Promise<{ tenant: string; api: ApiClient }> {
  const tenant = `t-${randomUUID()}`;
  const token = await issueDevToken({
    tenantId: tenant,
    userId: 'root',
    admin: true,
    dir: process.env.REPORT_EXPORTS_TEST_LOCAL_DIR,
  });
  return { tenant, api: apiClient({ baseUrl: () => e2e.host.url, token: () => token, reportTypes }) };
}

async function register(api: ApiClient, target: Receiver, events: string[]): Promise<string> {
  const created = await api.call('POST', '/api/webhooks', { url: target.url, events, description: 'test' });
  expect(created.status).toBe(201);
  expect(created.body.secret).toMatch(/^whsec_/);
  target.secret = created.body.secret as string;
  return created.body.id as string;
}

async function createReport(api: ApiClient, type = 'popularity'): Promise<string> {
  const response = await api.call('POST', `/api/reports/${type}`, {
    parameters: { fromDate: '2021-01-01', toDate: '2021-12-31' },
  });
  expect(response.status).toBe(202);
  return response.body.reportId as string;
}

type Delivery = {
  deliveryId: string;
  status: string;
  attempts: { statusCode: number | null; error: string | null }[];
};

async function deliveries(api: ApiClient, endpointId: string): Promise<Delivery[]> {
  const response = await api.call('GET', `/api/webhooks/${endpointId}/deliveries`);
  expect(response.status).toBe(200);
  return response.body.items as Delivery[];
}

beforeAll(() => e2e.start(), 180_000);
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.stop()));
  await e2e.cleanup();
});

describe('webhooks end to end', () => {
  it('delivers each ending to the endpoints that asked for it, signed so that standardwebhooks verifies it', async () => {
    const { api } = await tenantAdmin();
    const onCompleted = await receiver();
    const onFailed = await receiver();
    const completedHook = await register(api, onCompleted, ['report.completed']);
    await register(api, onFailed, ['report.failed', 'report.cancelled']);

    const completed = await createReport(api);
    const failed = await createReport(api, 'always-fails');
    await api.untilStatus(completed, ['Completed'], 60_000);
    await api.untilStatus(failed, ['Failed'], 60_000);
    await until(
      'both events',
      async () => (onCompleted.received.length && onFailed.received.length) || undefined,
      30_000,
    );

    // A moment for anything that should not come.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(onCompleted.failures).toEqual([]);
    expect(onFailed.failures).toEqual([]);
    expect(onCompleted.received).toHaveLength(1);
    expect(onCompleted.received[0]?.verified).toMatchObject({
      type: 'report.completed',
      id: `evt_${completed}`,
      data: { reportId: completed, status: 'Completed' },
    });
    expect(onFailed.received).toHaveLength(1);
    expect(onFailed.received[0]?.verified).toMatchObject({
      type: 'report.failed',
      data: { reportId: failed, status: 'Failed', error: { code: 'SourceBroken' } },
    });
    const [delivered] = onCompleted.received;
    expect(delivered?.headers['webhook-id']).toBe(`evt_${completed}`);
    expect(Object.keys(JSON.parse(delivered?.body ?? '{}') as object).sort()).toEqual([
      'data',
      'id',
      'timestamp',
      'type',
    ]);
    expect(delivered?.body).not.toMatch(/downloadUrl|tenantId|whsec_/);

    const listed = await deliveries(api, completedHook);
    expect(listed).toEqual([
      expect.objectContaining({
        status: 'Delivered',
        eventType: 'report.completed',
        attempts: [expect.objectContaining({ statusCode: 200, error: null })],
      }),
    ]);
  }, 120_000);

  it('retries a receiver that is down with the same webhook-id, and delivers once it is back', async () => {
    const { api } = await tenantAdmin();
    const target = await receiver(false); // not listening yet: connections are refused
    const hook = await register(api, target, ['report.failed']);
    const id = await createReport(api, 'always-fails');
    await api.untilStatus(id, ['Failed'], 60_000);

    await until(
      'a failed attempt',
      async () => ((await deliveries(api, hook))[0]?.attempts.length ? true : undefined),
      30_000,
    );
    let answers = 0;
    target.status = () => (++answers === 1 ? 503 : 200);
    await target.start();
    const done = await until(
      'the delivery',
      async () => (await deliveries(api, hook)).find((d) => d.status === 'Delivered'),
      30_000,
    );
    // Refused while it was down (one attempt or more), then a 503, then delivered: one event throughout.
    const codes = done.attempts.map((a) => a.statusCode);
    expect(codes.slice(-2)).toEqual([503, 200]);
    expect(codes.slice(0, -2).length).toBeGreaterThanOrEqual(1);
    expect(codes.slice(0, -2).every((code) => code === null)).toBe(true);
    expect(done.attempts.at(-1)).toMatchObject({ error: null });
    expect(target.received.map((r) => r.headers['webhook-id'])).toEqual([`evt_${id}`, `evt_${id}`]);
  }, 120_000);

  it('gives a receiver that always fails up after the last attempt: Failed, and dead-lettered', async () => {
    const { api } = await tenantAdmin();
    const target = await receiver();
    target.status = () => 500;
    const hook = await register(api, target, ['report.completed']);
    const id = await createReport(api);
    await api.untilStatus(id, ['Completed'], 60_000);

    const failed = await until(
      'the delivery to fail',
      async () => (await deliveries(api, hook)).find((d) => d.status === 'Failed'),
      60_000,
    );
    expect(failed.attempts.map((a) => a.statusCode)).toEqual([500, 500, 500, 500]);
    expect(target.received).toHaveLength(4);
    expect(new Set(target.received.map((r) => r.headers['webhook-id']))).toEqual(new Set([`evt_${id}`]));
    // The last attempt's message goes on to the dead-letter queue (after the queue's maxDeliveryCount).
    await until(
      'the dead letter',
      async () => e2e.peer.stats(e2e.config.serviceBus.reportEventsQueue).deadLettered > 0 || undefined,
      30_000,
    );

    // Once the receiver works again, an admin asks for the event again: a fifth attempt, the same id.
    target.status = () => 200;
    const again = await api.call('POST', `/api/webhooks/${hook}/deliveries/${failed.deliveryId}/redeliver`);
    expect(again.status).toBe(202);
    const redelivered = await until(
      'the redelivery',
      async () => (await deliveries(api, hook)).find((d) => d.status === 'Delivered'),
      30_000,
    );
    expect(redelivered.attempts.map((a) => a.statusCode)).toEqual([500, 500, 500, 500, 200]);
    expect(target.received.at(-1)?.headers['webhook-id']).toBe(`evt_${id}`);
  }, 120_000);

  it('loses no event when the host stops between the ending and the delivery', async () => {
    const { api } = await tenantAdmin();
    const target = await receiver();
    await register(api, target, ['report.cancelled']);
    // Only the HTTP API runs: the cancellation is written, its event waits in the outbox.
    await e2e.startHost({ only: (definition) => definition.trigger === 'http' });
    const id = await createReport(api);
    expect((await api.call('DELETE', `/api/reports/${id}`)).body).toMatchObject({ status: 'Cancelled' });
    await e2e.stopHost();

    await e2e.startHost();
    await until('the event', async () => target.received[0], 30_000);
    expect(target.received.map((r) => r.verified)).toEqual([
      expect.objectContaining({ type: 'report.cancelled', id: `evt_${id}` }),
    ]);
  }, 120_000);
});

describe('webhook routes', () => {
  it('is 403 for a caller who is not an admin, and shows one tenant nothing of another', async () => {
    const { api } = await tenantAdmin();
    const other = await tenantAdmin();
    const target = await receiver();
    const hook = await register(api, target, ['report.completed']);

    expect((await e2e.api.call('GET', '/api/webhooks')).status).toBe(403);
    expect(
      (await e2e.api.call('POST', '/api/webhooks', { url: target.url, events: ['report.completed'] })).status,
    ).toBe(403);
    expect((await other.api.call('GET', '/api/webhooks')).body).toEqual({ items: [] });
    expect((await other.api.call('GET', `/api/webhooks/${hook}`)).status).toBe(404);
    expect((await other.api.call('DELETE', `/api/webhooks/${hook}`)).status).toBe(404);
    expect((await other.api.call('GET', `/api/webhooks/${hook}/deliveries`)).status).toBe(404);

    const mine = await api.call('GET', `/api/webhooks/${hook}`);
    expect(mine.body).toMatchObject({ id: hook, url: target.url, events: ['report.completed'] });
    expect(JSON.stringify(mine.body)).not.toMatch(/whsec_/);
    expect(JSON.stringify((await api.call('GET', '/api/webhooks')).body)).not.toMatch(/whsec_/);
    expect((await api.call('DELETE', `/api/webhooks/${hook}`)).status).toBe(204);
    expect((await api.call('GET', `/api/webhooks/${hook}`)).status).toBe(404);
  });

  it('answers bad input with a 400 problem and stores nothing', async () => {
    const { api } = await tenantAdmin();
    const cases: [unknown, string][] = [
      [{ url: 'not a url', events: ['report.completed'] }, 'url'],
      [{ url: 'http://example.com/hook', events: ['report.completed'] }, 'url'],
      [{ url: 'https://10.1.2.3/hook', events: ['report.completed'] }, 'url'],
      [{ url: 'https://169.254.169.254/latest', events: ['report.completed'] }, 'url'],
      [{ url: 'https://[::1]/hook', events: ['report.completed'] }, 'url'],
      [{ url: 'https://example.com/hook', events: ['report.started'] }, 'events.0'],
      [{ url: 'https://example.com/hook', events: [] }, 'events'],
      [
        { url: 'https://example.com/hook', events: ['report.completed'], description: 'x'.repeat(501) },
        'description',
      ],
      [{ url: 'https://example.com/hook', events: ['report.completed'], secret: 'mine' }, 'secret'],
    ];
    for (const [body, field] of cases) {
      const response = await api.call('POST', '/api/webhooks', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(Object.keys(response.body.errors as object), JSON.stringify(body)).toContain(field);
    }
    expect((await api.call('GET', '/api/webhooks')).body).toEqual({ items: [] });
  });

  it('rotates the secret: the new one signs, the old one still does for the grace period', async () => {
    const { api } = await tenantAdmin();
    const target = await receiver();
    const hook = await register(api, target, ['report.failed']);
    const old = target.secret;
    const rotated = await api.call('POST', `/api/webhooks/${hook}/secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(old);

    const id = await createReport(api, 'always-fails');
    await api.untilStatus(id, ['Failed'], 60_000);
    await until('the event', async () => target.received[0], 30_000);
    const [event] = target.received;
    const headers = event?.headers as Record<string, string>;
    expect(String(headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(() => new Webhook(rotated.body.secret as string).verify(event?.body ?? '', headers)).not.toThrow();
    expect(() => new Webhook(old).verify(event?.body ?? '', headers)).not.toThrow();
  }, 120_000);
});
