// Chunked exports end to end on the local host, through the real SDK clients and the stand-ins: a
// ratings export of over 200,000 rows in 10+ chunks, byte for byte the single-pass file; all-time
// reports; duplicate chunk messages; cancel; and a host killed with SIGKILL mid-export, after which only
// the chunks in flight are read again. Its own Cosmos database and Service Bus peer, like exports.test.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { ServiceBusClient } from '@azure/service-bus';
import { BlobServiceClient } from '@azure/storage-blob';
import type { CosmosClient } from '@azure/cosmos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAlbums, generateRatings, seedSourceData } from '../../../dev/seed';
import { peerQueues } from '../../../dev/local-env';
import { startAppHost, type AppHost } from '../../support/app-host';
import { provisionLocal } from '../../../dev/provision';
import { startServiceBusPeer, type ServiceBusPeer } from '../../../dev/servicebus-peer/peer';
import { issueDevToken } from '../../../dev/token';
import { loadConfig, type AppConfig } from '../../../src/config';
import { MemorySourceData } from '../../fakes/memory-source-data';
import { testCosmosClient } from '../../support/clients';
import { apiClient, until } from '../../support/api';
import { singlePassRatings } from '../../support/single-pass';

const ALBUMS = 200;
const RATINGS = 210_000;
const SEED = 11;
const FAST_TIMERS = { outboxSweeper: '*/1 * * * * *', exportWatchdog: '*/1 * * * * *' };
const ALL_TIME = { fromDate: '2000-01-01', toDate: '2030-12-31' };

let config: AppConfig;
let peer: ServiceBusPeer;
let host: AppHost | undefined;
let cosmos: CosmosClient;
let hostLog: string[] = [];
/** The host's log lines with the time each arrived. */
let hostLogTimes: { line: string; at: number }[] = [];
const tenant = `t-${randomUUID()}`;
let token: string;
const albums = generateAlbums(ALBUMS, SEED);
/** The seeded data, in memory, for the single-pass file to compare with. */
const memory = new MemorySourceData(
  albums,
  [...generateRatings(albums, RATINGS, SEED)].sort((a, b) =>
    a.ratedAt < b.ratedAt ? -1 : a.ratedAt > b.ratedAt ? 1 : 0,
  ),
  { pageSize: 1000 },
);

const startHost = () => {
  hostLog = [];
  hostLogTimes = [];
  return startAppHost({
    timerSchedules: FAST_TIMERS,
    changeFeedPollMs: 200,
    log: (line) => {
      hostLog.push(line);
      hostLogTimes.push({ line, at: Date.now() });
      if (process.env.DEBUG_EXPORTS) console.log(line);
    },
  });
};

const client = apiClient({ baseUrl: () => host?.url, token: () => token });

async function create(parameters: Record<string, unknown>, format = 'csv', base?: string): Promise<string> {
  const response = await client.call('POST', '/api/reports/ratings', { format, parameters }, base);
  expect(response.status).toBe(202);
  return response.body.reportId as string;
}

async function blobsOf(id: string): Promise<string[]> {
  const container = BlobServiceClient.fromConnectionString(process.env.BLOB ?? '').getContainerClient(
    config.blob.reportsContainer,
  );
  const names: string[] = [];
  for await (const blob of container.listBlobsFlat({ prefix: `${tenant}/${id}/` })) names.push(blob.name);
  return names;
}

/** What a single pass over the same data writes. */
const singlePass = (format: string, parameters: Record<string, unknown>) =>
  singlePassRatings(memory, format, parameters);

