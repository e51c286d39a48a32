// The app's settings: one zod schema over the environment, parsed once into one typed config. One
// cohesive thing, so every setting, its default and its error message are in one place.
import { z } from 'zod';

/**
 * Typed application configuration, parsed once from the process environment (Function App settings in
 * Azure, `local.settings.json` under Core Tools, the local host's environment otherwise).
 *
 * Each Azure service is reached through a *connection* named like the Functions bindings expect:
 * `COSMOS`, `SERVICEBUS` and `BLOB`. A connection is either identity-based (`COSMOS__accountEndpoint`,
 * `SERVICEBUS__fullyQualifiedNamespace`, `BLOB__serviceUri`, optionally `<NAME>__clientId` for a
 * user-assigned managed identity) or, for local stand-ins, a plain connection string in `<NAME>`.
 */

export type Connection =
  | { kind: 'identity'; endpoint: string; clientId?: string }
  | { kind: 'connectionString'; connectionString: string };

export interface AuthConfig {
  issuer: string;
  audience: string;
  /** Remote JWKS (Microsoft Entra ID in Azure). */
  jwksUri?: string;
  /** A local JWKS file holding the development signing key's public half; refused when running in Azure. */
  devJwksPath?: string;
  /**
   * The scope every caller needs: a delegated scope in `scp` or an app role (application permission) of
   * the same name in `roles`. Unset: any valid token is enough.
   */
  requiredScope?: string;
}

/** The report-requests queue as infra/ provisions it (and the local peer is started with). */
export interface QueueSettings {
  maxDeliveryCount: number;
  lockDurationSeconds: number;
  duplicateDetectionWindowMinutes: number;
}

export interface OutboxSettings {
  /** Outbox docs younger than this are left to the change feed; the sweeper takes older ones. */
  sweepGraceSeconds: number;
  /** Seconds a dispatched outbox doc is kept (Cosmos TTL). */
  dispatchedTtlSeconds: number;
  /**
   * Longest wait before the sweeper retries a doc whose relay failed. The first retry waits the grace
   * period (at least 1 s), each further one twice as long, up to this.
   */
  retryMaxSeconds: number;
}

/** How the export worker claims, retries and gives up on a report. */
export interface WorkerSettings {
  /** Seconds a claim (lease) lasts without a heartbeat; the watchdog re-queues reports whose lease expired. */
  leaseSeconds: number;
  /** Processing attempts (claims) before a report is marked Failed. */
  maxAttempts: number;
  /** First retry delay after a transient failure; doubles each attempt, with jitter. */
  retryBaseSeconds: number;
  /** Longest retry delay. */
  retryMaxSeconds: number;
  /** Rows a chunk of a chunked export aims at (see the report types' chunk plans). */
  chunkTargetRows: number;
  /** Most chunks one export is split into; a larger export gets larger chunks. */
  chunkMaxCount: number;
}

/** What one user or tenant may hold at once (fairness between the users of one service). */
export interface LimitSettings {
  /** Active (Pending/Processing) reports one user may have; a request beyond it is answered 429. */
  userMaxActiveReports: number;
  /**
   * Exports one tenant may have Processing at once; a request over it is put back on the queue for later
   * (0: no cap).
   */
  tenantMaxActiveExports: number;
  /** Seconds an over-cap request waits before it is delivered again (the first time; later waits grow). */
  tenantDeferSeconds: number;
}

/** Microsoft Entra ID sign-in on the web page (MSAL for browsers, authorization code flow with PKCE). */
export interface WebSignIn {
  /** Application (client) id of the page's single-page-application registration. */
  clientId: string;
  /** e.g. `https://login.microsoftonline.com/<tenant id>`. */
  authority: string;
  /** The scope the page asks for; its access tokens must carry the API's audience. */
  scope: string;
}

/** Settings the web page reads from `GET /api/web/config.json`. */
export interface WebConfig {
  /** Entra ID sign-in; when absent the page only takes a pasted bearer token. */
  entra?: WebSignIn;
}

