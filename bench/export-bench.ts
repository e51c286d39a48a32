// Part 1: the export pipeline against csv-stringify alone and against the naive build-then-upload, for a
// few row counts. Azurite runs in a process of its own; every variant x row count runs in a fresh child
// (bench/export-child.ts), which reports its time and its peak RSS.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { azuriteConnectionString } from '../dev/standins/azurite';
import { blockId } from '../src/domain/chunks';
import { createCsvWriter } from '../src/formats/csv';
import { ratings } from '../src/domain/report-types/ratings';
import { VARIANTS as VARIANT_ORDER, type ChildResult, type Variant } from './export-child';
import { processCpuMs, ROOT, runScript, startStandin } from './processes';
import {
  formatProfileComparison,
  summariseProfile,
  type CpuProfile,
  type ProfileSummary,
} from './profile-summary';
import { atLeast, atMost, MB, median, num, progress, round, table, type Target } from './report';

export interface ExportBenchOptions {
  sizes: number[];
  /** Runs of `csv-stringify` and `pipeline` per size (the median counts); the others run once. */
  repeats: number;
  /**
   * CPU-profile the work of one more csv-stringify run and one more pipeline run at the largest size
   * (not counted) and summarise them side by side.
   */
  profile: boolean;
  profileDir: string;
  /** Chunk workers (processes) of the chunked run at the largest size. */
  chunkWorkers: number;
}

export interface ExportRun extends ChildResult {
  rowsPerSec: number;
  mbPerSec: number;
  peakRssMb: number;
  /** CPU Azurite used during the run (ms), when it can be read (Linux). */
  azuriteCpuMs?: number;
}

export interface ExportVariantSummary {
  variant: Variant;
  rows: number;
  runs: number;
  /** Of the median run by time. */
  rowsPerSec: number;
  mbPerSec: number;
  /** Highest peak RSS over the runs. */
  peakRssMb: number;
  ms: number;
  bytes: number;
  /** The child's CPU time (user + system) over the work: the median over the runs. */
  cpuMs: number;
  azuriteCpuMs?: number;
  /** Only when the variant failed (e.g. out of memory): why. */
  error?: string;
}

export interface ExportResults {
  sizes: number[];
  repeats: number;
  summaries: ExportVariantSummary[];
  runs: ExportRun[];
  /** Pipeline rows/s / raw csv-stringify rows/s, per size. */
  ratioBySize: Record<string, number>;
  /** At the largest size. */
  ratioToCsvStringify: number;
  /** Pipeline CPU seconds / raw csv-stringify CPU seconds (the children's, over the work), per size. */
  cpuRatioBySize: Record<string, number>;
  /** At the largest size. */
  cpuRatioToCsvStringify: number;
  /** Pipeline peak RSS at the largest size minus at the smallest (MB). */
  peakRssGrowthMb: number;
  /** The same between the two largest sizes: near zero when memory stays flat once warmed up. */
  peakRssGrowthUpperMb: number;
  naivePeakRssGrowthMb: number | null;
  /** `--profile`: where the CPU time of csv-stringify alone and of the pipeline goes, at the largest size. */
  profiles?: { variant: Variant; file: string; summary: ProfileSummary }[];
  /** The chunked pipeline at the largest size, K chunk workers side by side. */
  chunked?: ChunkedSummary;
  targets: Target[];
}

export interface ChunkedRun {
  rows: number;
  workers: number;
  chunks: number;
  /** From the first worker's start to the committed block list. */
  ms: number;
  rowsPerSec: number;
  bytes: number;
  blocks: number;
  /** Each worker's peak RSS (MB). */
  workerPeakRssMb: number[];
  /** Each worker's wall time (ms): from the common start to its last chunk staged. */
  workerMs: number[];
  /** Each worker's CPU time over its work (ms), and their sum. */
  workerCpuMs: number[];
  cpuMs: number;
  azuriteCpuMs?: number;
}

