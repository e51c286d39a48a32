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

/** A queue-triggered function; while a dependency is down its deliveries back off (outage-backoff.ts). */
export const defineServiceBusQueue = (
  name: string,
  options: ServiceBusQueueFunctionOptions,
  backoff: OutageBackoffOptions = OUTAGE_BACKOFF,
): FunctionDefinition => ({
  trigger: 'serviceBusQueue',
  name,
  options: { ...options, handler: withOutageBackoff(name, options.handler, backoff) },
});

export const defineCosmosDB = (name: string, options: CosmosDBFunctionOptions): FunctionDefinition => ({
  trigger: 'cosmosDB',
  name,
  options,
});
