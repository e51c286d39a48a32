// The export worker end to end on the local host, through the real SDK clients and the stand-ins:
// POST -> outbox -> relay -> queue -> worker -> CSV in Blob Storage -> SAS download. Also cancel during
// Processing, duplicate delivery, a failing report type, a poison message, and a worker killed mid-export.
// This file runs against a Cosmos database and a Service Bus peer of its own, so its worker never
// touches other files' reports.
import { randomUUID } from 'node:crypto';
import { ServiceBusClient } from '@azure/service-bus';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAlbums, generateRatings } from '../../../dev/seed';
import { ReportTypeError } from '../../../src/domain/errors';
import { builtInReportTypes, createReportTypeRegistry } from '../../../src/domain/report-types';
import { dateRangeParameters } from '../../../src/domain/report-types/types';
import { e2eFixture } from '../../support/e2e-fixture';
import { POPULARITY_HEADER, rankFromDocuments } from '../../support/independent-ranking';
import { until } from '../../support/api';
import { reportDocument } from '../../support/report-document';

const ALBUMS = 300;
const RATINGS = 330_000;
const SEED = 7;
const FAST_TIMERS = { outboxSweeper: '*/1 * * * * *', exportWatchdog: '*/1 * * * * *' };
/** The widest range a report may ask for (5 years): most, not all, of the seeded ratings. */
const ALL_TIME = { fromDate: '2019-01-01', toDate: '2023-12-31' };
/** Ratings in ALL_TIME, counted directly in Cosmos. */
let ratingsInRange = 0;

// The app's report types and one whose source always fails on its second page, with a message for the user.
const reportTypes = createReportTypeRegistry([
  ...builtInReportTypes.all,
  {
    name: 'always-fails',
    title: 'Always fails',
    description: 'A report whose source breaks (for tests).',
    parameters: dateRangeParameters({}),
    formats: ['csv'],
    columns: [{ key: 'n', header: 'N' }],
    async *rows() {
      yield [{ n: 1 }];
      throw new ReportTypeError('SourceBroken', 'The source of this report is broken; try again tomorrow.');
    },
  },
]);

// A database and a Service Bus peer of this file's own (see the header).
const e2e = e2eFixture({
  name: 'exports',
  env: {
    // Long enough for a busy machine: a query over the whole range keeps the Cosmos stand-in busy for seconds.
    WORKER_LEASE_SECONDS: '15',
    WORKER_MAX_ATTEMPTS: '3',
    WORKER_RETRY_BASE_SECONDS: '0.2',
    SERVICEBUS_MAX_DELIVERY_COUNT: '3',
    SERVICEBUS_LOCK_DURATION_SECONDS: '5',
    // This file's exports run in one pass (chunked exports have a file of their own).
    EXPORT_CHUNK_TARGET_ROWS: '10000000',
  },
  seed: { albums: ALBUMS, ratings: RATINGS, seed: SEED },
  timerSchedules: FAST_TIMERS,
  changeFeedPollMs: 200,
  reportTypes,
  debug: 'DEBUG_EXPORTS',
});
const { tenant, hostLog } = e2e;
const client = e2e.api;
const api = client.call;
const reportStatus = client.report;
const untilStatus = client.untilStatus;

/** The file as text, through the download redirect. */
async function download(id: string): Promise<{ text: string; response: Response }> {
  const { bytes, response } = await client.download(id);
  return { text: bytes.toString('utf8'), response };
}

async function create(
  reportType: string,
  parameters: Record<string, unknown>,
  base?: string,
): Promise<string> {
  const response = await api('POST', `/api/reports/${reportType}`, { parameters }, base);
  expect(response.status).toBe(202);
  return response.body.reportId as string;
}

const blobsOf = (id: string) => e2e.blobsOf(id);

const completionsOf = (id: string) =>
  hostLog.filter((line) => line.includes(`report ${id} `) && line.includes(': Completed')).length;

beforeAll(async () => {
  await e2e.start();
  const { resources } = await e2e
    .container(e2e.config.cosmos.ratingsContainer)
    .items.query<number>({
      query: 'SELECT VALUE COUNT(1) FROM c WHERE c.ratedAt >= @from AND c.ratedAt < @to',
      parameters: [
        { name: '@from', value: '2019-01-01T00:00:00.000Z' },
        { name: '@to', value: '2024-01-01T00:00:00.000Z' },
      ],
    })
    .fetchAll();
  ratingsInRange = resources[0] ?? 0;
}, 180_000);

afterAll(() => e2e.cleanup());

