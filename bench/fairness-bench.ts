// Part 3, fairness between tenants: tenant A posts a burst of chunked all-time `ratings` exports (about
// `chunksPerExport` chunks each) and small popularity reports at once; right after, tenant B posts one
// small popularity report. Measured with fair sharing on (TENANT_MAX_ACTIVE_EXPORTS places and
// TENANT_CHUNK_WINDOW as configured) and off (both 0, the unfair baseline: no cap, every chunk sent when
// planned), each on a host of its own: B's POST -> Completed beside the same on the idle host, and A's
// drain time (first POST -> last report finished) beside the baseline's.
import { num, progress, round, table, atMost, type Target } from './report';

export interface FairnessOptions {
  /** A's chunked all-time `ratings` exports and small popularity reports in the burst. */
  ratingsExports: number;
  smallReports: number;
  /** Places per tenant and the chunk window of the fair run. */
  tenantCap: number;
  chunkWindow: number;
  /** Chunks each of A's exports is cut into (EXPORT_CHUNK_TARGET_ROWS is set from the seeded ratings). */
  chunksPerExport: number;
  seededRatings: number;
}

export interface FairnessHost {
  base: string;
  stop(): Promise<void>;
}

export interface FairnessDeps {
  /** Starts the local host with these extra app settings. */
  startHost(env: Record<string, string>): Promise<FairnessHost>;
  token(tenantId: string, userId: string): Promise<string>;
}

interface RunResult {
  cap: number;
  window: number;
  /** B's small report POST -> Completed on the idle host (median of 3, after a warm-up). */
  idleMs: number;
  /** The same while A's burst drains. */
  underBurstMs: number | null;
  /** A: first POST -> every report finished. */
  drainMs: number | null;
  accepted: number;
  completed: number;
  failed: number;
}

export interface FairnessResults extends FairnessOptions {
  fair: RunResult;
  unfair: RunResult;
  targets: Target[];
}

const POLL_MS = 25;
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const TERMINAL = new Set(['Completed', 'Failed', 'Cancelled']);

/** `2000-01-01` plus `days` (before every seeded rating), as YYYY-MM-DD. */
const allTimeFrom = (days: number) =>
  new Date(Date.UTC(2000, 0, 1) + days * 86_400_000).toISOString().slice(0, 10);

/** `2019-01-01` plus `days`, as YYYY-MM-DD. */
const day = (days: number) => new Date(Date.UTC(2019, 0, 1) + days * 86_400_000).toISOString().slice(0, 10);

interface Status {
  status: string;
}

function api(base: string, token: string) {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  return {
    async post(type: string, parameters: Record<string, unknown>): Promise<string> {
      const response = await fetch(`${base}/api/reports/${type}`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ format: 'csv', parameters }),
      });
      const body = (await response.json()) as { reportId?: string };
      if (response.status !== 202 || !body.reportId)
        throw new Error(`POST ${type}: ${response.status} ${JSON.stringify(body)}`);
      return body.reportId;
    },
    async status(id: string): Promise<string> {
      const response = await fetch(`${base}/api/reports/${id}`, { headers });
      return ((await response.json()) as Status).status;
    },
  };
}

/** One small popularity report: POST -> seen Completed (ms), or null after `timeoutMs`. */
async function smallReport(client: ReturnType<typeof api>, index: number, timeoutMs: number) {
  const started = performance.now();
  const id = await client.post('popularity', {
    fromDate: day(index * 11),
    toDate: day(index * 11 + 6),
    top: 10,
  });
  for (;;) {
    const status = await client.status(id);
    if (TERMINAL.has(status)) return status === 'Completed' ? performance.now() - started : null;
    if (performance.now() - started > timeoutMs) return null;
    await sleep(POLL_MS);
  }
}

