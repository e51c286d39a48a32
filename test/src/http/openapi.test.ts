// The OpenAPI document: valid for an independent validator, covering every HTTP function of the app and
// every report type, generated from the schemas the handlers validate with; and the response validator
// the HTTP tests use refuses what the document does not describe.
import { HttpRequest, HttpResponse, InvocationContext } from '@azure/functions';
import { compileErrors, validate } from '@readme/openapi-parser';
import type { OpenAPIV3_1 } from 'openapi-types';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../../src/composition';
import { loadConfig } from '../../../src/config';
import {
  builtInReportTypes,
  createRequestSchema,
  describeReportTypes,
} from '../../../src/domain/report-types';
import { apiDocs } from '../../../src/functions/apiDocs';
import type { FunctionDefinition } from '../../../src/functions/definition';
import { makeOpenApi } from '../../../src/functions/openApi';
import { reportResourceSchema } from '../../../src/http/contract';
import { openApiDocument } from '../../../src/http/openapi';
import { contractValidator } from '../../support/openapi-validator';

interface JsonObject {
  properties: Record<string, Record<string, unknown>>;
  required: string[];
}

const withoutDatePatterns = (properties: JsonObject['properties']) =>
  Object.fromEntries(
    Object.entries(properties).map(([name, property]) => {
      const { pattern, ...rest } = property;
      return [name, property.format === 'date' ? rest : { pattern, ...rest }];
    }),
  );

type Doc = OpenAPIV3_1.Document & { paths: Record<string, Record<string, OpenAPIV3_1.OperationObject>> };
const doc = (): Doc => structuredClone(openApiDocument()) as unknown as Doc;

