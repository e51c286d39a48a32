// Part 4: what a chunked export writes to Cosmos DB, counted, for plans of 10, 100 and 1,000 chunks. The
// export worker runs with the in-memory stores of the unit tests, wrapped to count every write they
// accept and its size as JSON (the stores do exactly what the Cosmos adapters do, see the contract suites;
// the counts are the worker's, not a database's). No heartbeat falls inside these runs (the heartbeat is
// set longer than the run): heartbeats are time-bound, one chunk write of about 0.7 KB per running chunk
// every quarter of the lease, and are printed as a rate beside the counts. The baseline is the design
// before this one, where the report held the plan and every chunk's result: its report writes and bytes
// are computed from that design's own figures (one report write per chunk result, about 130 bytes a chunk
// on the report), not measured here.
import { generateAlbums, generateRatings } from '../dev/seed';
import { heartbeatFor } from '../src/services/export/context';
import { exportRequested, type OutboxDocument } from '../src/domain/report';
import { createExportWorker } from '../src/services/export-worker';
import type { MessagePublisher } from '../src/services/ports';
import { MemoryBlockFiles } from '../test/fakes/memory-block-files';
import { CountingChunkStore, CountingReportStore } from '../test/fakes/counting-stores';
import { MemorySourceData } from '../test/fakes/memory-source-data';
import { reportDocument } from '../test/support/report-document';
import { atMost, exactly, num, progress, round, table, type Target } from './report';

const RATINGS = 20_000;
const CHUNK_COUNTS = [10, 100, 1_000];
/** The lease the heartbeat rate is shown for (the default WORKER_LEASE_SECONDS). */
const LEASE_SECONDS = 15;
/** The previous design's bytes a chunk on the report (its plan slice and result). */
const PREVIOUS_BYTES_A_CHUNK = 130;

const bytesOf = (doc: object): number => Buffer.byteLength(JSON.stringify(doc));

export interface ChunkWritesRun {
  chunks: number;
  reportWrites: number;
  reportBytes: number;
  /** The report document when Completed. */
  reportDocumentBytes: number;
  chunkWrites: number;
  chunkBytes: number;
  outboxWrites: number;
  outboxBytes: number;
  /** The previous design, from its figures: one report write per chunk result of a report holding them all. */
  previousReportWrites: number;
  previousReportBytes: number;
}

export interface ChunkWritesResults {
  ratings: number;
  runs: ChunkWritesRun[];
  /** Chunk writes a second per running chunk from heartbeats, and their bytes. */
  heartbeat: { intervalMs: number; bytesPerWrite: number };
  targets: Target[];
}

async function measure(chunks: number, data: MemorySourceData) {
  const store = new CountingReportStore();
  const chunkStore = new CountingChunkStore();
  const blocks = new MemoryBlockFiles(1 << 20);
  const publisher: MessagePublisher = { publish: () => Promise.resolve() };
  const worker = createExportWorker({
    store,
    files: blocks,
    blocks,
    chunks: chunkStore,
    data,
    publisher,
    leaseSeconds: 3600,
    heartbeatMs: 3_600_000,
    maxAttempts: 3,
    retryBaseSeconds: 1,
    retryMaxSeconds: 10,
    retentionSeconds: 86_400,
    chunkTargetRows: Math.ceil(RATINGS / chunks),
    chunkMaxCount: chunks,
  });
  const report = reportDocument({
    tenantId: 'bench-tenant',
    reportType: 'ratings',
    format: 'csv',
    parameters: { fromDate: '2000-01-01', toDate: '2030-12-31' },
  });
  await store.createWithOutbox(report, exportRequested(report, `outbox-${report.id}`, report.createdAt));
  const log = { log: () => undefined, warn: () => undefined, error: () => undefined };
  const handled = new Set<string>();
  for (;;) {
    const messages = store
      .docs()
      .filter((doc): doc is OutboxDocument => doc.kind === 'outbox' && !handled.has(doc.id));
    if (messages.length === 0) break;
    for (const message of messages) {
      handled.add(message.id);
      await worker.handle(message.payload, log);
    }
  }
  const done = (await store.get(report.tenantId, report.id))?.doc;
  if (done?.status !== 'Completed') throw new Error(`the ${chunks}-chunk export ended ${done?.status}`);
  const planned = done.chunkPlan?.count ?? 0;
  const base = bytesOf({ ...done, chunkPlan: null });
  const previousReportWrites = planned + 4;
  // Before: the report held every slice and result from the plan on; each write carried them all.
  const previousReportBytes = previousReportWrites * (base + PREVIOUS_BYTES_A_CHUNK * planned);
  const none = { writes: 0, bytes: 0 };
  const reportWrites = store.accepted.get(report.id) ?? none;
  const chunkWrites = chunkStore.accepted.get(report.id) ?? none;
  const outboxWrites = store.outbox.get(report.id) ?? none;
  return {
    chunks: planned,
    reportWrites: reportWrites.writes,
    reportBytes: reportWrites.bytes,
    reportDocumentBytes: bytesOf(done),
    chunkWrites: chunkWrites.writes,
    chunkBytes: chunkWrites.bytes,
    outboxWrites: outboxWrites.writes,
    outboxBytes: outboxWrites.bytes,
    previousReportWrites,
    previousReportBytes,
    sampleChunk: chunkStore.all()[0],
  };
}

