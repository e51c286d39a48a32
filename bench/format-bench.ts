// Part 2: every registered export format through the production pipeline (writeExport -> format writer ->
// staged blocks into Azurite), at a few row counts, against CSV as the baseline. Each run is a child process
// of its own (bench/export-child.ts `format`), so its memory is its own.
// "Memory stays bounded" is proven by one more run per format at the largest size with V8's old generation
// capped (--max-old-space-size): an export that kept its rows or its file in memory would die of it (the
// largest files are several times the cap). Peak RSS and peak heap in use are printed too, but V8 lets
// both float by +-100 MB between identical runs (garbage waits for the next major collection, and freed
// memory stays resident), so their growth with the row count is information, not the measure.
import { BlobServiceClient } from '@azure/storage-blob';
import { azuriteConnectionString } from '../dev/standins/azurite';
import { GZIP_FORMATS } from '../src/domain/export-options';
import { formatNames } from '../src/formats';
import { runChild, summarise, type ExportRun } from './export-bench';
import { startStandin } from './processes';
import { exactly, num, progress, round, table, type Target } from './report';

export interface FormatBenchOptions {
  /** Two or more row counts; the memory growth is read from the smallest to the largest. */
  sizes: number[];
  /** Runs per format and size (the median by time counts). */
  repeats: number;
  /** Formats to run (default: every registered one); `csv` is always run, as the baseline. */
  formats?: readonly string[];
}

export interface FormatSummary {
  format: string;
  /** Rows asked of the source. */
  sourceRows: number;
  /** Rows in the file (PDF stops at its row cap). */
  rows: number;
  runs: number;
  ms: number;
  bytes: number;
  rowsPerSec: number;
  mbPerSec: number;
  peakRssMb: number;
  /**
   * Highest peak over the runs of what the export holds: V8 heap in use plus memory outside it (Buffers),
   * sampled every 20 ms (MB). Unlike RSS it does not count memory the heap keeps after a collection.
   */
  peakLiveMb: number;
  /** rows/s of this format / rows/s of CSV at the same size. */
  ratioToCsv: number | null;
  error?: string;
}

export interface BoundedHeapRun {
  heapLimitMb: number;
  rows: number;
  completed: boolean;
  ms: number | null;
  fileMb: number | null;
  peakRssMb: number | null;
  error?: string;
}

export interface FormatResults {
  sizes: number[];
  repeats: number;
  summaries: FormatSummary[];
  /** Per format: peak RSS at the largest size minus at the smallest (MB). */
  peakRssGrowthMb: Record<string, number | null>;
  /** Per format: peak live memory (heap used + external) at the largest size minus at the smallest (MB). */
  peakLiveGrowthMb: Record<string, number | null>;
  /** Per format: the largest size once more, with the old generation capped at BOUNDED_HEAP_MB. */
  boundedHeap: Record<string, BoundedHeapRun>;
  /** Whether the naive CSV export (rows and file in memory) failed under the same cap, as it must. */
  boundedHeapControlFailed: boolean | null;
  targets: Target[];
}

/** The old-generation cap of the bounded-heap run (MB): the process with its libraries needs ~40 MB. */
export const BOUNDED_HEAP_MB = 96;
const CONTAINER = 'bench-formats';

