import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';

const identityEnv = {
  COSMOS__accountEndpoint: 'https://acct.documents.azure.com:443/',
  SERVICEBUS__fullyQualifiedNamespace: 'ns.servicebus.windows.net',
  BLOB__serviceUri: 'https://acct.blob.core.windows.net',
  AUTH_ISSUER: 'https://login.microsoftonline.com/tid/v2.0',
  AUTH_AUDIENCE: 'api://report-exports',
  AUTH_JWKS_URI: 'https://login.microsoftonline.com/tid/discovery/v2.0/keys',
  CONTINUATION_TOKEN_SECRET: 'a-continuation-token-secret-for-tests',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('reads identity-based connections with defaults for names', () => {
    const config = loadConfig({ ...identityEnv, COSMOS__clientId: 'client-1' });
    expect(config.cosmos).toEqual({
      kind: 'identity',
      endpoint: identityEnv.COSMOS__accountEndpoint,
      clientId: 'client-1',
      databaseName: 'reportexports',
      reportsContainer: 'reports',
      albumsContainer: 'albums',
      ratingsContainer: 'ratings',
    });
    expect(config.serviceBus).toMatchObject({ kind: 'identity', reportRequestsQueue: 'report-requests' });
    expect(config.blob).toMatchObject({ kind: 'identity', reportsContainer: 'reports' });
    expect(config.auth).toEqual({
      issuer: identityEnv.AUTH_ISSUER,
      audience: identityEnv.AUTH_AUDIENCE,
      jwksUri: identityEnv.AUTH_JWKS_URI,
    });
  });

  it('reads connection strings for local stand-ins', () => {
    const {
      COSMOS__accountEndpoint: _c,
      SERVICEBUS__fullyQualifiedNamespace: _s,
      BLOB__serviceUri: _b,
      ...rest
    } = identityEnv;
    const config = loadConfig({
      ...rest,
      COSMOS: 'AccountEndpoint=http://127.0.0.1:8081/;AccountKey=a2V5;',
      SERVICEBUS:
        'Endpoint=sb://127.0.0.1:5672;SharedAccessKeyName=x;SharedAccessKey=y;UseDevelopmentEmulator=true;',
      BLOB: 'UseDevelopmentStorage=true',
    });
    expect(config.cosmos.kind).toBe('connectionString');
    expect(config.serviceBus.kind).toBe('connectionString');
    expect(config.blob).toMatchObject({
      kind: 'connectionString',
      connectionString: 'UseDevelopmentStorage=true',
    });
  });

  it('names every missing setting at once', () => {
    const problems = problemsOf({});
    expect(problems.join('\n')).toContain(
      'COSMOS__accountEndpoint (or COSMOS as a connection string): is required',
    );
    expect(problems.join('\n')).toContain('SERVICEBUS__fullyQualifiedNamespace');
    expect(problems.join('\n')).toContain('BLOB__serviceUri');
    expect(problems).toContain('AUTH_ISSUER: is required');
    expect(problems).toContain('AUTH_AUDIENCE: is required');
  });

  it('requires a continuation-token secret of some length', () => {
    const { CONTINUATION_TOKEN_SECRET: _secret, ...withoutSecret } = identityEnv;
    expect(problemsOf(withoutSecret)).toEqual(['CONTINUATION_TOKEN_SECRET: is required']);
    expect(problemsOf({ ...identityEnv, CONTINUATION_TOKEN_SECRET: 'short' }).join()).toMatch(
      /CONTINUATION_TOKEN_SECRET: must be at least 24 characters/,
    );
    expect(loadConfig(identityEnv).continuationTokenSecret).toBe(identityEnv.CONTINUATION_TOKEN_SECRET);
  });

  it('names malformed settings', () => {
    const problems = problemsOf({
      ...identityEnv,
      COSMOS__accountEndpoint: 'not a url',
      SERVICEBUS_REPORT_REQUESTS_QUEUE: 'Bad_Name',
      AUTH_JWKS_URI: 'ftp://x',
    });
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/COSMOS__accountEndpoint: must be a URL/);
    expect(problems.join('\n')).toMatch(/SERVICEBUS_REPORT_REQUESTS_QUEUE: must be 3-63 lowercase/);
    expect(problems.join('\n')).toMatch(/AUTH_JWKS_URI: must be an http\(s\) URL/);
  });

  it('reads the worker settings, with defaults, and names bad ones', () => {
    expect(loadConfig(identityEnv).worker).toEqual({
      leaseSeconds: 15,
      maxAttempts: 5,
      retryBaseSeconds: 5,
      retryMaxSeconds: 300,
      chunkTargetRows: 100_000,
      chunkMaxCount: 4_000,
      reconcileGraceSeconds: 120,
      maxRedrives: 3,
    });
    expect(
      loadConfig({ ...identityEnv, RECONCILE_GRACE_SECONDS: '60', RECONCILE_MAX_REDRIVES: '0' }).worker,
    ).toMatchObject({ reconcileGraceSeconds: 60, maxRedrives: 0 });
    expect(problemsOf({ ...identityEnv, RECONCILE_GRACE_SECONDS: '1' }).join('\n')).toMatch(
      /RECONCILE_GRACE_SECONDS/,
    );
    // Not shorter than the longest retry delay (5 s doubled up to the 4th retry: 40 s by default), or a
    // report waiting for its retry would be sent again as stranded.
    expect(problemsOf({ ...identityEnv, RECONCILE_GRACE_SECONDS: '40' }).join('\n')).toMatch(
      /RECONCILE_GRACE_SECONDS.*longest retry delay \(40 s/,
    );
    expect(loadConfig({ ...identityEnv, RECONCILE_GRACE_SECONDS: '41' }).worker.reconcileGraceSeconds).toBe(
      41,
    );
    expect(
      problemsOf({ ...identityEnv, RECONCILE_GRACE_SECONDS: '100', WORKER_MAX_ATTEMPTS: '10' }).join('\n'),
    ).toMatch(/longest retry delay \(300 s/);
    expect(
      loadConfig({ ...identityEnv, RECONCILE_GRACE_SECONDS: '10', WORKER_RETRY_MAX_SECONDS: '5' }).worker,
    ).toMatchObject({ reconcileGraceSeconds: 10 });
    expect(
      loadConfig({ ...identityEnv, WORKER_LEASE_SECONDS: '20', WORKER_RETRY_BASE_SECONDS: '0.5' }).worker,
    ).toMatchObject({ leaseSeconds: 20, retryBaseSeconds: 0.5 });
    expect(
      loadConfig({ ...identityEnv, EXPORT_CHUNK_TARGET_ROWS: '5000', EXPORT_CHUNK_MAX_COUNT: '10' }).worker,
    ).toMatchObject({ chunkTargetRows: 5000, chunkMaxCount: 10 });
    expect(problemsOf({ ...identityEnv, EXPORT_CHUNK_TARGET_ROWS: '10' }).join('\n')).toMatch(
      /EXPORT_CHUNK_TARGET_ROWS/,
    );
    const problems = problemsOf({ ...identityEnv, WORKER_LEASE_SECONDS: '2', WORKER_MAX_ATTEMPTS: 'many' });
    expect(problems.join('\n')).toMatch(/WORKER_LEASE_SECONDS/);
    expect(problems.join('\n')).toMatch(/WORKER_MAX_ATTEMPTS/);
  });

  it('reads the per-user and per-tenant limits, with defaults, and names bad ones', () => {
    expect(loadConfig(identityEnv).limits).toEqual({
      userMaxActiveReports: 20,
      tenantMaxActiveExports: 4,
      tenantChunkWindow: 4,
      tenantDeferSeconds: 2,
    });
    expect(
      loadConfig({
        ...identityEnv,
        USER_MAX_ACTIVE_REPORTS: '5',
        TENANT_MAX_ACTIVE_EXPORTS: '0',
        TENANT_CHUNK_WINDOW: '0',
      }).limits,
    ).toMatchObject({ userMaxActiveReports: 5, tenantMaxActiveExports: 0, tenantChunkWindow: 0 });
    const problems = problemsOf({
      ...identityEnv,
      USER_MAX_ACTIVE_REPORTS: '0',
      TENANT_MAX_ACTIVE_EXPORTS: '-1',
      TENANT_CHUNK_WINDOW: 'wide',
    });
    expect(problems.join('\n')).toMatch(/USER_MAX_ACTIVE_REPORTS/);
    expect(problems.join('\n')).toMatch(/TENANT_MAX_ACTIVE_EXPORTS/);
    expect(problems.join('\n')).toMatch(/TENANT_CHUNK_WINDOW/);
  });

  it('treats empty values as unset', () => {
    expect(problemsOf({ ...identityEnv, AUTH_ISSUER: '  ' }).join()).toContain('AUTH_ISSUER');
  });

  it('reads AUTH_REQUIRED_SCOPE as one scope name, unset by default', () => {
    expect(loadConfig(identityEnv).auth).not.toHaveProperty('requiredScope');
    expect(loadConfig({ ...identityEnv, AUTH_REQUIRED_SCOPE: ' Reports.Export ' }).auth.requiredScope).toBe(
      'Reports.Export',
    );
    for (const bad of ['Reports.Export Reports.Read', 'a"b', 'api://report-exports/Reports.Export']) {
      expect(problemsOf({ ...identityEnv, AUTH_REQUIRED_SCOPE: bad }).join(), bad).toMatch(
        /^AUTH_REQUIRED_SCOPE: must be/,
      );
    }
  });

  it('requires a JWKS source, and never trusts the local development key in Azure', () => {
    const { AUTH_JWKS_URI: _j, ...withoutJwks } = identityEnv;
    expect(problemsOf(withoutJwks).join()).toContain('AUTH_JWKS_URI: is required');
    expect(loadConfig({ ...withoutJwks, AUTH_DEV_JWKS_PATH: '.local/dev-jwks.json' }).auth.devJwksPath).toBe(
      '.local/dev-jwks.json',
    );
    const inAzure = problemsOf({
      ...identityEnv,
      AUTH_DEV_JWKS_PATH: '.local/dev-jwks.json',
      WEBSITE_SITE_NAME: 'app',
    });
    expect(inAzure.join()).toContain(
      'AUTH_DEV_JWKS_PATH: the local development key is never trusted in Azure',
    );
  });
});