async function run(
  deps: FairnessDeps,
  options: FairnessOptions,
  share: { cap: number; window: number },
  tag: string,
): Promise<RunResult> {
  const { cap, window } = share;
  const host = await deps.startHost({
    TENANT_MAX_ACTIVE_EXPORTS: String(cap),
    TENANT_CHUNK_WINDOW: String(window),
    EXPORT_CHUNK_TARGET_ROWS: String(Math.ceil(options.seededRatings / options.chunksPerExport)),
  });
  try {
    const tenantB = api(host.base, await deps.token(`bench-b-${tag}`, 'b'));
    const tenantA = api(host.base, await deps.token(`bench-a-${tag}`, 'a'));
    await smallReport(tenantB, 0, 30_000); // warm-up
    const idle: number[] = [];
    for (let i = 1; i <= 3; i++) {
      const ms = await smallReport(tenantB, i, 30_000);
      if (ms !== null) idle.push(ms);
    }
    idle.sort((x, y) => x - y);

    // A's burst: chunked all-time ratings exports (each a day apart in its start, so none is a duplicate
    // of another) and small reports, interleaved, 50 at once.
    const requests: [string, Record<string, unknown>][] = [];
    for (let i = 0; i < Math.max(options.ratingsExports, options.smallReports); i++) {
      if (i < options.ratingsExports)
        requests.push(['ratings', { fromDate: allTimeFrom(i), toDate: '2030-12-31' }]);
      if (i < options.smallReports)
        requests.push(['popularity', { fromDate: day(i * 5), toDate: day(i * 5 + 6), top: 5 + (i % 7) }]);
    }
    const started = performance.now();
    const ids: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        while (next < requests.length) {
          const [type, parameters] = requests[next++] ?? ['', {}];
          ids.push(await tenantA.post(type, parameters));
        }
      }),
    );
    progress(
      `fairness (${tag}): A posted ${ids.length} in ${num((performance.now() - started) / 1000, 1)} s`,
    );
    const underBurst = await smallReport(tenantB, 9, 600_000);
    progress(`fairness (${tag}): B's report Completed after ${num(underBurst ?? NaN)} ms`);

    // A's drain: poll every report until all are finished (or nothing moved for 2 minutes).
    const pending = new Set(ids);
    let completed = 0;
    let failed = 0;
    let lastMove = performance.now();
    let drainMs: number | null = null;
    while (pending.size > 0) {
      for (const id of [...pending]) {
        const status = await tenantA.status(id);
        if (!TERMINAL.has(status)) continue;
        pending.delete(id);
        lastMove = performance.now();
        if (status === 'Completed') completed++;
        else failed++;
      }
      if (pending.size === 0) drainMs = performance.now() - started;
      else if (performance.now() - lastMove > 120_000) break;
      else await sleep(500);
    }
    progress(`fairness (${tag}): A drained after ${num(drainMs ?? NaN)} ms`);
    return {
      cap,
      window,
      idleMs: round(idle[Math.floor(idle.length / 2)] ?? NaN),
      underBurstMs: underBurst === null ? null : round(underBurst),
      drainMs: drainMs === null ? null : round(drainMs),
      accepted: ids.length,
      completed,
      failed,
    };
  } finally {
    await host.stop();
  }
}

export async function runFairnessBench(
  deps: FairnessDeps,
  options: FairnessOptions,
): Promise<FairnessResults> {
  // The baseline first: the fair run comes second, on a store holding the first run's reports too.
  const unfair = await run(deps, options, { cap: 0, window: 0 }, 'unfair');
  const fair = await run(deps, options, { cap: options.tenantCap, window: options.chunkWindow }, 'fair');
  const ratio = (a: number | null, b: number | null) =>
    a === null || b === null || b === 0 ? null : round(a / b, 2);
  return {
    ...options,
    fair,
    unfair,
    targets: [
      atMost('e2e.fairness.bUnderBurstOverIdle', ratio(fair.underBurstMs, fair.idleMs), 3, 'x'),
      atMost('e2e.fairness.aDrainOverUnfair', ratio(fair.drainMs, unfair.drainMs), 1.1, 'x'),
    ],
  };
}

export function formatFairnessResults(results: FairnessResults): string {
  const ms = (value: number | null) => (value === null ? 'not reached' : `${num(value)} ms`);
  const rows = [results.fair, results.unfair].map((r) => [
    r.cap === 0 && r.window === 0
      ? 'sharing off (unfair baseline)'
      : `TENANT_MAX_ACTIVE_EXPORTS=${r.cap}, TENANT_CHUNK_WINDOW=${r.window}`,
    ms(r.idleMs),
    ms(r.underBurstMs),
    r.underBurstMs === null ? '-' : `${num(r.underBurstMs / r.idleMs, 1)}x`,
    ms(r.drainMs),
    `${r.completed} / ${r.failed} of ${r.accepted}`,
  ]);
  return [
    `Fairness: tenant A posts ${results.ratingsExports} chunked all-time ratings exports (about ${results.chunksPerExport} chunks each) ` +
      `and ${results.smallReports} small reports at once, then tenant B posts one small popularity report ` +
      '(targets: B within 3x of idle, A no more than 10 % slower)',
    '',
    table([['run', 'B idle', 'B under A burst', 'B ratio', 'A drain', 'A completed / failed'], ...rows]),
  ].join('\n');
}
