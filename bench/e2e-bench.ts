// Part 3: the whole system on this machine, measured from a client's point of view. The stand-ins and the
// local host (as `npm start` runs it) each run in a process of their own on free ports, with their own
// temporary data folder; the source containers are seeded first. The Cosmos stand-in is
// dev/standins' Cosmos server (its query scan made linear, see dev/standins/cosmos.ts). Scenarios:
//   - small popularity reports one after another: POST -> Completed latency;
//   - a large `ratings` export: time until it is Processing and until progress is first visible, its
//     rate over a few seconds, then DELETE -> Cancelled, and no file left behind;
//   - a burst of requests at a fixed concurrency: POST latency, every report Completed exactly once
//     (reports, blobs and the worker's own outcomes counted);
//   - fairness between tenants (./fairness-bench.ts), on hosts of its own with the cap on and off.
// The hosts allow one user any number of active reports (USER_MAX_ACTIVE_REPORTS): the bursts come
// from one user, and the quota is not what is measured.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { LOCAL_TIMER_SCHEDULES } from '../dev/local-env';
import { seedSourceData } from '../dev/seed';
import { issueDevToken } from '../dev/token';
import {
  formatFairnessResults,
  runFairnessBench,
  type FairnessOptions,
  type FairnessResults,
} from './fairness-bench';
import { startLocalSystem, startScript, type RunningProcess } from './processes';
import { atMost, exactly, num, percentile, progress, round, table, type Target } from './report';

export interface E2eOptions {
  albums: number;
  ratings: number;
  /** Small popularity reports measured one after another (after two warm-up ones). */
  smallReports: number;
  /** Requests in the burst, and how many are in flight at once. */
  burst: number;
  concurrency: number;
  /** The fairness scenario's burst; unset: not run. */
  fairness?: Omit<FairnessOptions, 'seededRatings'>;
  /** Only the fairness scenario (after the setup). */
  fairnessOnly?: boolean;
  /** Only the full export, chunked and in one pass (after the setup). */
  fullExportOnly?: boolean;
}

interface FullExport {
  rows: number | null;
  chunks: number | null;
  ms: number | null;
  /** POST -> the first GET that showed a total (the plan, or the single pass's count). */
  totalShownMs: number | null;
  rowsPerSec: number | null;
  status: string;
}

interface ReportResource {
  reportId: string;
  status: 'Pending' | 'Processing' | 'Completed' | 'Failed' | 'Cancelled';
  cancelRequested: boolean;
  progress: { processedRows: number; totalRows: number | null; percent: number | null } | null;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  rowCount: number | null;
  error: { code: string; message: string } | null;
}

export interface E2eResults {
  setup: {
    albums: number;
    ratings: number;
    seedMs: number;
    /** How often the client polls GET /api/reports/{id} (ms): the resolution of the latencies below. */
    pollMs: number;
    timerSchedules: Record<string, string>;
  };
  smallReports?: {
    count: number;
    warmup: number;
    parameters: string;
    p50Ms: number;
    p95Ms: number;
    maxMs: number;
    notCompleted: number;
    /** The first report that did not complete, as last seen. */
    firstProblem?: string;
    /** completedAt - createdAt as the server recorded them. */
    serverP50Ms: number;
    /** Of that, createdAt -> startedAt (outbox relay, queue, claim) and startedAt -> completedAt (the export). */
    serverWaitP50Ms: number;
    serverRunP50Ms: number;
  };
  largeExport?: {
    parameters: string;
    totalRows: number | null;
    processingMs: number | null;
    progressVisibleMs: number | null;
    firstProgress: ReportResource['progress'];
    /** Rows/s from the progress the client saw over `rateWindowMs` after progress became visible. */
    rowsPerSec: number | null;
    rateWindowMs: number;
  };
  /** Every seeded rating in one all-time `ratings` export (chunked): POST -> Completed. */
  fullExport?: FullExport;
  /**
   * The same export in one pass, on a host of its own whose plans have one chunk at most
   * (EXPORT_CHUNK_MAX_COUNT=1), in the same run: the baseline of the chunked one.
   */
  fullExportSinglePass?: FullExport;
  cancel?: {
    /** DELETE sent -> GET shows Cancelled. */
    cancelMs: number | null;
    deleteStatus: number;
    finalStatus: string;
    processedRowsAtCancel: number | null;
    /** Files of the cancelled report in the blob container afterwards (0: nothing half-written kept). */
    blobsLeft: number;
  };
  burst?: {
    requests: number;
    concurrency: number;
    accepted: number;
    rejected: Record<string, number>;
    postP50Ms: number;
    postP99Ms: number;
    postMaxMs: number;
    /** First POST sent -> last report Completed. */
    drainMs: number | null;
    reportsPerSec: number | null;
    completed: number;
    failed: number;
    /** Accepted but not Completed when the wait ended. */
    lost: number;
    /** Extra blobs or completions beyond one per report. */
    duplicated: number;
    blobs: number;
    /** The worker's outcomes for the burst's messages, from the host log (`export request ...: outcome`). */
    workerOutcomes: Record<string, number>;
  };
  fairness?: FairnessResults;
  targets: Target[];
}

