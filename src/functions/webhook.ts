import type { Services } from '../services';
import { notFound } from '../http/problem';
import { defineAdminHttp } from './admin-http';

/** GET /api/webhooks/{webhookId}: one endpoint of the tenant (never its secret). DELETE: removes it. */
export const makeWebhook = ({ webhooks, verifyToken }: Pick<Services, 'webhooks' | 'verifyToken'>) =>
  defineAdminHttp('webhook', {
    route: 'webhooks/{webhookId}',
    methods: ['GET', 'DELETE'],
    verifyToken,
    handler: async (request, principal) => {
      const id = request.params.webhookId ?? '';
      if (request.method === 'DELETE') {
        return (await webhooks.delete(principal, id)) ? { status: 204 } : notFound('No such webhook.');
      }
      const endpoint = await webhooks.get(principal, id);
      return endpoint
        ? { status: 200, headers: { 'Cache-Control': 'no-store' }, jsonBody: endpoint }
        : notFound('No such webhook.');
    },
  });
