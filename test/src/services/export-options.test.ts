// Export options through the real worker, the real `ratings` type and the real format writers over
// in-memory fakes: gzip in one pass and in chunks (decompressing to exactly the plain export), chosen
// columns and a time zone in every format, and the warning of an export that matched nothing.
import ExcelJS from 'exceljs';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { beforeEach, describe, expect, it } from 'vitest';
import { generateAlbums, generateRatings } from '../../../dev/seed';
import { exportRequested, type OutboxDocument, type ReportDocument } from '../../../src/domain/report';
import { createExportWorker } from '../../../src/services/export-worker';
import type { MessagePublisher, OutboundMessage } from '../../../src/services/ports';
import { MemoryBlockFiles } from '../../fakes/memory-block-files';
import { MemoryChunkStore } from '../../fakes/memory-chunk-store';
import { MemoryReportStore } from '../../fakes/memory-report-store';
import { MemorySourceData } from '../../fakes/memory-source-data';
import { readParquet } from '../../support/parquet-file';
import { reportDocument } from '../../support/report-document';
import { singlePassRatings } from '../../support/single-pass';
import { recordingLog } from '../../support/worker-log';

const TENANT = 'tenant-1';
const ALL_TIME = { fromDate: '2000-01-01', toDate: '2030-12-31' };
const albums = generateAlbums(30, 7);
const ratingList = [...generateRatings(albums, 2_000, 7)].sort((a, b) =>
  a.ratedAt < b.ratedAt ? -1 : a.ratedAt > b.ratedAt ? 1 : a.id < b.id ? -1 : 1,
);
const log = recordingLog();

class Publisher implements MessagePublisher {
  publish(_messages: OutboundMessage[]): Promise<void> {
    return Promise.resolve();
  }
}

let store: MemoryReportStore;
let blocks: MemoryBlockFiles;
let data: MemorySourceData;
let relayed: Set<string>;

const worker = (chunkTargetRows: number) =>
  createExportWorker({
    store,
    files: blocks,
    blocks,
    chunks: new MemoryChunkStore(),
    data,
    publisher: new Publisher(),
    leaseSeconds: 30,
    maxAttempts: 3,
    retryBaseSeconds: 1,
    retryMaxSeconds: 10,
    retentionSeconds: 86_400,
    heartbeatMs: 5,
    chunkTargetRows,
    chunkMaxCount: 100,
  });

/** Stores a ratings report as the API would, runs it to the end, and returns it with its file. */
async function exported(
  fields: Partial<ReportDocument> & { format: string },
  chunkTargetRows = 1_000_000,
): Promise<{ report: ReportDocument; bytes: Buffer; contentType: string }> {
  const report = reportDocument({ tenantId: TENANT, reportType: 'ratings', parameters: ALL_TIME, ...fields });
  await store.createWithOutbox(report, exportRequested(report, `outbox-${report.id}`, report.createdAt));
  const run = worker(chunkTargetRows);
  for (;;) {
    const fresh = store
      .docs()
      .filter(
        (doc): doc is OutboxDocument =>
          doc.kind === 'outbox' && doc.messageType !== 'ReportEvent' && !relayed.has(doc.id),
      );
    if (fresh.length === 0) break;
    for (const doc of fresh) relayed.add(doc.id);
    // Chunks in reverse order: the file is assembled in plan order whatever order they ran in.
    for (const doc of fresh.reverse()) await run.handle(doc.payload, log);
  }
  const done = (await store.get(TENANT, report.id))?.doc;
  if (done?.status !== 'Completed') throw new Error(`not completed: ${JSON.stringify(done?.error)}`);
  const file = blocks.files.get(done.blobName ?? '');
  if (!file) throw new Error('no file');
  return { report: done, bytes: file.bytes, contentType: file.headers.contentType };
}

/** The gzip members of a file: each starts with the magic bytes and CM 8, and a file is >= 1 of them. */
const memberCount = (bytes: Buffer): number => {
  let count = 0;
  for (let at = bytes.indexOf('1f8b08', 0, 'hex'); at >= 0; at = bytes.indexOf('1f8b08', at + 1, 'hex'))
    count++;
  return count;
};

