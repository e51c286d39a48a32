// `npm run bench [-- --quick] [-- --only export|formats|e2e] [-- --profile]`: measures the export pipeline,
// every export format and the system end to end on this machine, prints tables, and writes
// bench/results/latest.json.
//   --quick        everyday sizes (about two minutes)
//   --only PART    run only `export` (part 1: the CSV pipeline against its baselines), `formats` (part 2:
//                  each format against CSV), `e2e` (part 3) or `chunks` (part 4: what a chunked export
//                  writes to Cosmos DB, for 10 to 1,000 chunks) or `webhooks` (part 5: report Completed ->
//                  its signed webhook received, over a burst of reports)
//   --formats a,b  the formats of part 2 (default: all; CSV always runs as the baseline)
//   --profile      also CPU-profile one csv-stringify and one pipeline run at the largest size and
//                  summarise where the CPU time goes, side by side
//   --repeats N    runs of csv-stringify and the pipeline per size, and of the chunked export at the
//                  largest size (median counts)
//   --chunk-workers K  chunk workers (processes) of part 1's chunked export (default 2)
//   --sizes a,b,c  row counts of part 1 instead of the mode's
//   --e2e-ratings N  ratings seeded for part 3 (its full export reads them all), e.g. 1000000
//   --out FILE     where to write the JSON (default bench/results/latest.json)
//   --fairness R,S tenant A's burst in part 3's fairness scenario: R chunked all-time ratings exports and S small reports
//                  (default 300,300; --quick 60,60; 0,0 skips it)
//   --fairness-only  in part 3, only the fairness scenario
//   --full-export-only  in part 3, only the full export, chunked and in one pass (with --e2e-ratings 1000000:
//                  the 1M-row end-to-end figure)
//   --tenant-cap N   the cap of the fair run (default: TENANT_MAX_ACTIVE_EXPORTS's default in src/config.ts)
//   --webhook-reports N  reports in part 5's burst (default 200)
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, platform, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatChunkWritesResults, runChunkWritesBench, type ChunkWritesResults } from './chunk-writes-bench';
import { formatE2eResults, runE2eBench, type E2eResults } from './e2e-bench';
import { formatExportResults, runExportBench, type ExportResults } from './export-bench';
import { formatFormatResults, runFormatBench, type FormatResults } from './format-bench';
import { formatWebhookResults, runWebhookBench, type WebhookResults } from './webhook-bench';
import { stopAll, ROOT } from './processes';
import { loadConfig } from '../src/config';
import { num, targetsTable, type Target } from './report';

// The end-to-end data set is moderate on purpose: the Cosmos stand-in is single-threaded and re-runs and
// re-sorts the whole query for every page, so with 300k ratings each popularity report costs it ~0.5 s
// and a ratings export ~2.5 s per 1,000-row page; the numbers would then describe the stand-in.
interface Mode {
  name: 'quick' | 'full';
  sizes: number[];
  repeats: number;
  /** Part 2: row counts asked of the source per format (PDF writes at most its row cap), and runs each. */
  formats: { sizes: number[]; repeats: number };
  e2e: {
    albums: number;
    ratings: number;
    smallReports: number;
    burst: number;
    concurrency: number;
    /** The fairness scenario's burst of tenant A. */
    fairness: { ratingsExports: number; smallReports: number };
  };
}

/** Chunks of each of tenant A's all-time exports in the fairness scenario (20 or more, as the targets ask). */
const FAIRNESS_CHUNKS_PER_EXPORT = 20;

/** Chunk workers of part 1's chunked export: K = 2, whatever the machine's core count. */
const CHUNK_WORKERS = 2;

const MODES: Record<Mode['name'], Mode> = {
  quick: {
    name: 'quick',
    sizes: [20_000, 200_000, 1_000_000],
    repeats: 3,
    formats: { sizes: [20_000, 200_000], repeats: 1 },
    e2e: {
      albums: 200,
      ratings: 60_000,
      smallReports: 10,
      burst: 200,
      concurrency: 50,
      fairness: { ratingsExports: 20, smallReports: 40 },
    },
  },
  full: {
    name: 'full',
    sizes: [100_000, 1_000_000, 5_000_000],
    repeats: 3,
    formats: { sizes: [100_000, 1_000_000, 2_000_000], repeats: 2 },
    e2e: {
      albums: 500,
      ratings: 100_000,
      smallReports: 30,
      burst: 1000,
      concurrency: 50,
      fairness: { ratingsExports: 60, smallReports: 120 },
    },
  },
};

