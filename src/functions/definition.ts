import type {
  CosmosDBFunctionOptions,
  HttpFunctionOptions,
  ServiceBusQueueFunctionOptions,
  TimerFunctionOptions,
} from '@azure/functions';
import {
  OUTAGE_BACKOFF,
  withOutageBackoff,
  withOutageLogging,
  type OutageBackoffOptions,
} from './outage-backoff';
import type { MessagePublisher } from '../services/ports';

/**
 * A function declared once: the Azure host registers it with `app.*` (see ../register.ts) and the local
 * host runs the very same object. `name` is the function name in both.
 */
export type FunctionDefinition =
  | { trigger: 'http'; name: string; options: HttpFunctionOptions }
  | { trigger: 'timer'; name: string; options: TimerFunctionOptions }
  | { trigger: 'serviceBusQueue'; name: string; options: ServiceBusQueueFunctionOptions }
  | { trigger: 'cosmosDB'; name: string; options: CosmosDBFunctionOptions };

export const defineHttp = (name: string, options: HttpFunctionOptions): FunctionDefinition => ({
  trigger: 'http',
  name,
  options,
});

/** A timer-triggered function; while a dependency is down its runs fail in one line (outage-backoff.ts). */
export const defineTimer = (name: string, options: TimerFunctionOptions): FunctionDefinition => ({
  trigger: 'timer',
  name,
  options: { ...options, handler: withOutageLogging(name, options.handler) },
});

/**
 * A queue-triggered function; while a dependency is down its deliveries back off, and with `putBack` (a
 * publisher of its own queue) a held delivery is sent again as a new message (outage-backoff.ts).
 */
export const defineServiceBusQueue = (
  name: string,
  options: ServiceBusQueueFunctionOptions,
  outage: { backoff?: OutageBackoffOptions; putBack?: MessagePublisher } = {},
): FunctionDefinition => ({
  trigger: 'serviceBusQueue',
  name,
  options: {
    ...options,
    handler: withOutageBackoff(name, options.handler, outage.backoff ?? OUTAGE_BACKOFF, outage.putBack),
  },
});

export const defineCosmosDB = (name: string, options: CosmosDBFunctionOptions): FunctionDefinition => ({
  trigger: 'cosmosDB',
  name,
  options,
});
