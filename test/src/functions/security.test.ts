// Attacks through the HTTP API, end to end through the local host against the stand-ins: identities
// that try to name paths, continuation tokens re-tagged by the client, and the headers every answer
// carries. Tokens are real ones, signed with the local development key.
import { createHash, randomUUID } from 'node:crypto';
import type { Container, CosmosClient } from '@azure/cosmos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpOnly, startAppHost, type AppHost } from '../../support/app-host';
import { issueDevToken } from '../../../dev/token';
import { testCosmosClient } from '../../support/clients';

let host: AppHost;
let cosmos: CosmosClient;
let container: Container;

const devDir = process.env.REPORT_EXPORTS_TEST_LOCAL_DIR;
const token = (tenantId: string, userId: string): Promise<string> =>
  issueDevToken({ tenantId, userId, ...(devDir ? { dir: devDir } : {}) });

async function call(
  method: string,
  path: string,
  as?: string,
  body?: unknown,
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const response = await fetch(`${host.url}${path}`, {
    method,
    headers: {
      ...(as ? { authorization: `Bearer ${as}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const json =
    response.headers.get('content-type')?.includes('json') && text ? (JSON.parse(text) as unknown) : {};
  return { status: response.status, headers: response.headers, body: json as Record<string, unknown> };
}

async function countDocs(tenantId: string): Promise<number> {
  const { resources } = await container.items
    .query<number>({
      query: 'SELECT VALUE COUNT(1) FROM c WHERE c.tenantId = @t',
      parameters: [{ name: '@t', value: tenantId }],
    })
    .fetchAll();
  return resources[0] ?? 0;
}

let range = 0;
const params = () => {
  range++;
  return { fromDate: `2021-01-${String(range).padStart(2, '0')}`, toDate: '2024-12-31' };
};

beforeAll(async () => {
  cosmos = testCosmosClient();
  container = cosmos.database('reportexports').container('reports');
  // The HTTP functions only: nothing relays or exports what these tests create.
  host = await startAppHost({
    only: httpOnly,
    log: () => undefined,
  });
});

afterAll(async () => {
  await host?.stop();
  cosmos?.dispose();
});

describe('identities from tokens', () => {
  const victim = `fabrikam-${randomUUID()}`;

  it.each([
    ['a tenant that climbs into another tenant', { tenantId: `../reports/${victim}`, userId: 'mallory' }],
    ['a tenant that climbs out of the container', { tenantId: '../contoso', userId: 'mallory' }],
    ['a tenant with a slash', { tenantId: `${victim}/x`, userId: 'mallory' }],
    ['a tenant with percent-encoding', { tenantId: `${victim}%2F..`, userId: 'mallory' }],
    ['a tenant with a dot', { tenantId: 'contoso.com', userId: 'mallory' }],
    ['a tenant with non-ASCII letters', { tenantId: 'contosö', userId: 'mallory' }],
    ['a user that climbs', { tenantId: victim, userId: '../alice' }],
    ['a user with a space', { tenantId: victim, userId: 'mallory x' }],
  ])('refuses %s with a 401 problem, and writes nothing', async (_what, identity) => {
    const bearer = await token(identity.tenantId, identity.userId);
    const response = await call('POST', '/api/reports/popularity', bearer, {
      format: 'csv',
      parameters: params(),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    expect(response.body.detail).toMatch(/^Token (tid|oid) claim is not an accepted identifier\. /);
    expect((await call('GET', '/api/reports', bearer)).status).toBe(401);
    expect(await countDocs(identity.tenantId)).toBe(0);
    expect(await countDocs(victim)).toBe(0);
  });

  it('accepts Entra ids (GUIDs) and readable local ids', async () => {
    for (const identity of [
      { tenantId: randomUUID(), userId: randomUUID() },
      { tenantId: `contoso_${randomUUID().slice(0, 8)}`, userId: 'alice' },
    ]) {
      const response = await call(
        'POST',
        '/api/reports/popularity',
        await token(identity.tenantId, identity.userId),
        {
          format: 'csv',
          parameters: params(),
        },
      );
      expect(response.status, JSON.stringify(response.body)).toBe(202);
    }
  });
});

describe('continuation tokens', () => {
  const tenantId = randomUUID();
  let bearer: string;
  let first: string;

  beforeAll(async () => {
    bearer = await token(tenantId, 'alice');
    for (let i = 0; i < 3; i++) {
      const created = await call('POST', '/api/reports/popularity', bearer, {
        format: 'csv',
        parameters: params(),
      });
      expect(created.status).toBe(202);
    }
    const page = await call('GET', '/api/reports?pageSize=1', bearer);
    expect(page.status).toBe(200);
    first = String(page.body.continuationToken);
  });

  const decode = (raw: string) =>
    JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as { q: string; c: string };
  const encode = (token: { q: string; c: string }) =>
    Buffer.from(JSON.stringify(token)).toString('base64url');
  /** A tag anyone can compute: a plain SHA-256 over the query and the inner token, both known to the client. */
  const unkeyedTag = (c: string) => {
    const query = createHash('sha256')
      .update(JSON.stringify([tenantId, 'alice', null, null, 1]))
      .digest('base64url')
      .slice(0, 16);
    return createHash('sha256').update(`${query}\n${c}`).digest('base64url').slice(0, 22);
  };

  it('pages on with the token it issued', async () => {
    const next = await call('GET', `/api/reports?pageSize=1&continuationToken=${first}`, bearer);
    expect(next.status).toBe(200);
    expect(next.body.items).toHaveLength(1);
  });

  it('answers 400 for a token the client tagged itself, edited or not', async () => {
    const { c } = decode(first);
    const edited = c.replace(/\d/, (d) => String((Number(d) + 1) % 10));
    for (const forged of [encode({ q: unkeyedTag(c), c }), encode({ q: unkeyedTag(edited), c: edited })]) {
      const response = await call('GET', `/api/reports?pageSize=1&continuationToken=${forged}`, bearer);
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(response.body.errors).toHaveProperty('continuationToken');
    }
  });

  it('answers 400 for an issued token whose tag was changed', async () => {
    const token = decode(first);
    const flipped = `${token.q.slice(0, -1)}${token.q.endsWith('A') ? 'B' : 'A'}`;
    const response = await call(
      'GET',
      `/api/reports?pageSize=1&continuationToken=${encode({ ...token, q: flipped })}`,
      bearer,
    );
    expect(response.status).toBe(400);
  });
});

describe('response headers', () => {
  it('sends X-Content-Type-Options: nosniff and the correlation id on every API answer', async () => {
    const bearer = await token(randomUUID(), 'alice');
    const answers = [
      await call('GET', '/api/report-types', bearer),
      await call('GET', '/api/reports', bearer),
      await call('GET', `/api/reports/${randomUUID()}`, bearer),
      await call('GET', '/api/reports'),
      await call('POST', '/api/reports/popularity', bearer, { format: 'csv', parameters: params() }),
      await call('POST', '/api/reports/nope', bearer, { format: 'csv', parameters: params() }),
      await call('GET', '/api/health'),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 404, 401, 202, 400, expect.any(Number)]);
    for (const answer of answers) {
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(answer.headers.get('x-correlation-id')).toMatch(/\S/);
    }
  });

  it('keeps the web page on its Content-Security-Policy', async () => {
    const page = await fetch(`${host.url}/api/web/`);
    await page.arrayBuffer();
    expect(page.headers.get('content-security-policy')).toMatch(/default-src/);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('keeps problem bodies free of stack traces and SDK text', async () => {
    const bearer = await token(randomUUID(), 'alice');
    const problems = [
      await call('GET', '/api/reports?pageSize=1&continuationToken=AAAA', bearer),
      await call('POST', '/api/reports/popularity', bearer, { format: 'nope', parameters: {} }),
      await call('GET', `/api/reports/${randomUUID()}/download`, bearer),
    ];
    for (const problem of problems) {
      const text = JSON.stringify(problem.body);
      expect(text).not.toMatch(/\bat .+\(.+:\d+:\d+\)|node_modules|Error:|RequestId|ActivityId/);
    }
  });
});
