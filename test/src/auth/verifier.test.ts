import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as JoseModule from 'jose' with { 'resolution-mode': 'import' };
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEV_AUDIENCE, DEV_ISSUER, ensureDevSigningKey, issueDevToken } from '../../../dev/token';
import { createTokenVerifier, grantsScope, type Principal } from '../../../src/auth/verifier';
import { AuthError, InsufficientScopeError } from '../../../src/domain/errors';

type Jose = typeof JoseModule;

let jose: Jose;
let dir: string;
let jwksPath: string;
let verify: (header: string | null | undefined) => Promise<Principal>;

const now = (): number => Math.floor(Date.now() / 1000);

/** Signs arbitrary claims with the dev key (or another key), for tokens issueDevToken won't make. */
async function sign(
  claims: Record<string, unknown>,
  options: {
    key?: Awaited<ReturnType<Jose['generateKeyPair']>>['privateKey'];
    kid?: string;
    alg?: string;
    secret?: Uint8Array;
  } = {},
): Promise<string> {
  const privateJwk = JSON.parse(await readFile(join(dir, 'dev-signing-key.json'), 'utf8')) as { kid: string };
  const alg = options.alg ?? 'ES256';
  const key = options.secret ?? options.key ?? (await jose.importJWK(privateJwk, 'ES256'));
  return new jose.SignJWT(claims)
    .setProtectedHeader({ alg, typ: 'JWT', kid: options.kid ?? privateJwk.kid })
    .sign(key);
}

function standardClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: DEV_ISSUER,
    aud: DEV_AUDIENCE,
    tid: 'contoso',
    oid: 'alice',
    sub: 'alice-sub',
    roles: [],
    iat: now(),
    exp: now() + 600,
    ...overrides,
  };
}

async function authErrorOf(promise: Promise<unknown>): Promise<AuthError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuthError);
  return error as AuthError;
}

