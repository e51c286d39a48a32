// Chunked exports end to end on the local host, through the real SDK clients and the stand-ins: a
// ratings export of over 200,000 rows in 10+ chunks, byte for byte the single-pass file; all-time
// reports; duplicate chunk messages; cancel; and a host killed with SIGKILL mid-export, after which only
// the chunks in flight are read again. Its own Cosmos database and Service Bus peer, like exports.test.ts.
import { ServiceBusClient } from '@azure/service-bus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAlbums, generateRatings } from '../../../dev/seed';
import { MemorySourceData } from '../../fakes/memory-source-data';
import { until } from '../../support/api';
import { e2eFixture } from '../../support/e2e-fixture';
import { singlePassRatings } from '../../support/single-pass';

const ALBUMS = 200;
const RATINGS = 210_000;
const SEED = 11;
const FAST_TIMERS = { outboxSweeper: '*/1 * * * * *', exportWatchdog: '*/1 * * * * *' };
const ALL_TIME = { fromDate: '2000-01-01', toDate: '2030-12-31' };

const e2e = e2eFixture({
  name: 'chunks',
  env: {
    // Leases long enough for a busy machine (the whole suite shares the stand-ins), short enough for the
    // crash test to see one lapse.
    WORKER_LEASE_SECONDS: '15',
    WORKER_MAX_ATTEMPTS: '5',
    WORKER_RETRY_BASE_SECONDS: '0.2',
    SERVICEBUS_LOCK_DURATION_SECONDS: '5',
    EXPORT_CHUNK_TARGET_ROWS: '15000',
  },
  seed: { albums: ALBUMS, ratings: RATINGS, seed: SEED },
  timerSchedules: FAST_TIMERS,
  changeFeedPollMs: 200,
  debug: 'DEBUG_EXPORTS',
});
const { tenant, hostLog, hostLogTimes } = e2e;
const client = e2e.api;
const albums = generateAlbums(ALBUMS, SEED);
/** The seeded data, in memory, for the single-pass file to compare with. */
const memory = new MemorySourceData(
  albums,
  [...generateRatings(albums, RATINGS, SEED)].sort((a, b) =>
    a.ratedAt < b.ratedAt ? -1 : a.ratedAt > b.ratedAt ? 1 : 0,
  ),
  { pageSize: 1000 },
);

async function create(parameters: Record<string, unknown>, format = 'csv', base?: string): Promise<string> {
  const response = await client.call('POST', '/api/reports/ratings', { format, parameters }, base);
  expect(response.status).toBe(202);
  return response.body.reportId as string;
}

const blobsOf = (id: string) => e2e.blobsOf(id);

/** What a single pass over the same data writes. */
const singlePass = (format: string, parameters: Record<string, unknown>) =>
  singlePassRatings(memory, format, parameters);

/** The status of each chunk of the report's export, by chunk index, from the chunk documents. */
async function chunkStatuses(id: string): Promise<string[]> {
  const { resources } = await e2e.reports.items
    .query<{ chunk: number; status: string }>(
      {
        query:
          'SELECT c["index"] AS chunk, c.status AS status FROM c ' +
          "WHERE c.tenantId = @t AND c.kind = 'chunk' AND c.reportId = @r",
        parameters: [
          { name: '@t', value: tenant },
          { name: '@r', value: id },
        ],
      },
      { partitionKey: tenant },
    )
    .fetchAll();
  const statuses: string[] = [];
  for (const { chunk, status } of resources) statuses[chunk] = status;
  return statuses;
}

/** Per chunk index, how many times a chunk attempt started reading its rows, in `lines`. */
function readsPerChunk(lines: string[], id: string): Map<number, number> {
  const reads = new Map<number, number>();
  for (const line of lines) {
    const match = new RegExp(`report ${id} chunk (\\d+) \\(plan \\d+\\): attempt \\d+ reads its rows`).exec(
      line,
    );
    if (match) reads.set(Number(match[1]), (reads.get(Number(match[1])) ?? 0) + 1);
  }
  return reads;
}

beforeAll(() => e2e.start(), 240_000);

afterAll(() => e2e.cleanup());

