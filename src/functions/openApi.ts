import type { Services } from '../services';
import { openApiDocument } from '../http/openapi';
import { defineHttp } from './definition';

/** GET /api/openapi.json (anonymous): the OpenAPI 3.1 document, generated from the zod schemas. */
export const makeOpenApi = ({ reportTypes }: Pick<Services, 'reportTypes'>) =>
  defineHttp('openApi', {
    route: 'openapi.json',
    methods: ['GET'],
    authLevel: 'anonymous',
    handler: () =>
      Promise.resolve({
        status: 200,
        jsonBody: openApiDocument(reportTypes),
        headers: { 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' },
      }),
  });
