// Every export format end to end on the local host, through the real SDK clients and the stand-ins:
// POST with a format -> worker -> file in Blob Storage -> SAS download, read back with a reader of its
// own (csv-parse, JSON.parse, exceljs, pdftotext) and checked against a ranking computed separately from
// the seeded documents. Runs against a Cosmos database and a Service Bus peer of its own, with a small
// data set.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateAlbums, generateRatings } from '../../../dev/seed';
import { POPULARITY_HEADER, rankFromDocuments } from '../../support/independent-ranking';
import { FINISHED } from '../../support/api';
import { e2eFixture } from '../../support/e2e-fixture';
import { readParquet } from '../../support/parquet-file';

const ALBUMS = 50;
const RATINGS = 5_000;
const SEED = 11;
const FAST_TIMERS = { outboxSweeper: '*/1 * * * * *', exportWatchdog: '*/1 * * * * *' };
const POPULARITY = { fromDate: '2020-01-01', toDate: '2023-12-31', top: 30 };
const ALL_FORMATS = ['csv', 'json', 'ndjson', 'xlsx', 'pdf', 'parquet'];
/** The popularity columns' keys, in column order. */
const KEYS = ['rank', 'albumId', 'title', 'artist', 'genre', 'releaseYear', 'ratingCount', 'averageRating'];

const run = promisify(execFile);
let dir = '';

const e2e = e2eFixture({
  name: 'formats',
  seed: { albums: ALBUMS, ratings: RATINGS, seed: SEED },
  timerSchedules: FAST_TIMERS,
  changeFeedPollMs: 200,
  debug: 'DEBUG_EXPORTS',
});
const client = e2e.api;
const api = client.call;

async function create(
  reportType: string,
  format: string,
  parameters: Record<string, unknown>,
): Promise<string> {
  const response = await api('POST', `/api/reports/${reportType}`, { format, parameters });
  expect(response.status).toBe(202);
  expect(response.body).toMatchObject({ format, status: 'Pending' });
  return response.body.reportId as string;
}

const completed = (id: string) => client.untilStatus(id, FINISHED, 30_000);
const download = client.download;

/** A finished export of `reportType` as `format`: the report, the file and its response. */
async function exported(reportType: string, format: string, parameters: Record<string, unknown>) {
  const id = await create(reportType, format, parameters);
  const report = await completed(id);
  expect(report).toMatchObject({ status: 'Completed', fileName: `${reportType}-${id}.${format}` });
  const { bytes, response } = await download(id);
  expect(response.headers.get('content-disposition')).toBe(
    `attachment; filename="${reportType}-${id}.${format}"`,
  );
  expect(report.sizeBytes).toBe(bytes.length);
  return { id, report, bytes, contentType: response.headers.get('content-type') };
}

/** The rows of an object format as the cells the CSV ranking holds (numbers printed as JavaScript does). */
const asCells = (objects: Record<string, unknown>[]): string[][] =>
  objects.map((object) => KEYS.map((key) => String(object[key])));

async function pdfText(bytes: Buffer): Promise<string> {
  const file = join(dir, `${randomUUID()}.pdf`);
  await writeFile(file, bytes);
  return (await run('pdftotext', ['-layout', '-enc', 'UTF-8', file, '-'])).stdout;
}

/** exceljs types its input as a Buffer that is also an ArrayBuffer; a Node Buffer is what it reads. */
async function loadWorkbook(bytes: Buffer): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as Parameters<ExcelJS.Xlsx['load']>[0]);
  return workbook;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

let expected: string[][] = [];

beforeAll(async () => {
  await e2e.start();
  const albums = generateAlbums(ALBUMS, SEED);
  expected = rankFromDocuments(albums, [...generateRatings(albums, RATINGS, SEED)], POPULARITY);
  dir = await mkdtemp(join(tmpdir(), 'formats-e2e-'));
}, 120_000);

