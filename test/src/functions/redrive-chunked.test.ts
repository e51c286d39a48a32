// Chunked exports whose chunk messages left the queue unprocessed, end to end on the local host through
// the real SDK clients and the stand-ins. The host is stopped mid-export and every message left on the
// queue is received and completed without being run (as a purge or an expired time to live would remove
// them), so the chunks not yet run have no message anywhere. Then:
// - the watchdog sends the waiting chunks again after the grace period, and the export completes, byte for
//   byte the single-pass file, without reading a chunk that was Done before the messages were removed;
// - a DELETE of such a stranded export ends it Cancelled within seconds, without waiting for the grace
//   period or a chunk message, and no file appears.
import { ServiceBusClient } from '@azure/service-bus';
import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAlbums, generateRatings } from '../../../dev/seed';
import { MemorySourceData } from '../../fakes/memory-source-data';
import { until } from '../../support/api';
import { e2eFixture } from '../../support/e2e-fixture';
import { singlePassRatings } from '../../support/single-pass';

const ALBUMS = 50;
const RATINGS = 12_000;
const SEED = 7;
const GRACE_SECONDS = 10;
const WATCHDOG_EVERY_SECONDS = 1;
/** The grace period of the cancel test's host. */
const CANCEL_GRACE_SECONDS = 60;
const ALL_TIME = { fromDate: '2000-01-01', toDate: '2030-12-31' };
/** All the data too, asked otherwise: not the same request as ALL_TIME (which the API would refuse while active). */
const ALL_TIME_TOO = { fromDate: '2000-01-01', toDate: '2030-12-30' };

const e2e = e2eFixture({
  name: 'redrive-chunked',
  env: {
    // About 12 chunks of 1,000 rows, two of them out at a time: few chunk messages in flight.
    EXPORT_CHUNK_TARGET_ROWS: '1000',
    TENANT_CHUNK_WINDOW: '2',
    RECONCILE_GRACE_SECONDS: String(GRACE_SECONDS),
    RECONCILE_MAX_REDRIVES: '3',
    // The grace period must be longer than the longest retry delay (config.ts).
    WORKER_RETRY_MAX_SECONDS: '5',
    // A chunk whose worker stopped with the host lapses soon (it does not count as running after).
    WORKER_LEASE_SECONDS: '6',
  },
  seed: { albums: ALBUMS, ratings: RATINGS, seed: SEED },
  timerSchedules: {
    outboxSweeper: '*/1 * * * * *',
    exportWatchdog: `*/${WATCHDOG_EVERY_SECONDS} * * * * *`,
  },
  changeFeedPollMs: 200,
  debug: 'DEBUG_EXPORTS',
});
const { tenant, hostLog } = e2e;
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

beforeAll(() => e2e.start(), 240_000);

afterAll(() => e2e.cleanup());

interface ChunkState {
  status: string;
  attempts: number;
  lease: string | null;
  ts: number;
}

/** Each chunk of the report's export, by chunk index, from the chunk documents. */
async function chunksOf(id: string): Promise<ChunkState[]> {
  const { resources } = await e2e.reports.items
    .query<{ chunk: number } & ChunkState>(
      {
        query:
          'SELECT c["index"] AS chunk, c.status AS status, c.attempts AS attempts, ' +
          'c.leaseExpiresAt AS lease, c._ts AS ts FROM c ' +
          "WHERE c.tenantId = @t AND c.kind = 'chunk' AND c.reportId = @r",
        parameters: [
          { name: '@t', value: tenant },
          { name: '@r', value: id },
        ],
      },
      { partitionKey: tenant },
    )
    .fetchAll();
  const chunks: ChunkState[] = [];
  for (const { chunk, ...state } of resources) chunks[chunk] = state;
  return chunks;
}

const indexesWith = (chunks: ChunkState[], status: string): number[] =>
  chunks.flatMap((chunk, index) => (chunk.status === status ? [index] : []));

/**
 * Waits until no chunk of the export is running and none has been written for `quietMs` (a chunk runs in
 * well under a second here): the chunks that still had a message have run. The chunks, as they are then.
 */
