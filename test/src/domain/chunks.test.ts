// The chunk model: how many chunks, the chunk document's moves, block ids, and the progress a reader sees.
import { describe, expect, it } from 'vitest';
import {
  blockId,
  chunkBlockIds,
  chunkCountFor,
  chunkedProgress,
  claimedChunk,
  doneChunk,
  newChunk,
  releasedChunk,
  type ChunkPlanHeader,
} from '../../../src/domain/chunks';

const report = { id: 'r1', tenantId: 't1', correlationId: 'c1' };
const plan: ChunkPlanHeader = { planId: 2, count: 4, estimatedRows: 1_000 };
const START = Date.parse('2026-01-01T00:00:00.000Z');

describe('chunkCountFor', () => {
  it('cuts a source into chunks of about the target, at least one, at most the cap', () => {
    expect(chunkCountFor(0, 100, 10)).toBe(1);
    expect(chunkCountFor(100, 100, 10)).toBe(1);
    expect(chunkCountFor(101, 100, 10)).toBe(2);
    expect(chunkCountFor(1_000_000, 100, 10)).toBe(10);
    expect(chunkCountFor(500, 0, 10)).toBe(10);
    expect(chunkCountFor(500, 100, 0)).toBe(1);
  });
});

describe('a chunk document', () => {
  const fresh = newChunk(report, 2, 3, { from: 'a', toExclusive: 'b' }, 60);

  it('starts Pending, unclaimed, with no rows and no result, in the report partition', () => {
    expect(fresh).toMatchObject({
      id: 'chunk-r1-2-3',
      kind: 'chunk',
      tenantId: 't1',
      reportId: 'r1',
      planId: 2,
      index: 3,
      status: 'Pending',
      attempts: 0,
      leaseOwner: null,
      processedRows: 0,
      result: null,
      ttl: 60,
    });
  });

  it('is claimed as a new attempt from its first row, finished with its result, released for a retry', () => {
    const claimed = claimedChunk({ ...fresh, attempts: 1, processedRows: 40 }, 'w1', '2026-01-01T00:00:15Z');
    expect(claimed).toMatchObject({ status: 'Processing', attempts: 2, leaseOwner: 'w1', processedRows: 0 });
    const result = { attempt: 2, blocks: 3, rows: 70, bytes: 700 };
    expect(doneChunk(claimed, result)).toMatchObject({
      status: 'Done',
      leaseOwner: null,
      leaseExpiresAt: null,
      processedRows: 70,
      result,
    });
    expect(releasedChunk(claimed)).toMatchObject({
      status: 'Pending',
      attempts: 2,
      leaseOwner: null,
      leaseExpiresAt: null,
    });
  });
});

describe('block ids', () => {
  it('are all of one length and differ by plan, chunk, attempt and number', () => {
    const ids = [
      blockId(1, 0, 1, 0),
      blockId(1, 0, 1, 1),
      blockId(1, 0, 2, 0),
      blockId(1, 1, 1, 0),
      blockId(2, 0, 1, 0),
      blockId(1, 'literal', 0, 0),
      blockId(9999, 999_999, 9999, 999_999),
    ];
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids.map((id) => id.length)).size).toBe(1);
  });

  it('name a finished chunk’s blocks in order, by the attempt that staged them', () => {
    expect(chunkBlockIds(1, 4, { attempt: 3, blocks: 2, rows: 1, bytes: 1 })).toEqual([
      blockId(1, 4, 3, 0),
      blockId(1, 4, 3, 1),
    ]);
  });
});

describe('chunkedProgress', () => {
  it('counts the rows of running chunks, with a percent and an ETA from the rate so far', () => {
    const progress = chunkedProgress(plan, { done: 1, rows: 250 }, START, START + 10_000);
    expect(progress).toEqual({
      processedRows: 250,
      totalRows: 1_000,
      percent: 25,
      etaSeconds: 30,
      chunks: { done: 1, total: 4 },
    });
  });

  it('moves before any chunk is done, and has no ETA before any row', () => {
    expect(chunkedProgress(plan, { done: 0, rows: 0 }, START, START + 5_000)).toMatchObject({
      processedRows: 0,
      totalRows: 1_000,
      percent: 0,
      etaSeconds: null,
    });
    expect(chunkedProgress(plan, { done: 0, rows: 100 }, START, START + 5_000)).toMatchObject({
      percent: 10,
      etaSeconds: 45,
    });
  });

  it('stays under 100 until every chunk is done, even past the estimate', () => {
    const past = chunkedProgress(plan, { done: 3, rows: 1_200 }, START, START + 5_000);
    expect(past.totalRows).toBe(1_200);
    expect(past.percent).toBe(99.9);
    expect(chunkedProgress(plan, { done: 4, rows: 990 }, START, START + 5_000)).toEqual({
      processedRows: 990,
      totalRows: 990,
      percent: 100,
      etaSeconds: 0,
      chunks: { done: 4, total: 4 },
    });
  });

  it('goes by chunks done when no rows were estimated', () => {
    const empty = { ...plan, estimatedRows: 0 };
    expect(chunkedProgress(empty, { done: 2, rows: 0 }, START, START + 1_000).percent).toBe(50);
  });
});
