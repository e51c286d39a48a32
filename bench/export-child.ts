// One measured export variant in a process of its own, so its peak RSS is its own:
//   node --import tsx bench/export-child.ts <variant> <rows> [format]   (BENCH_BLOB = Azurite connection
//                                                   string, BENCH_CONTAINER = an existing container)
// Variants, all over the same synthetic rows (bench/rows.ts):
//   source         only generates the rows (what every other variant pays too)
//   csv-stringify  csv-stringify, with the CSV writer's options, into a sink that drops the bytes:
//                  the serializer's own limit
//   pipeline       the production writer path: writeExport() with the CSV writer into
//                  createBlobReportFiles() (4 MiB blocks staged into Azurite, then committed)
//   naive          all rows in an array, the whole CSV built as one string (csv-stringify's sync API),
//                  then one `upload` call
//   format         the production pipeline with the registered writer named by the third argument (csv,
//                  json, ndjson, xlsx, pdf, parquet; `csv+gzip` and the like with gzip): the per-format
//                  comparison
//   chunk          one chunk worker of a chunked CSV export: `chunk <rows> <worker> <workers> <chunks>`
//                  takes the chunks one after the other, each one no other worker has taken yet (as
//                  instances take chunk messages from a queue), and stages it with stageChunk() into
//                  the blob BENCH_BLOB_NAME, as the export worker does; the parent runs `workers` of
//                  these side by side and commits the blocks. The workers share the folder
//                  BENCH_CHUNK_DIR: each one starts once all are loaded, and a chunk is taken by
//                  creating its file there
// With BENCH_PROFILE_DIR set, the work of a variant (not loading the code) is CPU-profiled into that folder.
// Prints one JSON line (ChildResult) on stdout.
import { once } from 'node:events';
import { openSync, closeSync, readdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BlobServiceClient } from '@azure/storage-blob';
import { stringify } from 'csv-stringify';
import { stringify as stringifySync } from 'csv-stringify/sync';
import { createBlobReportFiles } from '../src/adapters/blob-report-files';
// The CSV writer and its helpers straight from their modules, not through the format registry, so the
// child does not also load the other formats' libraries (XLSX, PDF) and its RSS stays the CSV path's own.
import { createCsvWriter, csvStringifyOptions } from '../src/formats/csv';
import { attachmentDisposition, type FormatWriter } from '../src/domain/format';
import { ratings } from '../src/domain/report-types/ratings';
import type { Row } from '../src/domain/report-types/types';
import { blockId } from '../src/domain/chunks';
import { stageChunk, writeExport } from '../src/services/export-pipeline';
import { PAGE_SIZE, syntheticRatingPages } from './rows';

export const VARIANTS = ['source', 'csv-stringify', 'pipeline', 'naive', 'format', 'chunk'] as const;
export type Variant = (typeof VARIANTS)[number];

export interface ChildResult {
  variant: Variant;
  /** For `format`: the format's name. */
  format?: string;
  /** Rows in the file (for a format with a row cap, at most its cap). */
  rows: number;
  /** Bytes of the file produced (0 for `source`). */
  bytes: number;
  /** Wall time of the work, from the first row requested to the file committed. */
  ms: number;
  /** For `naive`: the part of `ms` spent before the upload started. */
  buildMs?: number;
  /** Resident set size when the work started, and its peak over the whole process (KiB). */
  startRssKb: number;
  maxRssKb: number;
  /** Peaks of the V8 heap (reserved and used) and of memory outside it (Buffers), sampled every 20 ms (KiB). */
  peakHeapTotalKb: number;
  peakHeapUsedKb: number;
  peakExternalKb: number;
  /** CPU time (user + system) of the whole process, from its start (loading the code included). */
  userCpuMs: number;
  systemCpuMs: number;
  /** CPU time (user + system, every thread of the process) the work itself used: over `ms` only. */
  workCpuMs: number;
  /** For `chunk`: wall-clock bounds of the work (ms since the epoch) and the blocks staged per chunk. */
  startedAtMs?: number;
  endedAtMs?: number;
  blocksByChunk?: Record<string, number>;
}