export interface AppConfig {
  cosmos: Connection & {
    databaseName: string;
    reportsContainer: string;
    leasesContainer: string;
    /** Source data of the sample report types. */
    albumsContainer: string;
    ratingsContainer: string;
  };
  serviceBus: Connection & { reportRequestsQueue: string; queue: QueueSettings };
  blob: Connection & { reportsContainer: string };
  auth: AuthConfig;
  outbox: OutboxSettings;
  worker: WorkerSettings;
  limits: LimitSettings;
  /** Minutes a download link stays valid. */
  downloadLinkMinutes: number;
  /** Days a finished report (and its file) is kept. */
  retentionDays: number;
  /** Key of the HMAC that makes the list's continuation tokens tamper-proof (CONTINUATION_TOKEN_SECRET). */
  continuationTokenSecret: string;
  /** The web page served at /api/web. */
  web: WebConfig;
  /** True when the app runs inside Azure App Service / Functions (WEBSITE_SITE_NAME is set there). */
  runningInAzure: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const nonEmpty = z
  .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
  .trim()
  .min(1, 'must not be empty');
/** Shortest accepted CONTINUATION_TOKEN_SECRET. */
const MIN_SECRET_LENGTH = 24;
const httpsUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const resourceName = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, 'must be 3-63 lowercase letters, digits or hyphens');

const settingsSchema = z.object({
  COSMOS_DATABASE_NAME: resourceName.default('reportexports'),
  COSMOS_REPORTS_CONTAINER: resourceName.default('reports'),
  COSMOS_LEASES_CONTAINER: resourceName.default('leases'),
  COSMOS_ALBUMS_CONTAINER: resourceName.default('albums'),
  COSMOS_RATINGS_CONTAINER: resourceName.default('ratings'),
  SERVICEBUS_REPORT_REQUESTS_QUEUE: resourceName.default('report-requests'),
  BLOB_REPORTS_CONTAINER: resourceName.default('reports'),
  SERVICEBUS_MAX_DELIVERY_COUNT: z.coerce.number().int().min(1).max(2000).default(10),
  SERVICEBUS_LOCK_DURATION_SECONDS: z.coerce.number().int().min(5).max(300).default(60),
  SERVICEBUS_DUPLICATE_DETECTION_WINDOW_MINUTES: z.coerce.number().int().min(1).max(10080).default(10),
  WORKER_LEASE_SECONDS: z.coerce.number().int().min(5).max(3600).default(15),
  WORKER_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
  WORKER_RETRY_BASE_SECONDS: z.coerce.number().min(0).max(3600).default(5),
  WORKER_RETRY_MAX_SECONDS: z.coerce.number().min(0).max(86400).default(300),
  EXPORT_CHUNK_TARGET_ROWS: z.coerce.number().int().min(100).max(10_000_000).default(100_000),
  EXPORT_CHUNK_MAX_COUNT: z.coerce.number().int().min(1).max(10_000).default(4_000),
  USER_MAX_ACTIVE_REPORTS: z.coerce.number().int().min(1).max(10000).default(20),
  TENANT_MAX_ACTIVE_EXPORTS: z.coerce.number().int().min(0).max(10000).default(3),
  TENANT_DEFER_SECONDS: z.coerce.number().min(0.1).max(300).default(2),
  OUTBOX_SWEEP_GRACE_SECONDS: z.coerce.number().int().min(0).max(3600).default(30),
  OUTBOX_RETRY_MAX_SECONDS: z.coerce.number().int().min(1).max(86400).default(300),
  OUTBOX_DISPATCHED_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .default(7 * 24 * 3600),
  DOWNLOAD_LINK_MINUTES: z.coerce.number().int().min(1).max(60).default(15),
  REPORT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  AUTH_ISSUER: nonEmpty,
  AUTH_AUDIENCE: nonEmpty,
  AUTH_JWKS_URI: httpsUrl.optional(),
  AUTH_DEV_JWKS_PATH: nonEmpty.optional(),
  AUTH_REQUIRED_SCOPE: z
    .string()
    .trim()
    .regex(
      /^[\x21\x23-\x5B\x5D-\x7E]+$/,
      'must be one scope name (visible ASCII, no spaces, quotes or backslashes)',
    )
    .refine(
      (scope) => !scope.includes('://'),
      'must be the scope name as the token carries it in scp (e.g. Reports.Export), not its full URI',
    )
    .optional(),
  // Keys the continuation tokens' HMAC; any long random string (`openssl rand -base64 32`). infra/ makes
  // one for Azure, `npm start` and the tests one in .local/.
  CONTINUATION_TOKEN_SECRET: nonEmpty.pipe(
    z.string().min(MIN_SECRET_LENGTH, `must be at least ${MIN_SECRET_LENGTH} characters of random text`),
  ),
  WEB_AUTH_CLIENT_ID: nonEmpty.optional(),
  WEB_AUTH_AUTHORITY: z.url({ protocol: /^https$/, error: 'must be an https URL' }).optional(),
  WEB_AUTH_SCOPE: nonEmpty.optional(),
  WEBSITE_SITE_NAME: z.string().optional(),
});