export interface ChunkedSummary extends ChunkedRun {
  /** Runs at the largest size; the numbers above are the median run's (by time), `cpuMs` the median. */
  runs: number;
  /** Chunked rows/s / single-thread csv-stringify rows/s at the same size. */
  ratioToCsvStringify: number;
  /** Chunked rows/s / the single pass's (the pipeline variant's) rows/s at the same size, same run. */
  ratioToSinglePass: number;
  /** The workers' CPU seconds together / csv-stringify's CPU seconds for the same rows. */
  cpuRatioToCsvStringify: number;
}

const CONTAINER = 'bench-exports';
const FAILED = { runs: 0, rowsPerSec: 0, mbPerSec: 0, peakRssMb: 0, ms: 0, bytes: 0, cpuMs: 0 };
/** Targets of part 1: CPU of the single pass and of the chunk workers against csv-stringify's (<=), and
 * the chunked run's rows/s against the single pass's (>=). */
const CPU_RATIO_TARGET = 1.11;
const CHUNKED_TO_SINGLE_PASS_TARGET = 1.7;
/** Heap limit for the naive variant, which holds every row and the whole file (several GB at 5M rows). */
const NAIVE_HEAP_MB = 8192;

export async function runChild(
  variant: Variant,
  rows: number,
  env: NodeJS.ProcessEnv,
  azuritePid: number,
  nodeArgs: string[],
  format?: string,
): Promise<ExportRun> {
  const cpuBefore = processCpuMs(azuritePid);
  const args = [variant, String(rows), ...(format === undefined ? [] : [format])];
  const output = await runScript('bench/export-child.ts', args, { env, nodeArgs });
  const cpuAfter = processCpuMs(azuritePid);
  const line = output.stdout.trim().split('\n').pop() ?? '';
  if (output.code !== 0 || !line.startsWith('{')) {
    const reason = output.signal ? `killed by ${output.signal}` : `exit code ${String(output.code)}`;
    // The error's own line (the stack below it is mostly loader frames), then the end of the output.
    const lines = output.stderr.trim().split('\n');
    // The line that names the error (`Error: Cannot find module ...`) rather than a quoted source line.
    const errorLine =
      lines.find((l) => /^\s*(\w*Error|export-child)\b.*:/.test(l)) ??
      lines.find((l) => /Error|error:/.test(l)) ??
      '';
    throw new Error(`${format ?? variant} ${rows}: ${reason}\n${[errorLine, ...lines.slice(-4)].join('\n')}`);
  }
  const result = JSON.parse(line) as ChildResult;
  const seconds = result.ms / 1000;
  return {
    ...result,
    rowsPerSec: round(result.rows / seconds),
    mbPerSec: round(result.bytes / MB / seconds, 1),
    peakRssMb: round(result.maxRssKb / 1024, 1),
    ...(cpuBefore !== undefined && cpuAfter !== undefined ? { azuriteCpuMs: cpuAfter - cpuBefore } : {}),
  };
}

export function summarise(variant: Variant, rows: number, runs: ExportRun[]): ExportVariantSummary {
  const byTime = [...runs].sort((a, b) => a.ms - b.ms);
  const mid = byTime[Math.floor((byTime.length - 1) / 2)] as ExportRun;
  return {
    variant,
    rows,
    runs: runs.length,
    rowsPerSec: mid.rowsPerSec,
    mbPerSec: mid.mbPerSec,
    peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)),
    ms: mid.ms,
    bytes: mid.bytes,
    cpuMs: median(runs.map((r) => r.workCpuMs)),
    ...(mid.azuriteCpuMs === undefined ? {} : { azuriteCpuMs: mid.azuriteCpuMs }),
  };
}

