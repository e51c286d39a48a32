// What a queue-triggered function does while a dependency is down (DependencyUnavailableError): instead
// of giving the message back at once, which the broker delivers again at once (a dead-letter queue has
// no further dead-letter queue to stop the loop), it holds the message for a delay that doubles with
// each failed delivery of that function, up to `maxMs`, and then gives it back. The outage is logged once
// per `logIntervalMs` per function, without a stack trace per message; its end is logged once. Every
// queue trigger gets it from defineServiceBusQueue (definition.ts).
import type { InvocationContext } from '@azure/functions';
import { DependencyUnavailableError } from '../domain/errors';

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

export function withOutageBackoff<M>(
  name: string,
  handler: (message: M, context: InvocationContext) => unknown,
  options: OutageBackoffOptions = OUTAGE_BACKOFF,
): (message: M, context: InvocationContext) => Promise<unknown> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let failures = 0;
  let since = 0;
  let lastLogged = Number.NEGATIVE_INFINITY;
  return async (message, context) => {
    try {
      const result = await handler(message, context);
      if (failures > 0) {
        context.log(`${name}: dependencies are back after ${failures} held deliveries`);
        failures = 0;
      }
      return result;
    } catch (error) {
      if (!(error instanceof DependencyUnavailableError)) throw error;
      if (failures === 0) since = now();
      failures++;
      const delayMs = Math.min(options.baseMs * 2 ** Math.min(failures - 1, 30), options.maxMs);
      if (now() - lastLogged >= options.logIntervalMs) {
        lastLogged = now();
        context.warn(
          `${name}: the ${error.dependency} is unavailable (${error.message}); ${failures} deliveries held ` +
            `back in the last ${Math.round((now() - since) / 1000)} s, each for up to ${options.maxMs / 1000} s before it is given back`,
        );
      }
      await sleep(delayMs);
      throw new DeliveryHeldBack(
        `${name}: the ${error.dependency} is unavailable; the message is given back`,
      );
    }
  };
}
