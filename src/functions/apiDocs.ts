import { serveDocs } from '../web/api-docs';
import { defineHttp } from './definition';

/** GET /api/docs (anonymous): the interactive API reference, rendered from GET /api/openapi.json. */
export const apiDocs = defineHttp('apiDocs', {
  route: 'docs/{*path}',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: (request) => serveDocs(request.params.path ?? ''),
});