export async function runExportBench(options: ExportBenchOptions): Promise<ExportResults> {
  const azurite = await startStandin('azurite'); // in memory
  const connection = azuriteConnectionString('127.0.0.1', azurite.port);
  const blob = BlobServiceClient.fromConnectionString(connection);
  const container = blob.getContainerClient(CONTAINER);
  await container.createIfNotExists();
  const env = { ...process.env, BENCH_BLOB: connection, BENCH_CONTAINER: CONTAINER };
  const clearBlobs = async () => {
    for await (const item of container.listBlobsFlat()) await container.deleteBlob(item.name);
  };

  const runs: ExportRun[] = [];
  const summaries: ExportVariantSummary[] = [];
  const largest = Math.max(...options.sizes);
  const profileFiles: { variant: Variant; file: string }[] = [];
  const chunkedRuns: ChunkedRun[] = [];
  try {
    for (const rows of options.sizes) {
      const perVariant = new Map<Variant, ExportRun[]>();
      const schedule: Variant[] = ['source'];
      // Alternate the variants that are compared, so drift on the machine hits them alike; at the largest
      // size the chunked run takes its turn too.
      for (let i = 0; i < options.repeats; i++) {
        schedule.push('csv-stringify', 'pipeline');
        if (rows === largest) schedule.push('chunk');
      }
      schedule.push('naive');
      for (const variant of schedule) {
        if (variant === 'chunk') {
          const chunked = await runChunked(rows, options.chunkWorkers, env, container, azurite.pid);
          chunkedRuns.push(chunked);
          progress(
            `chunked       ${num(rows).padStart(9)} rows: ${num(chunked.ms / 1000, 2)} s, ${num(chunked.rowsPerSec)} rows/s, ` +
              `CPU ${chunked.workerCpuMs.map((ms) => num(ms / 1000, 1)).join(' + ')} s ` +
              `(${chunked.workers} workers, ${chunked.chunks} chunks), worker peak RSS ${chunked.workerPeakRssMb.map((m) => num(m)).join(' / ')} MB`,
          );
          await clearBlobs();
          continue;
        }
        const nodeArgs = variant === 'naive' ? [`--max-old-space-size=${NAIVE_HEAP_MB}`] : [];
        let run: ExportRun;
        try {
          run = await runChild(variant, rows, env, azurite.pid, nodeArgs);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          progress(`${variant} ${num(rows)} rows FAILED: ${message}`);
          summaries.push({ ...FAILED, variant, rows, error: message });
          await clearBlobs();
          continue;
        }
        runs.push(run);
        perVariant.set(variant, [...(perVariant.get(variant) ?? []), run]);
        progress(
          `${variant.padEnd(13)} ${num(rows).padStart(9)} rows: ${num(run.ms / 1000, 2)} s, ` +
            `${num(run.rowsPerSec)} rows/s, CPU ${num(run.workCpuMs / 1000, 1)} s, peak RSS ${num(run.peakRssMb)} MB`,
        );
        await clearBlobs();
      }
      for (const [variant, variantRuns] of perVariant) summaries.push(summarise(variant, rows, variantRuns));
      summaries.sort(
        (a, b) => a.rows - b.rows || VARIANT_ORDER.indexOf(a.variant) - VARIANT_ORDER.indexOf(b.variant),
      );
    }
    if (options.profile) {
      mkdirSync(options.profileDir, { recursive: true });
      for (const variant of ['csv-stringify', 'pipeline'] as const) {
        const before = new Set(readdirSync(options.profileDir));
        const profileEnv = { ...env, BENCH_PROFILE_DIR: options.profileDir };
        await runChild(variant, largest, profileEnv, azurite.pid, []);
        await clearBlobs();
        const file = readdirSync(options.profileDir).find(
          (f) => f.startsWith(`${variant}-`) && f.endsWith('.cpuprofile') && !before.has(f),
        );
        progress(`${variant} ${num(largest)} rows profiled: ${file ?? 'no profile written'}`);
        if (file) profileFiles.push({ variant, file: join(options.profileDir, file) });
      }
    }
  } finally {
    await azurite.stop();
  }

  const find = (variant: Variant, rows: number) =>
    summaries.find((s) => s.variant === variant && s.rows === rows && !s.error);
  // The same rows through the same options must give the same bytes in every variant that writes CSV.
  for (const rows of options.sizes) {
    const sizes = new Set(runs.filter((r) => r.rows === rows && r.variant !== 'source').map((r) => r.bytes));
    if (sizes.size > 1) {
      throw new Error(
        `${rows} rows: the CSV variants wrote different byte counts (${[...sizes].join(', ')}); ` +
          'the stream and the sync serializer no longer agree',
      );
    }
  }
  const ratioBySize: Record<string, number> = {};
  const cpuRatioBySize: Record<string, number> = {};
  for (const rows of options.sizes) {
    const pipeline = find('pipeline', rows);
    const raw = find('csv-stringify', rows);
    if (pipeline && raw) {
      ratioBySize[String(rows)] = round(pipeline.rowsPerSec / raw.rowsPerSec, 3);
      cpuRatioBySize[String(rows)] = round(pipeline.cpuMs / raw.cpuMs, 3);
    }
  }
  const sorted = [...options.sizes].sort((a, b) => a - b);
  const smallest = sorted[0] ?? 0;
  const secondLargest = sorted[sorted.length - 2] ?? smallest;
  const growth = (variant: Variant, from: number, to: number): number | null => {
    const a = find(variant, from);
    const b = find(variant, to);
    return a && b ? round(b.peakRssMb - a.peakRssMb, 1) : null;
  };
  const ratio = ratioBySize[String(largest)] ?? NaN;
  const cpuRatio = cpuRatioBySize[String(largest)] ?? NaN;
  const peakRssGrowthMb = growth('pipeline', smallest, largest) ?? NaN;
  const naivePeakRssGrowthMb = growth('naive', smallest, largest);
  const rawLargest = find('csv-stringify', largest);
  const singleLargest = find('pipeline', largest);
  const chunked = summariseChunked(chunkedRuns, rawLargest, singleLargest);
  const targets = [
    atMost('export.cpuRatioToCsvStringify', cpuRatio, CPU_RATIO_TARGET),
    atLeast(
      'export.chunked.ratioToSinglePass',
      chunked?.ratioToSinglePass ?? NaN,
      CHUNKED_TO_SINGLE_PASS_TARGET,
    ),
    atMost('export.chunked.cpuRatioToCsvStringify', chunked?.cpuRatioToCsvStringify ?? NaN, CPU_RATIO_TARGET),
    atLeast('export.ratioToCsvStringify', ratio, 0.9),
    atMost('export.peakRssGrowthMb', peakRssGrowthMb, 64, 'MB', true),
    atLeast('export.chunked.ratioToCsvStringify', chunked?.ratioToCsvStringify ?? NaN, 1.8),
  ];
  const profiles = profileFiles.map(({ variant, file }) => ({
    variant,
    file: file.startsWith(ROOT) ? file.slice(ROOT.length + 1) : file,
    summary: summariseProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, 20),
  }));
  return {
    sizes: options.sizes,
    repeats: options.repeats,
    summaries,
    runs,
    ratioBySize,
    ratioToCsvStringify: ratio,
    cpuRatioBySize,
    cpuRatioToCsvStringify: cpuRatio,
    peakRssGrowthMb,
    peakRssGrowthUpperMb: growth('pipeline', secondLargest, largest) ?? NaN,
    naivePeakRssGrowthMb,
    ...(profiles.length > 0 ? { profiles } : {}),
    ...(chunked ? { chunked } : {}),
    targets,
  };
}