const POLL_MS = 25;
const TENANT = 'bench';

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

class Client {
  constructor(
    readonly base: string,
    private readonly token: string,
  ) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { authorization: `Bearer ${this.token}`, ...extra };
  }

  async post(
    type: string,
    parameters: Record<string, unknown>,
  ): Promise<{ status: number; body: ReportResource }> {
    const response = await fetch(`${this.base}/api/reports/${type}`, {
      method: 'POST',
      headers: this.headers({ 'content-type': 'application/json' }),
      body: JSON.stringify({ format: 'csv', parameters }),
    });
    return { status: response.status, body: (await response.json()) as ReportResource };
  }

  async get(id: string): Promise<ReportResource> {
    const response = await fetch(`${this.base}/api/reports/${id}`, { headers: this.headers() });
    if (response.status !== 200)
      throw new Error(`GET report ${id}: ${response.status} ${await response.text()}`);
    return (await response.json()) as ReportResource;
  }

  async delete(id: string): Promise<number> {
    const response = await fetch(`${this.base}/api/reports/${id}`, {
      method: 'DELETE',
      headers: this.headers(),
    });
    await response.arrayBuffer();
    return response.status;
  }

  /** Every report of this user, following continuation tokens. */
  async list(): Promise<ReportResource[]> {
    const all: ReportResource[] = [];
    let token: string | null = null;
    do {
      const query: string = `pageSize=100${token ? `&continuationToken=${encodeURIComponent(token)}` : ''}`;
      const response = await fetch(`${this.base}/api/reports?${query}`, { headers: this.headers() });
      if (response.status !== 200)
        throw new Error(`GET reports: ${response.status} ${await response.text()}`);
      const page = (await response.json()) as { items: ReportResource[]; continuationToken: string | null };
      all.push(...page.items);
      token = page.continuationToken;
    } while (token);
    return all;
  }

  /** Polls the report until `done` holds; the time (performance.now()) it was first seen holding. */
  async until(
    id: string,
    done: (report: ReportResource) => boolean,
    timeoutMs: number,
  ): Promise<{ report: ReportResource; at: number } | { report: ReportResource; at: null }> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const report = await this.get(id);
      const at = performance.now();
      if (done(report)) return { report, at };
      if (at > deadline) return { report, at: null };
      await sleep(POLL_MS);
    }
  }
}

const TERMINAL = new Set(['Completed', 'Failed', 'Cancelled']);
const isTerminal = (report: ReportResource) => TERMINAL.has(report.status);
const progressVisible = (report: ReportResource) =>
  (report.progress?.processedRows ?? 0) > 0 || isTerminal(report);

/** `2019-01-01` plus `days`, as YYYY-MM-DD. */
function day(days: number): string {
  return new Date(Date.UTC(2019, 0, 1) + days * 86_400_000).toISOString().slice(0, 10);
}

