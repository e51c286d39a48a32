// Part 1: the export pipeline against csv-stringify alone and against the naive build-then-upload, for a
// few row counts. Azurite runs in a process of its own; every variant x row count runs in a fresh child
// (bench/export-child.ts), which reports its time and its peak RSS.
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { availableParallelism } from 'node:os';
import { azuriteConnectionString } from '../dev/standins/azurite';
import { blockId } from '../src/domain/chunks';
import { createCsvWriter } from '../src/domain/formats/csv';
import { ratings } from '../src/domain/report-types/ratings';
import { VARIANTS as VARIANT_ORDER, type ChildResult, type Variant } from './export-child';
import { processCpuMs, ROOT, runScript, startStandin } from './processes';
import {
  formatProfileSummary,
  summariseProfile,
  type CpuProfile,
  type ProfileSummary,
} from './profile-summary';
import { atLeast, atMost, MB, num, progress, round, table, type Target } from './report';

export interface ExportBenchOptions {
  sizes: number[];
  /** Runs of `csv-stringify` and `pipeline` per size (the median counts); the others run once. */
  repeats: number;
  /** CPU-profile one more pipeline run at the largest size (`--cpu-prof`, not counted) and summarise it. */
  profile: boolean;
  profileDir: string;
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
  /** Pipeline peak RSS at the largest size minus at the smallest (MB). */
  peakRssGrowthMb: number;
  /** The same between the two largest sizes: near zero when memory stays flat once warmed up. */
  peakRssGrowthUpperMb: number;
  naivePeakRssGrowthMb: number | null;
  profile?: ProfileSummary & { file: string };
  /** The chunked pipeline at the largest size, K chunk workers side by side. */
  chunked?: ChunkedRun;
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
  /** Chunked rows/s / single-thread csv-stringify rows/s at the same size. */
  ratioToCsvStringify: number;
  /** Each worker's peak RSS (MB). */
  workerPeakRssMb: number[];
}