beforeEach(() => {
  store = new MemoryReportStore();
  blocks = new MemoryBlockFiles(4096);
  data = new MemorySourceData(albums, ratingList, { pageSize: 97 });
  relayed = new Set();
});

describe('gzip', () => {
  it.each(['csv', 'json', 'ndjson'])(
    'a %s export in one pass decompresses to exactly the plain export',
    async (format) => {
      const { report, bytes, contentType } = await exported({ format, compression: 'gzip' });
      const plain = await singlePassRatings(data, format, ALL_TIME);
      expect(report.chunkPlan ?? null).toBeNull();
      expect(gunzipSync(bytes).equals(plain)).toBe(true);
      expect(bytes.length).toBeLessThan(plain.length / 2);
      expect(report.fileName).toMatch(new RegExp(`^ratings-${report.id}\\.${format}\\.gz$`));
      expect(contentType).toBe('application/gzip');
      expect(report.sizeBytes).toBe(bytes.length);
      expect(report.rowCount).toBe(ratingList.length);
    },
  );

  it.each(['csv', 'json', 'ndjson'])(
    'a chunked %s export is one gzip member per part and decompresses to exactly the plain export',
    async (format) => {
      const { report, bytes } = await exported({ format, compression: 'gzip' }, 150);
      expect(report.chunkPlan?.count).toBeGreaterThanOrEqual(10);
      expect(memberCount(bytes)).toBeGreaterThanOrEqual(report.chunkPlan?.count ?? Infinity);
      expect(gunzipSync(bytes).equals(await singlePassRatings(data, format, ALL_TIME))).toBe(true);
      expect(report.sizeBytes).toBe(bytes.length);
    },
  );

  it('decompresses with the gunzip command as one file', async () => {
    const { bytes } = await exported({ format: 'csv', compression: 'gzip' }, 150);
    const dir = await mkdtemp(join(tmpdir(), 'gz-'));
    try {
      await writeFile(join(dir, 'ratings.csv.gz'), bytes);
      const { stdout } = await promisify(execFile)('gzip', ['-dc', join(dir, 'ratings.csv.gz')], {
        maxBuffer: 64 * 1024 * 1024,
        encoding: 'buffer',
      });
      expect(stdout.equals(await singlePassRatings(data, 'csv', ALL_TIME))).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/** `ratedAt` (UTC ISO) as the zone's wall clock with its offset, worked out through Intl's own names. */
function inZone(iso: string, timeZone: string): { local: string; offset: string } {
  const date = new Date(iso);
  const local = new Intl.DateTimeFormat('sv-SE', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  })
    .format(date)
    .replace(' ', 'T');
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
    .formatToParts(date)
    .find((part) => part.type === 'timeZoneName')?.value;
  const offset = name === 'GMT' ? '+00:00' : (name ?? '').replace('GMT', '');
  return { local: `${local}.${iso.slice(20, 23)}`, offset };
}

const COLUMNS = ['ratedAt', 'rating', 'albumId'];
const ZONE = 'America/St_Johns';

describe('columns and time zone', () => {
  const expectedRows = () =>
    ratingList.map((rating) => {
      const { local, offset } = inZone(rating.ratedAt, ZONE);
      return { ratedAt: `${local}${offset}`, rating: rating.rating, albumId: rating.albumId };
    });

  it.each([1_000_000, 150])(
    'CSV (chunk target %i): the chosen columns in order, times with their offset',
    async (target) => {
      const { bytes } = await exported({ format: 'csv', columns: COLUMNS, timeZone: ZONE }, target);
      const records: string[][] = parse(bytes, {});
      expect(records[0]).toEqual(['Rated at', 'Rating', 'Album ID']);
      const want = expectedRows();
      expect(records.slice(1)).toEqual(want.map((row) => [row.ratedAt, String(row.rating), row.albumId]));
      // Both offsets of the zone's year occur: standard and daylight time.
      expect(new Set(want.map((row) => row.ratedAt.slice(-6)))).toEqual(new Set(['-03:30', '-02:30']));
    },
  );

  it.each(['json', 'ndjson'])('%s: the chosen keys in order, times with their offset', async (format) => {
    const { bytes } = await exported({ format, columns: COLUMNS, timeZone: ZONE, compression: 'gzip' }, 150);
    const text = gunzipSync(bytes).toString('utf8');
    const objects = (
      format === 'json'
        ? JSON.parse(text)
        : text
            .trim()
            .split('\n')
            .map((line) => JSON.parse(line) as unknown)
    ) as Record<string, unknown>[];
    expect(objects).toEqual(expectedRows());
    expect(Object.keys(objects[0] ?? {})).toEqual(COLUMNS);
  });

  it('XLSX: the chosen columns, times as the zone’s local times', async () => {
    const { bytes } = await exported({ format: 'xlsx', columns: COLUMNS, timeZone: ZONE });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(bytes as unknown as Parameters<ExcelJS.Xlsx['load']>[0]);
    const sheet = workbook.worksheets[0];
    expect(sheet?.getRow(1).values).toEqual([undefined, 'Rated at', 'Rating', 'Album ID']);
    const want = expectedRows();
    for (const index of [0, 1, 500, want.length - 1]) {
      const row = sheet?.getRow(index + 2);
      const cell = row?.getCell(1).value as Date;
      // exceljs reads a date cell's serial as that wall clock in UTC.
      expect(cell.toISOString().slice(0, 23)).toBe(want[index]?.ratedAt.slice(0, 23));
      expect(row?.getCell(2).value).toBe(want[index]?.rating);
      expect(row?.getCell(3).value).toBe(want[index]?.albumId);
    }
  });

  it('Parquet: the chosen columns in order, times as instants whatever the zone', async () => {
    const { report, bytes, contentType } = await exported({
      format: 'parquet',
      columns: COLUMNS,
      timeZone: ZONE,
    });
    expect(report.fileName).toBe(`ratings-${report.id}.parquet`);
    expect(contentType).toBe('application/vnd.apache.parquet');
    const { names, rows } = await readParquet(bytes);
    expect(names).toEqual(COLUMNS);
    expect(rows).toEqual(
      ratingList.map((rating) => ({
        ratedAt: new Date(rating.ratedAt),
        rating: BigInt(rating.rating),
        albumId: rating.albumId,
      })),
    );
  });

  it('PDF: the chosen columns, times as the zone’s local times', async () => {
    const { bytes } = await exported({
      format: 'pdf',
      columns: ['ratedAt', 'albumId'],
      timeZone: ZONE,
      parameters: { fromDate: '2019-01-01', toDate: '2019-12-31' },
    });
    const dir = await mkdtemp(join(tmpdir(), 'pdf-'));
    try {
      await writeFile(join(dir, 'r.pdf'), bytes);
      const { stdout } = await promisify(execFile)('pdftotext', ['-layout', join(dir, 'r.pdf'), '-']);
      const first = ratingList.find((rating) => rating.ratedAt >= '2019-01-01');
      if (!first) throw new Error('no rating in 2019');
      const { local } = inZone(first.ratedAt, ZONE);
      const shown = local.endsWith('.000') ? local.slice(0, 19) : local;
      expect(stdout).toContain(shown.replace('T', ' '));
      expect(stdout).toMatch(/Rated at\s+Album ID/);
      expect(stdout).not.toContain('User ID');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('an empty result', () => {
  it('completes with a warning naming an album that does not exist', async () => {
    const { report, bytes } = await exported({
      format: 'csv',
      parameters: { ...ALL_TIME, albumId: 'no-such-album' },
    });
    expect(report.rowCount).toBe(0);
    expect(bytes.toString('utf8')).toBe('Album ID,Title,User ID,Rating,Rated at\r\n');
    expect(report.warnings).toEqual(["No ratings matched: there is no album 'no-such-album'."]);
  });

  it('completes with a warning when the range holds no rating', async () => {
    const { report } = await exported({
      format: 'json',
      parameters: { fromDate: '1990-01-01', toDate: '1990-01-31' },
    });
    expect(report.warnings).toEqual([
      'No ratings matched: none was given from 1990-01-01 to 1990-01-31 (UTC).',
    ]);
  });

  it('has no warning when rows matched', async () => {
    const { report } = await exported({ format: 'csv' }, 150);
    expect(report.warnings).toBeUndefined();
  });
});