/** The chunked runs' median (by time), beside csv-stringify and the single pass at the same size. */
function summariseChunked(
  runs: readonly ChunkedRun[],
  raw: ExportVariantSummary | undefined,
  single: ExportVariantSummary | undefined,
): ChunkedSummary | undefined {
  const byTime = [...runs].sort((a, b) => a.ms - b.ms);
  const mid = byTime[Math.floor((byTime.length - 1) / 2)];
  if (!mid) return undefined;
  const cpuMs = median(runs.map((r) => r.cpuMs));
  return {
    ...mid,
    cpuMs,
    runs: runs.length,
    ratioToCsvStringify: raw ? round(mid.rowsPerSec / raw.rowsPerSec, 3) : NaN,
    ratioToSinglePass: single ? round(mid.rowsPerSec / single.rowsPerSec, 3) : NaN,
    cpuRatioToCsvStringify: raw ? round(cpuMs / raw.cpuMs, 3) : NaN,
  };
}

/** Rows a chunk of the benchmark's chunked run holds, as the export's default target does. */
const BENCH_CHUNK_ROWS = 100_000;

/**
 * The chunked pipeline: `workers` chunk workers (processes, as instances would be) stage the chunks of
 * one CSV side by side, each taking the next chunk no other has taken, then the block list is committed
 * with the header first, as the export's commit does. The workers start together once all are loaded
 * (as warm instances would); timed from their start to the commit.
 */
