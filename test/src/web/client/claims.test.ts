import { describe, expect, it } from 'vitest';
import { issueDevToken } from '../../../../dev/token';
import { isExpired, readClaims } from '../../../../src/web/client/claims';

describe('readClaims', () => {
  it('reads the user, tenant, roles and expiry of a development token', async () => {
    const token = await issueDevToken({
      tenantId: 'contoso',
      userId: 'alice',
      admin: true,
      minutes: 5,
      dir: process.env.REPORT_EXPORTS_TEST_LOCAL_DIR,
    });
    const claims = readClaims(token);
    expect(claims).toMatchObject({ name: 'alice', tenantId: 'contoso', roles: ['Reports.Admin'] });
    expect(claims && isExpired(claims)).toBe(false);
    expect(claims && isExpired(claims, Date.now() + 5 * 60_000)).toBe(true);
  });

  it('refuses what is not a JWT', () => {
    expect(readClaims('not a token')).toBeUndefined();
    expect(readClaims('a.b.c')).toBeUndefined();
    expect(readClaims(`x.${Buffer.from('"text"').toString('base64url')}.y`)).toBeUndefined();
  });

  it('decodes non-ASCII names', () => {
    const payload = Buffer.from(JSON.stringify({ name: 'Zoë Ångström', exp: 1 })).toString('base64url');
    expect(readClaims(`h.${payload}.s`)).toMatchObject({ name: 'Zoë Ångström', expiresAt: 1, roles: [] });
  });
});