describe('chunked exports end to end', () => {
  it('exports all-time ratings (over 200,000 rows) in 10+ chunks, byte for byte the single-pass file', async () => {
    const started = Date.now();
    const id = await create(ALL_TIME);
    // Duplicates of the first chunk messages, with ids of their own so that duplicate detection lets them by.
    const sb = new ServiceBusClient(e2e.peer.connectionString);
    const sender = sb.createSender(e2e.config.serviceBus.reportRequestsQueue);
    const body = (chunkIndex: number) => ({
      tenantId: tenant,
      reportId: id,
      reportType: 'ratings',
      format: 'csv',
      planId: 1,
      chunkIndex,
    });
    await until(
      'the plan',
      async () => ((await client.report(id)).progress as { chunks?: unknown }).chunks,
      60_000,
      100,
    );
    await sender.sendMessages([0, 1, 2].map((i) => ({ messageId: `copy-${id}-${i}`, body: body(i) })));
    await sb.close();
    const done = await client.untilStatus(id, ['Completed', 'Failed'], 240_000);
    const tookMs = Date.now() - started;
    expect(done.status, JSON.stringify(done.error)).toBe('Completed');
    const progress = done.progress as { chunks: { done: number; total: number } };
    expect(progress.chunks.total).toBeGreaterThanOrEqual(10);
    expect(progress.chunks.done).toBe(progress.chunks.total);
    const { bytes } = await client.download(id);
    const expected = await singlePass('csv', ALL_TIME);
    expect(bytes.equals(expected)).toBe(true);
    expect(done.rowCount).toBe(RATINGS);
    expect(done.sizeBytes).toBe(expected.length);
    expect(await blobsOf(id)).toEqual([`${tenant}/${id}/ratings-${id}.csv`]);
    expect(hostLog.filter((line) => line.includes(`report ${id}: Completed`))).toHaveLength(1);
    console.log(
      `chunked ratings export of ${RATINGS} rows in ${progress.chunks.total} chunks: ${tookMs} ms POST -> Completed`,
    );
  }, 300_000);

  it('joins NDJSON chunks into the single-pass file', async () => {
    const parameters = { fromDate: '2020-01-01', toDate: '2021-06-30' };
    const id = await create(parameters, 'ndjson');
    const done = await client.untilStatus(id, ['Completed', 'Failed'], 180_000);
    expect(done.status).toBe('Completed');
    expect((done.progress as { chunks?: { total: number } }).chunks?.total).toBeGreaterThan(1);
    expect((await client.download(id)).bytes.equals(await singlePass('ndjson', parameters))).toBe(true);
  }, 200_000);

  it('completes an all-time popularity report', async () => {
    const response = await client.call('POST', '/api/reports/popularity', {
      parameters: { ...ALL_TIME, top: 5 },
    });
    expect(response.status).toBe(202);
    const done = await client.untilStatus(response.body.reportId as string, ['Completed', 'Failed'], 180_000);
    expect(done, JSON.stringify(done.error)).toMatchObject({ status: 'Completed', rowCount: 5 });
  }, 200_000);

  it('cancels a chunked export: every chunk stops, no file, Cancelled', async () => {
    const id = await create(ALL_TIME);
    await until(
      'a chunk to finish',
      async () => {
        const report = await client.report(id);
        return ((report.progress as { chunks?: { done: number } }).chunks?.done ?? 0) > 0
          ? report
          : undefined;
      },
      120_000,
      100,
    );
    expect((await client.call('DELETE', `/api/reports/${id}`)).status).toBe(202);
    const ended = await client.untilStatus(id, ['Cancelled', 'Completed', 'Failed'], 20_000);
    expect(ended.status).toBe('Cancelled');
    expect(await blobsOf(id)).toEqual([]);
  }, 180_000);
});

describe('chunked crash recovery', () => {
  it('after a SIGKILL mid-export, completes once and reads no finished chunk again', async () => {
    await e2e.stopHost();
    const parameters = { fromDate: '2019-01-01', toDate: '2021-12-31' };
    const child = await e2e.startHostProcess();
    let id = '';
    let doneBeforeKill = 0;
    try {
      id = await create(parameters, 'csv', child.url);
      // Killed with two chunks finished and at least one claimed and still running: that one is lost.
      await until(
        'two chunks to finish in the child while another runs',
        async () => {
          const statuses = await chunkStatuses(id);
          const done = statuses.filter((status) => status === 'Done').length;
          return done >= 2 && statuses.includes('Processing') ? statuses : undefined;
        },
        120_000,
        20,
      );
    } finally {
      await child.kill();
    }

    const killedAt = Date.now();

    // Chunks the child finished: those whose own document says Done when it was killed.
    const finishedInChild = new Set(
      (await chunkStatuses(id)).flatMap((status, index) => (status === 'Done' ? [index] : [])),
    );
    doneBeforeKill = finishedInChild.size;
    expect(doneBeforeKill).toBeGreaterThanOrEqual(2);

    await e2e.startHost();
    const done = await client.untilStatus(id, ['Completed', 'Failed', 'Cancelled'], 120_000);
    expect(done.status, JSON.stringify(done.error)).toBe('Completed');
    expect((await client.download(id)).bytes.equals(await singlePass('csv', parameters))).toBe(true);
    const reads = readsPerChunk([...child.log, ...hostLog], id);
    for (const index of finishedInChild) expect(reads.get(index), `chunk ${index}`).toBe(1);
    // A chunk the child held ran again within the recovery bound: its lease (15 s here) lapsed, a
    // watchdog sweep re-queued it, and the new host read it (30 s allows for starting the new host).
    const rerun = hostLogTimes.find(
      ({ line }) => /attempt [2-9] reads its rows/.test(line) && line.includes(`report ${id} chunk`),
    );
    expect(rerun, 'a chunk of the killed host ran again').toBeDefined();
    const recoveryMs = (rerun?.at ?? Infinity) - killedAt;
    expect(recoveryMs).toBeLessThan(30_000);
    const completions = [...child.log, ...hostLog].filter((line) => line.includes(`report ${id}: Completed`));
    expect(completions).toHaveLength(1);
    console.log(
      `chunked crash recovery: ${doneBeforeKill} chunks finished before the kill; a lost chunk ran again ${recoveryMs} ms after the kill; reads per chunk ${JSON.stringify([...reads])}`,
    );
  }, 300_000);
});