async function runChunked(
  rows: number,
  workers: number,
  env: NodeJS.ProcessEnv,
  container: ReturnType<BlobServiceClient['getContainerClient']>,
  azuritePid: number,
): Promise<ChunkedRun> {
  const chunks = Math.max(workers, Math.ceil(rows / BENCH_CHUNK_ROWS));
  const name = `chunked/ratings-${rows}.csv`;
  // Where the workers meet to start together and take chunks (see export-child.ts).
  const dir = mkdtempSync(join(tmpdir(), 'export-bench-chunks-'));
  const azuriteBefore = processCpuMs(azuritePid);
  const outputs = await Promise.all(
    Array.from({ length: workers }, (_, worker) =>
      runScript(
        'bench/export-child.ts',
        ['chunk', String(rows), String(worker), String(workers), String(chunks)],
        {
          env: { ...env, BENCH_BLOB_NAME: name, BENCH_CHUNK_DIR: dir },
          nodeArgs: [],
        },
      ),
    ),
  ).finally(() => rmSync(dir, { recursive: true, force: true }));
  const results = outputs.map((output) => {
    const line = output.stdout.trim().split('\n').pop() ?? '';
    if (output.code !== 0 || !line.startsWith('{'))
      throw new Error(`chunk worker failed: ${output.stderr.trim().slice(-500)}`);
    return JSON.parse(line) as ChildResult;
  });
  const commitStart = performance.now();
  const csv = createCsvWriter().chunked;
  if (!csv) throw new Error('the CSV writer has no chunked mode');
  const blocksByChunk = Object.assign({}, ...results.map((r) => r.blocksByChunk ?? {})) as Record<
    string,
    number
  >;
  const ids: string[] = [];
  let literal = 0;
  let bytes = 0;
  const client = container.getBlockBlobClient(name);
  for (const part of csv.assemble(
    Array.from({ length: chunks }, () => 1),
    { columns: ratings.columns },
  )) {
    if ('literal' in part) {
      const id = blockId(1, 'literal', 0, literal++);
      await client.stageBlock(id, part.literal, part.literal.length);
      ids.push(id);
      bytes += part.literal.length;
    } else {
      const count = blocksByChunk[String(part.chunk)] ?? 0;
      for (let seq = 0; seq < count; seq++) ids.push(blockId(1, part.chunk, 1, seq));
    }
  }
  await client.commitBlockList(ids);
  const commitMs = performance.now() - commitStart;
  const azuriteAfter = processCpuMs(azuritePid);
  bytes += results.reduce((sum, r) => sum + r.bytes, 0);
  const size = (await client.getProperties()).contentLength ?? 0;
  if (size !== bytes) throw new Error(`chunked: committed ${size} bytes, staged ${bytes}`);
  const totalRows = results.reduce((sum, r) => sum + r.rows, 0);
  if (totalRows !== rows) throw new Error(`chunked: ${totalRows} rows instead of ${rows}`);
  const started = Math.min(...results.map((r) => r.startedAtMs ?? Infinity));
  const ended = Math.max(...results.map((r) => r.endedAtMs ?? 0));
  const ms = ended - started + commitMs;
  return {
    rows,
    workers,
    chunks,
    ms: round(ms, 1),
    rowsPerSec: round(rows / (ms / 1000)),
    bytes,
    blocks: ids.length,
    workerPeakRssMb: results.map((r) => round(r.maxRssKb / 1024, 1)),
    workerMs: results.map((r) => r.ms),
    workerCpuMs: results.map((r) => r.workCpuMs),
    cpuMs: results.reduce((sum, r) => sum + r.workCpuMs, 0),
    ...(azuriteBefore !== undefined && azuriteAfter !== undefined
      ? { azuriteCpuMs: azuriteAfter - azuriteBefore }
      : {}),
  };
}