async function untilChunksStop(id: string, quietMs = 2_000): Promise<ChunkState[]> {
  let last = '';
  let since = Date.now();
  return until(
    'the chunks to stop',
    async () => {
      const chunks = await chunksOf(id);
      const snapshot = JSON.stringify(chunks);
      if (snapshot !== last) {
        last = snapshot;
        since = Date.now();
        return undefined;
      }
      const now = new Date().toISOString();
      const running = chunks.some((c) => c.status === 'Processing' && (c.lease ?? '') > now);
      return !running && Date.now() - since >= quietMs ? chunks : undefined;
    },
    60_000,
    200,
  );
}

/** The blobs of the report, with those that have staged (uncommitted) blocks only: a chunked export's parts. */
async function stagedBlobsOf(id: string): Promise<string[]> {
  const container = BlobServiceClient.fromConnectionString(process.env.BLOB ?? '').getContainerClient(
    e2e.config.blob.reportsContainer,
  );
  const names: string[] = [];
  for await (const blob of container.listBlobsFlat({
    prefix: `${tenant}/${id}/`,
    includeUncommitedBlobs: true,
  }))
    names.push(blob.name);
  return names;
}

/** Receives every message on the queue and completes it without running it; how many. */
async function drainQueue(): Promise<number> {
  const sb = new ServiceBusClient(e2e.peer.connectionString);
  const receiver = sb.createReceiver(e2e.config.serviceBus.reportRequestsQueue);
  let removed = 0;
  try {
    for (;;) {
      const batch = await receiver.receiveMessages(50, { maxWaitTimeInMs: 1_500 });
      if (batch.length === 0) return removed;
      for (const message of batch) {
        removed++;
        await receiver.completeMessage(message);
      }
    }
  } finally {
    await receiver.close();
    await sb.close();
  }
}

/**
 * Posts an all-time ratings export, stops the host once some of its chunks are Done and others are not,
 * and removes every message left on the queue. The host is not running when it returns.
 */
async function strandedExport(
  parameters: Record<string, unknown>,
): Promise<{ id: string; doneBefore: number[]; chunks: ChunkState[] }> {
  await e2e.startHost();
  const response = await client.call('POST', '/api/reports/ratings', { format: 'csv', parameters });
  expect(response.status).toBe(202);
  const id = response.body.reportId as string;
  await until(
    'two chunks to finish',
    async () => (indexesWith(await chunksOf(id), 'Done').length >= 2 ? true : undefined),
    60_000,
    20,
  );
  await e2e.stopHost();
  // Whatever chunk was running when the host stopped: its claim lapses (it is not running any more).
  await until(
    'no chunk to hold a live claim',
    async () => {
      const now = new Date().toISOString();
      const live = (await chunksOf(id)).filter((c) => c.status === 'Processing' && (c.lease ?? '') > now);
      return live.length === 0 ? true : undefined;
    },
    30_000,
    200,
  );
  let removed = 0;
  for (let i = 0; i < 3; i++) removed += await drainQueue();
  const chunks = await chunksOf(id);
  const doneBefore = indexesWith(chunks, 'Done');
  console.log(
    `stranded export: ${removed} messages removed; chunks ${chunks.map((c) => c.status[0]).join('')} (D: Done, P: Pending or Processing)`,
  );
  expect(doneBefore.length).toBeLessThan(chunks.length);
  return { id, doneBefore, chunks };
}

