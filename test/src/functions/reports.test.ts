// The report API end to end through the local host, against the real stand-ins: create with the
// transactional outbox, idempotency, duplicates, validation, auth and tenancy, history, cancel.
import { randomUUID } from 'node:crypto';
import type { Container, CosmosClient } from '@azure/cosmos';
import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCosmosClient } from '../../support/clients';
import { apiAndRelayOnly, startAppHost, type AppHost } from '../../support/app-host';
import { issueDevToken } from '../../../dev/token';
import { contractValidator } from '../../support/openapi-validator';

let host: AppHost;
let cosmos: CosmosClient;
let container: Container;

const tenant = `t-${randomUUID()}`;
const otherTenant = `t-${randomUUID()}`;
const tokens: Record<string, string> = {};

async function token(tenantId: string, userId: string, admin = false): Promise<string> {
  const key = `${tenantId}/${userId}/${admin}`;
  tokens[key] ??= await issueDevToken({
    tenantId,
    userId,
    admin,
    ...(process.env.REPORT_EXPORTS_TEST_LOCAL_DIR ? { dir: process.env.REPORT_EXPORTS_TEST_LOCAL_DIR } : {}),
  });
  return tokens[key];
}

async function call(
  method: string,
  path: string,
  options: { as?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.as) headers.authorization = `Bearer ${options.as}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  const response = await fetch(`${host.url}${path}`, {
    method,
    redirect: 'manual',
    headers,
    ...(body !== undefined ? { body } : {}),
  });
  const text = await response.text();
  contractValidator().check({ method, url: path, status: response.status, headers: response.headers, text });
  return {
    status: response.status,
    headers: response.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

async function docsOf(
  tenantId: string,
): Promise<{ id: string; kind: string; reportId?: string; correlationId?: string }[]> {
  const { resources } = await container.items
    .query<{ id: string; kind: string; reportId?: string; correlationId?: string }>({
      query: 'SELECT c.id, c.kind, c.reportId, c.correlationId FROM c WHERE c.tenantId = @t',
      parameters: [{ name: '@t', value: tenantId }],
    })
    .fetchAll();
  return resources;
}

let range = 0;
/** A fresh, valid parameter set each call, so reports do not collide as active duplicates. */
function params(): { fromDate: string; toDate: string } {
  range++;
  const day = String((range % 28) + 1).padStart(2, '0');
  const month = String((Math.floor(range / 28) % 12) + 1).padStart(2, '0');
  return { fromDate: `2020-${month}-${day}`, toDate: `2024-${month}-${day}` };
}

beforeAll(async () => {
  cosmos = testCosmosClient();
  container = cosmos.database('reportexports').container('reports');
  host = await startAppHost({ only: apiAndRelayOnly });
});

afterAll(async () => {
  await host?.stop();
  cosmos?.dispose();
});

describe('the active-report quota', () => {
  it('accepts USER_MAX_ACTIVE_REPORTS (20) active reports of a user, then answers 429 and stores nothing', async () => {
    const quotaTenant = `t-${randomUUID()}`;
    const alice = await token(quotaTenant, 'alice');
    const admin = await token(quotaTenant, 'boss', true);
    const limits = await call('GET', '/api/limits', { as: admin });
    expect(limits.status).toBe(200);
    expect(limits.body).toEqual({ userMaxActiveReports: 20, activeReports: 0, tenantMaxActiveExports: 4 });

    // No worker runs here: every accepted report stays Pending.
    for (let i = 0; i < 20; i++) {
      const accepted = await call('POST', '/api/reports/popularity', {
        as: alice,
        body: { parameters: params() },
      });
      expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    }
    expect((await call('GET', '/api/limits', { as: alice })).body).toMatchObject({ activeReports: 20 });
    const refused = await call('POST', '/api/reports/ratings', { as: alice, body: { parameters: params() } });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toBe('application/problem+json');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.body).toMatchObject({ status: 429, limit: 20, activeReports: 20 });
    // 20 reports and their 20 outbox documents, nothing of the refused request.
    expect(await docsOf(quotaTenant)).toHaveLength(40);

    // Another user of the same tenant is not held back by Alice's quota.
    const bob = await token(quotaTenant, 'bob');
    expect(
      (await call('POST', '/api/reports/popularity', { as: bob, body: { parameters: params() } })).status,
    ).toBe(202);
  });
});

describe('authentication', () => {
  it('answers 401 problem with a Bearer challenge on every report route without a valid token', async () => {
    for (const [method, path] of [
      ['GET', '/api/report-types'],
      ['GET', '/api/limits'],
      ['POST', '/api/reports/popularity'],
      ['GET', '/api/reports'],
      ['GET', '/api/reports/x'],
      ['DELETE', '/api/reports/x'],
    ] as const) {
      const missing = await call(method, path);
      expect(missing.status, `${method} ${path}`).toBe(401);
      expect(missing.headers.get('www-authenticate')).toBe('Bearer');
      expect(missing.headers.get('content-type')).toBe('application/problem+json');
      const bad = await call(method, path, { as: 'not.a.jwt' });
      expect(bad.status).toBe(401);
      expect(bad.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    }
    expect(await docsOf(tenant)).toHaveLength(0);
  });
});

describe('GET /api/report-types', () => {
  it('lists the types with their parameter schemas and formats', async () => {
    const response = await call('GET', '/api/report-types', { as: await token(tenant, 'alice') });
    expect(response.status).toBe(200);
    const items = response.body.items as {
      name: string;
      formats: string[];
      parameters: { required?: string[] };
    }[];
    expect(items.map((t) => t.name).sort()).toEqual(['popularity', 'ratings']);
    for (const type of items) {
      expect(type.formats).toContain('csv');
      expect(type.parameters.required).toEqual(expect.arrayContaining(['fromDate', 'toDate']));
    }
  });
});

describe('POST /api/reports/{reportType}', () => {
  it('stores the report and its outbox message together and answers 202 with Location and Retry-After', async () => {
    const alice = await token(tenant, 'alice');
    const parameters = params();
    const response = await call('POST', '/api/reports/popularity', {
      as: alice,
      body: { format: 'csv', parameters },
      headers: { 'x-correlation-id': 'corr-123' },
    });
    expect(response.status).toBe(202);
    const id = response.body.reportId as string;
    expect(response.headers.get('location')).toBe(`/api/reports/${id}`);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(response.headers.get('x-correlation-id')).toBe('corr-123');
    expect(response.body).toMatchObject({
      reportType: 'popularity',
      format: 'csv',
      status: 'Pending',
      cancelRequested: false,
      progress: { processedRows: 0, totalRows: null, percent: null, etaSeconds: null },
      downloadUrl: null,
    });
    expect(response.body.parameters).toMatchObject(parameters);
    const docs = (await docsOf(tenant)).filter((d) => d.id === id || d.reportId === id);
    expect(docs.map((d) => d.kind).sort()).toEqual(['outbox', 'report']);
    expect(docs.every((d) => d.correlationId === 'corr-123')).toBe(true);
  });

  it('refuses bad input with a problem and stores nothing', async () => {
    const bob = await token(tenant, 'bob');
    const before = (await docsOf(tenant)).length;
    const unknown = await call('POST', '/api/reports/nope', { as: bob, body: { parameters: params() } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toHaveProperty('reportType');
    const inverted = await call('POST', '/api/reports/popularity', {
      as: bob,
      body: { parameters: { fromDate: '2024-05-01', toDate: '2024-01-01' } },
    });
    expect(inverted.status).toBe(400);
    expect(inverted.headers.get('content-type')).toBe('application/problem+json');
    expect(inverted.body.status).toBe(400);
    expect(typeof inverted.body.title).toBe('string');
    expect(typeof inverted.body.detail).toBe('string');
    expect(Object.keys(inverted.body.errors as object)).toContain('parameters.toDate');
    const format = await call('POST', '/api/reports/popularity', {
      as: bob,
      body: { format: 'docx', parameters: params() },
    });
    expect(format.status).toBe(400);
    expect(format.body.errors).toHaveProperty('format');
    const badJson = await call('POST', '/api/reports/popularity', {
      as: bob,
      rawBody: '{"parameters": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(badJson.status).toBe(400);
    const huge = await call('POST', '/api/reports/popularity', {
      as: bob,
      body: { parameters: { ...params(), padding: 'x'.repeat(100_000) } },
    });
    expect(huge.status).toBe(413);
    expect((await docsOf(tenant)).length).toBe(before);
  });

  it('answers 409 with existingReportId while the same request is active', async () => {
    const carol = await token(tenant, 'carol');
    const parameters = params();
    const first = await call('POST', '/api/reports/ratings', { as: carol, body: { parameters } });
    expect(first.status).toBe(202);
    const again = await call('POST', '/api/reports/ratings', {
      as: carol,
      body: { parameters: { ...parameters } },
    });
    expect(again.status).toBe(409);
    expect(again.body.existingReportId).toBe(first.body.reportId);
    // Another user may ask for the same report.
    const dave = await call('POST', '/api/reports/ratings', {
      as: await token(tenant, 'dave'),
      body: { parameters },
    });
    expect(dave.status).toBe(202);
  });

  it('returns the same report for a repeated Idempotency-Key and 422 for a different body', async () => {
    const erin = await token(tenant, 'erin');
    const body = { parameters: params() };
    const key = { 'idempotency-key': `key-${randomUUID()}` };
    const first = await call('POST', '/api/reports/popularity', { as: erin, body, headers: key });
    const second = await call('POST', '/api/reports/popularity', { as: erin, body, headers: key });
    expect(first.status).toBe(202);
    expect(second.status).toBe(202);
    expect(second.body.reportId).toBe(first.body.reportId);
    const outboxes = (await docsOf(tenant)).filter(
      (d) => d.kind === 'outbox' && d.reportId === first.body.reportId,
    );
    expect(outboxes).toHaveLength(1);
    const different = await call('POST', '/api/reports/popularity', {
      as: erin,
      body: { parameters: params() },
      headers: key,
    });
    expect(different.status).toBe(422);
  });
});

describe('reading, listing and cancelling', () => {
  it('shows a report to its owner and the tenant admin only; another tenant gets 404', async () => {
    const frank = await token(tenant, 'frank');
    const created = await call('POST', '/api/reports/popularity', {
      as: frank,
      body: { parameters: params() },
    });
    const path = `/api/reports/${String(created.body.reportId)}`;
    const own = await call('GET', path, { as: frank });
    expect(own.status).toBe(200);
    expect(own.body.status).toBe('Pending');
    expect(own.headers.get('retry-after')).toBeTruthy();
    expect((await call('GET', path, { as: await token(tenant, 'grace') })).status).toBe(404);
    expect((await call('GET', path, { as: await token(tenant, 'admin', true) })).status).toBe(200);
    expect((await call('GET', path, { as: await token(otherTenant, 'frank', true) })).status).toBe(404);
    expect((await call('GET', '/api/reports/does-not-exist', { as: frank })).status).toBe(404);
  });

  it('lists newest first with paging and filters, scoped to the caller', async () => {
    const heidi = await token(tenant, 'heidi');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const created = await call('POST', '/api/reports/popularity', {
        as: heidi,
        body: { parameters: params() },
      });
      ids.push(created.body.reportId as string);
      await new Promise((r) => setTimeout(r, 5)); // distinct createdAt
    }
    const seen: string[] = [];
    let continuationToken: string | null = null;
    do {
      const query: string = continuationToken
        ? `&continuationToken=${encodeURIComponent(continuationToken)}`
        : '';
      const page = await call('GET', `/api/reports?pageSize=2${query}`, { as: heidi });
      expect(page.status).toBe(200);
      const items = page.body.items as { reportId: string }[];
      expect(items.length).toBeLessThanOrEqual(2);
      seen.push(...items.map((r) => r.reportId));
      continuationToken = page.body.continuationToken as string | null;
    } while (continuationToken);
    expect(seen).toEqual([...ids].reverse());

    const admin = await call('GET', '/api/reports?pageSize=100', { as: await token(tenant, 'admin', true) });
    expect((admin.body.items as unknown[]).length).toBeGreaterThan(5);
    const other = await call('GET', '/api/reports', { as: await token(otherTenant, 'admin', true) });
    expect(other.body.items).toEqual([]);
    const cancelledOnly = await call('GET', '/api/reports?status=Cancelled', { as: heidi });
    expect(cancelledOnly.body.items).toEqual([]);
  });

  it('refuses a bad filter or token with 400', async () => {
    const ivan = await token(tenant, 'ivan');
    expect((await call('GET', '/api/reports?pageSize=0', { as: ivan })).status).toBe(400);
    expect((await call('GET', '/api/reports?pageSize=101', { as: ivan })).status).toBe(400);
    expect((await call('GET', '/api/reports?status=Done', { as: ivan })).status).toBe(400);
    expect((await call('GET', '/api/reports?reportType=nope', { as: ivan })).status).toBe(400);
    expect((await call('GET', '/api/reports?sort=asc', { as: ivan })).status).toBe(400);
    const token400 = await call('GET', '/api/reports?continuationToken=garbage', { as: ivan });
    expect(token400.status).toBe(400);
    expect(token400.body.errors).toHaveProperty('continuationToken');
  });

  it('cancels a Pending report at once, flags a Processing one, and 409s a terminal one', async () => {
    const judy = await token(tenant, 'judy');
    const created = await call('POST', '/api/reports/popularity', {
      as: judy,
      body: { parameters: params() },
    });
    const path = `/api/reports/${String(created.body.reportId)}`;
    expect((await call('DELETE', path, { as: await token(tenant, 'mallory') })).status).toBe(404);
    const cancelled = await call('DELETE', path, { as: judy });
    expect(cancelled.status).toBe(202);
    expect(cancelled.body).toMatchObject({ status: 'Cancelled', cancelRequested: true });
    expect(cancelled.body.completedAt).toBeTruthy();
    expect((await call('DELETE', path, { as: judy })).status).toBe(409);

    const running = await call('POST', '/api/reports/popularity', {
      as: judy,
      body: { parameters: params() },
    });
    const id = running.body.reportId as string;
    const { resource } = await container.item(id, tenant).read<Record<string, unknown>>();
    await container
      .item(id, tenant)
      .replace({ ...resource, status: 'Processing', startedAt: new Date().toISOString() });
    const flagged = await call('DELETE', `/api/reports/${id}`, { as: judy });
    expect(flagged.status).toBe(202);
    expect(flagged.body).toMatchObject({ status: 'Processing', cancelRequested: true });
  });
});

describe('GET /api/reports/{id}/download', () => {
  it('answers 409 before completion and 303 to a read-only SAS link for exactly that blob after', async () => {
    const kim = await token(tenant, 'kim');
    const created = await call('POST', '/api/reports/popularity', {
      as: kim,
      body: { parameters: params() },
    });
    const id = created.body.reportId as string;
    const early = await call('GET', `/api/reports/${id}/download`, { as: kim });
    expect(early.status).toBe(409);
    expect(early.headers.get('content-type')).toBe('application/problem+json');
    // HEAD is routed as GET by the local host and answers the same, without a body.
    const earlyHead = await call('HEAD', `/api/reports/${id}/download`, { as: kim });
    expect(earlyHead.status).toBe(409);
    expect(earlyHead.headers.get('content-type')).toBe('application/problem+json');
    expect(earlyHead.body).toEqual({});

    // Complete it as the worker would: the file in Blob Storage, the report Completed.
    const blob = BlobServiceClient.fromConnectionString(process.env.BLOB ?? '').getContainerClient('reports');
    const blobName = `${tenant}/${id}/popularity.csv`;
    const csv = 'rank,album\n1,Blue\n';
    await blob.getBlockBlobClient(blobName).upload(csv, csv.length, {
      blobHTTPHeaders: { blobContentType: 'text/csv; charset=utf-8' },
    });
    await blob.getBlockBlobClient(`${tenant}/${id}/secret.csv`).upload('secret', 6);
    const { resource } = await container.item(id, tenant).read<Record<string, unknown>>();
    await container.item(id, tenant).replace({
      ...resource,
      status: 'Completed',
      completedAt: new Date().toISOString(),
      blobName,
      fileName: 'popularity.csv',
      rowCount: 1,
      sizeBytes: csv.length,
    });

    expect(
      (await call('GET', `/api/reports/${id}/download`, { as: await token(tenant, 'leo') })).status,
    ).toBe(404);
    expect(
      (await call('GET', `/api/reports/${id}/download`, { as: await token(otherTenant, 'kim', true) }))
        .status,
    ).toBe(404);
    const response = await fetch(`${host.url}/api/reports/${id}/download`, {
      headers: { authorization: `Bearer ${kim}` },
      redirect: 'manual',
    });
    expect(response.status).toBe(303);
    const location = response.headers.get('location') ?? '';
    const head = await call('HEAD', `/api/reports/${id}/download`, { as: kim });
    expect(head.status).toBe(303);
    expect(head.headers.get('location')).toContain('sig=');
    expect(head.body).toEqual({});
    const sas = new URL(location).searchParams;
    expect(sas.get('sp')).toBe('r');
    expect(sas.get('sr')).toBe('b');
    const expiresInMs = Date.parse(sas.get('se') ?? '') - Date.now();
    expect(expiresInMs).toBeGreaterThan(0);
    expect(expiresInMs).toBeLessThanOrEqual(15 * 60_000 + 1_000);

    const file = await fetch(location);
    expect(file.status).toBe(200);
    expect(await file.text()).toBe(csv);
    expect(file.headers.get('content-disposition')).toBe('attachment; filename="popularity.csv"');
    // Read-only and single-blob: writing with it, or reading a sibling blob with it, is refused.
    expect(
      (await fetch(location, { method: 'PUT', body: 'x', headers: { 'x-ms-blob-type': 'BlockBlob' } }))
        .status,
    ).toBe(403);
    expect((await fetch(location.replace('popularity.csv', 'secret.csv'))).status).toBe(403);

    const view = await call('GET', `/api/reports/${id}`, { as: kim });
    expect(view.body.status).toBe('Completed');
    expect(view.headers.get('retry-after')).toBeNull();
    expect(view.body.downloadUrl).toEqual(
      expect.stringContaining(blobName.split('/').map(encodeURIComponent).join('/')),
    );
    expect(typeof view.body.downloadExpiresAt).toBe('string');
    expect((await call('DELETE', `/api/reports/${id}`, { as: kim })).status).toBe(409);
  });
});
