// The app on the local host for a test: on a free port, quiet unless told otherwise, and the subsets of
// its functions that tests look at one part of the system with.
import { startAppHost as start, type AppHost, type AppHostOptions } from '../../dev/app-host';
import type { FunctionDefinition } from '../../src/functions/definition';

export type { AppHost } from '../../dev/app-host';

export const startAppHost = (options: AppHostOptions = {}): Promise<AppHost> =>
  start({ port: 0, log: () => undefined, ...options });

/** The HTTP API and the outbox relay, without the export worker, its dead-letter handler and watchdog. */
export const apiAndRelayOnly = (definition: FunctionDefinition): boolean =>
  !definition.name.startsWith('export');

/** Only the HTTP functions. */
export const httpOnly = (definition: FunctionDefinition): boolean => definition.trigger === 'http';
