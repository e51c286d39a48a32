// The OpenAPI 3.1 document of the HTTP API, generated from the zod schemas the handlers validate requests
// with (each report type's request body, the list query) and the response schemas of ./contract.ts.
// One cohesive thing, the document: one registration per path, in the order the API docs read.
import {
  OpenAPIRegistry,
  OpenApiGeneratorV31,
  type ResponseConfig,
  type RouteConfig,
} from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import {
  builtInReportTypes,
  createRequestSchema,
  type ReportTypeDefinition,
  type ReportTypeRegistry,
} from '../domain/report-types';
import {
  healthSchema,
  listQuerySchema,
  pageConfigSchema,
  problemSchema,
  reportPageSchema,
  reportResourceSchema,
  reportTypesSchema,
  limitsSchema,
} from './contract';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPES } from './problem';
import { POLL_AFTER_SECONDS } from './reports';
import { CORRELATION_ID_HEADER } from './request';
import {
  createdWebhookSchema,
  deliveriesQuerySchema,
  deliveryListSchema,
  deliverySchema,
  webhookEndpointSchema,
  webhookEventSchema,
  webhookInputSchema,
  webhookListSchema,
  webhookSecretSchema,
} from './webhooks';
import { WEBHOOK_EVENT_TYPES } from '../domain/webhooks';

const OPENAPI_VERSION = '3.1.0';
const BEARER = 'bearer';

const reportIdParams = z.strictObject({
  reportId: z.uuid().describe('The report’s id (`reportId` of the report resource).'),
});

type HeaderSchema = { type: 'string'; format?: string; pattern?: string };
const header = (description: string, schema: HeaderSchema = { type: 'string' }, required = false) => ({
  description,
  schema,
  ...(required ? { required } : {}),
});
const correlationHeader = {
  [CORRELATION_ID_HEADER]: header(
    'The request’s correlation id: the one sent, else the trace id of `traceparent`, else a new one.',
    { type: 'string' },
    true,
  ),
};
const retryAfter = (description: string, required = false) => ({
  'Retry-After': header(description, { type: 'string', pattern: '^[0-9]+$' }, required),
});

const json = (schema: z.ZodType) => ({ 'application/json': { schema } });

function problem(description: string, example: Record<string, unknown>, headers = {}): ResponseConfig {
  return {
    description,
    headers: { ...correlationHeader, ...headers },
    content: { [PROBLEM_CONTENT_TYPE]: { schema: problemSchema, example } },
  };
}

const example = (status: number, type: string, title: string, detail: string, extra = {}) => ({
  type,
  title,
  status,
  detail,
  ...extra,
});

/** The problems every authenticated operation can answer with. */
const authProblems: Record<number, ResponseConfig> = {
  500: problem(
    'An unexpected error; no details, only the correlation id to quote.',
    example(
      500,
      PROBLEM_TYPES.internalError,
      'Internal server error.',
      'The request could not be completed. Quote the correlation id when you report this.',
      { correlationId: '0af7651916cd43dd8448eb211c80319c' },
    ),
  ),
  503: problem(
    'A database, broker or storage outage: try again after `Retry-After` seconds.',
    example(
      503,
      PROBLEM_TYPES.serviceUnavailable,
      'Service unavailable.',
      'The database is unavailable at the moment.',
      {
        correlationId: '0af7651916cd43dd8448eb211c80319c',
      },
    ),
    { 'Retry-After': header('Seconds to wait before trying again.') },
  ),
  401: problem(
    'No valid bearer token.',
    example(401, PROBLEM_TYPES.unauthorized, 'Authentication required.', 'A bearer token is required.'),
    { 'WWW-Authenticate': header('The Bearer challenge (RFC 6750).') },
  ),
  403: problem(
    'The token lacks the API’s scope or app role.',
    example(
      403,
      PROBLEM_TYPES.forbidden,
      'Forbidden.',
      'The token grants neither the Reports.Access scope nor the Reports.Access app role.',
      {
        requiredScope: 'Reports.Access',
      },
    ),
    { 'WWW-Authenticate': header('An `insufficient_scope` Bearer challenge naming the scope.') },
  ),
};

const notFound = problem(
  'No such report, or not yours.',
  example(404, PROBLEM_TYPES.notFound, 'Not found.', 'No such report.'),
);

const badRequest = (detail: string, errors: Record<string, string[]>, more = '') =>
  problem(
    `The request did not validate: \`errors\` names every problem at once, by field, and \`detail\` lists them.${more}`,
    example(400, PROBLEM_TYPES.validationError, 'Your request parameters did not validate.', detail, {
      errors,
    }),
  );

