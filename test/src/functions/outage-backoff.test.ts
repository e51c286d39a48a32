// Queue triggers while a dependency is down: each failed delivery holds its message for a delay that
// doubles up to the maximum before giving it back (so the broker's immediate redelivery cannot spin), the
// outage is logged once per interval without a stack per message, and its end once. A timer's run fails
// in one line, without a stack, and the outage is logged the same way.
import type { InvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { DependencyUnavailableError, type Dependency } from '../../../src/domain/errors';
import type { MessagePublisher, OutboundMessage } from '../../../src/services/ports';
import {
  DeliveryHeldBack,
  OUTAGE_BACKOFF,
  RunFailedInOutage,
  withOutageBackoff,
  withOutageLogging,
} from '../../../src/functions/outage-backoff';

function harness(failing: () => boolean) {
  let clock = 0;
  const slept: number[] = [];
  const logs: string[] = [];
  const context = {
    log: (line: string) => logs.push(`log ${line}`),
    warn: (line: string) => logs.push(`warn ${line}`),
  } as unknown as InvocationContext;
  let calls = 0;
  const handler = withOutageBackoff(
    'exportDeadLetters',
    () => {
      calls++;
      if (failing()) throw new DependencyUnavailableError('database', { cause: new Error('ECONNREFUSED') });
      return Promise.resolve('ok');
    },
    {
      baseMs: 1_000,
      maxMs: 30_000,
      logIntervalMs: 60_000,
      now: () => clock,
      sleep: (ms) => {
        slept.push(ms);
        clock += ms;
        return Promise.resolve();
      },
    },
  );
  return { handler, context, slept, logs, calls: () => calls, at: () => clock };
}

describe('outage back-off of a queue trigger', () => {
  it('holds each failed delivery longer, up to the maximum, and bounds the deliveries per minute', async () => {
    let down = true;
    const h = harness(() => down);
    // The broker redelivers at once each time; a minute and more of outage.
    while (h.at() < 180_000) await expect(h.handler({}, h.context)).rejects.toBeInstanceOf(DeliveryHeldBack);
    expect(h.slept.slice(0, 7)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
    // After the ramp, two deliveries a minute (not thousands): 10 in three minutes in all.
    expect(h.calls()).toBe(10);
    // Logged once a minute, each without a stack; the held error carries none either.
    const warnings = h.logs.filter((line) => line.startsWith('warn'));
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toMatch(/exportDeadLetters: the database is unavailable/);
    const held: Error = await h.handler({}, h.context).then(
      () => new Error('not held'),
      (error: unknown) => error as Error,
    );
    expect(held.stack).not.toMatch(/\n\s+at /);

    down = false;
    expect(await h.handler({}, h.context)).toBe('ok');
    expect(h.logs.at(-1)).toMatch(/exportDeadLetters: dependencies are back after 11 held deliveries/);
    // Back to normal: the next outage starts the ramp anew.
    down = true;
    const before = h.slept.length;
    await expect(h.handler({}, h.context)).rejects.toBeInstanceOf(DeliveryHeldBack);
    expect(h.slept[before]).toBe(1_000);
  });

  it('lets any other error through at once, unchanged', async () => {
    const boom = new Error('a defect');
    const handler = withOutageBackoff('exportWorker', () => Promise.reject(boom));
    await expect(handler({}, {} as InvocationContext)).rejects.toBe(boom);
  });
});

describe('putting a held delivery back on its queue', () => {
  const delivery = { tenantId: 't-1', reportId: 'r-1', reportType: 'popularity', format: 'csv' };
  const context = {
    log: () => undefined,
    warn: () => undefined,
    triggerMetadata: {
      messageId: 'outbox-r-1',
      correlationId: 'c-1',
      subject: 'ExportRequested',
      deliveryCount: 3,
      applicationProperties: { tenantId: 't-1', reportId: 'r-1', traceparent: 'tp', attempt: 2 },
    },
  } as unknown as InvocationContext;

  function putBackHarness(dependency: Dependency, broker: 'up' | 'down' = 'up') {
    const sent: OutboundMessage[][] = [];
    const publisher: MessagePublisher = {
      publish: (messages) => {
        if (broker === 'down') return Promise.reject(new Error('the broker is down too'));
        sent.push(messages);
        return Promise.resolve();
      },
    };
    const slept: number[] = [];
    const handler = withOutageBackoff(
      'exportWorker',
      () => Promise.reject(new DependencyUnavailableError(dependency)),
      { ...OUTAGE_BACKOFF, sleep: (ms) => Promise.resolve(void slept.push(ms)) },
      publisher,
    );
    return { handler, sent, slept };
  }

  it('holds it, then sends a copy with an id of its own and completes it, so that it never counts towards dead-lettering', async () => {
    const h = putBackHarness('database');
    await expect(h.handler(delivery, context)).resolves.toBeUndefined();
    expect(h.slept).toEqual([1_000]);
    expect(h.sent).toHaveLength(1);
    const [copy] = h.sent[0] ?? [];
    expect(copy).toMatchObject({
      correlationId: 'c-1',
      subject: 'ExportRequested',
      // The string properties (the trace context among them) go with it.
      applicationProperties: { tenantId: 't-1', reportId: 'r-1', traceparent: 'tp' },
      body: delivery,
    });
    expect(copy?.messageId).toMatch(/^putback-[0-9a-f-]{36}$/);
    expect(copy?.scheduledEnqueueTimeUtc).toBeUndefined();
    // Each copy is its own message: duplicate detection drops none.
    await h.handler(delivery, context);
    expect(h.sent[1]?.[0]?.messageId).not.toBe(copy?.messageId);
  });

  it('gives it back instead when the broker is the dependency that is down, or refuses the copy', async () => {
    const brokerDown = putBackHarness('message broker');
    await expect(brokerDown.handler(delivery, context)).rejects.toBeInstanceOf(DeliveryHeldBack);
    expect(brokerDown.sent).toEqual([]);
    const refused = putBackHarness('storage', 'down');
    await expect(refused.handler(delivery, context)).rejects.toBeInstanceOf(DeliveryHeldBack);
    expect(refused.slept).toEqual([1_000]);
  });
});

describe('a timer while a dependency is down', () => {
  it('fails each run in one line without a stack, logs the outage once a minute and its end once', async () => {
    let clock = 0;
    let down = true;
    let runs = 0;
    const logs: string[] = [];
    const context = {
      log: (line: string) => logs.push(`log ${line}`),
      warn: (line: string) => logs.push(`warn ${line}`),
    } as unknown as InvocationContext;
    const handler = withOutageLogging(
      'exportWatchdog',
      () => {
        runs++;
        if (down) throw new DependencyUnavailableError('database', { cause: new Error('ECONNREFUSED') });
        return Promise.resolve('swept');
      },
      { logIntervalMs: 60_000, now: () => clock },
    );
    // A run every 10 s for three minutes: each fails, nothing waits (the schedule spaces the runs).
    const errors: Error[] = [];
    for (; clock < 180_000; clock += 10_000)
      errors.push(
        await handler({}, context).then(
          () => new Error('ran'),
          (e: unknown) => e as Error,
        ),
      );
    expect(runs).toBe(18);
    for (const error of errors) {
      expect(error).toBeInstanceOf(RunFailedInOutage);
      expect(error.message).toBe(
        'exportWatchdog: the database is unavailable; the run failed, the next comes at its schedule',
      );
      expect(error.stack).not.toMatch(/\n/);
    }
    const warnings = logs.filter((line) => line.startsWith('warn'));
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toMatch(
      /^warn exportWatchdog: the database is unavailable \(.+\); 1 failed runs in the last 0 s/,
    );
    expect(warnings[1]).toMatch(/; 7 failed runs in the last 60 s/);

    down = false;
    expect(await handler({}, context)).toBe('swept');
    expect(logs.at(-1)).toBe('log exportWatchdog: dependencies are back after 18 failed runs');
    expect(await handler({}, context)).toBe('swept');
    expect(logs).toHaveLength(4);
  });

  it('lets any other error through at once, unchanged', async () => {
    const boom = new Error('a defect');
    const handler = withOutageLogging('outboxSweeper', () => Promise.reject(boom));
    await expect(handler({}, {} as InvocationContext)).rejects.toBe(boom);
  });
});