afterAll(async () => {
  await e2e.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('export formats end to end', () => {
  it('lists every format for both report types and refuses an unknown one, naming the allowed values', async () => {
    const types = (await api('GET', '/api/report-types')).body.items as { name: string; formats: string[] }[];
    for (const type of types) expect(type.formats).toEqual(ALL_FORMATS);
    const refused = await api('POST', '/api/reports/popularity', { format: 'docx', parameters: POPULARITY });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(refused.body.errors).toEqual({ format: [`must be one of: ${ALL_FORMATS.join(', ')}`] });
  });

  it('exports the ranking as CSV', async () => {
    expect(expected.length).toBe(POPULARITY.top);
    const { bytes, contentType, report } = await exported('popularity', 'csv', POPULARITY);
    expect(contentType).toBe('text/csv; charset=utf-8');
    const rows: string[][] = parse(bytes.toString('utf8'));
    expect(rows[0]).toEqual(POPULARITY_HEADER);
    expect(rows.slice(1)).toEqual(expected);
    expect(report.rowCount).toBe(expected.length);
  });

  it('exports the ranking as a JSON array', async () => {
    const { bytes, contentType, report } = await exported('popularity', 'json', POPULARITY);
    expect(contentType).toBe('application/json');
    const objects = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>[];
    expect(Object.keys(objects[0] ?? {})).toEqual(KEYS);
    expect(typeof objects[0]?.rank).toBe('number');
    expect(asCells(objects)).toEqual(expected);
    expect(report.rowCount).toBe(expected.length);
  });

  it('exports the ranking as NDJSON', async () => {
    const { bytes, contentType } = await exported('popularity', 'ndjson', POPULARITY);
    expect(contentType).toBe('application/x-ndjson');
    const lines = bytes.toString('utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(asCells(lines.map((line) => JSON.parse(line) as Record<string, unknown>))).toEqual(expected);
  });

  it('exports the ranking as an XLSX workbook with typed cells', async () => {
    const { bytes, contentType } = await exported('popularity', 'xlsx', POPULARITY);
    expect(contentType).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const workbook = await loadWorkbook(bytes);
    const sheet = workbook.worksheets[0];
    if (!sheet) throw new Error('no sheet');
    expect(sheet.name).toBe('Album popularity');
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    const rows: unknown[][] = [];
    sheet.eachRow((row) => rows.push(KEYS.map((_key, i) => row.getCell(i + 1).value)));
    expect(rows[0]).toEqual(POPULARITY_HEADER);
    expect(sheet.getRow(1).getCell(1).font?.bold).toBe(true);
    for (const row of rows.slice(1)) {
      for (const index of [0, 5, 6, 7]) expect(typeof row[index]).toBe('number');
    }
    expect(rows.slice(1).map((row) => row.map(String))).toEqual(expected);
  });

  it('exports the ranking as a PDF document', async () => {
    const { bytes, contentType } = await exported('popularity', 'pdf', POPULARITY);
    expect(contentType).toBe('application/pdf');
    const text = await pdfText(bytes);
    expect(text).toContain('Album popularity');
    expect(text).toMatch(/Generated \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/);
    expect(text).toContain('fromDate: 2020-01-01');
    expect(text).toContain('top: 30');
    expect(text).toMatch(
      /Rank\s+Album ID\s+Title\s+Artist\s+Genre\s+Release year\s+Rating count\s+Average rating/,
    );
    expect(text).toContain('Page 1');
    const lines = text.split('\n');
    for (const row of expected) {
      const pattern = new RegExp(`^\\s*${row.map(escape).join('\\s+')}\\s*$`);
      expect(
        lines.some((line) => pattern.test(line)),
        row.join(' | '),
      ).toBe(true);
    }
    expect(text).toContain(`${expected.length} rows.`);
  });

  it('exports the ranking as Parquet with typed columns', async () => {
    const { bytes, contentType, report } = await exported('popularity', 'parquet', POPULARITY);
    expect(contentType).toBe('application/vnd.apache.parquet');
    const { types, rows: objects } = await readParquet(bytes);
    expect(types).toEqual([
      'INT64',
      'BYTE_ARRAY',
      'BYTE_ARRAY',
      'BYTE_ARRAY',
      'BYTE_ARRAY',
      'INT64',
      'INT64',
      'DOUBLE',
    ]);
    expect(asCells(objects)).toEqual(expected);
    expect(report.rowCount).toBe(expected.length);
  });

  it('exports ratings gzipped, with chosen columns in a time zone, as application/gzip', async () => {
    const body = {
      format: 'csv',
      compression: 'gzip',
      columns: ['ratedAt', 'rating'],
      timeZone: 'Asia/Kolkata',
      parameters: { fromDate: '2022-01-01', toDate: '2022-12-31' },
    };
    const created = await api('POST', '/api/reports/ratings', body);
    expect(created.status).toBe(202);
    const id = created.body.reportId as string;
    const report = await completed(id);
    expect(report).toMatchObject({
      status: 'Completed',
      fileName: `ratings-${id}.csv.gz`,
      timeZone: 'Asia/Kolkata',
    });
    const { bytes, response } = await download(id);
    expect(response.headers.get('content-type')).toBe('application/gzip');
    const rows: string[][] = parse(gunzipSync(bytes).toString('utf8'));
    expect(rows[0]).toEqual(['Rated at', 'Rating']);
    expect(rows.length).toBe((report.rowCount as number) + 1);
    for (const [ratedAt] of rows.slice(1))
      expect(ratedAt).toMatch(/^2022-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+05:30$/);
  });

  it('completes an export of an album that does not exist with a warning', async () => {
    const created = await api('POST', '/api/reports/ratings', {
      format: 'json',
      parameters: { fromDate: '2019-01-01', toDate: '2023-12-31', albumId: 'no-such-album' },
    });
    const report = await completed(created.body.reportId as string);
    expect(report).toMatchObject({
      status: 'Completed',
      rowCount: 0,
      warnings: ["No ratings matched: there is no album 'no-such-album'."],
    });
  });

  it("exports one album's ratings as XLSX with ratings as numbers and times as dates", async () => {
    const albums = generateAlbums(ALBUMS, SEED);
    const ratings = [...generateRatings(albums, RATINGS, SEED)];
    const albumId = ratings[0]?.albumId ?? '';
    const title = albums.find((album) => album.id === albumId)?.title;
    const parameters = { fromDate: '2019-01-01', toDate: '2023-12-31', albumId };
    const mine = ratings
      .filter((r) => r.albumId === albumId && r.ratedAt >= '2019-01-01' && r.ratedAt < '2024-01-01')
      .sort((a, b) => (a.ratedAt < b.ratedAt ? -1 : a.ratedAt > b.ratedAt ? 1 : a.id < b.id ? -1 : 1));
    expect(mine.length).toBeGreaterThan(0);
    const { bytes, report } = await exported('ratings', 'xlsx', parameters);
    expect(report.rowCount).toBe(mine.length);
    const workbook = await loadWorkbook(bytes);
    const sheet = workbook.worksheets[0];
    if (!sheet) throw new Error('no sheet');
    const rows: unknown[][] = [];
    sheet.eachRow((row) => rows.push([1, 2, 3, 4, 5].map((i) => row.getCell(i).value)));
    expect(rows[0]).toEqual(['Album ID', 'Title', 'User ID', 'Rating', 'Rated at']);
    expect(rows.slice(1)).toEqual(
      mine.map((r) => [r.albumId, title, r.userId, r.rating, new Date(r.ratedAt)]),
    );
  });
});
