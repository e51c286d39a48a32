import type { Services } from '../services';
import { notFound } from '../http/problem';
import { defineAdminHttp } from './admin-http';

/** POST /api/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver: the event again, now, as a new attempt. */
export const makeRedeliverWebhook = ({ webhooks, verifyToken }: Pick<Services, 'webhooks' | 'verifyToken'>) =>
  defineAdminHttp('redeliverWebhook', {
    route: 'webhooks/{webhookId}/deliveries/{deliveryId}/redeliver',
    methods: ['POST'],
    verifyToken,
    handler: async (request, principal) => {
      const delivery = await webhooks.redeliver(
        principal,
        request.params.webhookId ?? '',
        request.params.deliveryId ?? '',
      );
      return delivery ? { status: 202, jsonBody: delivery } : notFound('No such delivery.');
    },
  });