const reportResponse = (
  description: string,
  headers = {},
  example?: Record<string, unknown>,
): ResponseConfig => ({
  description,
  headers: { ...correlationHeader, ...headers },
  content: { 'application/json': { schema: reportResourceSchema, ...(example ? { example } : {}) } },
});

const pollHeader = retryAfter(
  `Seconds to wait before polling again (${POLL_AFTER_SECONDS}), while not finished.`,
);

const pascal = (name: string): string =>
  name.replace(/(^|-)([a-z0-9])/g, (_m, _dash: string, char: string) => char.toUpperCase());

/** An example body for `type`: its first format and the date range every shipped type has. */
function exampleBody(type: ReportTypeDefinition): Record<string, unknown> {
  const parameters: Record<string, unknown> = { fromDate: '2024-01-01', toDate: '2024-12-31' };
  const probe = createRequestSchema(type).safeParse({ format: 'csv', parameters });
  return probe.success ? { format: 'csv', parameters } : { format: type.formats[0] ?? 'csv', parameters: {} };
}

/** The report `type` answers a create of {@link exampleBody} with: Pending, its parameters with defaults. */
function acceptedExample(type: ReportTypeDefinition): Record<string, unknown> {
  const body = exampleBody(type);
  const parsed = createRequestSchema(type).safeParse(body);
  return {
    reportId: '6f1c2a4e-0b7d-4c41-9a55-2f4b8c1d9e07',
    reportType: type.name,
    format: parsed.success ? parsed.data.format : body.format,
    parameters: parsed.success ? parsed.data.parameters : body.parameters,
    status: 'Pending',
    cancelRequested: false,
    progress: { processedRows: 0, totalRows: null, percent: null, etaSeconds: null },
    createdAt: '2024-05-01T12:00:00.000Z',
    startedAt: null,
    completedAt: null,
    error: null,
    rowCount: null,
    sizeBytes: null,
    fileName: null,
    truncated: false,
    warnings: [],
    compression: null,
    columns: null,
    timeZone: 'UTC',
    downloadUrl: null,
    downloadExpiresAt: null,
  };
}

function createOperation(type: ReportTypeDefinition): RouteConfig {
  const body = createRequestSchema(type).meta({ id: `${pascal(type.name)}Request` });
  return {
    method: 'post',
    path: `/reports/${type.name}`,
    operationId: `create${pascal(type.name)}Report`,
    tags: ['Reports'],
    summary: `Start an export: ${type.title}`,
    description: `${type.description} Answers at once; poll the report (its \`Location\`) until it is finished.`,
    security: [{ [BEARER]: [] }],
    request: {
      headers: z.strictObject({
        'Idempotency-Key': z
          .string()
          .regex(/^[\x21-\x7e]{1,200}$/)
          .optional()
          .describe('1-200 visible ASCII characters. A repeat with the same body returns the same report.'),
      }),
      body: {
        required: false,
        content: { 'application/json': { schema: body, example: exampleBody(type) } },
      },
    },
    responses: {
      200: reportResponse(
        'A repeated Idempotency-Key of a report that is finished: the report as `GET` shows it, with its `downloadUrl` once Completed.',
        { Location: header('The report’s URL, e.g. `/api/reports/{reportId}`.') },
      ),
      202: reportResponse(
        'Accepted: the report, Pending (or, for a repeated Idempotency-Key, the earlier one as it is now).',
        {
          Location: header('The report’s URL, e.g. `/api/reports/{reportId}`.'),
          ...pollHeader,
        },
        acceptedExample(type),
      ),
      400: badRequest(
        `The request is invalid: format must be one of: ${type.formats.join(', ')}; parameters.fromDate is required.`,
        {
          format: [`must be one of: ${type.formats.join(', ')}`],
          'parameters.fromDate': ['is required'],
        },
        ' Also a request without a body, or with one not sent as `application/json` (a `bad-request` problem).',
      ),
      ...authProblems,
      409: problem(
        'An active report with the same type, format and parameters exists.',
        example(
          409,
          PROBLEM_TYPES.conflict,
          'Conflict.',
          'An active report with the same type, format and parameters exists.',
          {
            existingReportId: '6f1c2a4e-0b7d-4c41-9a55-2f4b8c1d9e07',
          },
        ),
      ),
      413: problem(
        'The body is too large.',
        example(
          413,
          PROBLEM_TYPES.payloadTooLarge,
          'Request body too large.',
          'The request body must not exceed 65536 bytes.',
          {
            limitBytes: 65536,
          },
        ),
      ),
      429: problem(
        'The caller has USER_MAX_ACTIVE_REPORTS reports Pending or Processing already; nothing was stored.',
        example(
          429,
          PROBLEM_TYPES.quotaExceeded,
          'Quota exceeded.',
          'You have 20 active reports, the most allowed.',
          {
            limit: 20,
            activeReports: 20,
          },
        ),
        { 'Retry-After': header('Seconds to wait before asking again.') },
      ),
      422: problem(
        'The Idempotency-Key was used before with a different body.',
        example(
          422,
          PROBLEM_TYPES.unprocessable,
          'Unprocessable content.',
          'The Idempotency-Key was already used with a different request body.',
        ),
      ),
    },
  };
}

