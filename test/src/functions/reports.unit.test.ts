// The report HTTP functions as unit tests: each handler is called the way the Functions host calls it
// (a real HttpRequest with the route's params, a real InvocationContext), with the real report service
// over an in-memory store and a fake token verifier, handed to the handlers' factories.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpRequest, HttpResponse, InvocationContext } from '@azure/functions';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEV_AUDIENCE, DEV_ISSUER, ensureDevSigningKey, issueDevToken } from '../../../dev/token';
import { ADMIN_ROLE, createTokenVerifier, type Principal } from '../../../src/auth/verifier';
import { AuthError } from '../../../src/domain/errors';
import type { Services } from '../../../src/services';
import type { ReportDocument, ReportStatus } from '../../../src/domain/report';
import { builtInReportTypes } from '../../../src/domain/report-types';
import { makeCancelReport } from '../../../src/functions/cancelReport';
import { makeCreateReport } from '../../../src/functions/createReport';
import type { FunctionDefinition } from '../../../src/functions/definition';
import { makeDownloadReport } from '../../../src/functions/downloadReport';
import { makeGetReport } from '../../../src/functions/getReport';
import { makeLimits } from '../../../src/functions/limits';
import { makeListReports } from '../../../src/functions/listReports';
import { makeReportTypes } from '../../../src/functions/reportTypes';
import { POLL_AFTER_SECONDS } from '../../../src/http/reports';
import { MAX_JSON_BODY_BYTES } from '../../../src/http/request';
import { createReportService } from '../../../src/services/reports';
import { reportEventId } from '../../../src/domain/webhooks';
import { MemoryReportStore } from '../../fakes/memory-report-store';
import { contractValidator } from '../../support/openapi-validator';

const RETENTION_SECONDS = 30 * 24 * 3600;

/** What the report handlers are given. */
type ReportDeps = Pick<Services, 'reports' | 'reportTypes' | 'verifyToken'>;

/** The report HTTP functions, built over `deps` as the composition root builds them. */
const reportRoutes = (deps: ReportDeps): readonly FunctionDefinition[] => [
  makeCreateReport(deps),
  makeGetReport(deps),
  makeListReports(deps),
  makeCancelReport(deps),
  makeDownloadReport(deps),
  makeReportTypes(deps),
  makeLimits(deps),
];

/** `Bearer <tenant>:<user>[:admin]` is the caller; anything else is refused like a bad JWT. */
function fakeVerifyToken(header: string | null | undefined): Promise<Principal> {
  if (!header) return Promise.reject(new AuthError('missing', { missingCredentials: true }));
  const match = /^Bearer ([^:\s]+):([^:\s]+)(:admin)?$/.exec(header);
  if (!match?.[1] || !match[2]) return Promise.reject(new AuthError('invalid token'));
  const roles = match[3] ? [ADMIN_ROLE] : [];
  return Promise.resolve({ tenantId: match[1], userId: match[2], roles, isAdmin: roles.length > 0 });
}

function testServices(
  store: MemoryReportStore,
  now: () => Date,
  verifyToken: Services['verifyToken'] = fakeVerifyToken,
  quotas: { userMaxActiveReports?: number; tenantMaxActiveExports?: number } = {},
): ReportDeps {
  const downloads = {
    create: (blobName: string) =>
      Promise.resolve({ url: `https://blob.example/${blobName}?sig=x`, expiresAt: now().toISOString() }),
  };
  // Not a literal at the call: the service's options may or may not include `downloads` yet.
  const reportOptions = { store, downloads, retentionSeconds: RETENTION_SECONDS, now, ...quotas };
  return { verifyToken, reportTypes: builtInReportTypes, reports: createReportService(reportOptions) };
}

let store: MemoryReportStore;
let clock: number;
let routes: readonly FunctionDefinition[];

beforeEach(() => {
  store = new MemoryReportStore();
  clock = Date.parse('2025-03-01T12:00:00.000Z');
  // Every reading of the clock is one second later, so reports have distinct creation times.
  routes = reportRoutes(testServices(store, () => new Date((clock += 1000))));
});

interface Sent {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

interface SendOptions {
  as?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  /** The query string as sent, when it says what `query` cannot (a parameter given twice). */
  search?: string;
  /** The test itself changes the store during the call (a simulated concurrent writer). */
  concurrentWriter?: boolean;
}

/** Binds `/api/...` to a definition's route template as the host does; undefined when it does not match. */
function bind(template: string, path: string): Record<string, string> | undefined {
  const want = template.split('/');
  const got = path.replace(/^\/api\//, '').split('/');
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, segment] of want.entries()) {
    const actual = got[i] ?? '';
    const name = /^\{(\w+)\}$/.exec(segment)?.[1];
    if (name) params[name] = decodeURIComponent(actual);
    else if (segment !== actual) return undefined;
  }
  return params;
}

let invocation = 0;

/**
 * One HTTP call through the matching function. Any 4xx must leave the store exactly as it was: a failed
 * request stores nothing.
 */
async function send(method: string, path: string, options: SendOptions = {}): Promise<Sent> {
  let route: { definition: FunctionDefinition; params: Record<string, string> } | undefined;
  for (const definition of routes) {
    if (definition.trigger !== 'http' || !definition.options.route) continue;
    const params = bind(definition.options.route, path);
    if (params && definition.options.methods?.includes(method as never)) route = { definition, params };
  }
  if (route?.definition.trigger !== 'http') throw new Error(`no function serves ${method} ${path}`);

  const headers: Record<string, string> = { ...options.headers };
  if (options.as !== undefined) headers.authorization = `Bearer ${options.as}`;
  let body = options.rawBody;
  if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const query = options.query ?? {};
  const search = options.search ?? new URLSearchParams(query).toString();
  const request = new HttpRequest({
    method,
    url: `http://localhost:7071${path}${search ? `?${search}` : ''}`,
    headers,
    params: route.params,
    query,
    ...(body !== undefined ? { body: { string: body } } : {}),
  });
  const context = new InvocationContext({
    functionName: route.definition.name,
    invocationId: `invocation-${++invocation}`,
    logHandler: () => undefined,
  });

  const docsBefore = store.docs();
  const writesBefore = store.writes;
  const response = await route.definition.options.handler(request, context);
  if (response instanceof HttpResponse) throw new Error('the handlers answer with HttpResponseInit objects');
  const status = response.status ?? 200;
  if (status >= 400 && status < 500 && !options.concurrentWriter) {
    expect(store.docs(), `${method} ${path} -> ${status} changed the store`).toEqual(docsBefore);
    expect(store.writes, `${method} ${path} -> ${status} wrote to the store`).toBe(writesBefore);
  }
  const jsonBody: unknown = response.jsonBody;
  // As the host sends it (Content-Type for a JSON body), checked against the OpenAPI document.
  const sent = new HttpResponse(response);
  const text = sent.body ? await sent.text() : '';
  contractValidator().check({ method, url: path, status, headers: sent.headers, text });
  return {
    status,
    headers: new Headers(response.headers),
    body: jsonBody && typeof jsonBody === 'object' ? (jsonBody as Record<string, unknown>) : {},
  };
}

/** An RFC 9457 problem with this status; `errors` lists exactly the field keys of a validation problem. */
function expectProblem(response: Sent, status: number, errors?: string[]): void {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  const { body } = response;
  expect(body.status).toBe(status);
  expect(body.type).toMatch(/^https:\/\/\S+$/);
  expect(typeof body.title).toBe('string');
  expect(body.title).not.toBe('');
  expect(typeof body.detail).toBe('string');
  expect(body.detail).not.toBe('');
  if (errors) {
    const fieldErrors = body.errors as Record<string, unknown>;
    expect(Object.keys(fieldErrors).sort()).toEqual([...errors].sort());
    for (const messages of Object.values(fieldErrors)) {
      expect(Array.isArray(messages) && messages.length > 0).toBe(true);
      for (const message of messages as unknown[]) expect(typeof message).toBe('string');
    }
  } else {
    expect(body).not.toHaveProperty('errors');
  }
}

