// The web page's settings in src/config.ts (WEB_AUTH_*).
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config';

const env = {
  COSMOS__accountEndpoint: 'https://acct.documents.azure.com:443/',
  SERVICEBUS__fullyQualifiedNamespace: 'ns.servicebus.windows.net',
  BLOB__serviceUri: 'https://acct.blob.core.windows.net',
  AUTH_ISSUER: 'https://login.microsoftonline.com/tid-1/v2.0',
  AUTH_AUDIENCE: 'api://report-exports',
  AUTH_JWKS_URI: 'https://login.microsoftonline.com/tid-1/discovery/v2.0/keys',
  CONTINUATION_TOKEN_SECRET: 'a-continuation-token-secret-for-tests',
};

function problemsOf(settings: Record<string, string>): string[] {
  try {
    loadConfig(settings);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('web sign-in settings', () => {
  it('are off by default (empty values count as unset)', () => {
    expect(loadConfig(env).web).toEqual({});
    expect(
      loadConfig({ ...env, WEB_AUTH_CLIENT_ID: '', WEB_AUTH_AUTHORITY: '', WEB_AUTH_SCOPE: '' }).web,
    ).toEqual({});
  });

  it("default the authority to AUTH_ISSUER's tenant and the scope to the API audience", () => {
    expect(loadConfig({ ...env, WEB_AUTH_CLIENT_ID: 'spa-1' }).web).toEqual({
      entra: {
        clientId: 'spa-1',
        authority: 'https://login.microsoftonline.com/tid-1',
        scope: 'api://report-exports/.default',
      },
    });
  });

  it('take an explicit authority and scope', () => {
    const web = loadConfig({
      ...env,
      WEB_AUTH_CLIENT_ID: 'spa-1',
      WEB_AUTH_AUTHORITY: 'https://login.microsoftonline.com/organizations/',
      WEB_AUTH_SCOPE: 'api://report-exports/Reports.Export',
    }).web;
    expect(web.entra).toMatchObject({
      authority: 'https://login.microsoftonline.com/organizations',
      scope: 'api://report-exports/Reports.Export',
    });
  });

  it('name what is wrong', () => {
    expect(problemsOf({ ...env, WEB_AUTH_AUTHORITY: 'http://login.example/tid' })).toEqual([
      'WEB_AUTH_AUTHORITY: must be an https URL',
    ]);
    expect(problemsOf({ ...env, WEB_AUTH_SCOPE: 'api://x/.default' })).toEqual([
      'WEB_AUTH_SCOPE: only applies with WEB_AUTH_CLIENT_ID; set that too, or remove it',
    ]);
    expect(
      problemsOf({ ...env, AUTH_ISSUER: 'https://sts.windows.net/tid-1/', WEB_AUTH_CLIENT_ID: 'spa-1' }),
    ).toEqual(['WEB_AUTH_AUTHORITY: is required when AUTH_ISSUER is not an Entra ID v2.0 issuer']);
  });
});
