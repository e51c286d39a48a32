// Local development tokens: an ES256 signing key created on first use in `.local/` (private JWK in
// dev-signing-key.json, mode 0600; public JWKS in dev-jwks.json, which AUTH_DEV_JWKS_PATH points to) and
// tokens shaped like Entra ID access tokens, signed with it.
//
//   npm run -s token -- --tenant contoso --user alice [--admin] [--roles a,b] [--scopes a,b] [--minutes 60]
//                       [--dir .local]
//
// Only the token goes to stdout, so `TOKEN=$(npm run -s token -- ...)` works; usage errors exit with 2.
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type * as JoseModule from 'jose' with { 'resolution-mode': 'import' };
import type { JWK } from 'jose' with { 'resolution-mode': 'import' };
import { ADMIN_ROLE } from '../src/auth/verifier';

export const DEV_ISSUER = 'https://login.local.report-exports.invalid/v2.0';
export const DEV_AUDIENCE = 'api://report-exports';

export const DEFAULT_DEV_DIR = '.local';
export const DEV_SIGNING_KEY_FILE = 'dev-signing-key.json';
export const DEV_JWKS_FILE = 'dev-jwks.json';
export const MAX_TOKEN_MINUTES = 1440;

const ALG = 'ES256';

/**
 * The local data directory `npm start` keeps its state in (the signing key among it): `LOCAL_DATA_DIR`,
 * else `.local`, relative to the repository. `npm run token` defaults to the same, so its tokens verify.
 */
export function localDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(__dirname, '..', env.LOCAL_DATA_DIR || DEFAULT_DEV_DIR);
}

type Jose = typeof JoseModule;

function loadJose(): Promise<Jose> {
  return import('jose');
}