let range = 0;
/** A fresh valid date range each call, so reports never collide as active duplicates by accident. */
function dates(): { fromDate: string; toDate: string } {
  range++;
  const day = String((range % 28) + 1).padStart(2, '0');
  const month = String((Math.floor(range / 28) % 12) + 1).padStart(2, '0');
  return { fromDate: `2021-${month}-${day}`, toDate: `2023-${month}-${day}` };
}

const ALICE = 't1:alice';
const BOB = 't1:bob';
const ADMIN = 't1:boss:admin';
const OTHER_TENANT_ALICE = 't2:alice';
const OTHER_TENANT_ADMIN = 't2:boss:admin';

const RESOURCE_KEYS = [
  'reportId',
  'reportType',
  'format',
  'parameters',
  'status',
  'cancelRequested',
  'progress',
  'createdAt',
  'startedAt',
  'completedAt',
  'error',
  'rowCount',
  'truncated',
  'warnings',
  'compression',
  'columns',
  'timeZone',
  'sizeBytes',
  'fileName',
  'downloadUrl',
  'downloadExpiresAt',
].sort();

async function created(as = ALICE, reportType = 'popularity', parameters: object = dates()): Promise<string> {
  const response = await send('POST', `/api/reports/${reportType}`, {
    as,
    body: { format: 'csv', parameters },
  });
  expect(response.status).toBe(202);
  return String(response.body.reportId);
}

const tenantOf = (as: string): string => as.split(':')[0] ?? '';

/** Puts a report into a status as the worker would have left it. */
function force(as: string, reportId: string, status: ReportStatus): void {
  const at = new Date((clock += 1000)).toISOString();
  const patch: Partial<ReportDocument> = { startedAt: status === 'Pending' ? null : at };
  if (status === 'Completed') {
    Object.assign(patch, {
      completedAt: at,
      rowCount: 10,
      sizeBytes: 321,
      fileName: 'popularity.csv',
      blobName: `${tenantOf(as)}/${reportId}/popularity.csv`,
      progress: { processedRows: 10, totalRows: 10, percent: 100, etaSeconds: null },
      ttl: RETENTION_SECONDS,
    });
  } else if (status === 'Failed') {
    Object.assign(patch, { completedAt: at, error: { code: 'Boom', message: 'it broke' }, ttl: 60 });
  } else if (status === 'Cancelled') {
    Object.assign(patch, { completedAt: at, cancelRequested: true, ttl: 60 });
  }
  store.forceStatus(tenantOf(as), reportId, status, patch);
}

describe('the in-memory store', () => {
  it('writes a report and its outbox message atomically: both or neither', async () => {
    const id = await created();
    const [report, outbox] = [
      store.docs().find((d) => d.id === id),
      store.docs().find((d) => d.kind === 'outbox'),
    ];
    if (report?.kind !== 'report' || outbox?.kind !== 'outbox') throw new Error('expected both documents');
    const before = store.docs();
    await expect(
      store.createWithOutbox(report, { ...outbox, id: 'outbox-something-else', reportId: 'x' }),
    ).resolves.toBe('conflict');
    await expect(store.createWithOutbox({ ...report, id: 'another-id' }, outbox)).resolves.toBe('conflict');
    expect(store.docs()).toEqual(before);
  });
});