beforeAll(async () => {
  jose = await import('jose');
  dir = mkdtempSync(join(tmpdir(), 'verifier-test-'));
  ({ jwksPath } = await ensureDevSigningKey(dir));
  verify = createTokenVerifier({ issuer: DEV_ISSUER, audience: DEV_AUDIENCE, devJwksPath: jwksPath });
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('createTokenVerifier with the development JWKS', () => {
  it('accepts a dev token and yields tenant, user (oid) and admin role', async () => {
    const token = await issueDevToken({ tenantId: 'contoso', userId: 'alice', admin: true, dir });
    await expect(verify(`Bearer ${token}`)).resolves.toEqual({
      tenantId: 'contoso',
      userId: 'alice',
      roles: ['Reports.Admin'],
      isAdmin: true,
    });
  });

  it('keeps other roles and is not admin without Reports.Admin', async () => {
    const token = await issueDevToken({ tenantId: 't1', userId: 'bob', roles: ['Reports.Reader', 'x'], dir });
    await expect(verify(`Bearer ${token}`)).resolves.toEqual({
      tenantId: 't1',
      userId: 'bob',
      roles: ['Reports.Reader', 'x'],
      isAdmin: false,
    });
  });

  it('accepts the scheme case-insensitively', async () => {
    const token = await issueDevToken({ tenantId: 'contoso', userId: 'alice', dir });
    await expect(verify(`bearer ${token}`)).resolves.toMatchObject({ userId: 'alice' });
  });

  it('uses sub as the user when there is no oid, and treats a missing roles claim as none', async () => {
    const token = await sign(standardClaims({ oid: undefined, roles: undefined, sub: 'carol' }));
    await expect(verify(`Bearer ${token}`)).resolves.toEqual({
      tenantId: 'contoso',
      userId: 'carol',
      roles: [],
      isAdmin: false,
    });
  });

  it('tolerates a little clock skew on exp', async () => {
    const token = await sign(standardClaims({ iat: now() - 600, exp: now() - 20 }));
    await expect(verify(`Bearer ${token}`)).resolves.toMatchObject({ userId: 'alice' });
  });

  it.each([null, undefined, '', '   '])(
    'refuses a missing header (%j) without an error code',
    async (header) => {
      const error = await authErrorOf(verify(header));
      expect(error.reason).toBe('missing Authorization header');
      expect(error.missingCredentials).toBe(true);
      expect(error.wwwAuthenticate).toBe('Bearer');
    },
  );

  it('refuses the Basic scheme', async () => {
    const error = await authErrorOf(verify('Basic YWxpY2U6c2VjcmV0'));
    expect(error.reason).toBe('Authorization header must use the Bearer scheme');
    expect(error.wwwAuthenticate).toBe(
      'Bearer error="invalid_token", error_description="Authorization header must use the Bearer scheme"',
    );
  });

  it.each(['Bearer', 'Bearer   ', 'Bearer a b', 'Bearer "quoted"'])(
    'refuses a malformed header: %j',
    async (h) => {
      expect((await authErrorOf(verify(h))).reason).toMatch(/Bearer scheme|malformed bearer token/);
    },
  );

  it.each(['garbage', 'a.b.c', 'eyJ.eyJ.c2ln'])('refuses garbage: %s', async (token) => {
    const error = await authErrorOf(verify(`Bearer ${token}`));
    expect(error.reason).toBe('token is malformed');
    expect(error.message).not.toContain(token);
  });

  it('refuses an expired token', async () => {
    const token = await sign(standardClaims({ iat: now() - 7200, exp: now() - 3600 }));
    const error = await authErrorOf(verify(`Bearer ${token}`));
    expect(error.reason).toBe('token has expired');
    expect(error.wwwAuthenticate).toBe('Bearer error="invalid_token", error_description="token has expired"');
  });

  it('refuses a token without exp', async () => {
    const token = await sign(standardClaims({ exp: undefined }));
    expect((await authErrorOf(verify(`Bearer ${token}`))).reason).toBe('token has no valid expiry');
  });

  it('refuses a token that is not valid yet', async () => {
    const token = await sign(standardClaims({ nbf: now() + 3600 }));
    expect((await authErrorOf(verify(`Bearer ${token}`))).reason).toBe('token is not valid yet');
  });

  it('refuses the wrong audience', async () => {
    const token = await issueDevToken({ tenantId: 'contoso', userId: 'alice', audience: 'api://other', dir });
    expect((await authErrorOf(verify(`Bearer ${token}`))).reason).toBe('token audience is not accepted');
  });

  it('refuses the wrong issuer', async () => {
    const token = await issueDevToken({
      tenantId: 'contoso',
      userId: 'alice',
      issuer: 'https://evil.invalid',
      dir,
    });
    expect((await authErrorOf(verify(`Bearer ${token}`))).reason).toBe('token issuer is not accepted');
  });

  it('refuses a token signed by another key claiming the JWKS kid', async () => {
    const { privateKey } = await jose.generateKeyPair('ES256');
    const token = await sign(standardClaims(), { key: privateKey });
    expect((await authErrorOf(verify(`Bearer ${token}`))).reason).toBe('token signature is invalid');
  });

  it('refuses a token signed by another key with its own kid', async () => {
    const { privateKey } = await jose.generateKeyPair('ES256');
    const token = await sign(standardClaims(), { key: privateKey, kid: 'someone-else' });
    expect((await authErrorOf(verify(`Bearer ${token}`))).reason).toBe('token signing key is not recognised');
  });

  it('says what to do in a sentence: a local token comes from npm run token with the same LOCAL_DATA_DIR', async () => {
    const { privateKey } = await jose.generateKeyPair('ES256');
    const token = await sign(standardClaims(), { key: privateKey, kid: 'someone-else' });
    const error = await authErrorOf(verify(`Bearer ${token}`));
    expect(error.detail).toMatch(/^Token signing key is not recognised\. It was signed with another key /);
    expect(error.detail).toContain('same LOCAL_DATA_DIR as `npm start`');
    const missing = await authErrorOf(verify(undefined));
    expect(missing.hint).toContain('npm run token');
  });

  it('refuses algorithms other than RS256/ES256 (HS256 with a guessed secret)', async () => {
    const token = await sign(standardClaims(), {
      alg: 'HS256',
      secret: new TextEncoder().encode('x'.repeat(32)),
    });
    expect((await authErrorOf(verify(`Bearer ${token}`))).reason).toBe(
      'token signing algorithm is not accepted',
    );
  });

  it('refuses an unsigned (alg none) token', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify(standardClaims())).toString('base64url');
    const error = await authErrorOf(verify(`Bearer ${header}.${payload}.`));
    expect(error.reason).toBe('token signing algorithm is not accepted');
  });

  it('refuses a token without tid', async () => {
    const token = await sign(standardClaims({ tid: undefined }));
    expect((await authErrorOf(verify(`Bearer ${token}`))).reason).toBe('token has no tid (tenant) claim');
  });

  it('refuses a token without oid and sub', async () => {
    const token = await sign(standardClaims({ oid: undefined, sub: undefined }));
    expect((await authErrorOf(verify(`Bearer ${token}`))).reason).toBe(
      'token has no oid or sub (user) claim',
    );
  });

  it('refuses malformed tid and roles claims', async () => {
    const badTid = await sign(standardClaims({ tid: 42 }));
    expect((await authErrorOf(verify(`Bearer ${badTid}`))).reason).toBe('token tid claim is invalid');
    const badRoles = await sign(standardClaims({ roles: 'Reports.Admin' }));
    expect((await authErrorOf(verify(`Bearer ${badRoles}`))).reason).toBe('token roles claim is invalid');
  });

  it('accepts GUIDs, base64url subjects and readable local ids as identities', async () => {
    const tid = '72f988bf-86f1-41af-91ab-2d7cd011db47';
    const sub = 'AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ';
    const principal = await verify(`Bearer ${await sign(standardClaims({ tid, oid: undefined, sub }))}`);
    expect(principal).toMatchObject({ tenantId: tid, userId: sub });
    expect(
      await verify(`Bearer ${await sign(standardClaims({ tid: 'contoso_dev-1', oid: 'alice' }))}`),
    ).toMatchObject({ tenantId: 'contoso_dev-1', userId: 'alice' });
  });

  it.each([
    ['tid', '../contoso'],
    ['tid', 'a/b'],
    ['tid', 'contoso.com'],
    ['tid', 'x'.repeat(129)],
    ['oid', 'alice\\bob'],
    ['oid', 'ali%2Fce'],
    ['sub', 'alice bob'],
  ])('refuses a %s claim of %j that is not a safe identifier', async (claim, value) => {
    const overrides = claim === 'sub' ? { oid: undefined, sub: value } : { [claim]: value };
    const token = await sign(standardClaims(overrides));
    expect((await authErrorOf(verify(`Bearer ${token}`))).reason).toBe(
      `token ${claim} claim is not an accepted identifier`,
    );
  });

  it('refuses an unacceptable oid even when sub would be acceptable', async () => {
    const token = await sign(standardClaims({ oid: '../alice', sub: 'alice' }));
    expect((await authErrorOf(verify(`Bearer ${token}`))).reason).toBe(
      'token oid claim is not an accepted identifier',
    );
  });

  it('keeps reasons free of quotes and backslashes', () => {
    const error = new AuthError('bad "x" \\ y\n');
    expect(error.reason).toBe('bad ?x? ? y?');
  });
});