function machine() {
  const cpu = cpus()[0];
  return {
    cpus: availableParallelism(),
    cpuModel: cpu?.model.trim() ?? 'unknown',
    memTotalGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    os: `${platform()} ${release()}`,
  };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean' },
      only: { type: 'string' },
      profile: { type: 'boolean' },
      repeats: { type: 'string' },
      sizes: { type: 'string' },
      formats: { type: 'string' },
      out: { type: 'string' },
      fairness: { type: 'string' },
      'fairness-only': { type: 'boolean' },
      'full-export-only': { type: 'boolean' },
      'tenant-cap': { type: 'string' },
      'e2e-ratings': { type: 'string' },
      'chunk-workers': { type: 'string' },
      'webhook-reports': { type: 'string' },
    },
    strict: true,
  });
  const mode = MODES[values.quick ? 'quick' : 'full'];
  const only = values.only;
  if (only !== undefined && !['export', 'formats', 'e2e', 'chunks', 'webhooks'].includes(only))
    throw new Error('--only takes export, formats, e2e, chunks or webhooks');
  const webhookReports = Number(values['webhook-reports'] ?? 200);
  if (!Number.isInteger(webhookReports) || webhookReports < 1)
    throw new Error('--webhook-reports takes a positive whole number');
  const formatList = values.formats?.split(',').map((f) => f.trim().toLowerCase());
  const sizes = values.sizes ? values.sizes.split(',').map((s) => Number(s.replace(/_/g, ''))) : mode.sizes;
  if (sizes.length < 2 || sizes.some((n) => !Number.isInteger(n) || n <= 0)) {
    throw new Error('--sizes takes at least two positive row counts, e.g. 100000,1000000');
  }
  const repeats = values.repeats ? Number(values.repeats) : mode.repeats;
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error('--repeats takes a positive whole number');
  const chunkWorkers = Number(values['chunk-workers'] ?? CHUNK_WORKERS);
  if (!Number.isInteger(chunkWorkers) || chunkWorkers < 1)
    throw new Error('--chunk-workers takes a positive whole number');
  const [ratingsExports = NaN, smallBurst = NaN] = (
    values.fairness ?? `${mode.e2e.fairness.ratingsExports},${mode.e2e.fairness.smallReports}`
  )
    .split(',')
    .map((n) => Number(n.trim()));
  if (![ratingsExports, smallBurst].every((n) => Number.isInteger(n) && n >= 0)) {
    throw new Error('--fairness takes two whole numbers: ratings exports,small reports (e.g. 300,300)');
  }
  // The fair run's places and chunk window are the app's defaults (src/config.ts), as deployed.
  const defaults = loadConfig({
    COSMOS: 'x',
    SERVICEBUS: 'x',
    BLOB: 'x',
    AUTH_ISSUER: 'x',
    AUTH_AUDIENCE: 'x',
    AUTH_DEV_JWKS_PATH: 'x',
    CONTINUATION_TOKEN_SECRET: 'x'.repeat(64),
  }).limits;
  const tenantCap =
    values['tenant-cap'] === undefined ? defaults.tenantMaxActiveExports : Number(values['tenant-cap']);
  if (!Number.isInteger(tenantCap) || tenantCap < 1)
    throw new Error('--tenant-cap takes a whole number >= 1');
  const fairness =
    ratingsExports + smallBurst > 0
      ? {
          ratingsExports,
          smallReports: smallBurst,
          tenantCap,
          chunkWindow: defaults.tenantChunkWindow,
          chunksPerExport: FAIRNESS_CHUNKS_PER_EXPORT,
        }
      : undefined;
  const out = resolve(values.out ?? join(ROOT, 'bench/results/latest.json'));

  const started = performance.now();
  const host = machine();
  console.log(
    `report-exports benchmark (${mode.name}): ${host.cpus} CPUs (${host.cpuModel}), ` +
      `${host.memTotalGb} GB RAM, Node ${host.node}, ${host.os}\n`,
  );

  const partSeconds: { export?: number; formats?: number; e2e?: number; chunks?: number; webhooks?: number } =
    {};
  let webhookResults: WebhookResults | undefined;
  let chunkResults: ChunkWritesResults | undefined;
  let exportResults: ExportResults | undefined;
  let formatResults: FormatResults | undefined;
  let e2eResults: E2eResults | undefined;
  if (only === undefined || only === 'export') {
    console.error('Part 1: export pipeline');
    exportResults = await runExportBench({
      sizes,
      repeats,
      profile: values.profile ?? false,
      profileDir: join(tmpdir(), 'report-exports-bench-profiles'),
      chunkWorkers,
    });
    console.log(`${formatExportResults(exportResults)}\n`);
    partSeconds.export = Math.round((performance.now() - started) / 100) / 10;
  }
  if (only === undefined || only === 'formats') {
    console.error('Part 2: export formats');
    const formatsStarted = performance.now();
    formatResults = await runFormatBench({
      ...mode.formats,
      ...(formatList ? { formats: formatList } : {}),
    });
    console.log(`${formatFormatResults(formatResults)}\n`);
    partSeconds.formats = Math.round((performance.now() - formatsStarted) / 100) / 10;
  }
  if (only === undefined || only === 'e2e') {
    console.error('Part 3: end to end on the local host');
    const e2eStarted = performance.now();
    const { fairness: _burst, ...e2e } = mode.e2e;
    const e2eRatings = values['e2e-ratings'] === undefined ? e2e.ratings : Number(values['e2e-ratings']);
    if (!Number.isInteger(e2eRatings) || e2eRatings < 1)
      throw new Error('--e2e-ratings takes a positive whole number');
    e2eResults = await runE2eBench({
      ...e2e,
      ratings: e2eRatings,
      ...(fairness ? { fairness } : {}),
      ...(values['fairness-only'] ? { fairnessOnly: true } : {}),
      ...(values['full-export-only'] ? { fullExportOnly: true } : {}),
    });
    console.log(`${formatE2eResults(e2eResults)}\n`);
    partSeconds.e2e = Math.round((performance.now() - e2eStarted) / 100) / 10;
  }

  if (only === undefined || only === 'chunks') {
    console.error('Part 4: what a chunked export writes');
    const chunksStarted = performance.now();
    chunkResults = await runChunkWritesBench();
    console.log(`${formatChunkWritesResults(chunkResults)}\n`);
    partSeconds.chunks = Math.round((performance.now() - chunksStarted) / 100) / 10;
  }

  if (only === undefined || only === 'webhooks') {
    console.error('Part 5: webhooks');
    const webhooksStarted = performance.now();
    webhookResults = await runWebhookBench({ reports: webhookReports, concurrency: 20 });
    console.log(`${formatWebhookResults(webhookResults)}\n`);
    partSeconds.webhooks = Math.round((performance.now() - webhooksStarted) / 100) / 10;
  }

  const wallSeconds = Math.round((performance.now() - started) / 100) / 10;
  const targets: Target[] = [
    ...(exportResults?.targets ?? []),
    ...(formatResults?.targets ?? []),
    ...(e2eResults?.targets ?? []),
    ...(chunkResults?.targets ?? []),
    ...(webhookResults?.targets ?? []),
  ];
  console.log(`Targets\n${targetsTable(targets)}\n`);
  const missed = targets.filter((t) => t.met === false).length;
  console.log(
    `${targets.length - missed} of ${targets.length} targets met; wall time ${num(wallSeconds, 1)} s; ` +
      `results in ${out.startsWith(ROOT) ? out.slice(ROOT.length + 1) : out}`,
  );

  mkdirSync(dirname(out), { recursive: true });
  const json = {
    generatedAt: new Date().toISOString(),
    mode: mode.name,
    wallSeconds,
    partSeconds,
    machine: host,
    ...(exportResults ? { export: exportResults } : {}),
    ...(formatResults ? { formats: formatResults } : {}),
    ...(e2eResults ? { e2e: e2eResults } : {}),
    ...(chunkResults ? { chunkWrites: chunkResults } : {}),
    ...(webhookResults ? { webhooks: webhookResults } : {}),
    targets,
  };
  writeFileSync(out, `${JSON.stringify(json, null, 2)}\n`);
  return 0;
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    console.error(`\n${signal}: stopping the processes the benchmark started`);
    void stopAll().finally(() => process.exit(130));
  });
}

main()
  .then(
    (code) => code,
    (error: unknown) => {
      if (!interrupted)
        console.error(
          `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
      return 1;
    },
  )
  .then(async (code) => {
    await stopAll();
    process.exit(code);
  })
  .catch(() => process.exit(1));
