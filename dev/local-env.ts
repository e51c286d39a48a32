// The app settings the local host runs with against the local stand-ins (what local.settings.json
// holds for Core Tools users). Values already in the environment win, so the local host can also be
// pointed at real Azure resources.
import { resolve } from 'node:path';
import { cosmosConnectionString } from './standins/cosmos';
import type { AppConfig } from '../src/config';
import { serviceBusEmulatorConnectionString, type PeerQueueOptions } from './servicebus-peer/peer';
import { azuriteConnectionString } from './standins/azurite';
import { DEV_AUDIENCE, DEV_ISSUER } from './token';

export interface StandinPorts {
  azurite: number;
  cosmos: number;
  servicebus: number;
}

export function localSettings(
  ports: StandinPorts,
  localDir: string,
  host = '127.0.0.1',
): Record<string, string> {
  return {
    COSMOS: cosmosConnectionString(host, ports.cosmos),
    SERVICEBUS: serviceBusEmulatorConnectionString(host, ports.servicebus),
    BLOB: azuriteConnectionString(host, ports.azurite),
    AUTH_ISSUER: DEV_ISSUER,
    AUTH_AUDIENCE: DEV_AUDIENCE,
    AUTH_DEV_JWKS_PATH: resolve(localDir, 'dev-jwks.json'),
    // Names the function bindings resolve as %SETTING% (infra/ sets the same on the Function App).
    COSMOS_DATABASE_NAME: 'reportexports',
    COSMOS_REPORTS_CONTAINER: 'reports',
    COSMOS_LEASES_CONTAINER: 'leases',
    SERVICEBUS_REPORT_REQUESTS_QUEUE: 'report-requests',
    // A failed outbox doc is retried at least every 30 s (5 min in Azure), so a restarted Service Bus
    // stand-in is caught up with quickly.
    OUTBOX_RETRY_MAX_SECONDS: '30',
  };
}

/** The report-requests queue options the local peer runs with, from the same config infra/ provisions. */
export function peerQueues(config: AppConfig): Record<string, PeerQueueOptions> {
  const q = config.serviceBus.queue;
  return {
    [config.serviceBus.reportRequestsQueue]: {
      maxDeliveryCount: q.maxDeliveryCount,
      lockDurationMs: q.lockDurationSeconds * 1000,
      duplicateDetectionWindowMs: q.duplicateDetectionWindowMinutes * 60_000,
    },
  };
}

/** The same as `--queue name:key=value,...` arguments of dev/standins/main.ts. */
export function peerQueueArgs(config: AppConfig): string[] {
  return Object.entries(peerQueues(config)).flatMap(([name, options]) => [
    '--queue',
    `${name}:${Object.entries(options)
      .map(([key, value]) => `${key}=${String(value)}`)
      .join(',')}`,
  ]);
}

/** Timer schedules of the local host: the sweeper runs every 5 s instead of every minute. */
export const LOCAL_TIMER_SCHEDULES: Record<string, string> = {
  outboxSweeper: '*/5 * * * * *',
  exportWatchdog: '*/5 * * * * *',
};

/**
 * How often `npm start`'s host polls the Cosmos stand-in for changes (the relay's change feed). The poll
 * is the wait between a POST and its message on the queue; each costs one query of the stand-in.
 */
export const LOCAL_CHANGE_FEED_POLL_MS = 250;