export async function runFormatBench(options: FormatBenchOptions): Promise<FormatResults> {
  // Every format, and CSV with gzip (`+gzip` takes any format gzip applies to).
  const known = [...formatNames, ...GZIP_FORMATS.map((name) => `${name}+gzip`)];
  const chosen = options.formats ?? [...formatNames, 'csv+gzip'];
  for (const name of chosen) {
    if (!known.includes(name)) throw new Error(`unknown format ${name} (known: ${known.join(', ')})`);
  }
  const names = ['csv', ...chosen.filter((name) => name !== 'csv')];
  const sizes = [...options.sizes].sort((a, b) => a - b);

  const azurite = await startStandin('azurite'); // in memory
  const connection = azuriteConnectionString('127.0.0.1', azurite.port);
  const container = BlobServiceClient.fromConnectionString(connection).getContainerClient(CONTAINER);
  await container.createIfNotExists();
  const env = { ...process.env, BENCH_BLOB: connection, BENCH_CONTAINER: CONTAINER };
  const clearBlobs = async () => {
    for await (const item of container.listBlobsFlat()) await container.deleteBlob(item.name);
  };

  const summaries: FormatSummary[] = [];
  const boundedHeap: Record<string, BoundedHeapRun> = {};
  let controlFailed: boolean | null = null;
  const largestSize = sizes[sizes.length - 1] ?? 0;
  try {
    for (const sourceRows of sizes) {
      const runs = new Map<string, ExportRun[]>();
      // Round-robin over the formats, so drift on the machine hits every format alike.
      for (let i = 0; i < options.repeats; i++) {
        for (const name of names) {
          if (summaries.some((s) => s.format === name && s.sourceRows === sourceRows && s.error)) continue;
          try {
            const run = await runChild('format', sourceRows, env, azurite.pid, [], name);
            runs.set(name, [...(runs.get(name) ?? []), run]);
            progress(
              `${name.padEnd(7)} ${num(sourceRows).padStart(9)} rows asked, ${num(run.rows).padStart(9)} written: ` +
                `${num(run.ms / 1000, 2)} s, ${num(run.rowsPerSec)} rows/s, peak RSS ${num(run.peakRssMb)} MB`,
            );
          } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            progress(`${name} ${num(sourceRows)} rows FAILED: ${message}`);
            summaries.push(failedSummary(name, sourceRows, message));
          }
          await clearBlobs();
        }
      }
      const csv = runs.get('csv');
      const csvRate = csv ? summarise('format', sourceRows, csv).rowsPerSec : undefined;
      for (const name of names) {
        const formatRuns = runs.get(name);
        if (!formatRuns) continue;
        const mid = summarise('format', sourceRows, formatRuns);
        summaries.push({
          format: name,
          sourceRows,
          rows: formatRuns[0]?.rows ?? 0,
          runs: mid.runs,
          ms: mid.ms,
          bytes: mid.bytes,
          rowsPerSec: mid.rowsPerSec,
          mbPerSec: mid.mbPerSec,
          peakRssMb: mid.peakRssMb,
          peakLiveMb: Math.max(
            ...formatRuns.map((r) => round((r.peakHeapUsedKb + r.peakExternalKb) / 1024, 1)),
          ),
          ratioToCsv: csvRate ? round(mid.rowsPerSec / csvRate, 3) : null,
        });
      }
    }
    for (const name of names) {
      const nodeArgs = [`--max-old-space-size=${BOUNDED_HEAP_MB}`];
      try {
        const run = await runChild('format', largestSize, env, azurite.pid, nodeArgs, name);
        boundedHeap[name] = {
          heapLimitMb: BOUNDED_HEAP_MB,
          rows: run.rows,
          completed: true,
          ms: run.ms,
          fileMb: round(run.bytes / 1024 / 1024, 1),
          peakRssMb: run.peakRssMb,
        };
        progress(
          `${name.padEnd(7)} with a ${BOUNDED_HEAP_MB} MB heap: ${num(run.rows)} rows in ${num(run.ms / 1000, 2)} s`,
        );
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        boundedHeap[name] = {
          heapLimitMb: BOUNDED_HEAP_MB,
          rows: 0,
          completed: false,
          ms: null,
          fileMb: null,
          peakRssMb: null,
          error: message,
        };
        progress(`${name} with a ${BOUNDED_HEAP_MB} MB heap FAILED: ${message}`);
      }
      await clearBlobs();
    }
    // The control: the same cap must stop an export that holds its rows and file in memory, or the cap
    // proves nothing at this size.
    try {
      await runChild('naive', largestSize, env, azurite.pid, [`--max-old-space-size=${BOUNDED_HEAP_MB}`]);
      controlFailed = false;
    } catch {
      controlFailed = true;
    }
    progress(
      `naive CSV with a ${BOUNDED_HEAP_MB} MB heap (control): ${controlFailed ? 'failed, as it must' : 'COMPLETED'}`,
    );
    await clearBlobs();
  } finally {
    await azurite.stop();
  }

  const smallest = sizes[0] ?? 0;
  const largest = sizes[sizes.length - 1] ?? 0;
  const find = (name: string, rows: number) =>
    summaries.find((s) => s.format === name && s.sourceRows === rows && !s.error);
  const growth = (name: string, measure: (s: FormatSummary) => number): number | null => {
    const a = find(name, smallest);
    const b = find(name, largest);
    return a && b ? round(measure(b) - measure(a), 1) : null;
  };
  const peakRssGrowthMb: Record<string, number | null> = {};
  const peakLiveGrowthMb: Record<string, number | null> = {};
  for (const name of names) {
    peakRssGrowthMb[name] = growth(name, (s) => s.peakRssMb);
    peakLiveGrowthMb[name] = growth(name, (s) => s.peakLiveMb);
  }
  const targets = [
    ...names.map((name) =>
      exactly(`formats.${name}.boundedHeapCompleted`, boundedHeap[name]?.completed ? 1 : 0, 1),
    ),
    exactly('formats.boundedHeapControlFailed', controlFailed === null ? null : controlFailed ? 1 : 0, 1),
  ];
  summaries.sort((a, b) => a.sourceRows - b.sourceRows || names.indexOf(a.format) - names.indexOf(b.format));
  return {
    sizes,
    repeats: options.repeats,
    summaries,
    peakRssGrowthMb,
    peakLiveGrowthMb,
    boundedHeap,
    boundedHeapControlFailed: controlFailed,
    targets,
  };
}