describe('POST /api/reports/{reportType} (createReport)', () => {
  it('reports every problem of a request at once, in plain words, a missing field as required', async () => {
    const response = await send('POST', '/api/reports/popularity', {
      as: ALICE,
      body: { format: 'xml', parameters: { top: 20_000, genre: 'jazz', colour: 'red' } },
    });
    expectProblem(response, 400, [
      'format',
      'parameters.fromDate',
      'parameters.toDate',
      'parameters.top',
      'parameters.colour',
    ]);
    expect(response.body.errors).toEqual({
      format: ['must be one of: csv, json, ndjson, xlsx, pdf, parquet'],
      'parameters.fromDate': ['is required'],
      'parameters.toDate': ['is required'],
      'parameters.top': ['must be at most 10000'],
      'parameters.colour': ['is not a known field'],
    });
    const typed = await send('POST', '/api/reports/popularity', {
      as: ALICE,
      body: { format: 7, parameters: { ...dates(), top: 'ten' } },
    });
    expect(typed.body.errors).toEqual({
      format: ['must be one of: csv, json, ndjson, xlsx, pdf, parquet'],
      'parameters.top': ['must be a number'],
    });
    const missing = await send('POST', '/api/reports/popularity', { as: ALICE, body: { format: 'csv' } });
    expect(missing.body.errors).toEqual({
      'parameters.fromDate': ['is required'],
      'parameters.toDate': ['is required'],
    });
  });

  it('takes the format in any case and stores it lower-case, as the same request', async () => {
    const parameters = dates();
    const upper = await send('POST', '/api/reports/popularity', {
      as: ALICE,
      body: { format: 'CSV', parameters },
    });
    expect(upper.status).toBe(202);
    expect(upper.body.format).toBe('csv');
    const lower = await send('POST', '/api/reports/popularity', {
      as: ALICE,
      body: { format: 'csv', parameters },
    });
    expectProblem(lower, 409);
    expect(lower.body.existingReportId).toBe(upper.body.reportId);
    const pdf = await send('POST', '/api/reports/ratings', {
      as: ALICE,
      body: { format: 'Pdf', parameters },
    });
    expect(pdf.body.format).toBe('pdf');
  });

  it('is 202 with Location, Retry-After and the report resource, storing the report and one outbox doc', async () => {
    const parameters = dates();
    const response = await send('POST', '/api/reports/popularity', {
      as: ALICE,
      body: { format: 'csv', parameters },
      headers: { 'x-correlation-id': 'corr-123' },
    });
    expect(response.status).toBe(202);
    const id = String(response.body.reportId);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(response.headers.get('location')).toBe(`/api/reports/${id}`);
    expect(response.headers.get('retry-after')).toBe(String(POLL_AFTER_SECONDS));
    expect(response.headers.get('x-correlation-id')).toBe('corr-123');
    expect(Object.keys(response.body).sort()).toEqual(RESOURCE_KEYS);
    expect(response.body).toMatchObject({
      reportType: 'popularity',
      format: 'csv',
      parameters: { ...parameters, top: 100 }, // defaults applied
      status: 'Pending',
      cancelRequested: false,
      progress: { processedRows: 0, totalRows: null, percent: null, etaSeconds: null },
      startedAt: null,
      completedAt: null,
      error: null,
      downloadUrl: null,
    });

    const docs = store.docs();
    expect(docs).toHaveLength(2);
    const report = docs.find((d) => d.kind === 'report');
    const outbox = docs.find((d) => d.kind === 'outbox');
    expect(report).toMatchObject({
      id,
      tenantId: 't1',
      ownerId: 'alice',
      status: 'Pending',
      correlationId: 'corr-123',
    });
    expect(outbox).toMatchObject({
      tenantId: 't1',
      reportId: id,
      messageType: 'ExportRequested',
      payload: { tenantId: 't1', reportId: id, reportType: 'popularity', format: 'csv' },
      correlationId: 'corr-123',
      dispatchedAt: null,
    });
  });

  it('defaults the format to csv and accepts the other report type', async () => {
    const response = await send('POST', '/api/reports/ratings', { as: ALICE, body: { parameters: dates() } });
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ reportType: 'ratings', format: 'csv', status: 'Pending' });
  });

  it('is 400 for an unknown report type', async () => {
    const response = await send('POST', '/api/reports/nope', { as: ALICE, body: { parameters: dates() } });
    expectProblem(response, 400, ['reportType']);
    expect(response.body.detail).toContain('nope');
  });

  it.each([
    ['missing dates', {}, ['parameters.fromDate', 'parameters.toDate']],
    ['toDate before fromDate', { fromDate: '2024-05-02', toDate: '2024-05-01' }, ['parameters.toDate']],
    ['a date that does not exist', { fromDate: '2024-02-30', toDate: '2024-03-01' }, ['parameters.fromDate']],
    ['an out-of-range top', { ...dates(), top: 0 }, ['parameters.top']],
    ['an unknown parameter', { ...dates(), colour: 'red' }, ['parameters.colour']],
  ])('is 400 for invalid parameters: %s', async (_name, parameters, errors) => {
    const response = await send('POST', '/api/reports/popularity', {
      as: ALICE,
      body: { format: 'csv', parameters },
    });
    expectProblem(response, 400, errors);
  });

  it.each([
    ['an unsupported format', { format: 'docx', parameters: dates() }, ['format']],
    ['an unknown top-level field', { format: 'csv', parameters: dates(), extra: 1 }, ['extra']],
    ['parameters that are not an object', { format: 'csv', parameters: 'x' }, ['parameters']],
    ['a body that is an array', [], ['$']],
    ['a body that is null', null, ['$']],
  ])('is 400 for a badly formed request: %s', async (_name, body, errors) => {
    const response = await send('POST', '/api/reports/popularity', {
      as: ALICE,
      rawBody: JSON.stringify(body),
    });
    expectProblem(response, 400, errors);
  });

  it('names every problem of an invalid request in the detail, not just that it is invalid', async () => {
    const response = await send('POST', '/api/reports/popularity', {
      as: ALICE,
      body: { format: 'docx', parameters: { fromDate: '2024-02-30' } },
    });
    expectProblem(response, 400, ['format', 'parameters.fromDate', 'parameters.toDate']);
    const detail = String(response.body.detail);
    expect(detail).toMatch(/^The request is invalid: /);
    for (const field of ['format ', 'parameters.fromDate must be a calendar date', 'parameters.toDate '])
      expect(detail).toContain(field);
  });

  it.each([
    ['no body at all', undefined],
    ['an empty body', ''],
    ['a body of white space', ' \n'],
  ])('is 400 "a JSON body is required" for %s', async (_name, rawBody) => {
    const response = await send('POST', '/api/reports/popularity', {
      as: ALICE,
      ...(rawBody === undefined ? {} : { rawBody }),
    });
    expectProblem(response, 400);
    expect(response.body.detail).toMatch(/^A JSON body is required: \{"format": "csv", "parameters"/);
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'text/json'])(
    'is 400 for a body sent as %s, even when it would parse as JSON',
    async (contentType) => {
      const response = await send('POST', '/api/reports/popularity', {
        as: ALICE,
        body: { parameters: dates() },
        headers: { 'content-type': contentType },
      });
      expectProblem(response, 400);
      expect(response.body.detail).toBe(
        `The body must be JSON sent as Content-Type: application/json, not ${contentType}.`,
      );
    },
  );

  it('takes a JSON media type with parameters or a +json suffix', async () => {
    const types = ['application/json; charset=utf-8', 'Application/JSON', 'application/vnd.x+json'];
    for (const [i, contentType] of types.entries()) {
      const response = await send('POST', '/api/reports/popularity', {
        as: ALICE,
        body: { parameters: { ...dates(), top: i + 1 } },
        headers: { 'content-type': contentType },
      });
      expect(response.status, contentType).toBe(202);
    }
  });

  it.each(['{"format": "csv",', 'not json', '{"format": "csv"} trailing'])(
    'is 400 for bad JSON: %s',
    async (raw) => {
      const response = await send('POST', '/api/reports/popularity', { as: ALICE, rawBody: raw });
      expectProblem(response, 400);
      expect(response.body.detail).toMatch(/^The body is not valid JSON/);
    },
  );

  it('is 400 for a malformed Idempotency-Key', async () => {
    const response = await send('POST', '/api/reports/popularity', {
      as: ALICE,
      body: { parameters: dates() },
      headers: { 'Idempotency-Key': 'k'.repeat(201) },
    });
    expectProblem(response, 400, ['Idempotency-Key']);
  });

  it('is 401 with a bare Bearer challenge when no token is sent', async () => {
    const response = await send('POST', '/api/reports/popularity', { body: { parameters: dates() } });
    expectProblem(response, 401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('is 401 with an invalid_token challenge for a bad token', async () => {
    const response = await send('POST', '/api/reports/popularity', {
      as: 'garbage',
      body: { parameters: dates() },
    });
    expectProblem(response, 401);
    expect(response.headers.get('www-authenticate')).toBe(
      'Bearer error="invalid_token", error_description="invalid token"',
    );
    expect(response.body.detail).toBe('Invalid token.');
  });

  it('is 409 naming the existing report while an identical one is active, for that user only', async () => {
    const parameters = dates();
    const first = await created(ALICE, 'popularity', parameters);
    // The same request with keys in another order and the default spelled out is still the same request.
    const again = await send('POST', '/api/reports/popularity', {
      as: ALICE,
      body: { parameters: { top: 100, toDate: parameters.toDate, fromDate: parameters.fromDate } },
    });
    expectProblem(again, 409);
    expect(again.body.existingReportId).toBe(first);

    force(ALICE, first, 'Processing');
    expectProblem(await send('POST', '/api/reports/popularity', { as: ALICE, body: { parameters } }), 409);

    // Another user, or a different parameter, is a different request.
    expect(await created(BOB, 'popularity', parameters)).not.toBe(first);
    await created(ALICE, 'popularity', { ...parameters, top: 5 });

    // Once the first is no longer active, the same request starts a new report.
    force(ALICE, first, 'Completed');
    expect(await created(ALICE, 'popularity', parameters)).not.toBe(first);
  });

  it('is 413 for a body larger than the limit', async () => {
    const big = JSON.stringify({ parameters: { ...dates(), genre: 'x'.repeat(MAX_JSON_BODY_BYTES) } });
    const response = await send('POST', '/api/reports/popularity', { as: ALICE, rawBody: big });
    expectProblem(response, 413);
    expect(response.body.limitBytes).toBe(MAX_JSON_BODY_BYTES);
  });

  it('is 413 when Content-Length declares too large a body', async () => {
    const response = await send('POST', '/api/reports/popularity', {
      as: ALICE,
      rawBody: JSON.stringify({ parameters: dates() }),
      headers: { 'content-length': String(MAX_JSON_BODY_BYTES + 1) },
    });
    expectProblem(response, 413);
  });

  it('replays the same report for a repeated Idempotency-Key with the same body, starting no new work', async () => {
    const body = { format: 'csv', parameters: dates() };
    const headers = { 'Idempotency-Key': 'order-42' };
    const first = await send('POST', '/api/reports/popularity', { as: ALICE, body, headers });
    expect(first.status).toBe(202);
    const docsAfterFirst = store.docs();

    const second = await send('POST', '/api/reports/popularity', { as: ALICE, body, headers });
    expect(second.status).toBe(202);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('location')).toBe(first.headers.get('location'));
    expect(second.headers.get('retry-after')).toBe(String(POLL_AFTER_SECONDS));
    expect(store.docs()).toEqual(docsAfterFirst);
    const outbox = store.docs().filter((d) => d.kind === 'outbox');
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({ reportId: first.body.reportId });
  });

  it('answers a repeated Idempotency-Key of a finished report as GET does: 200, with its download link', async () => {
    const body = { format: 'csv', parameters: dates() };
    const headers = { 'Idempotency-Key': 'order-43' };
    const first = await send('POST', '/api/reports/popularity', { as: ALICE, body, headers });
    const id = String(first.body.reportId);
    force(ALICE, id, 'Completed');

    const replay = await send('POST', '/api/reports/popularity', { as: ALICE, body, headers });
    const got = await send('GET', `/api/reports/${id}`, { as: ALICE });
    expect(replay.status).toBe(200);
    expect(replay.headers.get('location')).toBe(`/api/reports/${id}`);
    expect(replay.headers.has('retry-after')).toBe(false);
    expect(replay.body).toMatchObject({ reportId: id, status: 'Completed', rowCount: 10 });
    expect(replay.body.downloadUrl).toEqual(expect.any(String));
    expect({ ...replay.body, downloadUrl: null, downloadExpiresAt: null }).toEqual({
      ...got.body,
      downloadUrl: null,
      downloadExpiresAt: null,
    });
  });

  it('is 422 when an Idempotency-Key is reused with a different body', async () => {
    const headers = { 'Idempotency-Key': 'order-43' };
    const first = await send('POST', '/api/reports/popularity', {
      as: ALICE,
      body: { parameters: dates() },
      headers,
    });
    expect(first.status).toBe(202);
    const response = await send('POST', '/api/reports/popularity', {
      as: ALICE,
      body: { parameters: dates() },
      headers,
    });
    expectProblem(response, 422);
    // Another report type under the same key is a different body too.
    expectProblem(
      await send('POST', '/api/reports/ratings', { as: ALICE, body: { parameters: dates() }, headers }),
      422,
    );
  });

  it('scopes an Idempotency-Key to its user', async () => {
    const body = { parameters: dates() };
    const headers = { 'Idempotency-Key': 'shared-key' };
    const alice = await send('POST', '/api/reports/popularity', { as: ALICE, body, headers });
    const bob = await send('POST', '/api/reports/popularity', { as: BOB, body, headers });
    expect([alice.status, bob.status]).toEqual([202, 202]);
    expect(bob.body.reportId).not.toBe(alice.body.reportId);
    expect(store.docs().filter((d) => d.kind === 'outbox')).toHaveLength(2);
  });
});

describe('GET /api/reports/{reportId} (getReport)', () => {
  it.each(['Pending', 'Processing'] as const)('is 200 with Retry-After while %s', async (status) => {
    const id = await created();
    force(ALICE, id, status);
    const response = await send('GET', `/api/reports/${id}`, { as: ALICE });
    expect(response.status).toBe(200);
    expect(response.headers.get('retry-after')).toBe(String(POLL_AFTER_SECONDS));
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(Object.keys(response.body).sort()).toEqual(RESOURCE_KEYS);
    expect(response.body).toMatchObject({ reportId: id, status });
  });

  it.each(['Completed', 'Failed', 'Cancelled'] as const)(
    'is 200 without Retry-After once %s',
    async (status) => {
      const id = await created();
      force(ALICE, id, status);
      const response = await send('GET', `/api/reports/${id}`, { as: ALICE });
      expect(response.status).toBe(200);
      expect(response.headers.has('retry-after')).toBe(false);
      expect(Object.keys(response.body).sort()).toEqual(RESOURCE_KEYS);
      expect(response.body).toMatchObject({ reportId: id, status });
      if (status === 'Failed') expect(response.body.error).toEqual({ code: 'Boom', message: 'it broke' });
    },
  );

  it('is 404 for an unknown report, and for another user or tenant', async () => {
    const id = await created();
    for (const as of [ALICE, BOB, OTHER_TENANT_ALICE, OTHER_TENANT_ADMIN]) {
      const path = as === ALICE ? '/api/reports/00000000-0000-4000-8000-000000000000' : `/api/reports/${id}`;
      expectProblem(await send('GET', path, { as }), 404);
    }
  });

  it("lets an admin see every report of the admin's tenant", async () => {
    const id = await created(ALICE);
    const response = await send('GET', `/api/reports/${id}`, { as: ADMIN });
    expect(response.status).toBe(200);
    expect(response.body.reportId).toBe(id);
  });

  it('is 401 without a valid token', async () => {
    const id = await created();
    expectProblem(await send('GET', `/api/reports/${id}`), 401);
    expectProblem(await send('GET', `/api/reports/${id}`, { as: 'bad' }), 401);
  });
});

describe('GET /api/reports (listReports)', () => {
  async function seed(): Promise<{ alice: string[]; bob: string; other: string }> {
    const alice: string[] = [];
    for (const type of ['popularity', 'ratings', 'popularity', 'ratings', 'popularity']) {
      alice.push(await created(ALICE, type));
    }
    return { alice, bob: await created(BOB), other: await created(OTHER_TENANT_ALICE) };
  }

  const ids = (response: Sent): unknown[] =>
    (response.body.items as Record<string, unknown>[]).map((item) => item.reportId);

  it("is 200 with the caller's reports newest first, paging through all with continuation tokens", async () => {
    const { alice } = await seed();
    const newestFirst = [...alice].reverse();

    const seen: unknown[] = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const query: Record<string, string> = { pageSize: '2', ...(token ? { continuationToken: token } : {}) };
      const response = await send('GET', '/api/reports', { as: ALICE, query });
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(Object.keys(response.body).sort()).toEqual(['continuationToken', 'items']);
      for (const item of response.body.items as Record<string, unknown>[]) {
        expect(Object.keys(item).sort()).toEqual(RESOURCE_KEYS);
      }
      seen.push(...ids(response));
      token = response.body.continuationToken as string | null;
      pages++;
    } while (token !== null && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(newestFirst);

    const all = await send('GET', '/api/reports', { as: ALICE });
    expect(ids(all)).toEqual(newestFirst);
    expect(all.body.continuationToken).toBeNull();
  });

  it('filters by status and report type', async () => {
    const { alice } = await seed();
    const [first, second] = alice;
    if (!first || !second) throw new Error('seeded');
    force(ALICE, first, 'Cancelled');
    force(ALICE, second, 'Processing');
    expect(ids(await send('GET', '/api/reports', { as: ALICE, query: { status: 'Cancelled' } }))).toEqual([
      first,
    ]);
    expect(ids(await send('GET', '/api/reports', { as: ALICE, query: { reportType: 'ratings' } }))).toEqual([
      alice[3],
      alice[1],
    ]);
    const both = await send('GET', '/api/reports', {
      as: ALICE,
      query: { status: 'Processing', reportType: 'ratings' },
    });
    expect(ids(both)).toEqual([second]);
  });

  it('takes status, report type and format in any case, and filters by format', async () => {
    const { alice } = await seed();
    const [first] = alice;
    if (!first) throw new Error('seeded');
    force(ALICE, first, 'Cancelled');
    const json = await send('POST', '/api/reports/ratings', {
      as: ALICE,
      body: { format: 'json', parameters: dates() },
    });
    expect(ids(await send('GET', '/api/reports', { as: ALICE, query: { status: 'cancelled' } }))).toEqual([
      first,
    ]);
    expect(ids(await send('GET', '/api/reports', { as: ALICE, query: { format: 'JSON' } }))).toEqual([
      json.body.reportId,
    ]);
    const ratingsCsv = await send('GET', '/api/reports', {
      as: ALICE,
      query: { reportType: 'Ratings', format: 'csv', status: 'PENDING' },
    });
    expect(ids(ratingsCsv)).toEqual([alice[3], alice[1]]);
    expectProblem(await send('GET', '/api/reports', { as: ALICE, query: { format: 'docx' } }), 400, [
      'format',
    ]);
  });

  it('is 400 for a query parameter given twice, rather than taking one of the values', async () => {
    await seed();
    const response = await send('GET', '/api/reports', {
      as: ALICE,
      search: 'status=Pending&status=Completed&pageSize=5',
    });
    expectProblem(response, 400, ['status']);
    expect(response.body.detail).toBe('The query is invalid: status is given 2 times; give it once.');
  });

  it('gives each Completed item its download link, as GET does', async () => {
    const { alice } = await seed();
    const [done, pending] = alice;
    if (!done || !pending) throw new Error('seeded');
    force(ALICE, done, 'Completed');
    const items = (await send('GET', '/api/reports', { as: ALICE })).body.items as Record<string, unknown>[];
    const listed = items.find((item) => item.reportId === done);
    const got = (await send('GET', `/api/reports/${done}`, { as: ALICE })).body;
    expect(listed?.downloadUrl).toEqual(expect.any(String));
    expect(new URL(String(listed?.downloadUrl)).pathname).toBe(new URL(String(got.downloadUrl)).pathname);
    expect(listed?.downloadExpiresAt).toEqual(expect.any(String));
    expect(items.find((item) => item.reportId === pending)?.downloadUrl).toBeNull();
  });

  it("shows an admin the whole tenant's reports and nothing of other tenants", async () => {
    const { alice, bob } = await seed();
    const response = await send('GET', '/api/reports', { as: ADMIN });
    expect(ids(response)).toEqual([bob, ...[...alice].reverse()]);
    expect(ids(await send('GET', '/api/reports', { as: BOB }))).toEqual([bob]);
    expect(ids(await send('GET', '/api/reports', { as: OTHER_TENANT_ADMIN }))).toHaveLength(1);
  });

  it.each([
    ['an unknown status', { status: 'Bogus' }, ['status']],
    ['an unknown report type', { reportType: 'nope' }, ['reportType']],
    ['pageSize 0', { pageSize: '0' }, ['pageSize']],
    ['pageSize 101', { pageSize: '101' }, ['pageSize']],
    ['a non-numeric pageSize', { pageSize: 'ten' }, ['pageSize']],
    ['a fractional pageSize', { pageSize: '2.5' }, ['pageSize']],
    ['an unknown query parameter', { sort: 'asc' }, ['sort']],
    ['an empty continuation token', { continuationToken: '' }, ['continuationToken']],
    [
      'a continuation token the store never issued',
      { continuationToken: 'bm90LWEtdG9rZW4' },
      ['continuationToken'],
    ],
  ])('is 400 for %s', async (_name, query, errors) => {
    await seed();
    expectProblem(await send('GET', '/api/reports', { as: ALICE, query }), 400, errors);
  });

  it('is 400 for a continuation token issued for another query or another user', async () => {
    await seed();
    await created(BOB);
    await created(BOB);
    const page = await send('GET', '/api/reports', { as: ALICE, query: { pageSize: '2' } });
    const continuationToken = String(page.body.continuationToken);
    const otherFilter = { pageSize: '2', continuationToken, reportType: 'ratings' };
    expectProblem(await send('GET', '/api/reports', { as: ALICE, query: otherFilter }), 400, [
      'continuationToken',
    ]);
    expectProblem(
      await send('GET', '/api/reports', { as: BOB, query: { pageSize: '2', continuationToken } }),
      400,
      ['continuationToken'],
    );
  });

  it('is 401 without a valid token', async () => {
    expectProblem(await send('GET', '/api/reports'), 401);
    expectProblem(await send('GET', '/api/reports', { as: 't1' }), 401);
  });
});

describe('DELETE /api/reports/{reportId} (cancelReport)', () => {
  it('is 202 and cancels a Pending report at once', async () => {
    const id = await created();
    const outboxBefore = store.docs().filter((d) => d.kind === 'outbox');
    const response = await send('DELETE', `/api/reports/${id}`, { as: ALICE });
    expect(response.status).toBe(202);
    expect(Object.keys(response.body).sort()).toEqual(RESOURCE_KEYS);
    expect(response.body).toMatchObject({ reportId: id, status: 'Cancelled', cancelRequested: true });
    expect(response.body.completedAt).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));
    expect(response.headers.has('retry-after')).toBe(false);
    const stored = store.docs().find((d) => d.id === id);
    expect(stored).toMatchObject({ status: 'Cancelled', ttl: RETENTION_SECONDS });
    // No new export request; the cancellation's event, for the report's webhooks, in the same write.
    expect(store.docs().filter((d) => d.kind === 'outbox' && d.messageType !== 'ReportEvent')).toEqual(
      outboxBefore,
    );
    expect(store.docs().find((d) => d.id === `outbox-${reportEventId(id)}`)).toMatchObject({
      messageType: 'ReportEvent',
      payload: { event: { type: 'report.cancelled', data: { reportId: id, status: 'Cancelled' } } },
    });
    expect((await send('GET', `/api/reports/${id}`, { as: ALICE })).body.status).toBe('Cancelled');
  });

  it('is 202 and only requests cancellation of a Processing report', async () => {
    const id = await created();
    force(ALICE, id, 'Processing');
    const response = await send('DELETE', `/api/reports/${id}`, { as: ALICE });
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({
      reportId: id,
      status: 'Processing',
      cancelRequested: true,
      completedAt: null,
    });
    expect(response.headers.get('retry-after')).toBe(String(POLL_AFTER_SECONDS));
    expect(store.docs().find((d) => d.id === id)).toMatchObject({
      status: 'Processing',
      cancelRequested: true,
    });
    expect(store.docs().find((d) => d.id === id)).not.toHaveProperty('ttl');
  });

  it.each(['Completed', 'Failed', 'Cancelled'] as const)(
    'is 409 when the report is already %s',
    async (status) => {
      const id = await created();
      force(ALICE, id, status);
      const response = await send('DELETE', `/api/reports/${id}`, { as: ALICE });
      expectProblem(response, 409);
      expect(response.body.detail).toContain(status);
    },
  );

  it('says a cancel came too late when the export completed first: 409, the file downloadable', async () => {
    const id = await created();
    force(ALICE, id, 'Processing');
    expect((await send('DELETE', `/api/reports/${id}`, { as: ALICE })).status).toBe(202);
    force(ALICE, id, 'Completed'); // the worker's completion won the race with the cancel
    const report = await send('GET', `/api/reports/${id}`, { as: ALICE });
    expect(report.body).toMatchObject({ status: 'Completed', cancelRequested: true });
    expect(report.body.downloadUrl).toEqual(expect.any(String));
    const again = await send('DELETE', `/api/reports/${id}`, { as: ALICE });
    expectProblem(again, 409);
    expect(again.body).toMatchObject({ reportStatus: 'Completed' });
    expect(again.body.detail).toBe(
      'The report is already Completed: the export finished before the cancel could stop it, and its file can be downloaded.',
    );
  });

  it('is 409 when cancelling twice', async () => {
    const id = await created();
    expect((await send('DELETE', `/api/reports/${id}`, { as: ALICE })).status).toBe(202);
    expectProblem(await send('DELETE', `/api/reports/${id}`, { as: ALICE }), 409);
  });

  it('is 404 for an unknown report, and for another user or tenant', async () => {
    const id = await created();
    expectProblem(
      await send('DELETE', '/api/reports/00000000-0000-4000-8000-000000000000', { as: ALICE }),
      404,
    );
    for (const as of [BOB, OTHER_TENANT_ALICE, OTHER_TENANT_ADMIN]) {
      expectProblem(await send('DELETE', `/api/reports/${id}`, { as }), 404);
    }
    expect(store.docs().find((d) => d.id === id)).toMatchObject({
      status: 'Pending',
      cancelRequested: false,
    });
  });

  it("lets an admin cancel a report of the admin's tenant", async () => {
    const id = await created(ALICE);
    const response = await send('DELETE', `/api/reports/${id}`, { as: ADMIN });
    expect(response.status).toBe(202);
    expect(response.body.status).toBe('Cancelled');
  });

  it('retries after a concurrent write (etag conflict) and keeps that write', async () => {
    const id = await created();
    force(ALICE, id, 'Processing');
    store.concurrentWriteBeforeNextReplace((doc) => {
      doc.progress = { processedRows: 50, totalRows: 100, percent: 50, etaSeconds: null };
    });
    const writesBefore = store.writes;
    const response = await send('DELETE', `/api/reports/${id}`, { as: ALICE });
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({
      status: 'Processing',
      cancelRequested: true,
      progress: { processedRows: 50, totalRows: 100, percent: 50, etaSeconds: null },
    });
    expect(store.writes).toBe(writesBefore + 2); // the concurrent write, then the retried cancel
    expect(store.docs().find((d) => d.id === id)).toMatchObject({
      cancelRequested: true,
      progress: { processedRows: 50 },
    });
  });

  it('re-reads the state on retry: a report claimed meanwhile gets a cancel request instead', async () => {
    const id = await created();
    store.concurrentWriteBeforeNextReplace((doc) => {
      doc.status = 'Processing';
      doc.startedAt = new Date(clock).toISOString();
    });
    const response = await send('DELETE', `/api/reports/${id}`, { as: ALICE });
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ status: 'Processing', cancelRequested: true, completedAt: null });
  });

  it('re-reads the state on retry: a report completed meanwhile is a 409', async () => {
    const id = await created();
    force(ALICE, id, 'Processing');
    store.concurrentWriteBeforeNextReplace((doc) => {
      doc.status = 'Completed';
    });
    const writesBefore = store.writes;
    const response = await send('DELETE', `/api/reports/${id}`, { as: ALICE, concurrentWriter: true });
    expectProblem(response, 409);
    expect(store.writes).toBe(writesBefore + 1); // only the concurrent writer's
    expect(store.docs().find((d) => d.id === id)).toMatchObject({
      status: 'Completed',
      cancelRequested: false,
    });
  });

  it('is 401 without a valid token', async () => {
    const id = await created();
    expectProblem(await send('DELETE', `/api/reports/${id}`), 401);
    expectProblem(await send('DELETE', `/api/reports/${id}`, { as: 'Basic x' }), 401);
  });
});

