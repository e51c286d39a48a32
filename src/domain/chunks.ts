// Chunked exports: the model. A report type with a chunk plan splits its source into ordered, disjoint
// slices; each slice is a chunk that any worker runs on its own, staging the chunk's bytes as blocks of
// the report's one block blob. Each chunk keeps its own state, progress and result on a document of its
// own; the report keeps only the plan's header, so neither its size nor the number of times an export
// writes it grows with the chunk count. Knows nothing of Azure SDKs.
import type { Progress } from './report';

/** One slice of a report type's source, in the type's own terms (for `ratings`, a time window). */
export type ChunkSlice = Readonly<Record<string, string | number>>;

/** A finished chunk's result: enough to name its blocks and sum the file. */
export interface ChunkResult {
  /** The chunk's attempt that staged the blocks (block ids carry it, so attempts never mix). */
  attempt: number;
  blocks: number;
  rows: number;
  bytes: number;
}

/** The header of a chunked export's plan, kept on the report: its size is the same for any chunk count. */
export interface ChunkPlanHeader {
  /** The report attempt that made the plan: chunk documents, messages and block ids carry it. */
  planId: number;
  /** Chunks in the plan (indexes 0 .. count - 1). */
  count: number;
  /** Rows in the whole range when planned (the progress total). */
  estimatedRows: number;
}

export type ChunkStatus = 'Pending' | 'Processing' | 'Done';

/**
 * One chunk, in the report's partition of the `reports` container, written by that chunk's worker only
 * (and by the watchdog once its lease has lapsed): its slice, claim, lease, progress and result.
 */
export interface ChunkDocument {
  id: string;
  kind: 'chunk';
  tenantId: string;
  reportId: string;
  planId: number;
  index: number;
  slice: ChunkSlice;
  status: ChunkStatus;
  /** Claims of this chunk so far. */
  attempts: number;
  leaseOwner: string | null;
  leaseExpiresAt: string | null;
  /** Rows of this chunk written by the current attempt so far (all of them once Done). */
  processedRows: number;
  /** Set with status Done, in the same write. */
  result: ChunkResult | null;
  correlationId: string;
  ttl?: number;
}

export const chunkDocumentId = (reportId: string, planId: number, index: number): string =>
  `chunk-${reportId}-${planId}-${index}`;

/** Signs of life of a plan's chunks (the watchdog's look at a chunked export under way). */
export interface ChunkActivity {
  /** The last write of any chunk of the plan (ms since the epoch; 0 when it has none). */
  lastWriteMs: number;
  /** Chunks holding a lease that has not lapsed. */
  running: number;
}

/** A chunk not Done yet, as the window of chunks in flight sees it. */
export interface ChunkTurn {
  index: number;
  status: Exclude<ChunkStatus, 'Done'>;
}

/** A new, unclaimed chunk document. */
export function newChunk(
  report: { id: string; tenantId: string; correlationId: string },
  planId: number,
  index: number,
  slice: ChunkSlice,
  ttlSeconds: number,
): ChunkDocument {
  return {
    id: chunkDocumentId(report.id, planId, index),
    kind: 'chunk',
    tenantId: report.tenantId,
    reportId: report.id,
    planId,
    index,
    slice,
    status: 'Pending',
    attempts: 0,
    leaseOwner: null,
    leaseExpiresAt: null,
    processedRows: 0,
    result: null,
    correlationId: report.correlationId,
    ttl: ttlSeconds,
  };
}

/** The chunk claimed by `owner` until `leaseExpiresAt`: a new attempt, from its first row. */
export const claimedChunk = (chunk: ChunkDocument, owner: string, leaseExpiresAt: string): ChunkDocument => ({
  ...chunk,
  status: 'Processing',
  attempts: chunk.attempts + 1,
  leaseOwner: owner,
  leaseExpiresAt,
  processedRows: 0,
});

/** The chunk finished with `result`: Done, its claim given up. */
export const doneChunk = (chunk: ChunkDocument, result: ChunkResult): ChunkDocument => ({
  ...chunk,
  status: 'Done',
  leaseOwner: null,
  leaseExpiresAt: null,
  processedRows: result.rows,
  result,
});

/** The chunk given up by its worker (a retry, a cancel) or by the watchdog: Pending again. */
export const releasedChunk = (chunk: ChunkDocument): ChunkDocument => ({
  ...chunk,
  status: 'Pending',
  leaseOwner: null,
  leaseExpiresAt: null,
});

/**
 * The id of block `seq` staged by `attempt` of chunk `chunk` (or, with chunk `literal`, the committer's
 * own framing block `seq`). All ids of a blob have one length, as Blob Storage requires.
 */
export function blockId(planId: number, chunk: number | 'literal', attempt: number, seq: number): string {
  const part = chunk === 'literal' ? 'x000000' : `c${String(chunk).padStart(6, '0')}`;
  const raw = `p${String(planId).padStart(4, '0')}${part}a${String(attempt).padStart(4, '0')}s${String(seq).padStart(6, '0')}`;
  return Buffer.from(raw, 'utf8').toString('base64');
}

/** The block ids of a finished chunk, in order. */
export const chunkBlockIds = (planId: number, index: number, result: ChunkResult): string[] =>
  Array.from({ length: result.blocks }, (_, seq) => blockId(planId, index, result.attempt, seq));

/** What the chunk documents of a plan say together: chunks Done, and rows written by all chunks so far. */
export interface ChunkTally {
  done: number;
  rows: number;
}

/**
 * The report's progress from its chunks' tally, at `nowMs` for an export that started at `startedMs`.
 * Rows of running chunks count as well as finished ones, so it moves while chunks run.
 */
export function chunkedProgress(
  plan: ChunkPlanHeader,
  tally: ChunkTally,
  startedMs: number,
  nowMs: number,
): Progress {
  const { rows, done } = tally;
  const chunks = { done, total: plan.count };
  if (done >= plan.count)
    return { processedRows: rows, totalRows: rows, percent: 100, etaSeconds: 0, chunks };
  // The data may have grown since planning: the total is never less than what was written.
  const estimated = Math.max(plan.estimatedRows, rows);
  // Chunks are sized to about the same row count: with no rows estimated, the share of chunks done.
  const ratio = estimated > 0 ? rows / estimated : done / plan.count;
  const percent = Math.min(Math.floor(ratio * 1000) / 10, 99.9);
  const elapsedMs = Math.max(nowMs - startedMs, 0);
  const etaSeconds =
    ratio > 0 && elapsedMs > 0 ? Math.max(Math.ceil(((1 - ratio) * elapsedMs) / ratio / 1000), 0) : null;
  return { processedRows: rows, totalRows: estimated, percent, etaSeconds, chunks };
}

/**
 * How many chunks a source of `totalRows` is cut into: about `targetRows` each, at most `maxChunks`
 * (a larger export gets larger chunks), at least one.
 */
export function chunkCountFor(totalRows: number, targetRows: number, maxChunks: number): number {
  return Math.min(Math.max(Math.ceil(totalRows / Math.max(targetRows, 1)), 1), Math.max(maxChunks, 1));
}