/** The synthetic rows of chunk `index` of a chunked run: a seed of its own, so any worker makes them alone. */
export const chunkRows = (rows: number, index: number, chunks: number) =>
  syntheticRatingPages(
    Math.floor((rows * (index + 1)) / chunks) - Math.floor((rows * index) / chunks),
    PAGE_SIZE,
    7_000 + index,
  );

/** Takes chunk `index` for this worker: false when another worker took it first. */
function takeChunk(dir: string, index: number): boolean {
  try {
    closeSync(openSync(join(dir, `chunk-${index}`), 'wx'));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** Waits until every worker has said it is ready in `dir` (so all start together, loaded). */
async function allReady(dir: string, worker: number, workers: number): Promise<void> {
  writeFileSync(join(dir, `ready-${worker}`), '');
  while (readdirSync(dir).filter((f) => f.startsWith('ready-')).length < workers) await sleep(1);
}

async function chunkWorker(
  total: number,
  chunks: number,
  dir: string,
): Promise<{ rows: number; bytes: number; blocksByChunk: Record<string, number> }> {
  const { client, container } = blobContainer();
  const name = process.env.BENCH_BLOB_NAME;
  if (!name) throw new Error('BENCH_BLOB_NAME must be set');
  const writer = csvWriter();
  const chunked = writer.chunked;
  if (!chunked) throw new Error('the CSV writer has no chunked mode');
  const blocks = createBlobReportFiles(client, container);
  let rows = 0;
  let bytes = 0;
  const blocksByChunk: Record<string, number> = {};
  for (let index = 0; index < chunks; index++) {
    if (!takeChunk(dir, index)) continue;
    const staged = await stageChunk({
      pages: chunkRows(total, index, chunks),
      stream: chunked.createChunkStream({ columns }),
      blocks,
      name,
      blockId: (seq) => blockId(1, index, 1, seq),
      signal: new AbortController().signal,
    });
    rows += staged.rowCount;
    bytes += staged.sizeBytes;
    blocksByChunk[String(index)] = staged.blocks;
  }
  return { rows, bytes, blocksByChunk };
}

const columns = ratings.columns;

const CSV_OPTIONS = csvStringifyOptions(columns);

function blobContainer() {
  const connection = process.env.BENCH_BLOB;
  const container = process.env.BENCH_CONTAINER;
  if (!connection || !container) throw new Error('BENCH_BLOB and BENCH_CONTAINER must be set');
  return { client: BlobServiceClient.fromConnectionString(connection), container };
}

/** The production CSV writer: the same as `getFormat('csv')` (the registry's `csv` is `createCsvWriter()`). */
const csvWriter = () => createCsvWriter();

async function source(total: number): Promise<{ rows: number; bytes: number }> {
  let rows = 0;
  for await (const page of syntheticRatingPages(total)) rows += page.length;
  return { rows, bytes: 0 };
}

async function rawStringify(total: number): Promise<{ rows: number; bytes: number }> {
  let rows = 0;
  let bytes = 0;
  const stringifier = stringify({
    ...CSV_OPTIONS,
    writableObjectMode: true,
    writableHighWaterMark: 64,
    readableHighWaterMark: 64 * 1024,
  });
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      callback();
    },
  });
  const done = pipeline(stringifier, sink);
  for await (const page of syntheticRatingPages(total)) {
    for (const row of page) {
      rows++;
      if (!stringifier.write(row)) await once(stringifier, 'drain');
    }
  }
  stringifier.end();
  await done;
  return { rows, bytes };
}

async function productionPipeline(total: number): Promise<{ rows: number; bytes: number }> {
  const { client, container } = blobContainer();
  const writer = csvWriter();
  const fileName = `ratings-${total}-${process.pid}.csv`;
  const result = await writeExport({
    pages: syntheticRatingPages(total),
    writer,
    columns,
    files: createBlobReportFiles(client, container),
    name: `pipeline/${fileName}`,
    headers: { contentType: writer.contentType, contentDisposition: attachmentDisposition(fileName) },
    signal: new AbortController().signal,
  });
  return { rows: result.rowCount, bytes: result.sizeBytes };
}