describe('createTokenVerifier with a required scope', () => {
  const SCOPE = 'Reports.Export';
  let verifyScoped: (header: string | null | undefined) => Promise<Principal>;

  beforeAll(() => {
    verifyScoped = createTokenVerifier({
      issuer: DEV_ISSUER,
      audience: DEV_AUDIENCE,
      devJwksPath: jwksPath,
      requiredScope: SCOPE,
    });
  });

  async function scopeErrorOf(promise: Promise<unknown>): Promise<InsufficientScopeError> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InsufficientScopeError);
    return error as InsufficientScopeError;
  }

  it('accepts the scope among the delegated scopes in scp', async () => {
    const token = await sign(standardClaims({ scp: `User.Read ${SCOPE}  openid` }));
    await expect(verifyScoped(`Bearer ${token}`)).resolves.toEqual({
      tenantId: 'contoso',
      userId: 'alice',
      roles: [],
      isAdmin: false,
    });
  });

  it('accepts an app role of the same name (application permission) without scp', async () => {
    const token = await sign(standardClaims({ roles: [SCOPE] }));
    await expect(verifyScoped(`Bearer ${token}`)).resolves.toMatchObject({ roles: [SCOPE] });
  });

  it.each([
    ['no scp and no roles', { roles: undefined }],
    ['other scopes only', { scp: 'User.Read Reports.Read' }],
    ['the scope in another case', { scp: 'reports.export' }],
    ['a longer scope that contains it', { scp: `${SCOPE}.All` }],
    ['only the admin role', { roles: ['Reports.Admin'] }],
  ])('refuses a valid token with %s as insufficient scope', async (_name, claims) => {
    const error = await scopeErrorOf(verifyScoped(`Bearer ${await sign(standardClaims(claims))}`));
    expect(error.requiredScope).toBe(SCOPE);
  });

  it('still refuses an invalid token with an AuthError (401) first, scope or not', async () => {
    const expired = await sign(standardClaims({ scp: SCOPE, iat: now() - 7200, exp: now() - 3600 }));
    expect((await authErrorOf(verifyScoped(`Bearer ${expired}`))).reason).toBe('token has expired');
    const otherAudience = await sign(standardClaims({ roles: [SCOPE], aud: 'api://other' }));
    expect((await authErrorOf(verifyScoped(`Bearer ${otherAudience}`))).reason).toBe(
      'token audience is not accepted',
    );
    expect((await authErrorOf(verifyScoped(undefined))).missingCredentials).toBe(true);
  });

  it('refuses a scp claim that is not a string', async () => {
    const token = await sign(standardClaims({ scp: [SCOPE] }));
    expect((await authErrorOf(verifyScoped(`Bearer ${token}`))).reason).toBe('token scp claim is invalid');
  });

  it('checks no scope without the setting', async () => {
    const token = await sign(standardClaims({ scp: 'User.Read' }));
    await expect(verify(`Bearer ${token}`)).resolves.toMatchObject({ userId: 'alice' });
  });

  it('grantsScope looks at scopes and roles, exactly', () => {
    expect(grantsScope({ scopes: [SCOPE], roles: [] }, SCOPE)).toBe(true);
    expect(grantsScope({ scopes: [], roles: [SCOPE] }, SCOPE)).toBe(true);
    expect(grantsScope({ scopes: ['Reports'], roles: ['Export'] }, SCOPE)).toBe(false);
  });
});

