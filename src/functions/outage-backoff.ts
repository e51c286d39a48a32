// What a queue-triggered function does while a dependency is down (DependencyUnavailableError): instead
// of giving the message back at once, which the broker delivers again at once (a dead-letter queue has
// no further dead-letter queue to stop the loop), it holds the message for a delay that doubles with
// each failed delivery of that function, up to `maxMs`. Then, given a publisher of its own queue
// (`putBack`) and with the broker up, it sends a copy of the message with an id of its own and completes
// the delivery: the copy starts its count of deliveries anew, so an outage of any length never
// dead-letters a request. Otherwise (a dead-letter queue, or the broker down too) it gives the message
// back. The outage is logged once per `logIntervalMs` per function, without a stack trace per message;
// its end is logged once. Every queue trigger gets it from defineServiceBusQueue (definition.ts).
//
// A timer's run that fails the same way still fails (the next run comes at its schedule), but with a
// one-line error instead of the adapter's stack, and the outage is logged once per interval the same
// way: every timer gets it from defineTimer.
import { randomUUID } from 'node:crypto';
import type { InvocationContext } from '@azure/functions';
import { DependencyUnavailableError } from '../domain/errors';
import { messageIds } from '../domain/message-ids';
import type { MessagePublisher, OutboundMessage } from '../services/ports';

export interface OutageBackoffOptions {
  /** The first wait after a failed delivery; doubles with each further one. */
  baseMs: number;
  maxMs: number;
  logIntervalMs: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export const OUTAGE_BACKOFF: OutageBackoffOptions = { baseMs: 1_000, maxMs: 30_000, logIntervalMs: 60_000 };

/** The error a held delivery ends with: short, without a stack (the outage was logged once already). */
export class DeliveryHeldBack extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeliveryHeldBack';
    this.stack = `${this.name}: ${message}`;
  }
}

/** The error a timer's run ends with while a dependency is down: short, without a stack. */
export class RunFailedInOutage extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RunFailedInOutage';
    this.stack = `${this.name}: ${message}`;
  }
}

/** The outage as one function logs it: once per interval while it lasts, and its end once. */
function outageLog(name: string, what: string, options: Pick<OutageBackoffOptions, 'logIntervalMs' | 'now'>) {
  const now = options.now ?? Date.now;
  let failures = 0;
  let since = 0;
  let lastLogged = Number.NEGATIVE_INFINITY;
  return {
    /** A failure during the outage; returns how many so far. */
    failed(error: DependencyUnavailableError, context: InvocationContext, detail: string): number {
      if (failures === 0) since = now();
      failures++;
      if (now() - lastLogged >= options.logIntervalMs) {
        lastLogged = now();
        context.warn(
          `${name}: the ${error.dependency} is unavailable (${error.message}); ${failures} ${what} ` +
            `in the last ${Math.round((now() - since) / 1000)} s, ${detail}`,
        );
      }
      return failures;
    },
    succeeded(context: InvocationContext): void {
      if (failures > 0) {
        context.log(`${name}: dependencies are back after ${failures} ${what}`);
        failures = 0;
      }
    },
  };
}

/** The delivery `message` as a new message with the same body, subject and properties, and its own id. */
function copyOfDelivery(message: unknown, context: InvocationContext): OutboundMessage {
  const metadata = context.triggerMetadata ?? {};
  const properties = (metadata.applicationProperties ?? {}) as Record<string, unknown>;
  const text = (value: unknown): string => (typeof value === 'string' ? value : '');
  return {
    messageId: messageIds.putBack(randomUUID()),
    correlationId: text(metadata.correlationId),
    subject: text(metadata.subject),
    applicationProperties: Object.fromEntries(
      Object.entries(properties).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
    ),
    body: message,
  };
}

export function withOutageBackoff<M>(
  name: string,
  handler: (message: M, context: InvocationContext) => unknown,
  options: OutageBackoffOptions = OUTAGE_BACKOFF,
  putBack?: MessagePublisher,
): (message: M, context: InvocationContext) => Promise<unknown> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const outage = outageLog(name, 'held deliveries', options);
  const then = putBack ? 'put back on the queue' : 'given back';
  return async (message, context) => {
    try {
      const result = await handler(message, context);
      outage.succeeded(context);
      return result;
    } catch (error) {
      if (!(error instanceof DependencyUnavailableError)) throw error;
      const failures = outage.failed(
        error,
        context,
        `each held for up to ${options.maxMs / 1000} s, then ${then}`,
      );
      const delayMs = Math.min(options.baseMs * 2 ** Math.min(failures - 1, 30), options.maxMs);
      await sleep(delayMs);
      if (putBack && error.dependency !== 'message broker') {
        try {
          await putBack.publish([copyOfDelivery(message, context)]);
          return undefined;
        } catch {
          // The broker is down too: the delivery goes back instead, and counts.
        }
      }
      throw new DeliveryHeldBack(
        `${name}: the ${error.dependency} is unavailable; the message is given back`,
      );
    }
  };
}

/**
 * A timer's handler while a dependency is down: the run fails with a one-line RunFailedInOutage (the
 * host logs it, and the next run comes at its schedule); the outage is logged once per interval.
 */
export function withOutageLogging<T>(
  name: string,
  handler: (timer: T, context: InvocationContext) => unknown,
  options: Pick<OutageBackoffOptions, 'logIntervalMs' | 'now'> = OUTAGE_BACKOFF,
): (timer: T, context: InvocationContext) => Promise<unknown> {
  const outage = outageLog(name, 'failed runs', options);
  return async (timer, context) => {
    try {
      const result = await handler(timer, context);
      outage.succeeded(context);
      return result;
    } catch (error) {
      if (!(error instanceof DependencyUnavailableError)) throw error;
      outage.failed(error, context, 'each to be run again at its schedule');
      throw new RunFailedInOutage(
        `${name}: the ${error.dependency} is unavailable; the run failed, the next comes at its schedule`,
      );
    }
  };
}