describe('export worker end to end', () => {
  it('exports the popularity ranking as CSV equal to an independent computation, downloadable by SAS', async () => {
    const parameters = { fromDate: '2021-03-01', toDate: '2022-02-28', top: 40 };
    const started = Date.now();
    const id = await create('popularity', parameters);
    const done = await untilStatus(id, ['Completed', 'Failed'], 60_000);
    console.log(`popularity over one year of ratings: ${Date.now() - started} ms POST -> Completed`);
    expect(done).toMatchObject({ status: 'Completed', fileName: `popularity-${id}.csv` });
    const { text, response } = await download(id);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="popularity-${id}.csv"`);
    const rows: string[][] = parse(text);
    expect(rows[0]).toEqual(POPULARITY_HEADER);
    // Ranked independently of the report type's code, from the documents the seed wrote (the seed is
    // deterministic; the count check below ties these documents to what is in Cosmos).
    const albums = generateAlbums(ALBUMS, SEED);
    const ratings = [...generateRatings(albums, RATINGS, SEED)];
    const inRange = ratings.filter((r) => r.ratedAt >= '2019-01-01' && r.ratedAt < '2024-01-01').length;
    expect(inRange).toBe(ratingsInRange);
    const expected = rankFromDocuments(albums, ratings, parameters);
    expect(expected.length).toBe(40);
    expect(rows.slice(1)).toEqual(expected);
    expect(done.rowCount).toBe(40);
    expect(done.sizeBytes).toBe(Buffer.byteLength(text));
    expect(await blobsOf(id)).toEqual([`${tenant}/${id}/popularity-${id}.csv`]);
  }, 120_000);

  it(`exports every rating in range (over 200,000 rows), showing progress on the way`, async () => {
    const started = Date.now();
    const id = await create('ratings', ALL_TIME);
    const seen: Record<string, unknown>[] = [];
    const done = await until(
      'the ratings export to finish',
      async () => {
        const report = await reportStatus(id);
        seen.push(report);
        return ['Completed', 'Failed'].includes(report.status as string) ? report : undefined;
      },
      120_000,
      250,
    );
    expect(ratingsInRange).toBeGreaterThan(200_000);
    expect(done).toMatchObject({ status: 'Completed', rowCount: ratingsInRange });
    const { text } = await download(id);
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('Album ID,Title,User ID,Rating,Rated at');
    expect(lines.length - 2).toBe(ratingsInRange);
    const during = seen.filter(
      (r) => r.status === 'Processing' && (r.progress as { percent: number | null }).percent !== null,
    );
    expect(during.length).toBeGreaterThan(0);
    const first = during[0]?.progress as { processedRows: number; totalRows: number };
    expect(first.totalRows).toBe(ratingsInRange);
    console.log(
      `ratings export of ${ratingsInRange} rows: ${Date.now() - started} ms POST -> Completed, ` +
        `${done.sizeBytes as number} bytes, ${during.length} progress readings while Processing`,
    );
  }, 150_000);

  it('cancels a running export within 5 s of DELETE (one heartbeat) and leaves no file behind', async () => {
    // XLSX: the slowest writer to run in one pass, so the export is still running when the DELETE comes.
    const posted = await api('POST', '/api/reports/ratings', { format: 'xlsx', parameters: ALL_TIME });
    expect(posted.status).toBe(202);
    const id = posted.body.reportId as string;
    await until(
      'the export to show progress',
      async () => {
        const report = await reportStatus(id);
        const progress = report.progress as { processedRows: number };
        return report.status === 'Processing' && progress.processedRows > 0 ? report : undefined;
      },
      30_000,
      50,
    );
    const asked = Date.now();
    const response = await api('DELETE', `/api/reports/${id}`);
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ status: 'Processing', cancelRequested: true });
    const cancelled = await untilStatus(id, ['Cancelled', 'Completed', 'Failed'], 10_000);
    const tookMs = Date.now() - asked;
    console.log(`cancel: DELETE -> Cancelled in ${tookMs} ms`);
    expect(cancelled.status).toBe('Cancelled');
    // The worker looks for a cancel at each heartbeat: every quarter of the lease, at most every 4 s.
    expect(tookMs).toBeLessThan(5_000);
    expect((cancelled.progress as { processedRows: number }).processedRows).toBeLessThan(ratingsInRange);
    expect(await blobsOf(id)).toEqual([]);
    expect((await api('GET', `/api/reports/${id}/download`)).status).toBe(409);
  });

  it('completes a report once when its message is delivered several times', async () => {
    const id = await create('popularity', { fromDate: '2020-01-01', toDate: '2020-12-31', top: 10 });
    // Two more copies with ids of their own, so that duplicate detection lets them through.
    const client = new ServiceBusClient(e2e.peer.connectionString);
    const sender = client.createSender(e2e.config.serviceBus.reportRequestsQueue);
    const body = { tenantId: tenant, reportId: id, reportType: 'popularity', format: 'csv' };
    await sender.sendMessages([
      { messageId: `copy-1-${id}`, body, applicationProperties: { tenantId: tenant, reportId: id } },
      { messageId: `copy-2-${id}`, body, applicationProperties: { tenantId: tenant, reportId: id } },
    ]);
    await client.close();
    const done = await untilStatus(id, ['Completed', 'Failed'], 30_000);
    expect(done.status).toBe('Completed');
    await until(
      'all three deliveries to be handled',
      async () => {
        const handled = hostLog.filter(
          (line) =>
            line.includes('export request') && (line.includes(`outbox-${id}`) || line.includes(`copy-`)),
        );
        return handled.length >= 3 ? handled : undefined;
      },
      15_000,
    );
    expect(completionsOf(id)).toBe(1);
    expect(await reportStatus(id)).toMatchObject({ completedAt: done.completedAt, rowCount: 10 });
    expect(await blobsOf(id)).toHaveLength(1);
    const { text } = await download(id);
    const rows: string[][] = parse(text);
    expect(rows.length).toBe(11);
  });

  it("fails a report whose type throws, with the type's code and message", async () => {
    const id = await create('always-fails', { fromDate: '2020-01-01', toDate: '2020-01-31' });
    const done = await untilStatus(id, ['Completed', 'Failed'], 30_000);
    expect(done).toMatchObject({
      status: 'Failed',
      error: { code: 'SourceBroken', message: 'The source of this report is broken; try again tomorrow.' },
      downloadUrl: null,
    });
    expect(JSON.stringify(done)).not.toMatch(/\bat .+\.ts:\d+/);
    expect(await blobsOf(id)).toEqual([]);
  });

  it('fails the report of a poison message once the message is dead-lettered', async () => {
    // A report with no outbox message, and a request for it that no worker can read.
    const id = randomUUID();
    await e2e.reports.items.create(
      reportDocument({
        id,
        tenantId: tenant,
        ownerId: 'ana',
        parameters: { fromDate: '2020-01-01', toDate: '2020-01-31', top: 5 },
      }),
    );
    const client = new ServiceBusClient(e2e.peer.connectionString);
    await client.createSender(e2e.config.serviceBus.reportRequestsQueue).sendMessages({
      messageId: `poison-${id}`,
      body: 'this is not a request',
      applicationProperties: { tenantId: tenant, reportId: id },
    });
    await client.close();
    const done = await untilStatus(id, ['Failed', 'Completed'], 30_000);
    expect(done).toMatchObject({ status: 'Failed', error: { code: 'DeadLettered' } });
    expect((done.error as { message: string }).message).toContain('MaxDeliveryCountExceeded');
  });
});

describe('crash recovery', () => {
  it('re-queues an export whose worker process was killed, and completes it once after the lease expires', async () => {
    // Only the child host may take this export: this file's host stops first.
    await e2e.stopHost();
    const child = await e2e.startHostProcess();
    let id = '';
    try {
      id = await create('ratings', ALL_TIME, child.url);
      await until(
        'the child to be exporting',
        async () => {
          const report = await reportStatus(id, child.url);
          return report.status === 'Processing' &&
            (report.progress as { processedRows: number }).processedRows > 0
            ? report
            : undefined;
        },
        30_000,
        50,
      );
    } finally {
      await child.kill();
    }
    const killedAt = Date.now();
    expect((await e2e.reports.item(id, tenant).read<{ status: string }>()).resource?.status).toBe(
      'Processing',
    );

    await e2e.startHost();
    const done = await untilStatus(id, ['Completed', 'Failed', 'Cancelled'], 90_000);
    console.log(`crash recovery: killed -> Completed in ${Date.now() - killedAt} ms`);
    expect(done).toMatchObject({ status: 'Completed', rowCount: ratingsInRange });
    const stored = (await e2e.reports.item(id, tenant).read<{ attempts: number }>()).resource;
    expect(stored?.attempts).toBe(2);
    // Two ways back, both correct, whichever comes first: the watchdog re-queues the report through the
    // outbox, or the killed worker's own message, redelivered once its lock lapsed, takes the lapsed
    // lease over. Exactly one of them must have happened.
    const recoveries = hostLog.filter(
      (line) =>
        line.includes(`report ${id}: lease expired on attempt 1; re-queued`) ||
        line.includes(`report ${id}: lease expired on attempt 1; taken over by a redelivered request`),
    );
    expect(recoveries, hostLog.filter((line) => line.includes(id)).join('\n')).toHaveLength(1);
    expect(
      completionsOf(id) +
        child.log.filter((l) => l.includes(`report ${id} `) && l.includes(': Completed')).length,
    ).toBe(1);
    const { text } = await download(id);
    expect(text.split('\r\n').length - 2).toBe(ratingsInRange);
    expect(await blobsOf(id)).toHaveLength(1);
  }, 180_000);
});