describe('createTokenVerifier key loading', () => {
  it('fails with a clear server-side error (not an AuthError) when the dev JWKS file is missing', async () => {
    const missing = join(dir, 'nope', 'dev-jwks.json');
    const verifyMissing = createTokenVerifier({
      issuer: DEV_ISSUER,
      audience: DEV_AUDIENCE,
      devJwksPath: missing,
    });
    const token = await issueDevToken({ tenantId: 'contoso', userId: 'alice', dir });
    const error = await verifyMissing(`Bearer ${token}`).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(AuthError);
    expect((error as Error).message).toMatch(/Development JWKS file .*nope.* cannot be read \(ENOENT\)/);
  });

  it('fails clearly on a malformed dev JWKS file, and reads it again on the next request', async () => {
    const path = join(dir, 'broken-jwks.json');
    writeFileSync(path, '{ not json');
    const verifyBroken = createTokenVerifier({
      issuer: DEV_ISSUER,
      audience: DEV_AUDIENCE,
      devJwksPath: path,
    });
    const token = await issueDevToken({ tenantId: 'contoso', userId: 'alice', dir });
    await expect(verifyBroken(`Bearer ${token}`)).rejects.toThrow(/is not valid JSON/);
    writeFileSync(path, '{"keys": "nope"}');
    await expect(verifyBroken(`Bearer ${token}`)).rejects.toThrow(/is not a JSON Web Key Set/);
    writeFileSync(path, await readFile(jwksPath, 'utf8'));
    await expect(verifyBroken(`Bearer ${token}`)).resolves.toMatchObject({ tenantId: 'contoso' });
  });

  it('rejects a missing header before touching the key set', async () => {
    const verifyMissing = createTokenVerifier({
      issuer: DEV_ISSUER,
      audience: DEV_AUDIENCE,
      devJwksPath: '/nope',
    });
    await authErrorOf(verifyMissing(undefined));
  });
});

describe('createTokenVerifier with a remote JWKS', () => {
  let server: Server;
  let baseUrl: string;
  let requests = 0;

  beforeAll(async () => {
    const jwks = await readFile(jwksPath, 'utf8');
    server = createServer((req, res) => {
      requests++;
      if (req.url === '/keys') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
      } else {
        res.writeHead(500).end('boom');
      }
    });
    await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
  });

  it('verifies tokens against keys fetched from jwksUri (fetched once)', async () => {
    const verifyRemote = createTokenVerifier({
      issuer: DEV_ISSUER,
      audience: DEV_AUDIENCE,
      jwksUri: `${baseUrl}/keys`,
    });
    const before = requests;
    const admin = await issueDevToken({ tenantId: 'fabrikam', userId: 'dave', admin: true, dir });
    await expect(verifyRemote(`Bearer ${admin}`)).resolves.toEqual({
      tenantId: 'fabrikam',
      userId: 'dave',
      roles: ['Reports.Admin'],
      isAdmin: true,
    });
    const user = await issueDevToken({ tenantId: 'fabrikam', userId: 'erin', dir });
    await expect(verifyRemote(`Bearer ${user}`)).resolves.toMatchObject({ userId: 'erin', isAdmin: false });
    expect(requests - before).toBe(1);

    const { privateKey } = await jose.generateKeyPair('ES256');
    const forged = await sign(standardClaims(), { key: privateKey });
    expect((await authErrorOf(verifyRemote(`Bearer ${forged}`))).reason).toBe('token signature is invalid');
  });

  it('reports an unusable remote JWKS as a server-side error, not an AuthError', async () => {
    const verifyRemote = createTokenVerifier({
      issuer: DEV_ISSUER,
      audience: DEV_AUDIENCE,
      jwksUri: `${baseUrl}/broken`,
    });
    const token = await issueDevToken({ tenantId: 'fabrikam', userId: 'dave', dir });
    const error = await verifyRemote(`Bearer ${token}`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(AuthError);
  });
});