/** Reads one named connection (as the Functions bindings do): identity-based first, connection string second. */
export function readConnection(
  env: Env,
  name: string,
  endpointKey: string,
  problems: string[],
): Connection | undefined {
  const endpoint = env[`${name}__${endpointKey}`]?.trim();
  const connectionString = env[name]?.trim();
  if (endpoint) {
    // A namespace is a host name (`<ns>.servicebus.windows.net`, as the Functions extension expects);
    // account endpoints and service URIs are URLs.
    const valid =
      endpointKey === 'fullyQualifiedNamespace'
        ? /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/i.test(endpoint)
        : z.url().safeParse(endpoint).success;
    if (!valid) {
      const expected = endpointKey === 'fullyQualifiedNamespace' ? 'a host name' : 'a URL';
      problems.push(`${name}__${endpointKey}: must be ${expected} (got "${endpoint}")`);
      return undefined;
    }
    const clientId = env[`${name}__clientId`]?.trim();
    return clientId ? { kind: 'identity', endpoint, clientId } : { kind: 'identity', endpoint };
  }
  if (connectionString) return { kind: 'connectionString', connectionString };
  problems.push(`${name}__${endpointKey} (or ${name} as a connection string): is required`);
  return undefined;
}

/** Parses and validates the configuration; throws a ConfigError naming every missing or malformed setting. */
export function loadConfig(env: Env = process.env): AppConfig {
  const problems: string[] = [];
  // Empty strings count as unset, as they do in App Service settings.
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''),
  );
  const parsed = settingsSchema.safeParse(cleaned);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${issue.path.join('.')}: ${issue.message}`);
  }
  const cosmos = readConnection(env, 'COSMOS', 'accountEndpoint', problems);
  const serviceBus = readConnection(env, 'SERVICEBUS', 'fullyQualifiedNamespace', problems);
  const blob = readConnection(env, 'BLOB', 'serviceUri', problems);

  if (parsed.success) {
    const s = parsed.data;
    const runningInAzure = Boolean(s.WEBSITE_SITE_NAME);
    if (!s.AUTH_JWKS_URI && !s.AUTH_DEV_JWKS_PATH) {
      problems.push('AUTH_JWKS_URI: is required (or AUTH_DEV_JWKS_PATH for local development)');
    }
    if (s.AUTH_DEV_JWKS_PATH && runningInAzure) {
      problems.push('AUTH_DEV_JWKS_PATH: the local development key is never trusted in Azure; remove it');
    }
    const web = webConfig(s, problems);
    if (problems.length === 0 && cosmos && serviceBus && blob) {
      const auth: AuthConfig = { issuer: s.AUTH_ISSUER, audience: s.AUTH_AUDIENCE };
      if (s.AUTH_JWKS_URI) auth.jwksUri = s.AUTH_JWKS_URI;
      if (s.AUTH_DEV_JWKS_PATH) auth.devJwksPath = s.AUTH_DEV_JWKS_PATH;
      if (s.AUTH_REQUIRED_SCOPE) auth.requiredScope = s.AUTH_REQUIRED_SCOPE;
      return {
        cosmos: {
          ...cosmos,
          databaseName: s.COSMOS_DATABASE_NAME,
          reportsContainer: s.COSMOS_REPORTS_CONTAINER,
          leasesContainer: s.COSMOS_LEASES_CONTAINER,
          albumsContainer: s.COSMOS_ALBUMS_CONTAINER,
          ratingsContainer: s.COSMOS_RATINGS_CONTAINER,
        },
        serviceBus: {
          ...serviceBus,
          reportRequestsQueue: s.SERVICEBUS_REPORT_REQUESTS_QUEUE,
          queue: {
            maxDeliveryCount: s.SERVICEBUS_MAX_DELIVERY_COUNT,
            lockDurationSeconds: s.SERVICEBUS_LOCK_DURATION_SECONDS,
            duplicateDetectionWindowMinutes: s.SERVICEBUS_DUPLICATE_DETECTION_WINDOW_MINUTES,
          },
        },
        outbox: {
          sweepGraceSeconds: s.OUTBOX_SWEEP_GRACE_SECONDS,
          dispatchedTtlSeconds: s.OUTBOX_DISPATCHED_TTL_SECONDS,
          retryMaxSeconds: s.OUTBOX_RETRY_MAX_SECONDS,
        },
        worker: {
          leaseSeconds: s.WORKER_LEASE_SECONDS,
          maxAttempts: s.WORKER_MAX_ATTEMPTS,
          retryBaseSeconds: s.WORKER_RETRY_BASE_SECONDS,
          retryMaxSeconds: s.WORKER_RETRY_MAX_SECONDS,
          chunkTargetRows: s.EXPORT_CHUNK_TARGET_ROWS,
          chunkMaxCount: s.EXPORT_CHUNK_MAX_COUNT,
        },
        limits: {
          userMaxActiveReports: s.USER_MAX_ACTIVE_REPORTS,
          tenantMaxActiveExports: s.TENANT_MAX_ACTIVE_EXPORTS,
          tenantDeferSeconds: s.TENANT_DEFER_SECONDS,
        },
        blob: { ...blob, reportsContainer: s.BLOB_REPORTS_CONTAINER },
        auth,
        retentionDays: s.REPORT_RETENTION_DAYS,
        downloadLinkMinutes: s.DOWNLOAD_LINK_MINUTES,
        continuationTokenSecret: s.CONTINUATION_TOKEN_SECRET,
        web,
        runningInAzure,
      };
    }
  }
  throw new ConfigError(problems);
}

/**
 * The web page's Entra ID sign-in, on when WEB_AUTH_CLIENT_ID is set. The authority defaults to the
 * tenant of a v2.0 AUTH_ISSUER (`https://login.microsoftonline.com/<tid>/v2.0`), the scope to
 * `<AUTH_AUDIENCE>/.default`, so the page's tokens are the ones the API verifies.
 */
function webConfig(s: z.output<typeof settingsSchema>, problems: string[]): WebConfig {
  if (!s.WEB_AUTH_CLIENT_ID) {
    for (const name of ['WEB_AUTH_AUTHORITY', 'WEB_AUTH_SCOPE'] as const) {
      if (s[name]) problems.push(`${name}: only applies with WEB_AUTH_CLIENT_ID; set that too, or remove it`);
    }
    return {};
  }
  const authority = s.WEB_AUTH_AUTHORITY ?? (/\/v2\.0\/?$/.test(s.AUTH_ISSUER) ? s.AUTH_ISSUER : undefined);
  if (!authority) {
    problems.push('WEB_AUTH_AUTHORITY: is required when AUTH_ISSUER is not an Entra ID v2.0 issuer');
    return {};
  }
  return {
    entra: {
      clientId: s.WEB_AUTH_CLIENT_ID,
      authority: authority.replace(/\/v2\.0\/?$/, '').replace(/\/+$/, ''),
      scope: s.WEB_AUTH_SCOPE ?? `${s.AUTH_AUDIENCE.replace(/\/+$/, '')}/.default`,
    },
  };
}