function failedSummary(format: string, sourceRows: number, error: string): FormatSummary {
  return {
    format,
    sourceRows,
    rows: 0,
    runs: 0,
    ms: 0,
    bytes: 0,
    rowsPerSec: 0,
    mbPerSec: 0,
    peakRssMb: 0,
    peakLiveMb: 0,
    ratioToCsv: null,
    error,
  };
}

export function formatFormatResults(results: FormatResults): string {
  const rows: string[][] = [
    [
      'format',
      'rows asked',
      'rows written',
      'runs',
      'time s',
      'rows/s',
      'MB/s',
      'file MB',
      'peak live MB',
      'peak RSS MB',
      'vs CSV',
    ],
  ];
  for (const s of results.summaries) {
    if (s.error) {
      rows.push([s.format, num(s.sourceRows), '-', '0', 'failed', '-', '-', '-', '-', '-', '-']);
      continue;
    }
    rows.push([
      s.format,
      num(s.sourceRows),
      num(s.rows),
      String(s.runs),
      num(s.ms / 1000, 2),
      num(s.rowsPerSec),
      num(s.mbPerSec, 1),
      num(s.bytes / 1024 / 1024, 1),
      num(s.peakLiveMb),
      num(s.peakRssMb),
      s.ratioToCsv === null ? '-' : `${num(s.ratioToCsv, 2)}x`,
    ]);
  }
  const smallest = results.sizes[0] ?? 0;
  const largest = results.sizes[results.sizes.length - 1] ?? 0;
  const growth = (byFormat: Record<string, number | null>) =>
    Object.entries(byFormat)
      .map(([name, mb]) => `${name} ${mb === null ? 'failed' : `${num(mb, 1)} MB`}`)
      .join(', ');
  return [
    'Export formats: ratings-shaped rows through writeExport -> format writer -> staged blocks (Azurite, in memory);',
    'one child process per run; rows/s of the median run counts the rows written; "vs CSV" = rows/s / CSV rows/s;',
    'peak live = highest V8 heap in use + Buffers (sampled every 20 ms) over the runs; peak RSS = highest maxRSS',
    '',
    table(rows),
    '',
    `with the old generation capped at ${num(BOUNDED_HEAP_MB)} MB, ${num(largest)} rows asked: ` +
      Object.entries(results.boundedHeap)
        .map(([name, run]) =>
          run.completed
            ? `${name} completed (${num(run.rows)} rows, ${num(run.fileMb ?? 0, 1)} MB file, ${num((run.ms ?? 0) / 1000, 1)} s)`
            : `${name} FAILED (${run.error?.split('\n')[0] ?? ''})`,
        )
        .join(', '),
    `control, the naive CSV export (all rows and the whole file in memory) under the same cap: ${
      results.boundedHeapControlFailed === null
        ? 'not run'
        : results.boundedHeapControlFailed
          ? 'failed, as it must'
          : 'COMPLETED: the cap is too loose for this size'
    }`,
    `peak live memory growth ${num(smallest)} -> ${num(largest)} rows asked: ${growth(results.peakLiveGrowthMb)}`,
    `peak RSS growth ${num(smallest)} -> ${num(largest)} rows asked: ${growth(results.peakRssGrowthMb)}`,
    ...results.summaries
      .filter((s) => s.error)
      .map((s) => `FAILED ${s.format} ${num(s.sourceRows)}: ${s.error?.split('\n')[0] ?? ''}`),
  ].join('\n');
}