describe('GET /api/reports/{reportId}/download (downloadReport)', () => {
  it('is 303 to a fresh link for the report file once Completed, for the owner and an admin', async () => {
    const id = await created();
    force(ALICE, id, 'Completed');
    for (const as of [ALICE, ADMIN]) {
      const response = await send('GET', `/api/reports/${id}/download`, { as });
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe(`https://blob.example/t1/${id}/popularity.csv?sig=x`);
      expect(response.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('is 404 for an unknown report, and for another user or tenant', async () => {
    const id = await created();
    force(ALICE, id, 'Completed');
    expectProblem(
      await send('GET', '/api/reports/00000000-0000-4000-8000-000000000000/download', { as: ALICE }),
      404,
    );
    for (const as of [BOB, OTHER_TENANT_ALICE, OTHER_TENANT_ADMIN]) {
      const response = await send('GET', `/api/reports/${id}/download`, { as });
      expectProblem(response, 404);
      expect(response.headers.has('location')).toBe(false);
    }
  });

  it.each(['Pending', 'Processing', 'Failed', 'Cancelled'] as const)(
    'is 409 while the report is %s',
    async (status) => {
      const id = await created();
      if (status !== 'Pending') force(ALICE, id, status);
      const response = await send('GET', `/api/reports/${id}/download`, { as: ALICE });
      expectProblem(response, 409);
      expect(response.body.detail).toContain(status);
      expect(response.body.reportStatus).toBe(status);
      expect(response.headers.has('location')).toBe(false);
    },
  );

  it('is 401 without a valid token', async () => {
    const id = await created();
    force(ALICE, id, 'Completed');
    const missing = await send('GET', `/api/reports/${id}/download`);
    expectProblem(missing, 401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    expectProblem(await send('GET', `/api/reports/${id}/download`, { as: 'bad' }), 401);
  });

  it('answers HEAD as GET, with the same status and headers and no body', async () => {
    const done = await created();
    force(ALICE, done, 'Completed');
    const pending = await created(ALICE, 'ratings');
    const cases: [string, string | undefined][] = [
      [`/api/reports/${done}/download`, ALICE],
      [`/api/reports/${pending}/download`, ALICE],
      [`/api/reports/${done}/download`, BOB],
      [`/api/reports/${done}/download`, undefined],
    ];
    for (const [path, as] of cases) {
      const get = await send('GET', path, as === undefined ? {} : { as });
      const head = await send('HEAD', path, as === undefined ? {} : { as });
      expect(head.status, path).toBe(get.status);
      expect(head.body, path).toEqual({});
      expect([...head.headers.keys()].sort(), path).toEqual([...get.headers.keys()].sort());
      expect(head.headers.get('location'), path).toBe(get.headers.get('location'));
    }
  });
});

describe('AUTH_REQUIRED_SCOPE: the scope every caller needs', () => {
  const SCOPE = 'Reports.Export';
  let dir: string;
  let devJwksPath: string;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'reports-unit-scope-'));
    ({ jwksPath: devJwksPath } = await ensureDevSigningKey(dir));
    const issue = (userId: string, claims: { scopes?: string[]; roles?: string[] }) =>
      issueDevToken({ tenantId: 't1', userId, dir, ...claims });
    tokens.delegated = await issue('alice', { scopes: ['User.Read', SCOPE] });
    tokens.application = await issue('daemon', { roles: [SCOPE] });
    tokens.noScope = await issue('alice', {});
    tokens.otherScopes = await issue('alice', { scopes: ['User.Read', 'Reports.Read', 'reports.export'] });
    tokens.wrongAudience = await issueDevToken({
      tenantId: 't1',
      userId: 'alice',
      dir,
      scopes: [SCOPE],
      audience: 'api://someone-else',
    });
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  function useVerifier(requiredScope: string | undefined): void {
    const verifier = createTokenVerifier({
      issuer: DEV_ISSUER,
      audience: DEV_AUDIENCE,
      devJwksPath,
      ...(requiredScope === undefined ? {} : { requiredScope }),
    });
    routes = reportRoutes(testServices(store, () => new Date((clock += 1000)), verifier));
  }

  const token = (name: string): string => {
    const value = tokens[name];
    if (value === undefined) throw new Error(`no token ${name}`);
    return value;
  };

  function expectInsufficientScope(response: Sent): void {
    expectProblem(response, 403);
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer error="insufficient_scope", scope="${SCOPE}"`,
    );
    expect(response.body.requiredScope).toBe(SCOPE);
    expect(response.headers.get('x-correlation-id')).toBe('corr-403');
  }

  it('is 403 insufficient_scope on POST and every read route for a valid token without the scope', async () => {
    useVerifier(SCOPE);
    const made = await send('POST', '/api/reports/popularity', {
      as: token('delegated'),
      body: { parameters: dates() },
    });
    expect(made.status).toBe(202);
    const id = String(made.body.reportId);
    const headers = { 'x-correlation-id': 'corr-403' };
    for (const as of [token('noScope'), token('otherScopes')]) {
      const calls: [string, string, SendOptions][] = [
        ['POST', '/api/reports/popularity', { as, headers, body: { parameters: dates() } }],
        ['GET', `/api/reports/${id}`, { as, headers }],
        ['GET', '/api/reports', { as, headers }],
        ['DELETE', `/api/reports/${id}`, { as, headers }],
        ['GET', `/api/reports/${id}/download`, { as, headers }],
        ['GET', '/api/report-types', { as, headers }],
      ];
      for (const [method, path, options] of calls) {
        expectInsufficientScope(await send(method, path, options));
      }
    }
    expect(store.docs().filter((d) => d.kind === 'report')).toHaveLength(1);
  });

  it('lets the scope in through scp (delegated) or through roles (application permission)', async () => {
    useVerifier(SCOPE);
    for (const name of ['delegated', 'application']) {
      const as = token(name);
      const made = await send('POST', '/api/reports/popularity', { as, body: { parameters: dates() } });
      expect(made.status, name).toBe(202);
      const id = String(made.body.reportId);
      expect((await send('GET', `/api/reports/${id}`, { as })).status).toBe(200);
      expect((await send('GET', '/api/reports', { as })).status).toBe(200);
      expect((await send('GET', '/api/report-types', { as })).status).toBe(200);
      expectProblem(await send('GET', `/api/reports/${id}/download`, { as }), 409);
      expect((await send('DELETE', `/api/reports/${id}`, { as })).status).toBe(202);
    }
  });

  it('is 401, not 403, when the token is missing or invalid, scope or not', async () => {
    useVerifier(SCOPE);
    const body = { parameters: dates() };
    const missing = await send('POST', '/api/reports/popularity', { body });
    expectProblem(missing, 401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer');
    for (const as of ['not.a.jwt', token('wrongAudience')]) {
      const response = await send('POST', '/api/reports/popularity', { as, body });
      expectProblem(response, 401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
      expectProblem(await send('GET', '/api/reports', { as }), 401);
    }
  });

  it('checks no scope when the setting is unset', async () => {
    useVerifier(undefined);
    const as = token('noScope');
    expect(
      (await send('POST', '/api/reports/popularity', { as, body: { parameters: dates() } })).status,
    ).toBe(202);
    expect((await send('GET', '/api/reports', { as })).status).toBe(200);
  });
});

describe('x-correlation-id on every response of the report routes', () => {
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
  const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

  it('echoes the incoming id on success and on every problem status', async () => {
    const parameters = dates();
    const active = await created(ALICE, 'popularity', parameters);
    const done = await created();
    force(ALICE, done, 'Completed');
    await send('POST', '/api/reports/ratings', {
      as: ALICE,
      body: { parameters: dates() },
      headers: { 'Idempotency-Key': 'corr-key' },
    });
    const unknown = '/api/reports/00000000-0000-4000-8000-000000000000';
    const cases: [number, string, string, SendOptions][] = [
      [202, 'POST', '/api/reports/popularity', { as: ALICE, body: { parameters: dates() } }],
      [400, 'POST', '/api/reports/popularity', { as: ALICE, rawBody: '{' }],
      [400, 'POST', '/api/reports/nope', { as: ALICE, body: { parameters: dates() } }],
      [401, 'POST', '/api/reports/popularity', { body: { parameters: dates() } }],
      [409, 'POST', '/api/reports/popularity', { as: ALICE, body: { parameters } }],
      [
        413,
        'POST',
        '/api/reports/popularity',
        { as: ALICE, rawBody: JSON.stringify({ pad: 'x'.repeat(MAX_JSON_BODY_BYTES) }) },
      ],
      [
        422,
        'POST',
        '/api/reports/ratings',
        { as: ALICE, body: { parameters: dates() }, headers: { 'Idempotency-Key': 'corr-key' } },
      ],
      [200, 'GET', `/api/reports/${active}`, { as: ALICE }],
      [404, 'GET', unknown, { as: ALICE }],
      [401, 'GET', `/api/reports/${active}`, { as: 'bad' }],
      [200, 'GET', '/api/reports', { as: ALICE }],
      [400, 'GET', '/api/reports', { as: ALICE, query: { pageSize: '0' } }],
      [303, 'GET', `/api/reports/${done}/download`, { as: ALICE }],
      [409, 'GET', `/api/reports/${active}/download`, { as: ALICE }],
      [404, 'GET', `${unknown}/download`, { as: BOB }],
      [409, 'DELETE', `/api/reports/${done}`, { as: ALICE }],
      [404, 'DELETE', `/api/reports/${active}`, { as: BOB }],
      [202, 'DELETE', `/api/reports/${active}`, { as: ALICE }],
      [200, 'GET', '/api/report-types', { as: ALICE }],
      [401, 'GET', '/api/report-types', {}],
    ];
    for (const [i, [status, method, path, options]] of cases.entries()) {
      const id = `corr-${i}`;
      const response = await send(method, path, {
        ...options,
        headers: { ...options.headers, 'x-correlation-id': id },
      });
      expect(response.status, `${method} ${path}`).toBe(status);
      expect(response.headers.get('x-correlation-id'), `${method} ${path} -> ${status}`).toBe(id);
    }
  });

  it('prefers x-correlation-id, then the trace id of traceparent, then a new id, and stores the one it echoes', async () => {
    const post = (headers: Record<string, string>) =>
      send('POST', '/api/reports/popularity', { as: ALICE, body: { parameters: dates() }, headers });
    const storedFor = (response: Sent): unknown =>
      store.docs().find((d) => d.id === response.body.reportId)?.correlationId;

    const both = await post({ 'x-correlation-id': 'order-7:retry.1', traceparent: TRACEPARENT });
    expect(both.headers.get('x-correlation-id')).toBe('order-7:retry.1');
    expect(storedFor(both)).toBe('order-7:retry.1');

    const traced = await post({ traceparent: TRACEPARENT });
    expect(traced.headers.get('x-correlation-id')).toBe(TRACE_ID);
    expect(storedFor(traced)).toBe(TRACE_ID);

    const fresh = await post({});
    const freshId = fresh.headers.get('x-correlation-id');
    expect(freshId).toMatch(UUID);
    expect(storedFor(fresh)).toBe(freshId);
    const another = await send('GET', '/api/reports/00000000-0000-4000-8000-000000000000', { as: ALICE });
    expect(another.headers.get('x-correlation-id')).toMatch(UUID);
    expect(another.headers.get('x-correlation-id')).not.toBe(freshId);
  });

  it.each([
    ['too long', 'a'.repeat(129)],
    ['a space', 'a b'],
    ['a slash', '../x'],
    ['a non-ASCII letter', 'é'],
    ['braces', '${jndi:x}'],
    ['a quote', 'a"b'],
  ])('ignores an x-correlation-id with %s', async (_name, given) => {
    const traced = await send('GET', '/api/reports', {
      as: ALICE,
      headers: { 'x-correlation-id': given, traceparent: TRACEPARENT },
    });
    expect(traced.headers.get('x-correlation-id')).toBe(TRACE_ID);
    const alone = await send('POST', '/api/reports/nope', {
      as: ALICE,
      body: {},
      headers: { 'x-correlation-id': given },
    });
    expect(alone.status).toBe(400);
    expect(alone.headers.get('x-correlation-id')).toMatch(UUID);
  });

  it.each([
    ['version ff', `ff-${TRACE_ID}-00f067aa0ba902b7-01`],
    ['an all-zero trace id', `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`],
    ['an all-zero parent id', `00-${TRACE_ID}-${'0'.repeat(16)}-01`],
    ['upper-case hex', `00-${TRACE_ID.toUpperCase()}-00F067AA0BA902B7-01`],
    ['a short trace id', `00-${TRACE_ID.slice(1)}-00f067aa0ba902b7-01`],
    ['extra fields on version 00', `${TRACEPARENT}-extra`],
    ['too much length', `01-${TRACE_ID}-00f067aa0ba902b7-01-${'x'.repeat(600)}`],
    ['garbage', 'zz'],
  ])('ignores a traceparent with %s', async (_name, traceparent) => {
    const response = await send('GET', '/api/reports', { as: ALICE, headers: { traceparent } });
    expect(response.headers.get('x-correlation-id')).toMatch(UUID);
  });

  it('takes the trace id of a later traceparent version with extra fields', async () => {
    const response = await send('GET', '/api/reports', {
      as: ALICE,
      headers: { traceparent: `01-${TRACE_ID}-00f067aa0ba902b7-01-more` },
    });
    expect(response.headers.get('x-correlation-id')).toBe(TRACE_ID);
  });
});

describe('the active-report quota (POST 429, GET /api/limits)', () => {
  beforeEach(() => {
    const now = () => new Date((clock += 1000));
    routes = reportRoutes(
      testServices(store, now, fakeVerifyToken, { userMaxActiveReports: 3, tenantMaxActiveExports: 2 }),
    );
  });

  it('is 429 with Retry-After once the user has the limit of active reports, storing nothing', async () => {
    const ids = [await created(ALICE), await created(ALICE)];
    force(ALICE, ids[1] ?? '', 'Processing');
    ids.push(await created(ALICE));
    // send() also checks that the refused request left the store as it was.
    const refused = await send('POST', '/api/reports/popularity', {
      as: ALICE,
      body: { parameters: dates() },
    });
    expectProblem(refused, 429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.body).toMatchObject({ limit: 3, activeReports: 3 });
    expect(refused.body.type).toMatch(/quota-exceeded$/);
  });

  it('counts only that user’s active reports: a finished one frees a place, others are not counted', async () => {
    const ids = [await created(ALICE), await created(ALICE), await created(ALICE)];
    // Another user of the tenant, and the same user name in another tenant, have their own quotas.
    await created(BOB);
    await created(OTHER_TENANT_ALICE);
    expectProblem(
      await send('POST', '/api/reports/ratings', { as: ALICE, body: { parameters: dates() } }),
      429,
    );
    force(ALICE, ids[0] ?? '', 'Completed');
    await created(ALICE);
    expectProblem(
      await send('POST', '/api/reports/popularity', { as: ALICE, body: { parameters: dates() } }),
      429,
    );
    expect((await send('DELETE', `/api/reports/${ids[1] ?? ''}`, { as: ALICE })).status).toBe(202);
    await created(ALICE);
  });

  it('replays a known Idempotency-Key even with the quota full, and checks duplicates first', async () => {
    const parameters = dates();
    const headers = { 'idempotency-key': 'quota-key-1' };
    const first = await send('POST', '/api/reports/popularity', { as: ALICE, headers, body: { parameters } });
    expect(first.status).toBe(202);
    await created(ALICE);
    await created(ALICE);
    const replay = await send('POST', '/api/reports/popularity', {
      as: ALICE,
      headers,
      body: { parameters },
    });
    expect(replay.status).toBe(202);
    expect(replay.body.reportId).toBe(first.body.reportId);
    expectProblem(await send('POST', '/api/reports/popularity', { as: ALICE, body: { parameters } }), 409);
  });

  it('GET /api/limits shows the limits and the caller’s active reports, to users and admins', async () => {
    await created(ALICE);
    await created(ALICE);
    const mine = await send('GET', '/api/limits', { as: ALICE });
    expect(mine.status).toBe(200);
    expect(mine.body).toEqual({ userMaxActiveReports: 3, activeReports: 2, tenantMaxActiveExports: 2 });
    const admin = await send('GET', '/api/limits', { as: ADMIN });
    expect(admin.body).toEqual({ userMaxActiveReports: 3, activeReports: 0, tenantMaxActiveExports: 2 });
    expectProblem(await send('GET', '/api/limits'), 401);
  });
});

describe('GET /api/report-types (reportTypes)', () => {
  it('is 200 with each type, its formats and its parameter JSON Schema', async () => {
    const response = await send('GET', '/api/report-types', { as: ALICE });
    expect(response.status).toBe(200);
    const items = response.body.items as Record<string, unknown>[];
    expect(items.map((item) => item.name)).toEqual(['popularity', 'ratings']);
    for (const item of items) {
      expect(item.formats).toEqual(['csv', 'json', 'ndjson', 'xlsx', 'pdf', 'parquet']);
      expect(typeof item.title).toBe('string');
      const schema = item.parameters as { type?: unknown; properties?: object; required?: unknown };
      expect(schema.type).toBe('object');
      expect(Object.keys(schema.properties ?? {})).toEqual(expect.arrayContaining(['fromDate', 'toDate']));
      expect(schema.required).toEqual(expect.arrayContaining(['fromDate', 'toDate']));
    }
    // A defaulted parameter is optional for the client.
    const popularity = items[0]?.parameters as { required?: unknown[] };
    expect(popularity.required).not.toContain('top');
  });

  it('is 401 without a valid token', async () => {
    expectProblem(await send('GET', '/api/report-types'), 401);
  });
});

describe('export options (createReport, getReport, report-types)', () => {
  const ratings = (extra: Record<string, unknown>) => ({ format: 'csv', parameters: dates(), ...extra });
  const storedReports = () => store.docs().filter((doc) => doc.kind === 'report');

  it('stores compression, the chosen columns and the canonical time zone, and shows them on the resource', async () => {
    const created = await send('POST', '/api/reports/ratings', {
      as: ALICE,
      body: ratings({ compression: 'GZIP', columns: ['ratedAt', 'rating'], timeZone: 'europe/berlin' }),
    });
    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({
      compression: 'gzip',
      columns: ['ratedAt', 'rating'],
      timeZone: 'Europe/Berlin',
      warnings: [],
    });
    const stored = storedReports()[0];
    expect(stored).toMatchObject({
      compression: 'gzip',
      columns: ['ratedAt', 'rating'],
      timeZone: 'Europe/Berlin',
    });
    const plain = await send('POST', '/api/reports/ratings', { as: ALICE, body: ratings({}) });
    expect(plain.status).toBe(202);
    expect(plain.body).toMatchObject({ compression: null, columns: null, timeZone: 'UTC' });
    // Other options make another request, not a duplicate of the first.
    const other = await send('POST', '/api/reports/ratings', {
      as: ALICE,
      body: ratings({ columns: ['rating', 'ratedAt'] }),
    });
    expect(other.status).toBe(202);
  });

  it.each([
    ['an unknown column', { columns: ['rating', 'stars'] }],
    ['a column twice', { columns: ['rating', 'rating'] }],
    ['no column', { columns: [] }],
    ['a time zone that does not exist', { timeZone: 'Mars/Olympus' }],
    ['a UTC offset instead of a zone name', { timeZone: '+02:00' }],
    ['an unknown compression', { compression: 'zip' }],
    ['gzip for XLSX', { format: 'xlsx', compression: 'gzip' }],
    ['gzip for PDF', { format: 'pdf', compression: 'gzip' }],
  ])('is 400 naming the field, storing nothing, for %s', async (_name, extra) => {
    const response = await send('POST', '/api/reports/ratings', { as: ALICE, body: ratings(extra) });
    const field = Object.keys(extra).find((key) => key !== 'format') as string;
    expectProblem(response, 400, [field]);
    expect(storedReports()).toEqual([]);
  });

  it('lists the valid columns when a column is unknown', async () => {
    const response = await send('POST', '/api/reports/ratings', {
      as: ALICE,
      body: ratings({ columns: ['stars'] }),
    });
    const errors = response.body.errors as Record<string, string[]>;
    expect(errors.columns?.[0]).toBe(
      "unknown column 'stars'; the columns are: albumId, title, userId, rating, ratedAt",
    );
  });

  it('describes the columns and compressions of every type in GET /api/report-types', async () => {
    const response = await send('GET', '/api/report-types', { as: ALICE });
    const items = response.body.items as { name: string; columns: unknown[]; compressions: unknown }[];
    const ratingsType = items.find((item) => item.name === 'ratings');
    expect(ratingsType?.columns).toContainEqual({ key: 'ratedAt', header: 'Rated at', type: 'date' });
    expect(ratingsType?.compressions).toEqual({ gzip: ['csv', 'json', 'ndjson'] });
  });
});