async function smallReports(
  client: Client,
  options: E2eOptions,
): Promise<NonNullable<E2eResults['smallReports']>> {
  const warmup = 2;
  const latencies: number[] = [];
  const server: number[] = [];
  const waits: number[] = [];
  const runs: number[] = [];
  let notCompleted = 0;
  let firstProblem: string | undefined;
  for (let i = 0; i < warmup + options.smallReports; i++) {
    // A week of ratings, a different week each time, spread over the seeded years.
    const from = (i * 37) % 2400;
    const started = performance.now();
    const { status, body } = await client.post('popularity', {
      fromDate: day(from),
      toDate: day(from + 6),
      top: 10,
    });
    if (status !== 202) throw new Error(`POST popularity: ${status} ${JSON.stringify(body)}`);
    const { report, at } = await client.until(body.reportId, isTerminal, 30_000);
    if (report.status !== 'Completed' || at === null) {
      firstProblem ??= `${report.reportId}: ${report.status}${report.error ? ` (${report.error.code}: ${report.error.message})` : ''}`;
      progress(`small report ${firstProblem}`);
    }
    if (i < warmup) continue;
    if (report.status !== 'Completed' || at === null) {
      notCompleted++;
      continue;
    }
    latencies.push(at - started);
    if (report.completedAt) server.push(Date.parse(report.completedAt) - Date.parse(report.createdAt));
    if (report.completedAt && report.startedAt) {
      waits.push(Date.parse(report.startedAt) - Date.parse(report.createdAt));
      runs.push(Date.parse(report.completedAt) - Date.parse(report.startedAt));
    }
  }
  return {
    count: options.smallReports,
    warmup,
    parameters: 'popularity, csv, a 7-day range, top 10',
    p50Ms: round(percentile(latencies, 0.5)),
    p95Ms: round(percentile(latencies, 0.95)),
    maxMs: round(Math.max(...latencies)),
    notCompleted,
    serverP50Ms: round(percentile(server, 0.5)),
    serverWaitP50Ms: round(percentile(waits, 0.5)),
    serverRunP50Ms: round(percentile(runs, 0.5)),
    ...(firstProblem === undefined ? {} : { firstProblem }),
  };
}

const LARGE_RANGE = { fromDate: '2020-01-01', toDate: '2024-12-31' };
/** How long the client watches the large export's progress before it cancels it. */
const RATE_WINDOW_MS = 2_000;

/** The large export: start it, watch its progress for a few seconds, then cancel it. */
async function largeExportAndCancel(
  client: Client,
  blobsOf: (reportId: string) => Promise<number>,
): Promise<{ large: NonNullable<E2eResults['largeExport']>; cancel: NonNullable<E2eResults['cancel']> }> {
  const started = performance.now();
  const { status, body } = await client.post('ratings', LARGE_RANGE);
  if (status !== 202) throw new Error(`POST ratings: ${status} ${JSON.stringify(body)}`);
  const processing = await client.until(body.reportId, (r) => r.status !== 'Pending', 30_000);
  const visible = await client.until(body.reportId, progressVisible, 30_000);
  let rowsPerSec: number | null = null;
  let last = visible.report;
  if (visible.at !== null && !isTerminal(visible.report)) {
    await sleep(RATE_WINDOW_MS);
    last = await client.get(body.reportId);
    const from = visible.report.progress?.processedRows ?? 0;
    const to = last.progress?.processedRows ?? 0;
    rowsPerSec = round((to - from) / ((performance.now() - visible.at) / 1000));
  }
  const large: NonNullable<E2eResults['largeExport']> = {
    parameters: `ratings, csv, ${LARGE_RANGE.fromDate}..${LARGE_RANGE.toDate}`,
    totalRows: visible.report.progress?.totalRows ?? null,
    processingMs: processing.at === null ? null : round(processing.at - started),
    progressVisibleMs: visible.at === null ? null : round(visible.at - started),
    firstProgress: visible.report.progress,
    rowsPerSec,
    rateWindowMs: RATE_WINDOW_MS,
  };
  if (isTerminal(last)) {
    const cancel = { cancelMs: null, deleteStatus: 0, finalStatus: last.status, processedRowsAtCancel: null };
    return { large, cancel: { ...cancel, blobsLeft: await blobsOf(body.reportId) } };
  }
  const sent = performance.now();
  const deleteStatus = await client.delete(body.reportId);
  const cancelled = await client.until(body.reportId, isTerminal, 30_000);
  await sleep(1_000); // let an upload still in flight settle before looking for files
  return {
    large,
    cancel: {
      cancelMs:
        cancelled.at === null || cancelled.report.status !== 'Cancelled' ? null : round(cancelled.at - sent),
      deleteStatus,
      finalStatus: cancelled.report.status,
      processedRowsAtCancel: cancelled.report.progress?.processedRows ?? null,
      blobsLeft: await blobsOf(body.reportId),
    },
  };
}

