// Chunked exports: the model. A report type with a chunk plan splits its source into ordered, disjoint
// slices; each slice is a chunk that any worker runs on its own, staging the chunk's bytes as blocks of
// the report's one block blob. The report document records every finished chunk (rows, bytes, and what
// names its blocks), and the worker that records the last one commits the block list in chunk order.
// Knows nothing of Azure SDKs.
import type { Progress } from './report';

/** One slice of a report type's source, in the type's own terms (for `ratings`, a time window). */
export type ChunkSlice = Readonly<Record<string, string | number>>;

/** A finished chunk, as recorded on the report: enough to name its blocks and sum the file. */
export interface ChunkResult {
  /** The chunk's attempt that staged the blocks (block ids carry it, so attempts never mix). */
  attempt: number;
  blocks: number;
  rows: number;
  bytes: number;
}

/** The plan of a chunked export and its progress, kept on the report document. */
export interface ChunkedExport {
  /** The report attempt that made the plan: chunk docs, messages and block ids carry it. */
  planId: number;
  slices: ChunkSlice[];
  /** Rows in the whole range when planned (the progress total). */
  estimatedRows: number;
  /** By chunk index; null until that chunk is finished. */
  results: (ChunkResult | null)[];
}

export type ChunkStatus = 'Pending' | 'Processing' | 'Done';

/** One chunk's claim, in the report's partition of the `reports` container. */
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
  /** Rows of this chunk written by the current attempt so far. */
  processedRows: number;
  correlationId: string;
  ttl?: number;
}

export const chunkDocumentId = (reportId: string, planId: number, index: number): string =>
  `chunk-${reportId}-${planId}-${index}`;

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
    correlationId: report.correlationId,
    ttl: ttlSeconds,
  };
}

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

const finishedChunks = (plan: ChunkedExport): number =>
  plan.results.filter((result) => result !== null).length;

export const isPlanFinished = (plan: ChunkedExport): boolean => finishedChunks(plan) === plan.slices.length;

/** The report's progress from its finished chunks, at `nowMs` for an export that started at `startedMs`. */
export function chunkedProgress(plan: ChunkedExport, startedMs: number, nowMs: number): Progress {
  let rows = 0;
  for (const result of plan.results) rows += result?.rows ?? 0;
  const total = plan.slices.length;
  const done = finishedChunks(plan);
  const chunks = { done, total };
  if (done === total) return { processedRows: rows, totalRows: rows, percent: 100, etaSeconds: 0, chunks };
  // Chunks are sized to about the same row count, so the share of chunks done is the better measure
  // when the row estimate is off (the data changed since planning).
  const estimated = Math.max(plan.estimatedRows, rows);
  const ratio = estimated > 0 ? rows / estimated : done / total;
  const percent = Math.min(Math.floor(ratio * 1000) / 10, 99.9);
  const elapsedMs = Math.max(nowMs - startedMs, 0);
  const etaSeconds =
    done > 0 && elapsedMs > 0 ? Math.max(Math.ceil(((total - done) * elapsedMs) / done / 1000), 0) : null;
  return { processedRows: rows, totalRows: estimated, percent, etaSeconds, chunks };
}

/**
 * How many chunks a source of `totalRows` is cut into: about `targetRows` each, at most `maxChunks`
 * (a larger export gets larger chunks), at least one.
 */
export function chunkCountFor(totalRows: number, targetRows: number, maxChunks: number): number {
  return Math.min(Math.max(Math.ceil(totalRows / Math.max(targetRows, 1)), 1), Math.max(maxChunks, 1));
}