async function invoke(definition: FunctionDefinition, path: string, params: Record<string, string> = {}) {
  if (definition.trigger !== 'http') throw new Error('not an HTTP function');
  const request = new HttpRequest({ method: 'GET', url: `http://localhost:7071${path}`, params });
  const context = new InvocationContext({ functionName: definition.name, logHandler: () => undefined });
  const result = await definition.options.handler(request, context);
  return result instanceof HttpResponse ? result : new HttpResponse(result);
}

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document for an independent validator', async () => {
    const result = await validate(doc());
    expect(result.valid ? '' : compileErrors(result)).toBe('');
    expect(result.specification).toBe('OpenAPI');
    expect(doc().openapi).toMatch(/^3\.1\./);
  });

  it('the validator does find a broken document', async () => {
    const broken = doc();
    const operation = broken.paths['/reports/{reportId}']?.get;
    if (!operation) throw new Error('no GET /reports/{reportId}');
    operation.parameters = []; // the path's template parameter is no longer declared
    expect((await validate(broken)).valid).toBe(false);
  });

  it('describes every route and method of every HTTP function', async () => {
    const document = doc();
    const documented = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => ({ path, method: method.toUpperCase() })),
    );
    // The app's own list, as the composition root builds it (its clients connect to nothing here).
    const app = createApp(loadConfig(process.env));
    const http = app.functions.filter((f) => f.trigger === 'http');
    await app.close();
    expect(http.length).toBeGreaterThan(5);
    for (const definition of http) {
      if (definition.trigger !== 'http') continue;
      const route = definition.options.route ?? definition.name;
      // A `{name}` segment is any one segment; a trailing `{*rest}` anything (or nothing) after.
      const pattern = new RegExp(
        `^/${route.replace(/\/?\{\*\w+\}$/, '(/.*)?').replace(/\{\w+\}/g, '[^/]+')}$`.replace('//', '/'),
      );
      for (const method of definition.options.methods ?? []) {
        const hits = documented.filter((d) => d.method === method && pattern.test(d.path));
        expect(hits, `${method} /api/${route} (${definition.name})`).not.toEqual([]);
      }
    }
  });

  it('has one create operation per report type, its body generated from the schema the handler validates with', () => {
    const document = doc();
    const schemas = document.components?.schemas ?? {};
    for (const type of builtInReportTypes.all) {
      const operation = document.paths[`/reports/${type.name}`]?.post;
      expect(operation, type.name).toBeDefined();
      const body = operation?.requestBody as OpenAPIV3_1.RequestBodyObject;
      const ref = (body.content['application/json']?.schema as { $ref: string }).$ref;
      const schema = schemas[ref.replace('#/components/schemas/', '')] as unknown as {
        properties: { format: { enum: string[] }; parameters: JsonObject };
      };
      const published = describeReportTypes(builtInReportTypes).find((t) => t.name === type.name)
        ?.parameters as unknown as JsonObject;
      // The generator states a date by its `format` alone, where zod adds the pattern it checks with.
      expect(withoutDatePatterns(schema.properties.parameters.properties)).toEqual(
        withoutDatePatterns(published.properties),
      );
      expect(schema.properties.parameters.required).toEqual(published.required);
      expect(schema.properties.format.enum).toEqual(type.formats);
      // The example validates with the very schema the handler uses.
      const example = body.content['application/json']?.example as unknown;
      expect(createRequestSchema(type).safeParse(example).success, type.name).toBe(true);
    }
  });

  it('names the headers, the bearer scheme and a problem body for every error status', () => {
    const document = doc();
    expect(document.components?.securitySchemes?.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    const create = document.paths['/reports/popularity']?.post;
    expect(create?.security).toEqual([{ bearer: [] }]);
    expect((create?.parameters as OpenAPIV3_1.ParameterObject[]).map((p) => p.name)).toContain(
      'Idempotency-Key',
    );
    const accepted = create?.responses?.['202'] as OpenAPIV3_1.ResponseObject;
    expect(Object.keys(accepted.headers ?? {}).sort()).toEqual([
      'Location',
      'Retry-After',
      'x-correlation-id',
    ]);
    expect(Object.keys(create?.responses ?? {}).sort()).toEqual([
      '200',
      '202',
      '400',
      '401',
      '403',
      '409',
      '413',
      '422',
      '429',
      '500',
      '503',
    ]);
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const responses = (operation as OpenAPIV3_1.OperationObject).responses ?? {};
        for (const [status, response] of Object.entries(responses)) {
          if (Number(status) < 400 || path === '/health') continue;
          const content = (response as OpenAPIV3_1.ResponseObject).content ?? {};
          expect(Object.keys(content), `${method} ${path} ${status}`).toEqual(['application/problem+json']);
          expect(content['application/problem+json']?.example, `${method} ${path} ${status}`).toBeDefined();
        }
      }
    }
    expect(document.paths['/health']?.get?.security).toEqual([]);
  });

  it('shows a created report with real parameters, and names the path segment of an unknown type', () => {
    const document = doc();
    const accepted = document.paths['/reports/popularity']?.post?.responses?.[
      '202'
    ] as OpenAPIV3_1.ResponseObject;
    const example = accepted.content?.['application/json']?.example as Record<string, unknown>;
    expect(reportResourceSchema.parse(example)).toMatchObject({
      reportType: 'popularity',
      status: 'Pending',
      parameters: { fromDate: '2024-01-01', toDate: '2024-12-31', top: 100 },
    });
    expect(JSON.stringify(example)).not.toContain('additionalProp');
    const unknown = document.paths['/reports/{reportId}']?.post;
    expect(unknown?.summary).toBe('Start an export of a type that does not exist');
    const param = (unknown?.parameters as OpenAPIV3_1.ParameterObject[])[0];
    expect(param?.description).toMatch(/^For a `POST`: the name of the report type/);
  });

  it('lists the genres of the popularity parameters', () => {
    const schema = doc().components?.schemas?.PopularityRequest as {
      properties: { parameters: { properties: { genre: { enum: string[] } } } };
    };
    expect(schema.properties.parameters.properties.genre.enum).toContain('Jazz');
  });
});