describe('chunked exports whose chunk messages left the queue', () => {
  it('completes after the grace period, byte for byte the single pass, reading no finished chunk again', async () => {
    const { id, doneBefore, chunks } = await strandedExport(ALL_TIME);
    const lastWriteMs = Math.max(...chunks.map((c) => c.ts)) * 1000;

    const restarted = Date.now();
    await e2e.startHost();
    const done = await client.untilStatus(id, ['Completed', 'Failed', 'Cancelled'], 90_000);
    const tookMs = Date.now() - restarted;
    expect(done.status, JSON.stringify(done.error)).toBe('Completed');
    expect((await client.download(id)).bytes.equals(await singlePassRatings(memory, 'csv', ALL_TIME))).toBe(
      true,
    );
    expect(done.rowCount).toBe(RATINGS);
    expect(await e2e.blobsOf(id)).toEqual([`${tenant}/${id}/ratings-${id}.csv`]);
    // The watchdog sent it again, and not before the grace period (stamps in whole seconds).
    expect(hostLog.some((line) => line.includes(`report ${id}: Processing without progress`))).toBe(true);
    const stored = (await e2e.reports.item(id, tenant).read<{ redrives?: number; completedAt: string }>())
      .resource;
    expect(stored?.redrives).toBeGreaterThanOrEqual(1);
    expect(Date.parse(stored?.completedAt ?? '') - lastWriteMs).toBeGreaterThanOrEqual(
      (GRACE_SECONDS - 1) * 1000,
    );
    // No chunk that was Done before the messages were removed was claimed again.
    const after = await chunksOf(id);
    for (const index of doneBefore) {
      expect(after[index]?.attempts, `chunk ${index}`).toBe(chunks[index]?.attempts);
      expect(
        hostLog.filter(
          (line) => line.includes(`report ${id} chunk ${index} (plan`) && line.includes('reads its rows'),
        ),
        `chunk ${index}`,
      ).toEqual([]);
    }
    expect(hostLog.filter((line) => line.includes(`report ${id}: Completed`))).toHaveLength(1);
    console.log(
      `re-drive of a stranded chunked export: ${doneBefore.length} of ${chunks.length} chunks Done before; ` +
        `Completed ${tookMs} ms after the restart, ${Date.parse(done.completedAt as string) - lastWriteMs} ms after its last chunk write`,
    );
  }, 150_000);

  it('ends a stranded chunked export Cancelled within seconds of a DELETE, and no file appears', async () => {
    const { id } = await strandedExport(ALL_TIME_TOO);
    // A grace period far beyond the bound below, as in production (120 s): no re-drive, and so no chunk
    // message, can come in time to end the export; only the watchdog's look at the cancel can.
    await e2e.startHost({ env: { ...process.env, RECONCILE_GRACE_SECONDS: String(CANCEL_GRACE_SECONDS) } });
    // A chunk the stopped host was running is re-queued by the first sweeps, runs, and sends the next
    // chunks; those whose messages were removed keep their ids and are dropped as duplicates. Once that
    // has settled, the export waits with chunks never claimed and no message for them anywhere: nothing
    // but the watchdog can end it now.
    const waiting = await untilChunksStop(id);
    expect(indexesWith(waiting, 'Pending').length).toBeGreaterThan(0);
    expect((await client.report(id)).status).toBe('Processing');

    // The finished chunks' parts: staged blocks of the report's blob, which no listing of files shows.
    expect(await stagedBlobsOf(id)).toEqual([`${tenant}/${id}/ratings-${id}.csv`]);
    expect(await e2e.blobsOf(id)).toEqual([]);

    const deleted = Date.now();
    expect((await client.call('DELETE', `/api/reports/${id}`)).status).toBe(202);
    const ended = await client.untilStatus(id, ['Cancelled', 'Completed', 'Failed'], 30_000);
    const tookMs = Date.now() - deleted;
    expect(ended.status).toBe('Cancelled');
    // The bound: the next watchdog sweep (every second here) finds the cancel asked for and ends the
    // export, plus that sweep's few queries and the poll of the status (every 100 ms); 5 s leaves room for
    // a busy machine. A cancel that waited for the grace period (60 s), a re-drive or a chunk message to
    // come back would miss it by far.
    expect(tookMs).toBeLessThan(5_000);
    expect(hostLog.some((line) => line.includes(`report ${id}: Processing without progress`))).toBe(false);
    expect(hostLog.some((line) => line.includes(`report ${id}: Cancelled (chunked export)`))).toBe(true);
    // No file, neither now nor after a few more sweeps: nothing was committed and nothing will be. The
    // cancel deletes the report's blob, staged parts included (Azure would drop them within a week anyway).
    expect(await e2e.blobsOf(id)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await e2e.blobsOf(id)).toEqual([]);
    expect(await stagedBlobsOf(id)).toEqual([]);
    expect((await client.report(id)).status).toBe('Cancelled');
    console.log(
      `cancel of a stranded chunked export (${indexesWith(waiting, 'Pending').length} chunks waiting): Cancelled ${tookMs} ms after the DELETE`,
    );
  }, 150_000);
});