function register(registry: OpenAPIRegistry, types: ReportTypeRegistry): void {
  registry.registerComponent('securitySchemes', BEARER, {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'A Microsoft Entra ID access token for the API (locally: `npm run token`). `tid` is the tenant, `oid` (else `sub`) the user; the `Reports.Admin` role sees the whole tenant.',
  });

  registry.registerPath({
    method: 'get',
    path: '/health',
    operationId: 'health',
    tags: ['Service'],
    summary: 'Health of the app and each dependency',
    security: [],
    responses: {
      200: { description: 'Every dependency answered.', content: json(healthSchema) },
      503: { description: 'A dependency did not answer.', content: json(healthSchema) },
    },
  });

  registry.registerPath({
    method: 'get',
    path: '/report-types',
    operationId: 'listReportTypes',
    tags: ['Reports'],
    summary: 'The report types, their formats and parameter JSON Schemas',
    security: [{ [BEARER]: [] }],
    responses: {
      200: {
        description: 'Every report type.',
        headers: correlationHeader,
        content: json(reportTypesSchema),
      },
      ...authProblems,
    },
  });

  registry.registerPath({
    method: 'get',
    path: '/limits',
    operationId: 'getLimits',
    tags: ['Reports'],
    summary: 'The per-user quota of active reports (and the caller’s use of it) and the per-tenant cap',
    security: [{ [BEARER]: [] }],
    responses: {
      200: { description: 'The limits.', headers: correlationHeader, content: json(limitsSchema) },
      ...authProblems,
    },
  });

  for (const type of types.all) registry.registerPath(createOperation(type));

  registry.registerPath({
    method: 'get',
    path: '/reports',
    operationId: 'listReports',
    tags: ['Reports'],
    summary: 'Your reports (an admin’s: the tenant’s), newest first',
    security: [{ [BEARER]: [] }],
    request: { query: listQuerySchema(types) },
    responses: {
      200: { description: 'One page.', headers: correlationHeader, content: json(reportPageSchema) },
      400: badRequest('The query is invalid: pageSize must be at most 100.', {
        pageSize: ['must be at most 100'],
      }),
      ...authProblems,
    },
  });

  registry.registerPath({
    method: 'post',
    path: '/reports/{reportId}',
    operationId: 'createReportOfUnknownType',
    tags: ['Reports'],
    summary: 'Start an export of a type that does not exist',
    description:
      'A `POST` to `/reports/{name}` starts an export of the report type `name`: the operations above, one a type ' +
      '(`GET /api/report-types` lists them). Any other name is a `400`. OpenAPI gives one name to a path segment ' +
      'for every method, so this segment is called `reportId` here, as for `GET` and `DELETE`; for a `POST` it ' +
      'holds a report type name.',
    security: [{ [BEARER]: [] }],
    request: {
      params: z.strictObject({
        reportId: z
          .string()
          .describe('For a `POST`: the name of the report type to export (here, one that does not exist).'),
      }),
    },
    responses: {
      400: problem(
        'Not a known report type.',
        example(
          400,
          PROBLEM_TYPES.validationError,
          'Your request parameters did not validate.',
          "Unknown report type 'nope'.",
          {
            errors: { reportType: ['is not a known report type; see GET /api/report-types'] },
          },
        ),
      ),
      ...authProblems,
    },
  });

  registry.registerPath({
    method: 'get',
    path: '/reports/{reportId}',
    operationId: 'getReport',
    tags: ['Reports'],
    summary: 'A report: status, progress and, once Completed, a download link',
    security: [{ [BEARER]: [] }],
    request: { params: reportIdParams },
    responses: {
      200: reportResponse('The report.', pollHeader),
      ...authProblems,
      404: notFound,
    },
  });

  registry.registerPath({
    method: 'delete',
    path: '/reports/{reportId}',
    operationId: 'cancelReport',
    tags: ['Reports'],
    summary: 'Cancel a report',
    description: 'Pending: Cancelled at once. Processing: `cancelRequested` is set and the worker stops.',
    security: [{ [BEARER]: [] }],
    request: { params: reportIdParams },
    responses: {
      202: reportResponse('The report, Cancelled or with `cancelRequested`.', pollHeader),
      ...authProblems,
      404: notFound,
      409: problem(
        'The report is already finished.',
        example(409, PROBLEM_TYPES.conflict, 'Conflict.', 'The report is already Completed.', {
          reportStatus: 'Completed',
        }),
      ),
    },
  });

  const download = (method: 'get' | 'head'): RouteConfig => ({
    method,
    path: '/reports/{reportId}/download',
    operationId: method === 'get' ? 'downloadReport' : 'checkReportDownload',
    tags: ['Reports'],
    summary:
      method === 'get' ? 'Download the file (a redirect to a short-lived link)' : 'As GET, without a body',
    security: [{ [BEARER]: [] }],
    request: { params: reportIdParams },
    responses: {
      303: {
        description: 'See Other: a fresh read-only link to the file.',
        headers: {
          ...correlationHeader,
          Location: header('The link to the file.', { type: 'string', format: 'uri' }, true),
        },
      },
      ...authProblems,
      404: notFound,
      409: problem(
        'The report is not Completed.',
        example(
          409,
          PROBLEM_TYPES.conflict,
          'Conflict.',
          'The report is Processing; only a Completed report can be downloaded.',
          {
            reportStatus: 'Processing',
          },
        ),
      ),
    },
  });
  registry.registerPath(download('get'));
  registry.registerPath(download('head'));

  registry.registerPath({
    method: 'get',
    path: '/openapi.json',
    operationId: 'openApiDocument',
    tags: ['Service'],
    summary: 'This document',
    security: [],
    responses: {
      200: { description: 'The OpenAPI document.', content: json(z.record(z.string(), z.unknown())) },
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/docs',
    operationId: 'apiReference',
    tags: ['Service'],
    summary: 'The interactive API reference, rendered from this document',
    security: [],
    responses: { 200: { description: 'An HTML page.', content: { 'text/html': { schema: z.string() } } } },
  });
  registry.registerPath({
    method: 'get',
    path: '/web/config.json',
    operationId: 'webPageConfig',
    tags: ['Service'],
    summary: 'How the web page at /api/web signs in',
    security: [],
    responses: { 200: { description: 'The page’s configuration.', content: json(pageConfigSchema) } },
  });

  registerWebhooks(registry);
}

const webhookIdParams = z.strictObject({ webhookId: z.string().describe('The endpoint’s id.') });

const adminOnly = problem(
  'The caller is not an admin of its tenant.',
  example(403, PROBLEM_TYPES.forbidden, 'Forbidden.', 'Webhooks are managed by the Reports.Admin role.'),
);

const noWebhook = problem(
  'No such webhook endpoint in the caller’s tenant.',
  example(404, PROBLEM_TYPES.notFound, 'Not found.', 'No such webhook.'),
);

const ok = (description: string, schema: z.ZodType, headers = {}): ResponseConfig => ({
  description,
  headers: { ...correlationHeader, ...headers },
  content: json(schema),
});

/** The webhook routes (Reports.Admin only), and the events they deliver (OpenAPI 3.1 `webhooks`). */
function registerWebhooks(registry: OpenAPIRegistry): void {
  const operation = (config: Omit<RouteConfig, 'tags' | 'security'>): RouteConfig => ({
    ...config,
    tags: ['Webhooks'],
    security: [{ [BEARER]: [] }],
    responses: { ...config.responses, ...authProblems, 403: adminOnly },
  });
  registry.registerPath(
    operation({
      method: 'post',
      path: '/webhooks',
      operationId: 'createWebhook',
      summary: 'Register a webhook endpoint; its signing secret is shown in this answer only',
      request: { body: { required: true, content: json(webhookInputSchema) } },
      responses: {
        201: ok('The endpoint, with its secret.', createdWebhookSchema, {
          Location: header('The endpoint’s URL.'),
        }),
        400: badRequest('The webhook is invalid.', { url: ['must not resolve to a private address'] }),
        413: problem(
          'The body is too large.',
          example(413, PROBLEM_TYPES.payloadTooLarge, 'Payload too large.', 'The body is over 65536 bytes.'),
        ),
      },
    }),
  );
  registry.registerPath(
    operation({
      method: 'get',
      path: '/webhooks',
      operationId: 'listWebhooks',
      summary: 'The tenant’s webhook endpoints',
      responses: { 200: ok('The endpoints (never a secret).', webhookListSchema) },
    }),
  );
  registry.registerPath(
    operation({
      method: 'get',
      path: '/webhooks/{webhookId}',
      operationId: 'getWebhook',
      summary: 'One webhook endpoint',
      request: { params: webhookIdParams },
      responses: { 200: ok('The endpoint (never its secret).', webhookEndpointSchema), 404: noWebhook },
    }),
  );
  registry.registerPath(
    operation({
      method: 'delete',
      path: '/webhooks/{webhookId}',
      operationId: 'deleteWebhook',
      summary: 'Remove a webhook endpoint',
      request: { params: webhookIdParams },
      responses: { 204: { description: 'Removed.', headers: correlationHeader }, 404: noWebhook },
    }),
  );
  registry.registerPath(
    operation({
      method: 'post',
      path: '/webhooks/{webhookId}/secret',
      operationId: 'rotateWebhookSecret',
      summary: 'A new signing secret; the previous one keeps signing for WEBHOOK_SECRET_GRACE_SECONDS',
      request: { params: webhookIdParams },
      responses: { 200: ok('The new secret, shown once.', webhookSecretSchema), 404: noWebhook },
    }),
  );
  registry.registerPath(
    operation({
      method: 'get',
      path: '/webhooks/{webhookId}/deliveries',
      operationId: 'listWebhookDeliveries',
      summary: 'The endpoint’s deliveries, newest first, each with its attempts',
      request: { params: webhookIdParams, query: deliveriesQuerySchema },
      responses: {
        200: ok('The deliveries.', deliveryListSchema),
        400: badRequest('The query is invalid.', { limit: ['must be at most 100'] }),
        404: noWebhook,
      },
    }),
  );
  registry.registerPath(
    operation({
      method: 'post',
      path: '/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver',
      operationId: 'redeliverWebhook',
      summary: 'Deliver an event again, now, as a new attempt',
      request: {
        params: webhookIdParams.extend({ deliveryId: z.string().describe('The delivery’s id.') }),
      },
      responses: {
        202: ok('The delivery, Pending until the attempt is made.', deliverySchema),
        404: problem(
          'No such delivery of that endpoint in the caller’s tenant.',
          example(404, PROBLEM_TYPES.notFound, 'Not found.', 'No such delivery.'),
        ),
      },
    }),
  );
  for (const type of WEBHOOK_EVENT_TYPES) {
    registry.registerWebhook({
      method: 'post',
      path: type,
      operationId: `event${pascal(type.replace('.', '-'))}`,
      tags: ['Webhooks'],
      summary: `The ${type} event, POSTed to every endpoint that asked for it`,
      description:
        'Signed as the Standard Webhooks specification says: `webhook-id` (the same for every retry), `webhook-timestamp` and `webhook-signature` (`v1,` and base64 of HMAC-SHA256 over `{id}.{timestamp}.{body}` with the endpoint’s secret). Answer 2xx within a few seconds; anything else is retried with backoff.',
      request: {
        headers: z.object({
          'webhook-id': z.string(),
          'webhook-timestamp': z.string(),
          'webhook-signature': z.string(),
        }),
        body: { required: true, content: json(webhookEventSchema) },
      },
      responses: { 200: { description: 'Received (any 2xx).' } },
    });
  }
}

const documents = new WeakMap<ReportTypeRegistry, Record<string, unknown>>();

/** The OpenAPI 3.1 document of the API serving the report types of `types` (built once per registry). */
export function openApiDocument(types: ReportTypeRegistry = builtInReportTypes): Record<string, unknown> {
  let cached = documents.get(types);
  if (!cached) {
    const registry = new OpenAPIRegistry();
    register(registry, types);
    const document = new OpenApiGeneratorV31(registry.definitions).generateDocument({
      openapi: OPENAPI_VERSION,
      info: {
        title: 'Report exports API',
        version: '1.0.0',
        description:
          'Asynchronous report exports: start an export, poll it, download the file. Every error is an `application/problem+json` body (RFC 9457).',
      },
      servers: [{ url: '/api' }],
      tags: [
        { name: 'Reports', description: 'Start, follow, list, cancel and download exports.' },
        { name: 'Webhooks', description: 'Endpoints that are told when a report ends (Reports.Admin).' },
        { name: 'Service', description: 'Health, this document and the pages.' },
      ],
    });
    cached = JSON.parse(JSON.stringify(document)) as Record<string, unknown>;
    documents.set(types, cached);
  }
  return cached;
}