/** Bad input from the caller (the CLI exits with 2 on it). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

interface DevKey {
  privateJwk: JWK & { kid: string };
  publicJwk: JWK & { kid: string };
}

function errorCode(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}

function toDevKey(json: unknown, keyPath: string): DevKey {
  const jwk = json as Record<string, unknown> | null;
  const fields = ['x', 'y', 'd', 'kid'] as const;
  if (
    typeof jwk !== 'object' ||
    jwk === null ||
    jwk['kty'] !== 'EC' ||
    jwk['crv'] !== 'P-256' ||
    !fields.every((field) => typeof jwk[field] === 'string' && jwk[field] !== '')
  ) {
    throw new Error(
      `${keyPath} is not a valid development signing key (an ES256 private JWK); delete it to create a new one`,
    );
  }
  const { kty, crv, x, y, d, kid } = jwk as Record<'kty' | 'crv' | 'x' | 'y' | 'd' | 'kid', string>;
  return {
    privateJwk: { kty, crv, x, y, d, kid, alg: ALG, use: 'sig' },
    publicJwk: { kty, crv, x, y, kid, alg: ALG, use: 'sig' },
  };
}

/** The stored key, or undefined when there is none yet. */
async function readDevKey(keyPath: string): Promise<DevKey | undefined> {
  let text: string;
  try {
    text = await readFile(keyPath, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${keyPath} is not valid JSON; delete it to create a new development signing key`);
  }
  return toDevKey(json, keyPath);
}

function tempPathFor(path: string): string {
  return `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
}

/**
 * Reads the signing key, creating it when missing. Safe against concurrent first use: the new key is
 * written completely to a temp file, then hard-linked into place, which fails if another process got
 * there first; its key is then used instead. (Where hard links are unsupported, the temp file is renamed.)
 */
async function loadOrCreateDevKey(dir: string): Promise<DevKey> {
  const keyPath = join(dir, DEV_SIGNING_KEY_FILE);
  const existing = await readDevKey(keyPath);
  if (existing) return existing;

  await mkdir(dir, { recursive: true, mode: 0o700 });
  const jose = await loadJose();
  const { privateKey } = await jose.generateKeyPair(ALG, { extractable: true });
  const jwk = await jose.exportJWK(privateKey);
  const kid = await jose.calculateJwkThumbprint(jwk);
  const tempPath = tempPathFor(keyPath);
  await writeFile(tempPath, `${JSON.stringify({ ...jwk, kid, alg: ALG, use: 'sig' }, null, 2)}\n`, {
    mode: 0o600,
    flag: 'wx',
  });
  try {
    await link(tempPath, keyPath);
  } catch (error) {
    const code = errorCode(error);
    if (code !== 'EEXIST') {
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw error;
      if ((await readDevKey(keyPath)) === undefined) await rename(tempPath, keyPath);
    }
  } finally {
    await unlink(tempPath).catch(() => undefined);
  }
  const stored = await readDevKey(keyPath);
  if (!stored) throw new Error(`${keyPath} disappeared while it was being created`);
  return stored;
}

/** Writes the public JWKS when missing or stale (temp file + rename, so readers never see half a file). */
async function writeDevJwks(jwksPath: string, key: DevKey): Promise<void> {
  const content = `${JSON.stringify({ keys: [key.publicJwk] }, null, 2)}\n`;
  const current = await readFile(jwksPath, 'utf8').catch(() => undefined);
  if (current === content) return;
  const tempPath = tempPathFor(jwksPath);
  await writeFile(tempPath, content, { flag: 'wx' });
  try {
    await rename(tempPath, jwksPath);
  } catch (error) {
    await unlink(tempPath).catch(() => undefined);
    throw error;
  }
}

async function ensureKey(dir: string): Promise<{ key: DevKey; jwksPath: string }> {
  const key = await loadOrCreateDevKey(dir);
  const jwksPath = resolve(dir, DEV_JWKS_FILE);
  await writeDevJwks(jwksPath, key);
  return { key, jwksPath };
}

/**
 * Makes sure the local development signing key exists in `dir` (created on first use) and that its
 * public JWKS is written next to it. Returns the JWKS file's absolute path, for AUTH_DEV_JWKS_PATH.
 */
export async function ensureDevSigningKey(dir = DEFAULT_DEV_DIR): Promise<{ jwksPath: string }> {
  const { jwksPath } = await ensureKey(dir);
  await ignoredByGit(dir);
  return { jwksPath };
}

/**
 * Puts a `.gitignore` of `*` in the local data directory (unless it has one), so that whatever
 * LOCAL_DATA_DIR names, inside the repository too, its keys and data are never committed.
 */
async function ignoredByGit(dir: string): Promise<void> {
  try {
    await writeFile(join(dir, '.gitignore'), '# Local keys and data: never committed.\n*\n', { flag: 'wx' });
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'EEXIST') throw error;
  }
}

export interface DevTokenOptions {
  tenantId: string;
  userId: string;
  /** Adds the `Reports.Admin` role. */
  admin?: boolean;
  roles?: string[];
  /** Delegated scopes, put space-separated in `scp` (no `scp` claim when there are none). */
  scopes?: string[];
  /** Lifetime, 1..1440 minutes; 60 by default. */
  minutes?: number;
  /** Where the signing key lives; `.local` (relative to the working directory) by default. */
  dir?: string;
  issuer?: string;
  audience?: string;
}

function required(value: string, name: string): string {
  const trimmed = value.trim();
  if (trimmed === '') throw new UsageError(`${name} must not be empty`);
  return trimmed;
}

/**
 * Issues a token for the local development key (created on first use), shaped like an Entra ID access
 * token: `iss`, `aud`, `tid`, `oid`, `sub`, `roles`, `scp` (when scopes are given), `name`, `iat`, `exp`,
 * and the key's `kid` in the header.
 * Throws a UsageError on bad options.
 */
export async function issueDevToken(opts: DevTokenOptions): Promise<string> {
  const tenantId = required(opts.tenantId, 'tenant');
  const userId = required(opts.userId, 'user');
  const minutes = opts.minutes ?? 60;
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_TOKEN_MINUTES) {
    throw new UsageError(`minutes must be a whole number from 1 to ${MAX_TOKEN_MINUTES}`);
  }
  const roles = [
    ...new Set(
      [...(opts.roles ?? []), ...(opts.admin ? [ADMIN_ROLE] : [])].map((r) => r.trim()).filter(Boolean),
    ),
  ];

  const scopes = [...new Set((opts.scopes ?? []).map((s) => s.trim()).filter(Boolean))];
  const badScope = scopes.find((scope) => !/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(scope));
  if (badScope !== undefined) {
    throw new UsageError(`scope '${badScope}' must be visible ASCII without spaces, quotes or backslashes`);
  }

  const { key } = await ensureKey(opts.dir ?? DEFAULT_DEV_DIR);
  const jose = await loadJose();
  const privateKey = await jose.importJWK(key.privateJwk, ALG);
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    tid: tenantId,
    oid: userId,
    roles,
    ...(scopes.length > 0 ? { scp: scopes.join(' ') } : {}),
  };
  return new jose.SignJWT({ ...claims, name: userId })
    .setProtectedHeader({ alg: ALG, typ: 'JWT', kid: key.privateJwk.kid })
    .setIssuer(opts.issuer ?? DEV_ISSUER)
    .setAudience(opts.audience ?? DEV_AUDIENCE)
    .setSubject(userId)
    .setIssuedAt(now)
    .setExpirationTime(now + minutes * 60)
    .sign(privateKey);
}

