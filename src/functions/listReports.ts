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
      // Read from the URL: it keeps a parameter given more than once, whatever the host made of it.
      const search = new URL(request.url).searchParams;
      const repeated = [...new Set(search.keys())].filter((key) => search.getAll(key).length > 1);
      if (repeated.length > 0) {
        return invalidRequest(
          'The query is invalid',
          Object.fromEntries(
            repeated.map((key) => [key, [`is given ${search.getAll(key).length} times; give it once`]]),
          ),
        );
      }
      const query = validate(querySchema, Object.fromEntries(search));
      if (!query.ok) return invalidRequest('The query is invalid', query.errors);
      const { pageSize, continuationToken, ...filter } = query.data;
      try {
        const page = await reports.list(principal, filter, pageSize, continuationToken);
        return {
          status: 200,
          headers: { 'Cache-Control': 'no-store' },
          jsonBody: {
            items: page.items.map(({ report, link }) => toResource(report, link)),
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
