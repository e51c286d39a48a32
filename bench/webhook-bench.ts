// Part 5: how long after a report ends its webhook arrives, on the local host as `npm start` runs it. The
// stand-ins and the host run in processes of their own; a receiver in this process, on 127.0.0.1,
// verifies each delivery's signature (`standardwebhooks`) and notes when it arrived. A burst of small
// popularity reports is sent at once; for each, the latency is the arrival of its `report.completed`
// event minus the report's `completedAt` (the event's `timestamp`, written by the terminal transition,
// on the same machine's clock): outbox batch -> relay (change feed poll or sweeper) -> report-events queue
// -> webhookDelivery -> signed POST.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { seedSourceData } from '../dev/seed';
import { issueDevToken } from '../dev/token';
import { startLocalSystem, startScript, type RunningProcess } from './processes';
import { atMost, exactly, num, percentile, progress, round, table, type Target } from './report';

export interface WebhookBenchOptions {
  /** Reports in the burst. */
  reports: number;
  /** POSTs in flight at once while the burst is sent. */
  concurrency: number;
}

export interface WebhookResults {
  reports: number;
  delivered: number;
  signatureFailures: number;
  duplicates: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** First POST -> last event received. */
  drainMs: number;
  targets: Target[];
}

const TENANT = 'bench-webhooks';
const P95_TARGET_MS = 2_000;

export async function runWebhookBench(options: WebhookBenchOptions): Promise<WebhookResults> {
  const localDir = mkdtempSync(join(tmpdir(), 'report-exports-webhook-bench-'));
  const baseEnv = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(COSMOS|SERVICEBUS|BLOB|AUTH_|WEBHOOK_)/.test(key)),
  );
  const started: RunningProcess[] = [];
  const server = createServer();
  try {
    const { settings, config } = await startLocalSystem(baseEnv, localDir, started);
    await seedSourceData({ config, albums: 100, ratings: 5_000, seed: 1 });
    const host = await startScript(
      'bench/e2e-host.ts',
      {
        ...baseEnv,
        ...settings,
        USER_MAX_ACTIVE_REPORTS: '10000',
        BENCH_HOST_LOG: join(localDir, 'host.log'),
      },
      /^listening http:\/\/[^:]+:(\d+)/,
    );
    started.push(host);
    const base = `http://127.0.0.1:${host.port}`;
    while ((await fetch(`${base}/api/health`).catch(() => undefined))?.status !== 200) await sleep(100);

    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;

    const admin = await issueDevToken({
      tenantId: TENANT,
      userId: 'bench-admin',
      admin: true,
      dir: localDir,
    });
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const endpoint = await call('POST', '/api/webhooks', { url: receiverUrl, events: ['report.completed'] });
    if (endpoint.status !== 201) throw new Error(`registering the endpoint: ${endpoint.status}`);
    const verifier = new Webhook(endpoint.body.secret as string);
    // The receiver: verify, note the arrival, answer 204.
    const arrivals = new Map<string, number>();
    let signatureFailures = 0;
    let duplicates = 0;
    let lastArrival = 0;
    server.on('request', (request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const at = Date.now();
        try {
          const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)]));
          const event = verifier.verify(Buffer.concat(chunks).toString('utf8'), headers) as {
            timestamp: string;
            data: { reportId: string };
          };
          if (arrivals.has(event.data.reportId)) duplicates++;
          else arrivals.set(event.data.reportId, at - Date.parse(event.timestamp));
          lastArrival = at;
          response.writeHead(204).end();
        } catch {
          signatureFailures++;
          response.writeHead(400).end();
        }
      });
    });

    progress(`webhooks: a burst of ${options.reports} small reports, ${options.concurrency} POSTs at a time`);
    const burstStarted = Date.now();
    let next = 0;
    const accepted: string[] = [];
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (next < options.reports) {
          const i = next++;
          const response = await call('POST', '/api/reports/popularity', {
            parameters: { fromDate: '2021-01-01', toDate: '2021-12-31', top: 1 + i },
          });
          if (response.status === 202) accepted.push(response.body.reportId as string);
        }
      }),
    );
    const deadline = Date.now() + 300_000;
    while (arrivals.size < accepted.length && Date.now() < deadline) await sleep(200);
    await sleep(1_000); // anything late or twice
    const latencies = [...arrivals.values()];
    const results = {
      reports: accepted.length,
      delivered: arrivals.size,
      signatureFailures,
      duplicates,
      p50Ms: round(percentile(latencies, 0.5)),
      p95Ms: round(percentile(latencies, 0.95)),
      maxMs: round(Math.max(...latencies)),
      drainMs: lastArrival - burstStarted,
    };
    return {
      ...results,
      targets: [
        exactly('webhooks.delivered', results.delivered, options.reports),
        exactly('webhooks.signatureFailures', signatureFailures, 0),
        atMost('webhooks.p95Ms', results.p95Ms, P95_TARGET_MS, ' ms'),
      ],
    };
  } finally {
    server.close();
    await Promise.allSettled(started.map((p) => p.stop()));
    rmSync(localDir, { recursive: true, force: true });
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function formatWebhookResults(r: WebhookResults): string {
  return [
    'Webhooks: report Completed -> its signed event received (local host)',
    table([
      [
        'reports',
        'delivered',
        'p50',
        'p95',
        'target p95',
        'max',
        'duplicates',
        'bad signatures',
        'burst drained',
      ],
      [
        num(r.reports),
        num(r.delivered),
        `${num(r.p50Ms)} ms`,
        `${num(r.p95Ms)} ms`,
        `<= ${num(P95_TARGET_MS)} ms`,
        `${num(r.maxMs)} ms`,
        num(r.duplicates),
        num(r.signatureFailures),
        `${num(r.drainMs / 1000, 1)} s`,
      ],
    ]),
  ].join('\n');
}