const USAGE = [
  'Usage: npm run -s token -- --tenant <tenant> --user <user> [--admin] [--roles a,b] [--scopes a,b]',
  '                           [--minutes 60] [--dir .local]',
  '',
  '  --tenant   tenant id (tid claim), required',
  '  --user     user object id (oid and sub claims), required',
  `  --admin    add the ${ADMIN_ROLE} role`,
  '  --roles    comma-separated app roles',
  '  --scopes   comma-separated delegated scopes (scp claim), e.g. Reports.Export',
  `  --minutes  lifetime, 1..${MAX_TOKEN_MINUTES} (default 60)`,
  `  --dir      directory of the development signing key (default: $LOCAL_DATA_DIR, else ${DEFAULT_DEV_DIR},`,
  '             as npm start uses)',
].join('\n');

/** Parses the CLI arguments into token options; throws a UsageError on bad usage, undefined for --help. */
export function parseTokenArgs(argv: string[]): DevTokenOptions | undefined {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        tenant: { type: 'string' },
        user: { type: 'string' },
        admin: { type: 'boolean' },
        roles: { type: 'string' },
        scopes: { type: 'string' },
        minutes: { type: 'string' },
        dir: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) return undefined;
  if (values.tenant === undefined) throw new UsageError('--tenant is required');
  if (values.user === undefined) throw new UsageError('--user is required');
  const opts: DevTokenOptions = {
    tenantId: required(values.tenant, '--tenant'),
    userId: required(values.user, '--user'),
    admin: values.admin ?? false,
  };
  if (values.roles !== undefined) opts.roles = values.roles.split(',');
  if (values.scopes !== undefined) opts.scopes = values.scopes.split(',');
  if (values.minutes !== undefined) {
    const minutes = /^\d+$/.test(values.minutes.trim()) ? Number(values.minutes) : NaN;
    if (!(minutes >= 1 && minutes <= MAX_TOKEN_MINUTES)) {
      throw new UsageError(`--minutes must be a whole number from 1 to ${MAX_TOKEN_MINUTES}`);
    }
    opts.minutes = minutes;
  }
  if (values.dir !== undefined) opts.dir = required(values.dir, '--dir');
  return opts;
}

/** The CLI: prints the token (only) on stdout; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    const opts = parseTokenArgs(argv);
    if (opts === undefined) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    process.stdout.write(`${await issueDevToken({ ...opts, dir: opts.dir ?? localDataDir() })}\n`);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`token: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    process.stderr.write(`token: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

if (typeof require !== 'undefined' && typeof module !== 'undefined' && require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