/** The status of each chunk of the report's export, by chunk index, from the chunk documents. */
async function chunkStatuses(id: string): Promise<string[]> {
  const { resources } = await cosmos
    .database(config.cosmos.databaseName)
    .container(config.cosmos.reportsContainer)
    .items.query<{ chunk: number; status: string }>(
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

beforeAll(async () => {
  process.env.COSMOS_DATABASE_NAME = `chunks-${randomUUID().slice(0, 8)}`;
  process.env.OUTBOX_SWEEP_GRACE_SECONDS = '1';
  // Leases long enough for a busy machine (the whole suite shares the stand-ins), short enough for the
  // crash test to see one lapse.
  process.env.WORKER_LEASE_SECONDS = '15';
  process.env.WORKER_MAX_ATTEMPTS = '5';
  process.env.WORKER_RETRY_BASE_SECONDS = '0.2';
  process.env.SERVICEBUS_LOCK_DURATION_SECONDS = '5';
  process.env.EXPORT_CHUNK_TARGET_ROWS = '15000';
  config = loadConfig(process.env);
  peer = await startServiceBusPeer({ port: 0, queues: peerQueues(config) });
  process.env.SERVICEBUS = peer.connectionString;
  config = loadConfig(process.env);
  await provisionLocal(config);
  await seedSourceData({ config, albums: ALBUMS, ratings: RATINGS, seed: SEED });
  cosmos = testCosmosClient();
  token = await issueDevToken({
    tenantId: tenant,
    userId: 'ana',
    dir: process.env.REPORT_EXPORTS_TEST_LOCAL_DIR,
  });
  host = await startHost();
}, 240_000);

afterAll(async () => {
  await host?.stop();
  await peer?.close();
  delete process.env.EXPORT_CHUNK_TARGET_ROWS;
  await cosmos
    ?.database(config.cosmos.databaseName)
    .delete()
    .catch(() => undefined);
  cosmos?.dispose();
});

describe('chunked exports end to end', () => {
  it('exports all-time ratings (over 200,000 rows) in 10+ chunks, byte for byte the single-pass file', async () => {
    const started = Date.now();
    const id = await create(ALL_TIME);
    // Duplicates of the first chunk messages, with ids of their own so that duplicate detection lets them by.
    const sb = new ServiceBusClient(peer.connectionString);
    const sender = sb.createSender(config.serviceBus.reportRequestsQueue);
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
    await host?.stop();
    host = undefined;
    const parameters = { fromDate: '2019-01-01', toDate: '2021-12-31' };
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'test/support/host-process.ts'], {
      env: { ...process.env, HOST_TIMER_SCHEDULES: JSON.stringify(FAST_TIMERS) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const childLog: string[] = [];
    createInterface({ input: child.stderr! }).on('line', (line) => childLog.push(line));
    let id = '';
    let doneBeforeKill = 0;
    try {
      const [line] = (await Promise.race([
        once(createInterface({ input: child.stdout! }), 'line'),
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error('the child host did not start')), 60_000),
        ),
      ])) as [string];
      const childUrl = line.replace('listening ', '');
      id = await create(parameters, 'csv', childUrl);
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
      child.kill('SIGKILL');
    }
    await Promise.all([once(child, 'exit'), once(child.stderr!, 'close')]);

    const killedAt = Date.now();

    // Chunks the child finished: those whose own document says Done when it was killed.
    const finishedInChild = new Set(
      (await chunkStatuses(id)).flatMap((status, index) => (status === 'Done' ? [index] : [])),
    );
    doneBeforeKill = finishedInChild.size;
    expect(doneBeforeKill).toBeGreaterThanOrEqual(2);

    host = await startHost();
    const done = await client.untilStatus(id, ['Completed', 'Failed', 'Cancelled'], 120_000);
    expect(done.status, JSON.stringify(done.error)).toBe('Completed');
    expect((await client.download(id)).bytes.equals(await singlePass('csv', parameters))).toBe(true);
    const reads = readsPerChunk([...childLog, ...hostLog], id);
    for (const index of finishedInChild) expect(reads.get(index), `chunk ${index}`).toBe(1);
    // A chunk the child held ran again within the recovery bound: its lease (15 s here) lapsed, a
    // watchdog sweep re-queued it, and the new host read it (30 s allows for starting the new host).
    const rerun = hostLogTimes.find(
      ({ line }) => /attempt [2-9] reads its rows/.test(line) && line.includes(`report ${id} chunk`),
    );
    expect(rerun, 'a chunk of the killed host ran again').toBeDefined();
    const recoveryMs = (rerun?.at ?? Infinity) - killedAt;
    expect(recoveryMs).toBeLessThan(30_000);
    const completions = [...childLog, ...hostLog].filter((line) => line.includes(`report ${id}: Completed`));
    expect(completions).toHaveLength(1);
    console.log(
      `chunked crash recovery: ${doneBeforeKill} chunks finished before the kill; a lost chunk ran again ${recoveryMs} ms after the kill; reads per chunk ${JSON.stringify([...reads])}`,
    );
  }, 300_000);
});
