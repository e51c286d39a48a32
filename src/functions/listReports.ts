import type { Services } from '../services';
import { toResource } from '../http/resource';
import { InvalidContinuationTokenError } from '../domain/errors';
import { validate } from '../domain/validation';
import { defineAuthenticatedHttp } from './authenticated-http';
import { listQuerySchema } from '../http/contract';
import { badRequest, invalidRequest } from '../http/problem';

/** GET /api/reports: the caller's reports (an admin's: the tenant's), newest first, paged. */
export function makeListReports({
  reports,
  reportTypes,
  verifyToken,
}: Pick<Services, 'reports' | 'reportTypes' | 'verifyToken'>) {
  const querySchema = listQuerySchema(reportTypes);
  return defineAuthenticatedHttp('listReports', {
    route: 'reports',
    methods: ['GET'],
    verifyToken,
    handler: async (request, principal) => {
      const query = validate(querySchema, Object.fromEntries(request.query));
      if (!query.ok) return invalidRequest('The query is invalid', query.errors);
      const { pageSize, continuationToken, ...filter } = query.data;
      try {
        const page = await reports.list(principal, filter, pageSize, continuationToken);
        return {
          status: 200,
          headers: { 'Cache-Control': 'no-store' },
          jsonBody: {
            items: page.items.map((r) => toResource(r)),
            continuationToken: page.continuationToken,
          },
        };
      } catch (error) {
        if (error instanceof InvalidContinuationTokenError) {
          return badRequest(error.message, { continuationToken: [error.message] });
        }
        throw error;
      }
    },
  });
}
