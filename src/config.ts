// The app's settings, declared once: one zod schema per section (each Azure service, sign-in, the outbox,
// the worker, ...; the modules in ./config/) reads its own settings from the environment and gives them
// their shape. The config is the composition of the sections and its types are inferred from it, so a
// setting is added in one place, its section. Parsed once at start: a ConfigError names every missing or
// malformed setting at once.
import { z } from 'zod';
import { auth, web } from './config/auth';
import { blob, cosmos, serviceBus } from './config/connections';
import {
  fromEnvironment,
  nonEmpty,
  parseEnvironment,
  setting,
  settingNames as namesOf,
  type Env,
} from './config/env';
import { limits, outbox, worker } from './config/pipeline';
import { webhooks } from './config/webhooks';

export { ConfigError } from './config/env';
export { readConnection, type Connection } from './config/connections';

/**
 * Typed application configuration, parsed once from the process environment (Function App settings in
 * Azure, `local.settings.json` under Core Tools, the local host's environment otherwise).
 */
export type AppConfig = z.output<typeof appConfigSchema>;
export type AuthConfig = AppConfig['auth'];
/** Settings the web page reads from `GET /api/web/config.json`. */
export type WebConfig = AppConfig['web'];
export type OutboxSettings = AppConfig['outbox'];
export type WorkerSettings = AppConfig['worker'];
export type LimitSettings = AppConfig['limits'];
export type WebhookSettings = AppConfig['webhooks'];

/** True when the app runs inside Azure App Service / Functions (WEBSITE_SITE_NAME is set there). */
const runningInAzure = setting('WEBSITE_SITE_NAME', z.string().optional()).transform((name) => Boolean(name));

/** Shortest accepted CONTINUATION_TOKEN_SECRET. */
const MIN_SECRET_LENGTH = 24;

const sections = {
  cosmos,
  serviceBus,
  blob,
  auth,
  outbox,
  worker,
  limits,
  webhooks,
  /** Minutes a download link stays valid. */
  downloadLinkMinutes: setting('DOWNLOAD_LINK_MINUTES', z.coerce.number().int().min(1).max(60).default(15)),
  /** Days a finished report (and its file) is kept. */
  retentionDays: setting('REPORT_RETENTION_DAYS', z.coerce.number().int().min(1).max(3650).default(30)),
  /**
   * Key of the HMAC that makes the list's continuation tokens tamper-proof: any long random string
   * (`openssl rand -base64 32`). infra/ makes one for Azure, `npm start` and the tests one in .local/.
   */
  continuationTokenSecret: setting(
    'CONTINUATION_TOKEN_SECRET',
    nonEmpty.pipe(
      z.string().min(MIN_SECRET_LENGTH, `must be at least ${MIN_SECRET_LENGTH} characters of random text`),
    ),
  ),
  web,
  runningInAzure,
};

const appConfigSchema = fromEnvironment(sections);

/** Every setting the config reads (connections included). */
export const settingNames: readonly string[] = namesOf(sections);

/** Parses and validates the configuration; throws a ConfigError naming every missing or malformed setting. */
export function loadConfig(env: Env = process.env): AppConfig {
  return parseEnvironment(appConfigSchema, env);
}