type FormatRegistry = typeof import('../src/formats/index.js');

/**
 * The registered format writers. Loaded only for the `format` variant, and before its clock starts, so
 * the CSV variants above do not carry the XLSX and PDF libraries in their RSS and no variant's time
 * includes loading them.
 */
function loadFormats(): Promise<FormatRegistry> {
  return import('../src/formats/index.js');
}

/** The production pipeline with the registered writer `writer`. */
async function formatPipeline(
  total: number,
  writer: FormatWriter,
  registry: FormatRegistry,
): Promise<{ rows: number; bytes: number }> {
  const { client, container } = blobContainer();
  const fileName = registry.fileNameFor('ratings', `${total}-${process.pid}`, writer.fileExtension);
  const result = await writeExport({
    pages: syntheticRatingPages(total),
    writer,
    columns,
    title: ratings.title,
    parameters: { fromDate: '2020-01-01', toDate: '2025-12-31' },
    files: createBlobReportFiles(client, container),
    name: `format/${fileName}`,
    headers: {
      contentType: writer.contentType,
      contentDisposition: registry.attachmentDisposition(fileName),
    },
    signal: new AbortController().signal,
  });
  return { rows: result.rowCount, bytes: result.sizeBytes };
}

async function naive(total: number): Promise<{ rows: number; bytes: number; buildMs: number }> {
  const { client, container } = blobContainer();
  const writer = csvWriter();
  const fileName = `ratings-${total}-${process.pid}.csv`;
  const started = performance.now();
  const all: Row[] = [];
  for await (const page of syntheticRatingPages(total)) {
    for (const row of page) all.push(row);
  }
  const csv = stringifySync(all, CSV_OPTIONS);
  const bytes = Buffer.byteLength(csv);
  const buildMs = performance.now() - started;
  await client
    .getContainerClient(container)
    .getBlockBlobClient(`naive/${fileName}`)
    .upload(csv, bytes, {
      blobHTTPHeaders: {
        blobContentType: writer.contentType,
        blobContentDisposition: attachmentDisposition(fileName),
      },
    });
  return { rows: all.length, bytes, buildMs };
}

/**
 * With BENCH_PROFILE_DIR set, a V8 CPU profile of the work alone (not of loading the code), written there
 * as `<name>.cpuprofile` by `stop`.
 */
async function startProfiler(): Promise<{ stop(name: string): Promise<void> } | undefined> {
  const dir = process.env.BENCH_PROFILE_DIR;
  if (!dir) return undefined;
  const session = new Session();
  session.connect();
  const post = <T>(method: string): Promise<T> =>
    new Promise((resolve, reject) =>
      session.post(method, (error, result) => (error ? reject(error) : resolve(result as T))),
    );
  await post('Profiler.enable');
  await post('Profiler.start');
  return {
    async stop(name) {
      const { profile } = await post<{ profile: unknown }>('Profiler.stop');
      session.disconnect();
      writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    },
  };
}

