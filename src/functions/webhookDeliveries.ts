import type { Services } from '../services';
import { validate } from '../domain/validation';
import { badRequest, notFound } from '../http/problem';
import { deliveriesQuerySchema } from '../http/webhooks';
import { defineAdminHttp } from './admin-http';

/** GET /api/webhooks/{webhookId}/deliveries: the endpoint's deliveries, newest first, with every attempt. */
export const makeWebhookDeliveries = ({
  webhooks,
  verifyToken,
}: Pick<Services, 'webhooks' | 'verifyToken'>) =>
  defineAdminHttp('webhookDeliveries', {
    route: 'webhooks/{webhookId}/deliveries',
    methods: ['GET'],
    verifyToken,
    handler: async (request, principal) => {
      const query = validate(deliveriesQuerySchema, Object.fromEntries(request.query));
      if (!query.ok) return badRequest('The query is invalid.', query.errors);
      const items = await webhooks.deliveries(principal, request.params.webhookId ?? '', query.data.limit);
      return items
        ? { status: 200, headers: { 'Cache-Control': 'no-store' }, jsonBody: { items } }
        : notFound('No such webhook.');
    },
  });
