import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as JoseModule from 'jose' with { 'resolution-mode': 'import' };
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEV_AUDIENCE,
  DEV_ISSUER,
  UsageError,
  ensureDevSigningKey,
  issueDevToken,
  localDataDir,
  parseTokenArgs,
} from '../../dev/token';
import { createTokenVerifier } from '../../src/auth/verifier';
import { InsufficientScopeError } from '../../src/domain/errors';

type Jose = typeof JoseModule;

const repoRoot = resolve(__dirname, '..', '..');
const tokenScript = join(repoRoot, 'dev', 'token.ts');
// The tsx loader by absolute URL, so the CLI can also run with a working directory outside the repo.
const tsxLoader = pathToFileURL(createRequire(join(repoRoot, 'package.json')).resolve('tsx')).href;
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

let jose: Jose;
let root: string;
let counter = 0;

/** A fresh, not yet existing key directory. */
function freshDir(): string {
  return join(root, `keys-${++counter}`);
}

function verifierFor(dir: string): ReturnType<typeof createTokenVerifier> {
  return createTokenVerifier({
    issuer: DEV_ISSUER,
    audience: DEV_AUDIENCE,
    devJwksPath: join(dir, 'dev-jwks.json'),
  });
}

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], cwd = repoRoot): Promise<CliResult> {
  return new Promise((resolveRun) => {
    execFile(
      process.execPath,
      ['--import', tsxLoader, tokenScript, ...args],
      { cwd, timeout: 20_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolveRun({ code, stdout, stderr });
      },
    );
  });
}