export async function runChunkWritesBench(): Promise<ChunkWritesResults> {
  const albums = generateAlbums(200, 1);
  const ratings = [...generateRatings(albums, RATINGS, 1)].sort((a, b) =>
    a.ratedAt < b.ratedAt ? -1 : a.ratedAt > b.ratedAt ? 1 : 0,
  );
  const data = new MemorySourceData(albums, ratings, { pageSize: 1000 });
  const runs: ChunkWritesRun[] = [];
  let chunkBytes = 0;
  for (const chunks of CHUNK_COUNTS) {
    progress(`chunked export of ${num(RATINGS)} ratings in ${num(chunks)} chunks, writes counted`);
    const { sampleChunk, ...run } = await measure(chunks, data);
    if (sampleChunk) chunkBytes = bytesOf(sampleChunk);
    runs.push(run);
  }
  const largest = runs.at(-1);
  const smallest = runs[0];
  const targets: Target[] = [
    exactly(
      'chunkWrites.reportWritesGrowth',
      largest && smallest ? largest.reportWrites - smallest.reportWrites : null,
      0,
    ),
    atMost(
      'chunkWrites.reportDocumentGrowthBytes',
      largest && smallest ? largest.reportDocumentBytes - smallest.reportDocumentBytes : null,
      32,
      'B',
    ),
  ];
  return {
    ratings: RATINGS,
    runs,
    heartbeat: { intervalMs: heartbeatFor(LEASE_SECONDS), bytesPerWrite: chunkBytes },
    targets,
  };
}

const kb = (bytes: number) => `${num(bytes / 1024, 1)} KB`;

export function formatChunkWritesResults(results: ChunkWritesResults): string {
  const rows = [
    [
      'chunks',
      'report writes',
      'report KB written',
      'report doc',
      'chunk writes',
      'chunk KB',
      'outbox writes',
      'outbox KB',
      'before: report writes',
      'before: report KB',
      'before / now (report KB)',
    ],
    ...results.runs.map((run) => [
      num(run.chunks),
      num(run.reportWrites),
      kb(run.reportBytes),
      `${num(run.reportDocumentBytes)} B`,
      num(run.chunkWrites),
      kb(run.chunkBytes),
      num(run.outboxWrites),
      kb(run.outboxBytes),
      num(run.previousReportWrites),
      kb(run.previousReportBytes),
      `${num(round(run.previousReportBytes / run.reportBytes))}x`,
    ]),
  ];
  const { intervalMs, bytesPerWrite } = results.heartbeat;
  return [
    `Part 4: what a chunked export writes to Cosmos DB (${num(results.ratings)} ratings, all-time CSV; heartbeats excluded)`,
    '',
    table(rows),
    '',
    `Heartbeats on top: one chunk write of ${num(bytesPerWrite)} B per running chunk every ${num(intervalMs)} ms ` +
      `(${num(LEASE_SECONDS)} s lease), and one read of the report. "before" is the previous design, computed ` +
      `from its figures (a report write per chunk result, ${PREVIOUS_BYTES_A_CHUNK} B a chunk on the report).`,
  ].join('\n');
}
