// The app settings the local host runs with against the local stand-ins (what local.settings.json
// holds for Core Tools users). Values already in the environment win, so the local host can also be
// pointed at real Azure resources.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cosmosConnectionString } from './standins/cosmos';
import type { AppConfig } from '../src/config';
import { loadLocalConfig, type LocalConfig } from './local-config';
import { serviceBusEmulatorConnectionString, type PeerQueueOptions } from './servicebus-peer/peer';
import { azuriteConnectionString } from './standins/azurite';
import { DEV_AUDIENCE, DEV_ISSUER } from './token';

export interface StandinPorts {
  azurite: number;
  cosmos: number;
  servicebus: number;
}

/** The file in the local directory that holds the continuation-token secret (mode 0600). */
const DEV_CONTINUATION_SECRET_FILE = 'dev-continuation-token-secret';

/**
 * The local continuation-token secret: 32 random bytes (base64url) created in `localDir` on first use,
 * like the development signing key, and read back afterwards. A concurrent first use keeps one secret:
 * the file is created exclusively, and whoever loses the race reads the winner's.
 */
export function devContinuationTokenSecret(localDir: string): string {
  const path = join(localDir, DEV_CONTINUATION_SECRET_FILE);
  const read = (): string | undefined => {
    try {
      return readFileSync(path, 'utf8').trim() || undefined;
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') return undefined;
      throw error;
    }
  };
  const existing = read();
  if (existing) return existing;
  mkdirSync(localDir, { recursive: true, mode: 0o700 });
  try {
    writeFileSync(path, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'EEXIST') throw error;
  }
  const created = read();
  if (!created) throw new Error(`${path} is empty; delete it to create a new continuation-token secret`);
  return created;
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
    CONTINUATION_TOKEN_SECRET: devContinuationTokenSecret(localDir),
    // Names the function bindings resolve as %SETTING% (infra/ sets the same on the Function App).
    COSMOS_DATABASE_NAME: 'reportexports',
    COSMOS_REPORTS_CONTAINER: 'reports',
    COSMOS_LEASES_CONTAINER: 'leases',
    SERVICEBUS_REPORT_REQUESTS_QUEUE: 'report-requests',
    SERVICEBUS_REPORT_EVENTS_QUEUE: 'report-events',
    // Webhooks of local development may call receivers on this machine over plain http.
    WEBHOOK_ALLOWED_HOSTS: 'localhost,127.0.0.1',
    // A failed outbox doc is retried at least every 30 s (5 min in Azure), so a restarted Service Bus
    // stand-in is caught up with quickly.
    OUTBOX_RETRY_MAX_SECONDS: '30',
  };
}

/**
 * The report-requests queue options the local peer runs with, from the same settings infra/ provisions
 * the queue with (dev/local-config.ts; by default read from this process's environment).
 */
export function peerQueues(
  config: AppConfig,
  local: LocalConfig = loadLocalConfig(),
): Record<string, PeerQueueOptions> {
  const q = local.queue;
  return {
    [config.serviceBus.reportRequestsQueue]: {
      maxDeliveryCount: q.maxDeliveryCount,
      lockDurationMs: q.lockDurationSeconds * 1000,
      duplicateDetectionWindowMs: q.duplicateDetectionWindowMinutes * 60_000,
    },
    [config.serviceBus.reportEventsQueue]: {
      maxDeliveryCount: q.maxDeliveryCount,
      lockDurationMs: q.lockDurationSeconds * 1000,
      duplicateDetectionWindowMs: q.duplicateDetectionWindowMinutes * 60_000,
    },
  };
}

/** The same as `--queue name:key=value,...` arguments of dev/standins/main.ts. */
export function peerQueueArgs(config: AppConfig, local: LocalConfig = loadLocalConfig()): string[] {
  return Object.entries(peerQueues(config, local)).flatMap(([name, options]) => [
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