describe('GET /api/openapi.json and GET /api/docs', () => {
  it('serves the document without a token', async () => {
    const response = await invoke(makeOpenApi({ reportTypes: builtInReportTypes }), '/api/openapi.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual(openApiDocument());
  });

  it('serves the reference page and its files from the app, each with a same-origin CSP', async () => {
    const page = await invoke(apiDocs, '/api/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|https?:/);
    const html = await page.text();
    const assets = [...html.matchAll(/(?:src|href)="(\/api\/docs\/[^"]+)"/g)].map((m) => m[1] ?? '');
    expect(assets.length).toBeGreaterThanOrEqual(3);
    expect(html).not.toMatch(/<script>|<style|https?:\/\//);
    for (const asset of assets) {
      const file = await invoke(apiDocs, asset, { path: asset.replace('/api/docs/', '') });
      expect(file.status, asset).toBe(200);
      expect((await file.arrayBuffer()).byteLength, asset).toBeGreaterThan(0);
    }
    const start = await (await invoke(apiDocs, '/api/docs/start.js', { path: 'start.js' })).text();
    expect(start).toContain("'/api/openapi.json'");
  });

  it('answers 404 for any other file, never reading outside the viewer package', async () => {
    for (const path of ['package.json', '../../package.json', 'index.html/../x', 'swagger-ui.js']) {
      const response = await invoke(apiDocs, `/api/docs/${path}`, { path });
      expect(response.status, path).toBe(404);
    }
  });
});

describe('the response validator', () => {
  const validator = contractValidator();
  const report = {
    reportId: '6f1c2a4e-0b7d-4c41-9a55-2f4b8c1d9e07',
    reportType: 'popularity',
    format: 'csv',
    parameters: {},
    status: 'Pending',
    cancelRequested: false,
    progress: { processedRows: 0, totalRows: null, percent: null, etaSeconds: null },
    createdAt: '2025-01-01T00:00:00.000Z',
    startedAt: null,
    completedAt: null,
    error: null,
    rowCount: null,
    truncated: false,
    warnings: [],
    compression: null,
    columns: null,
    timeZone: 'UTC',
    sizeBytes: null,
    fileName: null,
    downloadUrl: null,
    downloadExpiresAt: null,
  };
  const ok = {
    method: 'GET',
    url: `/api/reports/${report.reportId}`,
    status: 200,
    headers: new Headers({ 'content-type': 'application/json', 'x-correlation-id': 'c-1' }),
    text: JSON.stringify(report),
  };

  it('accepts a response as documented', () => {
    expect(validator.problems(ok)).toEqual([]);
  });

  it('refuses an undocumented path, method or status', () => {
    expect(validator.problems({ ...ok, url: '/api/nowhere' })).toHaveLength(1);
    expect(validator.problems({ ...ok, method: 'PUT' })).toHaveLength(1);
    expect(validator.problems({ ...ok, status: 418 })).toHaveLength(1);
  });

  it('refuses a missing required header or a header off its schema', () => {
    const headers = new Headers({ 'content-type': 'application/json' });
    expect(validator.problems({ ...ok, headers })[0]).toContain('x-correlation-id');
    const retry = new Headers(ok.headers);
    retry.set('retry-after', 'soon');
    expect(validator.problems({ ...ok, headers: retry })[0]).toContain('Retry-After');
  });

  it('refuses an undocumented media type or a body off its schema', () => {
    const text = new Headers(ok.headers);
    text.set('content-type', 'text/plain');
    expect(validator.problems({ ...ok, headers: text })[0]).toContain('text/plain');
    expect(validator.problems({ ...ok, text: JSON.stringify({ ...report, status: 'Done' }) })).toHaveLength(
      1,
    );
    expect(validator.problems({ ...ok, text: JSON.stringify({ ...report, extra: 1 }) })).toHaveLength(1);
    const { truncated: _left, ...missing } = report;
    expect(validator.problems({ ...ok, text: JSON.stringify(missing) })).toHaveLength(1);
  });
});