async function burst(
  client: Client,
  options: E2eOptions,
  blobsByReport: () => Promise<Map<string, number>>,
  hostLog: () => string,
): Promise<NonNullable<E2eResults['burst']>> {
  const accepted: string[] = [];
  const postMs: number[] = [];
  const rejected: Record<string, number> = {};
  let next = 0;
  const started = performance.now();
  const sender = async () => {
    while (next < options.burst) {
      const i = next++;
      // Distinct parameters, so no request is the duplicate of an active one.
      const parameters = {
        fromDate: day(i % 2000),
        toDate: day((i % 2000) + 6),
        top: 5 + Math.floor(i / 2000),
      };
      const sent = performance.now();
      try {
        const { status, body } = await client.post('popularity', parameters);
        postMs.push(performance.now() - sent);
        if (status === 202) accepted.push(body.reportId);
        else rejected[String(status)] = (rejected[String(status)] ?? 0) + 1;
      } catch (error) {
        const key = error instanceof Error ? error.name : 'error';
        rejected[key] = (rejected[key] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, sender));
  progress(
    `burst: ${accepted.length} of ${options.burst} accepted in ${num((performance.now() - started) / 1000, 1)} s`,
  );

  // Wait until every accepted report is finished (or nothing has moved for a minute).
  const wanted = new Set(accepted);
  let reports = new Map<string, ReportResource>();
  let lastFinished = -1;
  let lastChange = performance.now();
  let drainedAt: number | null = null;
  for (;;) {
    reports = new Map((await client.list()).map((r) => [r.reportId, r]));
    const finished = accepted.filter((id) => {
      const report = reports.get(id);
      return report !== undefined && isTerminal(report);
    }).length;
    if (finished === wanted.size) {
      drainedAt = performance.now();
      break;
    }
    if (finished !== lastFinished) {
      lastFinished = finished;
      lastChange = performance.now();
    } else if (performance.now() - lastChange > 60_000) {
      break;
    }
    await sleep(250);
  }
  const completedIds = accepted.filter((id) => reports.get(id)?.status === 'Completed');
  const failed = accepted.filter((id) => reports.get(id)?.status === 'Failed').length;
  // Reports of this user that were never accepted here would be duplicates created by retries.
  const strays = [...reports.keys()].filter((id) => !wanted.has(id)).length;
  const blobs = await blobsByReport();
  let blobCount = 0;
  let extraBlobs = 0;
  for (const id of accepted) {
    const count = blobs.get(id) ?? 0;
    blobCount += count;
    if (count > 1) extraBlobs += count - 1;
  }
  // The worker's own view: one `completed` outcome per report, whatever the deliveries.
  const outcomes: Record<string, number> = {};
  const completions = new Map<string, number>();
  for (const match of hostLog().matchAll(/export request (\S+): ([a-z-]+)/g)) {
    const [, messageId = '', outcome = ''] = match;
    const reportId = messageId.replace(/^outbox-/, '');
    if (!wanted.has(reportId)) continue;
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    if (outcome === 'completed') completions.set(reportId, (completions.get(reportId) ?? 0) + 1);
  }
  const extraCompletions = [...completions.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);
  const drainMs = drainedAt === null ? null : drainedAt - started;
  return {
    requests: options.burst,
    concurrency: options.concurrency,
    accepted: accepted.length,
    rejected,
    postP50Ms: round(percentile(postMs, 0.5)),
    postP99Ms: round(percentile(postMs, 0.99)),
    postMaxMs: round(Math.max(...postMs)),
    drainMs: drainMs === null ? null : round(drainMs),
    reportsPerSec: drainMs === null ? null : round(accepted.length / (drainMs / 1000), 1),
    completed: completedIds.length,
    failed,
    lost: accepted.length - completedIds.length - failed,
    duplicated: strays + extraBlobs + extraCompletions,
    blobs: blobCount,
    workerOutcomes: outcomes,
  };
}

/** The whole seeded history in one export: how long POST -> Completed takes, chunks and all. */
async function fullExport(client: Client): Promise<FullExport> {
  const started = performance.now();
  const { status, body } = await client.post('ratings', { fromDate: '2000-01-01', toDate: '2030-12-31' });
  if (status !== 202) throw new Error(`POST ratings: ${status} ${JSON.stringify(body)}`);
  const shown = await client.until(
    body.reportId,
    (report) => isTerminal(report) || (report.progress?.totalRows ?? null) !== null,
    900_000,
  );
  const totalShownMs = shown.at === null ? null : round(shown.at - started);
  const done = await client.until(body.reportId, isTerminal, 900_000);
  const ms = done.at === null ? null : round(done.at - started);
  const chunks = (done.report.progress as { chunks?: { total: number } } | null)?.chunks?.total ?? null;
  return {
    rows: done.report.rowCount,
    chunks,
    ms,
    totalShownMs,
    rowsPerSec:
      ms === null || done.report.rowCount === null ? null : round(done.report.rowCount / (ms / 1000)),
    status: done.report.status,
  };
}

export async function runE2eBench(options: E2eOptions): Promise<E2eResults> {
  const localDir = mkdtempSync(join(tmpdir(), 'report-exports-bench-'));
  const hostLogPath = join(localDir, 'host.log');
  // The stand-ins' settings of this shell (e.g. pointing at Azure) must not leak in: this run makes its own.
  const baseEnv = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(COSMOS|SERVICEBUS|BLOB|AUTH_)/.test(key)),
  );
  const started: RunningProcess[] = [];
  try {
    const { settings, config } = await startLocalSystem(baseEnv, localDir, started);
    const seedStarted = performance.now();
    const seeded = await seedSourceData({
      config,
      albums: options.albums,
      ratings: options.ratings,
      seed: 1,
    });
    const seedMs = round(performance.now() - seedStarted);
    progress(
      `seeded ${num(seeded.albums)} albums and ${num(seeded.ratings)} ratings in ${num(seedMs / 1000, 1)} s`,
    );

    const startHost = async (env: Record<string, string> = {}) => {
      const process = await startScript(
        'bench/e2e-host.ts',
        { ...baseEnv, ...settings, USER_MAX_ACTIVE_REPORTS: '10000', ...env, BENCH_HOST_LOG: hostLogPath },
        /^listening http:\/\/[^:]+:(\d+)/,
      );
      started.push(process);
      const url = `http://127.0.0.1:${process.port}`;
      for (let healthy = false; !healthy;) {
        healthy = (await fetch(`${url}/api/health`)).status === 200;
        if (!healthy) await sleep(100);
      }
      return { process, base: url };
    };
    const setup = {
      albums: seeded.albums,
      ratings: seeded.ratings,
      seedMs,
      pollMs: POLL_MS,
      timerSchedules: LOCAL_TIMER_SCHEDULES,
    };
    const fairnessRun = async () =>
      options.fairness
        ? runFairnessBench(
            {
              startHost: async (env) => {
                const { process, base } = await startHost(env);
                return { base, stop: () => process.stop() };
              },
              token: (tenantId, userId) => issueDevToken({ tenantId, userId, dir: localDir }),
            },
            { ...options.fairness, seededRatings: seeded.ratings },
          )
        : undefined;
    if (options.fairnessOnly) {
      const fairness = await fairnessRun();
      return { setup, ...(fairness ? { fairness } : {}), targets: fairness?.targets ?? [] };
    }
    /** The full export on a host of its own with `env`, the host stopped afterwards. */
    const fullExportOn = async (env: Record<string, string>, what: string): Promise<FullExport> => {
      const { process: own, base: ownBase } = await startHost(env);
      try {
        const ownClient = new Client(
          ownBase,
          await issueDevToken({
            tenantId: TENANT,
            userId: `full-${what.replace(/\W+/g, '-')}`,
            dir: localDir,
          }),
        );
        progress(`full export, ${what}: every seeded rating (${num(setup.ratings)}) in one all-time export`);
        const result = await fullExport(ownClient);
        progress(
          `full export, ${what}: ${num(result.rows ?? NaN)} rows ${result.status} in ${num((result.ms ?? NaN) / 1000, 1)} s` +
            ` (total shown after ${num((result.totalShownMs ?? NaN) / 1000, 1)} s)`,
        );
        return result;
      } finally {
        await own.stop();
      }
    };
    const fullExports = async () => {
      const full = await fullExportOn({}, 'chunked');
      // The baseline in the same run: plans of one chunk at most, so the export runs in one pass.
      const single = await fullExportOn({ EXPORT_CHUNK_MAX_COUNT: '1' }, 'one pass');
      const targets: Target[] = [
        atMost('e2e.fullExport.ms', full.ms, 60_000, 'ms'),
        atMost(
          'e2e.fullExport.ratioToSinglePass',
          full.ms !== null && single.ms !== null ? round(full.ms / single.ms, 2) : null,
          1,
          'x',
        ),
        atMost('e2e.fullExport.totalShownMs', full.totalShownMs, 5_000, 'ms'),
      ];
      return { full, single, targets };
    };
    if (options.fullExportOnly) {
      const { full, single, targets } = await fullExports();
      return { setup, fullExport: full, fullExportSinglePass: single, targets };
    }

    const { process: host, base } = await startHost();
    const client = new Client(
      base,
      await issueDevToken({ tenantId: TENANT, userId: 'bench-user', dir: localDir }),
    );

    const blob = settings.BLOB;
    if (blob === undefined) throw new Error('no BLOB setting');
    const container = BlobServiceClient.fromConnectionString(blob).getContainerClient(
      config.blob.reportsContainer,
    );
    const blobsByReport = async (prefix = `${TENANT}/`): Promise<Map<string, number>> => {
      const counts = new Map<string, number>();
      for await (const item of container.listBlobsFlat({ prefix })) {
        const reportId = item.name.split('/')[1] ?? '';
        counts.set(reportId, (counts.get(reportId) ?? 0) + 1);
      }
      return counts;
    };

    progress(`small popularity reports: ${options.smallReports} (+2 warm-up), one at a time`);
    const small = await smallReports(client, options);
    progress(`small reports: p50 ${num(small.p50Ms)} ms, p95 ${num(small.p95Ms)} ms`);

    progress('large ratings export: time to Processing and to visible progress, then cancel it');
    const { large, cancel } = await largeExportAndCancel(
      client,
      async (id) => (await blobsByReport(`${TENANT}/${id}/`)).get(id) ?? 0,
    );
    progress(
      `large export: progress visible after ${num(large.progressVisibleMs ?? NaN)} ms; ` +
        `cancel: ${cancel.finalStatus} after ${num(cancel.cancelMs ?? NaN)} ms`,
    );

    progress(`burst: ${options.burst} requests, ${options.concurrency} at once`);
    const burstClient = new Client(
      base,
      await issueDevToken({ tenantId: TENANT, userId: 'burst-user', dir: localDir }),
    );
    const burstResults = await burst(
      burstClient,
      options,
      () => blobsByReport(),
      () => readFileSync(hostLogPath, 'utf8'),
    );

    await host.stop();
    const { full, single, targets: fullTargets } = await fullExports();
    const fairness = await fairnessRun();
    const targets: Target[] = [
      ...fullTargets,
      atMost('e2e.smallReports.p50Ms', small.p50Ms, 1000, 'ms'),
      atMost('e2e.largeExport.progressVisibleMs', large.progressVisibleMs, 1000, 'ms'),
      atMost('e2e.cancel.cancelMs', cancel.cancelMs, 5000, 'ms'),
      exactly(
        'e2e.burst.notCompleted',
        burstResults.accepted === options.burst ? options.burst - burstResults.completed : null,
        0,
      ),
      exactly('e2e.burst.lost', burstResults.lost, 0),
      exactly('e2e.burst.duplicated', burstResults.duplicated, 0),
      ...(fairness?.targets ?? []),
    ];
    return {
      setup,
      ...(fairness ? { fairness } : {}),
      smallReports: small,
      largeExport: large,
      fullExport: full,
      fullExportSinglePass: single,
      cancel,
      burst: burstResults,
      targets,
    };
  } finally {
    await Promise.allSettled(started.reverse().map((p) => p.stop()));
    if (process.env.BENCH_KEEP_DATA) progress(`kept ${localDir} (host log: ${hostLogPath})`);
    else rmSync(localDir, { recursive: true, force: true });
  }
}

