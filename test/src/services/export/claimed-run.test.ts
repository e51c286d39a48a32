// The one run skeleton under a claim (single pass, planning, a chunk, the commit) and the one retry rule,
// on virtual time.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  DependencyUnavailableError,
  ReportTypeError,
  TooManyConflictsError,
} from '../../../../src/domain/errors';
import {
  afterError,
  runClaimed,
  type FailedRun,
  type Renewal,
} from '../../../../src/services/export/claimed-run';
import { WorkerContext, type WorkerLog } from '../../../../src/services/export/context';
import { settleOnFakeTime, sleep, useFakeTimers } from '../../../support/fake-time';

const quiet: WorkerLog = { log: () => undefined, warn: () => undefined, error: () => undefined };

function context(overrides: { heartbeatMs?: number; maxAttempts?: number } = {}): WorkerContext {
  return new WorkerContext({
    store: {} as never,
    files: {} as never,
    data: {} as never,
    publisher: {} as never,
    leaseSeconds: 15,
    maxAttempts: overrides.maxAttempts ?? 3,
    retryBaseSeconds: 2,
    retryMaxSeconds: 60,
    retentionSeconds: 60,
    random: () => 0,
    ...(overrides.heartbeatMs === undefined ? {} : { heartbeatMs: overrides.heartbeatMs }),
  });
}

/** Work that runs `ms` of virtual time unless its signal aborts first. */
const workFor = (ms: number) => (signal: AbortSignal) =>
  new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => resolve('finished'), ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    });
  });

beforeEach(() => useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('runClaimed', () => {
  it('renews once per heartbeat while the work runs, and never after it ended', async () => {
    const renewals: number[] = [];
    const renew = () => {
      renewals.push(Date.now());
      return Promise.resolve<Renewal>('held');
    };
    const start = Date.now();
    const { value } = await settleOnFakeTime(
      runClaimed(context({ heartbeatMs: 1_000 }), { tag: 't', renew, work: workFor(3_500) }, quiet),
      { stepMs: 100 },
    );
    expect(value).toEqual({ kind: 'done', value: 'finished' });
    expect(renewals.map((at) => at - start)).toEqual([1_000, 2_000, 3_000]);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(renewals).toHaveLength(3);
  });

  it('uses a quarter of the lease as its heartbeat, at most 4 s', () => {
    expect(context().heartbeatMs).toBe(3_750);
    expect(new WorkerContext({ ...context().options, leaseSeconds: 60 }).heartbeatMs).toBe(4_000);
  });

  it('renews at once when the work asks for it (the first progress)', async () => {
    const renewals: number[] = [];
    const start = Date.now();
    const { value } = await settleOnFakeTime(
      runClaimed(
        context({ heartbeatMs: 10_000 }),
        {
          tag: 't',
          renew: () => {
            renewals.push(Date.now() - start);
            return Promise.resolve<Renewal>('held');
          },
          work: async (_signal, beatNow) => {
            await sleep(200);
            beatNow();
            await sleep(300);
            return 'ok';
          },
        },
        quiet,
      ),
      { stepMs: 50 },
    );
    expect(value.kind).toBe('done');
    expect(renewals).toEqual([200]);
  });

  it.each([
    ['lost', 'lease-lost'],
    ['stop', 'stopped'],
  ] as const)('aborts the work when a renewal finds the claim %s, and says so', async (renewal, kind) => {
    let renewals = 0;
    const { value, elapsedMs } = await settleOnFakeTime(
      runClaimed(
        context({ heartbeatMs: 1_000 }),
        {
          tag: 't',
          renew: () => Promise.resolve<Renewal>(++renewals < 2 ? 'held' : renewal),
          work: workFor(60_000),
        },
        quiet,
      ),
      { stepMs: 100 },
    );
    expect(value).toEqual({ kind });
    expect(elapsedMs).toBeLessThanOrEqual(2_100);
  });

  it('hands back the work’s own error, and goes on after a renewal that threw', async () => {
    const warnings: string[] = [];
    const boom = new Error('bad row');
    let renewals = 0;
    const { value } = await settleOnFakeTime(
      runClaimed(
        context({ heartbeatMs: 1_000 }),
        {
          tag: 'report r1',
          renew: () =>
            ++renewals === 1 ? Promise.reject(new Error('timeout')) : Promise.resolve<Renewal>('held'),
          work: async () => {
            await sleep(2_500);
            throw boom;
          },
        },
        { ...quiet, warn: (line: unknown) => warnings.push(String(line)) },
      ),
      { stepMs: 100 },
    );
    expect(value).toEqual({ kind: 'error', error: boom });
    expect(renewals).toBe(2);
    expect(warnings).toEqual(['report r1: heartbeat failed: Error: timeout']);
  });
});

describe('afterError: the retry rule', () => {
  function failing(attempts: number) {
    const calls: string[] = [];
    const failed: FailedRun = {
      tag: 'report r1',
      attempts,
      where: ' at part 3',
      title: 'All ratings',
      typeName: 'ratings',
      retry: (delayMs) => {
        calls.push(`retry ${delayMs}`);
        return Promise.resolve('retry-scheduled');
      },
      fail: (code, message) => {
        calls.push(`fail ${code}: ${message}`);
        return Promise.resolve('failed');
      },
    };
    return { failed, calls };
  }

  it('fails with a report type’s own code and message', async () => {
    const { failed, calls } = failing(1);
    expect(
      await afterError(context(), new ReportTypeError('NoData', 'Nothing to rank.'), failed, quiet),
    ).toBe('failed');
    expect(calls).toEqual(['fail NoData: Nothing to rank.']);
  });

  it('retries a passing fault (a dependency down, a write that kept conflicting) with backoff', async () => {
    for (const error of [
      new DependencyUnavailableError('database'),
      new TooManyConflictsError('report r1'),
    ]) {
      const { failed, calls } = failing(2);
      expect(await afterError(context(), error, failed, quiet)).toBe('retry-scheduled');
      // Attempt 2 of base 2 s: the ceiling is 4 s, of which half is fixed (random() is 0 here).
      expect(calls).toEqual(['retry 2000']);
    }
  });

  it('fails a passing fault at the last attempt, and anything else at once', async () => {
    const last = failing(3);
    await afterError(context(), new DependencyUnavailableError('database'), last.failed, quiet);
    expect(last.calls).toEqual([
      'fail TransientFailure: The export kept failing on a temporary problem after 3 attempts at part 3.',
    ]);
    const bug = failing(1);
    await afterError(context(), new TypeError('x is undefined'), bug.failed, quiet);
    expect(bug.calls).toEqual(['fail ExportFailed: The All ratings export failed: x is undefined']);
  });
});