const LABELS: Record<Variant, string> = {
  source: 'row source only',
  'csv-stringify': 'csv-stringify -> null',
  pipeline: 'pipeline -> Azurite',
  naive: 'naive (string + upload)',
  format: 'format writer -> Azurite',
  chunk: 'chunked, K workers -> Azurite',
};

export function formatExportResults(results: ExportResults): string {
  const rows: string[][] = [
    [
      'variant',
      'rows',
      'runs',
      'time s',
      'rows/s',
      'MB/s',
      'peak RSS MB',
      'vs csv-stringify',
      'CPU s',
      'CPU vs csv-stringify',
      'Azurite CPU s',
    ],
  ];
  const largest = Math.max(...results.sizes);
  for (const size of results.sizes) {
    const raw = results.summaries.find((s) => s.variant === 'csv-stringify' && s.rows === size && !s.error);
    for (const s of results.summaries.filter((x) => x.rows === size)) {
      if (s.error) {
        rows.push([LABELS[s.variant], num(s.rows), '0', 'failed', '-', '-', '-', '-', '-', '-', '-']);
        continue;
      }
      rows.push([
        LABELS[s.variant],
        num(s.rows),
        String(s.runs),
        num(s.ms / 1000, 2),
        num(s.rowsPerSec),
        s.bytes ? num(s.mbPerSec, 1) : '-',
        num(s.peakRssMb),
        raw && s.variant !== 'source' ? `${num(s.rowsPerSec / raw.rowsPerSec, 2)}x` : '-',
        num(s.cpuMs / 1000, 1),
        raw && s.variant !== 'source' ? `${num(s.cpuMs / raw.cpuMs, 2)}x` : '-',
        s.azuriteCpuMs === undefined || s.variant === 'source' || s.variant === 'csv-stringify'
          ? '-'
          : num(s.azuriteCpuMs / 1000, 1),
      ]);
    }
    const chunked = results.chunked;
    if (chunked && size === largest) {
      rows.push([
        `chunked, ${chunked.workers} workers -> Azurite`,
        num(chunked.rows),
        String(chunked.runs),
        num(chunked.ms / 1000, 2),
        num(chunked.rowsPerSec),
        num(chunked.bytes / MB / (chunked.ms / 1000), 1),
        chunked.workerPeakRssMb.map((m) => num(m)).join(' / '),
        `${num(chunked.ratioToCsvStringify, 2)}x`,
        num(chunked.cpuMs / 1000, 1),
        `${num(chunked.cpuRatioToCsvStringify, 2)}x`,
        chunked.azuriteCpuMs === undefined ? '-' : num(chunked.azuriteCpuMs / 1000, 1),
      ]);
    }
  }
  const growthLine =
    `pipeline peak RSS growth ${num(results.sizes[0])} -> ${num(largest)} rows: ` +
    `${num(results.peakRssGrowthMb, 1)} MB (between the two largest sizes: ${num(results.peakRssGrowthUpperMb, 1)} MB); ` +
    `naive: ${results.naivePeakRssGrowthMb === null ? 'failed' : `${num(results.naivePeakRssGrowthMb)} MB`}`;
  const failures = results.summaries.filter((s) => s.error);
  const raw = results.summaries.find((s) => s.variant === 'csv-stringify' && s.rows === largest && !s.error);
  const single = results.summaries.find((s) => s.variant === 'pipeline' && s.rows === largest && !s.error);
  const rawCpu = raw ? `csv-stringify's ${num(raw.cpuMs / 1000, 2)} s` : 'csv-stringify (failed)';
  const chunked = results.chunked;
  const lines = [
    'Export pipeline: ratings-shaped rows -> CSV; Azurite (in memory) in its own process; one child process per run',
    "(time, rows/s and MB/s of the median run; MB = 2^20 bytes; peak RSS = the child's maxRSS; CPU s = the",
    "child's user + system CPU over the work, median of the runs; the chunked run's is its workers' together)",
    '',
    table(rows),
    '',
    `at ${num(largest)} rows:`,
    `  single pass CPU: ${single ? num(single.cpuMs / 1000, 2) : '-'} s against ${rawCpu} = ` +
      `${num(results.cpuRatioToCsvStringify, 2)}x ${verdict(results.cpuRatioToCsvStringify, '<=', CPU_RATIO_TARGET)}`,
    ...(chunked
      ? [
          `  chunked CPU (${chunked.workers} workers): ${chunked.workerCpuMs.map((ms) => num(ms / 1000, 2)).join(' + ')} = ` +
            `${num(chunked.cpuMs / 1000, 2)} s against ${rawCpu} = ${num(chunked.cpuRatioToCsvStringify, 2)}x ` +
            verdict(chunked.cpuRatioToCsvStringify, '<=', CPU_RATIO_TARGET),
          `  chunked rows/s: ${num(chunked.rowsPerSec)} = ${num(chunked.ratioToSinglePass, 2)}x the single pass's ` +
            `${single ? num(single.rowsPerSec) : '-'} ${verdict(chunked.ratioToSinglePass, '>=', CHUNKED_TO_SINGLE_PASS_TARGET)}, ` +
            `${num(chunked.ratioToCsvStringify, 2)}x csv-stringify's ${verdict(chunked.ratioToCsvStringify, '>=', 1.8)}; ` +
            `${num(chunked.chunks)} chunks, ${num(chunked.blocks)} blocks`,
        ]
      : []),
    `  pipeline / csv-stringify rows/s: ${Object.entries(results.ratioBySize)
      .map(([size, ratio]) => `${num(Number(size))} rows ${num(ratio, 2)}x`)
      .join(', ')} (target >= 0.9x at the largest size); CPU: ${Object.entries(results.cpuRatioBySize)
      .map(([size, ratio]) => `${num(Number(size))} rows ${num(ratio, 2)}x`)
      .join(', ')}`,
    growthLine,
    ...failures.map((f) => `FAILED ${f.variant} ${num(f.rows)}: ${f.error?.split('\n')[0] ?? ''}`),
  ];
  if (results.profiles && results.profiles.length > 0) {
    lines.push(
      '',
      `CPU profiles at ${num(largest)} rows (${results.profiles.map((p) => p.file).join(', ')}):`,
    );
    lines.push(
      formatProfileComparison(results.profiles.map((p) => ({ name: p.variant, summary: p.summary }))).replace(
        /^/gm,
        '  ',
      ),
    );
  }
  return lines.join('\n');
}

/** `(target >= 1.7x: met)` or `(target >= 1.7x: missed by 0.12)`. */
function verdict(value: number, op: '<=' | '>=', target: number): string {
  if (Number.isNaN(value)) return `(target ${op} ${num(target, 2)}x: not measured)`;
  const met = op === '<=' ? value <= target : value >= target;
  return `(target ${op} ${num(target, 2)}x: ${met ? 'met' : `missed by ${num(Math.abs(value - target), 2)}`})`;
}