const CONTAINER = 'bench-exports';
const FAILED = { runs: 0, rowsPerSec: 0, mbPerSec: 0, peakRssMb: 0, ms: 0, bytes: 0 };
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
    const errorLine = lines.find((l) => /Error|error:/.test(l)) ?? '';
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
  let profileFile: string | undefined;
  let chunked: Omit<ChunkedRun, 'ratioToCsvStringify'> | undefined;
  try {
    for (const rows of options.sizes) {
      const perVariant = new Map<Variant, ExportRun[]>();
      const schedule: Variant[] = ['source'];
      // Alternate the two variants that are compared, so drift on the machine hits both alike.
      for (let i = 0; i < options.repeats; i++) schedule.push('csv-stringify', 'pipeline');
      schedule.push('naive');
      for (const variant of schedule) {
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
            `${num(run.rowsPerSec)} rows/s, peak RSS ${num(run.peakRssMb)} MB`,
        );
        await clearBlobs();
      }
      for (const [variant, variantRuns] of perVariant) summaries.push(summarise(variant, rows, variantRuns));
      summaries.sort(
        (a, b) => a.rows - b.rows || VARIANT_ORDER.indexOf(a.variant) - VARIANT_ORDER.indexOf(b.variant),
      );
    }
    chunked = await runChunked(largest, availableParallelism(), env, container);
    progress(
      `chunked       ${num(largest).padStart(9)} rows: ${num(chunked.ms / 1000, 2)} s, ${num(chunked.rowsPerSec)} rows/s ` +
        `(${chunked.workers} workers, ${chunked.chunks} chunks), worker peak RSS ${chunked.workerPeakRssMb.map((m) => num(m)).join(' / ')} MB`,
    );
    await clearBlobs();
    if (options.profile) {
      mkdirSync(options.profileDir, { recursive: true });
      const before = new Set(readdirSync(options.profileDir));
      const nodeArgs = ['--cpu-prof', '--cpu-prof-dir', options.profileDir];
      await runChild('pipeline', largest, env, azurite.pid, nodeArgs);
      await clearBlobs();
      // The main thread's profile is the largest new file (tsx's loader thread writes a small one too).
      profileFile = readdirSync(options.profileDir)
        .filter((f) => f.endsWith('.cpuprofile') && !before.has(f))
        .map((f) => join(options.profileDir, f))
        .sort((a, b) => statSync(b).size - statSync(a).size)[0];
      progress(`pipeline ${num(largest)} rows profiled: ${profileFile ?? 'no profile written'}`);
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
  for (const rows of options.sizes) {
    const pipeline = find('pipeline', rows);
    const raw = find('csv-stringify', rows);
    if (pipeline && raw) ratioBySize[String(rows)] = round(pipeline.rowsPerSec / raw.rowsPerSec, 3);
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
  const peakRssGrowthMb = growth('pipeline', smallest, largest) ?? NaN;
  const naivePeakRssGrowthMb = growth('naive', smallest, largest);
  const rawLargest = find('csv-stringify', largest);
  const chunkedRun: ChunkedRun | undefined =
    chunked && rawLargest
      ? { ...chunked, ratioToCsvStringify: round(chunked.rowsPerSec / rawLargest.rowsPerSec, 3) }
      : undefined;
  const targets = [
    atLeast('export.ratioToCsvStringify', ratio, 0.9),
    atMost('export.peakRssGrowthMb', peakRssGrowthMb, 64, 'MB', true),
    atLeast('export.chunked.ratioToCsvStringify', chunkedRun?.ratioToCsvStringify ?? NaN, 1.8),
  ];
  let profile: ExportResults['profile'];
  if (profileFile) {
    const summary = summariseProfile(JSON.parse(readFileSync(profileFile, 'utf8')) as CpuProfile, 20);
    profile = {
      ...summary,
      file: profileFile.startsWith(ROOT) ? profileFile.slice(ROOT.length + 1) : profileFile,
    };
  }
  return {
    sizes: options.sizes,
    repeats: options.repeats,
    summaries,
    runs,
    ratioBySize,
    ratioToCsvStringify: ratio,
    peakRssGrowthMb,
    peakRssGrowthUpperMb: growth('pipeline', secondLargest, largest) ?? NaN,
    naivePeakRssGrowthMb,
    ...(profile ? { profile } : {}),
    ...(chunkedRun ? { chunked: chunkedRun } : {}),
    targets,
  };
}

/** Rows a chunk of the benchmark's chunked run holds, as the export's default target does. */
const BENCH_CHUNK_ROWS = 100_000;

/**
 * The chunked pipeline: `workers` chunk workers (processes, as instances would be) stage the chunks of
 * one CSV side by side, then the block list is committed with the header first, as the export's commit
 * does. Timed from the first worker's start to the commit.
 */
async function runChunked(
  rows: number,
  workers: number,
  env: NodeJS.ProcessEnv,
  container: ReturnType<BlobServiceClient['getContainerClient']>,
): Promise<Omit<ChunkedRun, 'ratioToCsvStringify'>> {
  const chunks = Math.max(workers, Math.ceil(rows / BENCH_CHUNK_ROWS));
  const name = `chunked/ratings-${rows}.csv`;
  const outputs = await Promise.all(
    Array.from({ length: workers }, (_, worker) =>
      runScript(
        'bench/export-child.ts',
        ['chunk', String(rows), String(worker), String(workers), String(chunks)],
        {
          env: { ...env, BENCH_BLOB_NAME: name },
          nodeArgs: [],
        },
      ),
    ),
  );
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
      'Azurite CPU s',
    ],
  ];
  for (const size of results.sizes) {
    const raw = results.summaries.find((s) => s.variant === 'csv-stringify' && s.rows === size && !s.error);
    for (const s of results.summaries.filter((x) => x.rows === size)) {
      if (s.error) {
        rows.push([LABELS[s.variant], num(s.rows), '0', 'failed', '-', '-', '-', '-', '-']);
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
        s.azuriteCpuMs === undefined || s.variant === 'source' || s.variant === 'csv-stringify'
          ? '-'
          : num(s.azuriteCpuMs / 1000, 1),
      ]);
    }
  }
  const growthLine =
    `pipeline peak RSS growth ${num(results.sizes[0])} -> ${num(Math.max(...results.sizes))} rows: ` +
    `${num(results.peakRssGrowthMb, 1)} MB (between the two largest sizes: ${num(results.peakRssGrowthUpperMb, 1)} MB); ` +
    `naive: ${results.naivePeakRssGrowthMb === null ? 'failed' : `${num(results.naivePeakRssGrowthMb)} MB`}`;
  const failures = results.summaries.filter((s) => s.error);
  const lines = [
    'Export pipeline: ratings-shaped rows -> CSV; Azurite (in memory) in its own process; one child process per run',
    "(rows/s and MB/s of the median run; MB = 2^20 bytes; peak RSS = the child's maxRSS)",
    '',
    table(rows),
    '',
    `pipeline / csv-stringify rows/s: ${Object.entries(results.ratioBySize)
      .map(([size, ratio]) => `${num(Number(size))} rows ${num(ratio, 2)}`)
      .join(', ')}`,
    growthLine,
    ...(results.chunked
      ? [
          `chunked: ${results.chunked.workers} workers, ${num(results.chunked.chunks)} chunks, ${num(results.chunked.blocks)} blocks: ` +
            `${num(results.chunked.rowsPerSec)} rows/s = ${num(results.chunked.ratioToCsvStringify, 2)}x single-thread csv-stringify ` +
            `(target >= 1.8x); worker peak RSS ${results.chunked.workerPeakRssMb.map((m) => num(m)).join(' / ')} MB`,
        ]
      : []),
    ...failures.map((f) => `FAILED ${f.variant} ${num(f.rows)}: ${f.error?.split('\n')[0] ?? ''}`),
  ];
  if (results.profile) {
    lines.push(
      '',
      `pipeline at ${num(Math.max(...results.sizes))} rows, profiled (${results.profile.file}):`,
    );
    lines.push(formatProfileSummary(results.profile).replace(/^/gm, '  '));
  }
  return lines.join('\n');
}