const ms = (value: number | null) => (value === null ? 'not reached' : `${num(value)} ms`);

/** The full export's rows: chunked, then the one-pass baseline of the same run, and their ratio. */
function fullExportRows(full: FullExport | undefined, single: FullExport | undefined): string[][] {
  const row = (what: string, run: FullExport) => [
    `full export POST -> Completed, ${what}`,
    ms(run.ms),
    `${num(run.rows ?? NaN)} rows (every seeded rating, all time) in ${num(run.chunks ?? 1)} chunks, ` +
      `${run.rowsPerSec === null ? '-' : num(run.rowsPerSec)} rows/s; total shown after ${ms(run.totalShownMs)}; ${run.status}`,
  ];
  return [
    ...(full ? [row('chunked', full)] : []),
    ...(single ? [row('one pass', single)] : []),
    ...(full?.ms && single?.ms
      ? [['full export, chunked / one pass', `${num(full.ms / single.ms, 2)}x`, 'time, same data, same run']]
      : []),
  ];
}

export function formatE2eResults(results: E2eResults): string {
  const fairness = results.fairness ? `\n\n${formatFairnessResults(results.fairness)}` : '';
  const { setup, smallReports: small, largeExport: large, fullExport: full, cancel, burst: b } = results;
  const header =
    `End to end on the local host (all functions, stand-ins in their own processes; ${num(setup.albums)} albums, ` +
    `${num(setup.ratings)} ratings seeded in ${num(setup.seedMs / 1000, 1)} s; client polls every ${setup.pollMs} ms)`;
  if (!small || !large || !cancel || !b) {
    const fullRows = fullExportRows(full, results.fullExportSinglePass);
    return fullRows.length > 0
      ? [header, '', table([['measure', 'value', 'detail'], ...fullRows])].join('\n') + fairness
      : fairness.trim();
  }
  return (
    [
      header,
      '',
      table([
        ['measure', 'value', 'detail'],
        [
          'small report POST -> Completed p50',
          ms(small.p50Ms),
          `${small.count} reports (${small.parameters}), one at a time`,
        ],
        [
          'small report POST -> Completed p95',
          ms(small.p95Ms),
          `max ${num(small.maxMs)} ms; server-side p50 ${num(small.serverP50Ms)} ms = ` +
            `${num(small.serverWaitP50Ms)} ms created -> started + ${num(small.serverRunP50Ms)} ms started -> completed`,
        ],
        ['large export POST -> Processing', ms(large.processingMs), large.parameters],
        [
          'large export POST -> progress visible',
          ms(large.progressVisibleMs),
          `first progress: ${large.firstProgress ? `${num(large.firstProgress.processedRows)} of ${num(large.firstProgress.totalRows ?? NaN)} rows` : '-'}`,
        ],
        [
          'large export rate',
          large.rowsPerSec === null ? '-' : `${num(large.rowsPerSec)} rows/s`,
          `from the progress seen over ${num(large.rateWindowMs / 1000)} s`,
        ],
        ...fullExportRows(full, results.fullExportSinglePass),
        [
          'DELETE -> Cancelled',
          ms(cancel.cancelMs),
          `DELETE ${cancel.deleteStatus}, final ${cancel.finalStatus} at ${num(cancel.processedRowsAtCancel ?? NaN)} rows; files left: ${cancel.blobsLeft}`,
        ],
        [
          'burst POST p50',
          ms(b.postP50Ms),
          `${b.requests} requests, ${b.concurrency} at once; ${b.accepted} accepted`,
        ],
        ['burst POST p99', ms(b.postP99Ms), `max ${num(b.postMaxMs)} ms`],
        [
          'burst all finished after',
          ms(b.drainMs),
          b.reportsPerSec === null ? '' : `${num(b.reportsPerSec, 1)} reports/s`,
        ],
        [
          'burst Completed / lost / duplicated',
          `${b.completed} / ${b.lost} / ${b.duplicated}`,
          `failed ${b.failed}; blobs ${b.blobs}; worker outcomes ${JSON.stringify(b.workerOutcomes)}`,
        ],
      ]),
    ].join('\n') + fairness
  );
}
