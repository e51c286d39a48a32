import type { Services } from '../services';
import { guardHttp } from '../http/boundary';
import { defineHttp } from './definition';

/** GET /api/health (anonymous): each dependency up or down; 200 only when all are up. */
export const makeHealth = ({ health }: Pick<Services, 'health'>) =>
  defineHttp('health', {
    route: 'health',
    methods: ['GET'],
    authLevel: 'anonymous',
    handler: guardHttp(async () => {
      const report = await health();
      return {
        status: report.status === 'healthy' ? 200 : 503,
        jsonBody: report,
        headers: { 'Cache-Control': 'no-store' },
      };
    }),
  });