beforeAll(async () => {
  jose = await import('jose');
  root = mkdtempSync(join(tmpdir(), 'dev-token-test-'));
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('ensureDevSigningKey', () => {
  it('creates the private key (mode 0600) and its public JWKS, and reuses them', async () => {
    const dir = freshDir();
    const { jwksPath } = await ensureDevSigningKey(dir);
    expect(jwksPath).toBe(resolve(dir, 'dev-jwks.json'));

    const keyPath = join(dir, 'dev-signing-key.json');
    const privateJwk = JSON.parse(readFileSync(keyPath, 'utf8')) as Record<string, string>;
    expect(privateJwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(privateJwk['d']).toEqual(expect.any(String));
    if (process.platform !== 'win32') expect(statSync(keyPath).mode & 0o777).toBe(0o600);

    const jwks = JSON.parse(readFileSync(jwksPath, 'utf8')) as { keys: Record<string, string>[] };
    expect(jwks.keys).toHaveLength(1);
    const publicJwk = jwks.keys[0];
    expect(publicJwk).not.toHaveProperty('d');
    expect(publicJwk).toEqual({
      kty: 'EC',
      crv: 'P-256',
      x: privateJwk['x'],
      y: privateJwk['y'],
      kid: privateJwk['kid'],
      alg: 'ES256',
      use: 'sig',
    });

    await ensureDevSigningKey(dir);
    expect(JSON.parse(readFileSync(keyPath, 'utf8'))).toEqual(privateJwk);
    expect(JSON.parse(readFileSync(jwksPath, 'utf8'))).toEqual(jwks);
  });

  it('rewrites a deleted JWKS from the existing key', async () => {
    const dir = freshDir();
    const { jwksPath } = await ensureDevSigningKey(dir);
    const before = readFileSync(jwksPath, 'utf8');
    rmSync(jwksPath);
    await ensureDevSigningKey(dir);
    expect(readFileSync(jwksPath, 'utf8')).toBe(before);
  });

  it('keeps any local data directory out of git, one inside the repository included', async () => {
    const root = resolve(__dirname, '../..');
    const dir = mkdtempSync(join(root, 'local-data-'));
    try {
      await ensureDevSigningKey(dir);
      const ignored = await new Promise<string>((done, fail) =>
        execFile(
          'git',
          ['check-ignore', join(dir, 'dev-jwks.json'), join(dir, '.gitignore')],
          { cwd: root },
          (error, stdout) => (error ? fail(new Error(error.message)) : done(stdout)),
        ),
      );
      expect(ignored.trim().split('\n')).toHaveLength(2);
      // A .gitignore of the user's own is kept.
      writeFileSync(join(dir, '.gitignore'), 'mine\n');
      await ensureDevSigningKey(dir);
      expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('mine\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ends with a single key when many callers create it at once', async () => {
    const dir = freshDir();
    await Promise.all(Array.from({ length: 8 }, () => ensureDevSigningKey(dir)));
    const tokens = await Promise.all(
      Array.from({ length: 8 }, (_, i) => issueDevToken({ tenantId: 't', userId: `u${i}`, dir })),
    );
    const verify = verifierFor(dir);
    for (const token of tokens)
      await expect(verify(`Bearer ${token}`)).resolves.toMatchObject({ tenantId: 't' });
  });

  it('refuses a corrupt key file with a clear message', async () => {
    const dir = freshDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'dev-signing-key.json'), '{"kty":"RSA"}');
    await expect(ensureDevSigningKey(dir)).rejects.toThrow(/not a valid development signing key.*delete it/);
    writeFileSync(join(dir, 'dev-signing-key.json'), 'nonsense');
    await expect(ensureDevSigningKey(dir)).rejects.toThrow(/not valid JSON; delete it/);
  });
});

describe('issueDevToken', () => {
  it('issues an Entra-shaped token whose kid matches the JWKS', async () => {
    const dir = freshDir();
    const before = Math.floor(Date.now() / 1000);
    const token = await issueDevToken({
      tenantId: 'contoso',
      userId: 'alice',
      admin: true,
      roles: ['Reports.Reader', ' ', 'Reports.Admin'],
      minutes: 5,
      dir,
    });
    expect(token).toMatch(JWT);
    const header = jose.decodeProtectedHeader(token);
    const claims = jose.decodeJwt(token);
    const jwks = JSON.parse(readFileSync(join(dir, 'dev-jwks.json'), 'utf8')) as { keys: { kid: string }[] };
    expect(header).toEqual({ alg: 'ES256', typ: 'JWT', kid: jwks.keys[0]?.kid });
    expect(claims).toMatchObject({
      iss: DEV_ISSUER,
      aud: DEV_AUDIENCE,
      tid: 'contoso',
      oid: 'alice',
      sub: 'alice',
      name: 'alice',
      roles: ['Reports.Reader', 'Reports.Admin'],
    });
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(300);
  });

  it('defaults to a 60-minute token without roles or scopes', async () => {
    const token = await issueDevToken({ tenantId: 'contoso', userId: 'bob', dir: freshDir() });
    const claims = jose.decodeJwt(token);
    expect(claims.roles).toEqual([]);
    expect(claims).not.toHaveProperty('scp');
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(3600);
  });

  it('puts the delegated scopes space-separated in scp', async () => {
    const token = await issueDevToken({
      tenantId: 'contoso',
      userId: 'bob',
      scopes: ['Reports.Export', ' ', 'User.Read', 'Reports.Export'],
      dir: freshDir(),
    });
    expect(jose.decodeJwt(token).scp).toBe('Reports.Export User.Read');
  });

  it.each([
    [{ tenantId: 't', userId: 'u', scopes: ['a b'] }, /scope 'a b' must be visible ASCII/],
    [{ tenantId: 't', userId: 'u', scopes: ['"x"'] }, /scope/],
    [{ tenantId: ' ', userId: 'u' }, /tenant must not be empty/],
    [{ tenantId: 't', userId: '' }, /user must not be empty/],
    [{ tenantId: 't', userId: 'u', minutes: 0 }, /minutes must be a whole number from 1 to 1440/],
    [{ tenantId: 't', userId: 'u', minutes: 1441 }, /minutes/],
    [{ tenantId: 't', userId: 'u', minutes: 1.5 }, /minutes/],
  ])('refuses bad options %j', async (opts, message) => {
    const error = await issueDevToken({ ...opts, dir: freshDir() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
  });
});

describe('parseTokenArgs', () => {
  it('parses every option', () => {
    expect(
      parseTokenArgs([
        '--tenant',
        'T',
        '--user',
        'U',
        '--admin',
        '--roles',
        'a,b',
        '--scopes',
        'Reports.Export,User.Read',
        '--minutes',
        '15',
        '--dir',
        'x',
      ]),
    ).toEqual({
      tenantId: 'T',
      userId: 'U',
      admin: true,
      roles: ['a', 'b'],
      scopes: ['Reports.Export', 'User.Read'],
      minutes: 15,
      dir: 'x',
    });
    expect(parseTokenArgs(['--help'])).toBeUndefined();
  });

  it.each([
    [['--user', 'U'], /--tenant is required/],
    [['--tenant', 'T'], /--user is required/],
    [['--tenant', '', '--user', 'U'], /--tenant must not be empty/],
    [['--tenant', 'T', '--user', 'U', '--minutes', '0'], /--minutes must be a whole number from 1 to 1440/],
    [['--tenant', 'T', '--user', 'U', '--minutes', '1441'], /--minutes/],
    [['--tenant', 'T', '--user', 'U', '--minutes', '10m'], /--minutes/],
    [['--tenant', 'T', '--user', 'U', '--bogus'], /bogus/],
    [['--tenant', 'T', '--user', 'U', 'extra'], /extra/],
    [['--tenant'], /--tenant/],
  ])('refuses %j', (args, message) => {
    expect(() => parseTokenArgs(args)).toThrow(UsageError);
    expect(() => parseTokenArgs(args)).toThrow(message);
  });
});

describe('token CLI', () => {
  it('defaults to the directory npm start uses: LOCAL_DATA_DIR, else .local, in the repository', async () => {
    expect(localDataDir({})).toBe(join(repoRoot, '.local'));
    expect(localDataDir({ LOCAL_DATA_DIR: 'elsewhere' })).toBe(join(repoRoot, 'elsewhere'));
    const dir = freshDir();
    expect(localDataDir({ LOCAL_DATA_DIR: dir })).toBe(dir);
    const result = await new Promise<CliResult>((resolveRun) => {
      execFile(
        process.execPath,
        ['--import', tsxLoader, tokenScript, '--tenant', 'contoso', '--user', 'alice'],
        { cwd: tmpdir(), env: { ...process.env, LOCAL_DATA_DIR: dir }, timeout: 20_000 },
        (error, stdout, stderr) => resolveRun({ code: error ? 1 : 0, stdout, stderr }),
      );
    });
    expect(result.code, result.stderr).toBe(0);
    await expect(verifierFor(dir)(`Bearer ${result.stdout.trim()}`)).resolves.toMatchObject({
      tenantId: 'contoso',
    });
  });

  it('prints only a token that verifies, using the key in --dir', async () => {
    const dir = freshDir();
    const result = await runCli([
      '--tenant',
      'contoso',
      '--user',
      'alice',
      '--admin',
      '--roles',
      'x,y',
      '--dir',
      dir,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout.endsWith('\n')).toBe(true);
    const token = result.stdout.trim();
    expect(token).toMatch(JWT);
    await expect(verifierFor(dir)(`Bearer ${token}`)).resolves.toEqual({
      tenantId: 'contoso',
      userId: 'alice',
      roles: ['x', 'y', 'Reports.Admin'],
      isAdmin: true,
    });
  });

  it('puts --scopes in scp, and the token passes a verifier that requires one of them', async () => {
    const dir = freshDir();
    const args = ['--tenant', 'contoso', '--user', 'alice', '--dir', dir];
    const scoped = await runCli([...args, '--scopes', 'Reports.Export,User.Read']);
    expect(scoped.code).toBe(0);
    const token = scoped.stdout.trim();
    expect(jose.decodeJwt(token).scp).toBe('Reports.Export User.Read');
    const requiring = createTokenVerifier({
      issuer: DEV_ISSUER,
      audience: DEV_AUDIENCE,
      devJwksPath: join(dir, 'dev-jwks.json'),
      requiredScope: 'Reports.Export',
    });
    await expect(requiring(`Bearer ${token}`)).resolves.toMatchObject({ userId: 'alice' });
    const plain = await runCli(args);
    await expect(requiring(`Bearer ${plain.stdout.trim()}`)).rejects.toBeInstanceOf(InsufficientScopeError);
  });

  it('uses .local in the repository by default, as npm start does, whatever the working directory', async () => {
    const cwd = freshDir();
    mkdirSync(cwd, { recursive: true });
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'LOCAL_DATA_DIR'));
    const result = await new Promise<CliResult>((resolveRun) => {
      execFile(
        process.execPath,
        ['--import', tsxLoader, tokenScript, '--tenant', 'fabrikam', '--user', 'bob', '--minutes', '1'],
        { cwd, env, timeout: 20_000 },
        (error, stdout, stderr) => resolveRun({ code: error ? 1 : 0, stdout, stderr }),
      );
    });
    expect(result.code, result.stderr).toBe(0);
    await expect(
      verifierFor(join(repoRoot, '.local'))(`Bearer ${result.stdout.trim()}`),
    ).resolves.toMatchObject({
      tenantId: 'fabrikam',
      userId: 'bob',
      isAdmin: false,
    });
  });

  it('creates one key when several processes start at once', async () => {
    const dir = freshDir();
    const results = await Promise.all(
      ['a', 'b', 'c'].map((user) => runCli(['--tenant', 't', '--user', user, '--dir', dir])),
    );
    const verify = verifierFor(dir);
    for (const result of results) {
      expect(result.code).toBe(0);
      await expect(verify(`Bearer ${result.stdout.trim()}`)).resolves.toMatchObject({ tenantId: 't' });
    }
  });

  it('exits 2 with a usage message and nothing on stdout without --tenant', async () => {
    const dir = freshDir();
    const result = await runCli(['--user', 'alice', '--dir', dir]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('--tenant is required');
    expect(result.stderr).toContain('Usage:');
  });

  it('exits 2 on an out-of-range --minutes', async () => {
    const result = await runCli(['--tenant', 't', '--user', 'u', '--minutes', '5000', '--dir', freshDir()]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('--minutes must be a whole number from 1 to 1440');
  });
});
