import type { Services } from '../services';
import { defineAuthenticatedHttp } from './authenticated-http';

/**
 * GET /api/limits: the per-user quota of active reports (with the caller's use of it) and the per-tenant
 * cap on running exports, so users and admins can see why a request is refused or waits.
 */
export const makeLimits = ({ reports, verifyToken }: Pick<Services, 'reports' | 'verifyToken'>) =>
  defineAuthenticatedHttp('limits', {
    route: 'limits',
    methods: ['GET'],
    verifyToken,
    handler: async (_request, principal) => ({
      status: 200,
      jsonBody: await reports.limits(principal),
      headers: { 'Cache-Control': 'no-store' },
    }),
  });