async function main(): Promise<void> {
  const [variant, count, formatName, ...chunkArgs] = process.argv.slice(2);
  const total = Number(count);
  if (variant === 'chunk') return runChunkWorker(total, [formatName, ...chunkArgs].map(Number));
  if (
    !VARIANTS.includes(variant as Variant) ||
    !Number.isInteger(total) ||
    total < 0 ||
    (variant === 'format') !== (formatName !== undefined)
  ) {
    throw new Error(`usage: export-child.ts <${VARIANTS.join('|')}> <rows> [format, with 'format' only]`);
  }
  let format: { writer: FormatWriter; registry: FormatRegistry } | undefined;
  if (variant === 'format') {
    const registry = await loadFormats();
    // `csv+gzip`: the registered writer with the gzip option, as a report with `compression` gets it.
    const [baseName = '', option] = (formatName ?? '').split('+');
    const base = registry.getFormat(baseName);
    if (!base || (option !== undefined && option !== 'gzip'))
      throw new Error(`unknown format ${formatName ?? ''}`);
    const writer = option === 'gzip' ? (await import('../src/formats/gzip.js')).gzipped(base) : base;
    format = { writer, registry };
  }
  const startRssKb = Math.round(process.memoryUsage().rss / 1024);
  const peaks = { heapTotal: 0, heapUsed: 0, external: 0 };
  const sample = () => {
    const memory = process.memoryUsage();
    peaks.heapTotal = Math.max(peaks.heapTotal, memory.heapTotal);
    peaks.heapUsed = Math.max(peaks.heapUsed, memory.heapUsed);
    peaks.external = Math.max(peaks.external, memory.external);
  };
  const sampler = setInterval(sample, 20);
  const profiler = await startProfiler();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const outcome: { rows: number; bytes: number; buildMs?: number } =
    variant === 'source'
      ? await source(total)
      : variant === 'csv-stringify'
        ? await rawStringify(total)
        : variant === 'pipeline'
          ? await productionPipeline(total)
          : format
            ? await formatPipeline(total, format.writer, format.registry)
            : await naive(total);
  const ms = performance.now() - started;
  const workCpu = process.cpuUsage(cpuBefore);
  await profiler?.stop(`${variant}-${process.pid}`);
  clearInterval(sampler);
  sample();
  // A format with a row cap (PDF) writes its cap; every other variant must write every row.
  if (outcome.rows !== total && !(variant === 'format' && outcome.rows > 0 && outcome.rows < total)) {
    throw new Error(`${variant}: ${outcome.rows} rows instead of ${total}`);
  }
  if (variant !== 'source' && outcome.bytes === 0) throw new Error(`${variant}: wrote no bytes`);
  const usage = process.resourceUsage();
  const result: ChildResult = {
    variant: variant as Variant,
    ...(formatName === undefined ? {} : { format: formatName }),
    ...outcome,
    ms: Math.round(ms * 10) / 10,
    startRssKb,
    maxRssKb: usage.maxRSS,
    peakHeapTotalKb: Math.round(peaks.heapTotal / 1024),
    peakHeapUsedKb: Math.round(peaks.heapUsed / 1024),
    peakExternalKb: Math.round(peaks.external / 1024),
    userCpuMs: Math.round(usage.userCPUTime / 1000),
    systemCpuMs: Math.round(usage.systemCPUTime / 1000),
    workCpuMs: Math.round((workCpu.user + workCpu.system) / 1000),
  };
  if (outcome.buildMs !== undefined) result.buildMs = Math.round(outcome.buildMs * 10) / 10;
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

async function runChunkWorker(total: number, [worker, workers, chunks]: number[]): Promise<void> {
  if (worker === undefined || !workers || !chunks || !(worker >= 0 && worker < workers)) {
    throw new Error('usage: export-child.ts chunk <rows> <worker> <workers> <chunks>');
  }
  const dir = process.env.BENCH_CHUNK_DIR;
  if (!dir) throw new Error('BENCH_CHUNK_DIR must be set');
  const startRssKb = Math.round(process.memoryUsage().rss / 1024);
  await allReady(dir, worker, workers);
  const startedAtMs = Date.now();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const outcome = await chunkWorker(total, chunks, dir);
  const ms = performance.now() - started;
  const workCpu = process.cpuUsage(cpuBefore);
  const memory = process.memoryUsage();
  const usage = process.resourceUsage();
  const result: ChildResult = {
    variant: 'chunk',
    ...outcome,
    ms: Math.round(ms * 10) / 10,
    startRssKb,
    maxRssKb: usage.maxRSS,
    peakHeapTotalKb: Math.round(memory.heapTotal / 1024),
    peakHeapUsedKb: Math.round(memory.heapUsed / 1024),
    peakExternalKb: Math.round(memory.external / 1024),
    userCpuMs: Math.round(usage.userCPUTime / 1000),
    systemCpuMs: Math.round(usage.systemCPUTime / 1000),
    workCpuMs: Math.round((workCpu.user + workCpu.system) / 1000),
    startedAtMs,
    endedAtMs: Date.now(),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(
      `export-child: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  });
}
