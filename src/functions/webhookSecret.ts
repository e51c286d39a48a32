import type { Services } from '../services';
import { notFound } from '../http/problem';
import { defineAdminHttp } from './admin-http';

/** POST /api/webhooks/{webhookId}/secret: a new signing secret, shown once; the old one signs a while longer. */
export const makeWebhookSecret = ({ webhooks, verifyToken }: Pick<Services, 'webhooks' | 'verifyToken'>) =>
  defineAdminHttp('webhookSecret', {
    route: 'webhooks/{webhookId}/secret',
    methods: ['POST'],
    verifyToken,
    handler: async (request, principal) => {
      const rotated = await webhooks.rotateSecret(principal, request.params.webhookId ?? '');
      return rotated
        ? { status: 200, headers: { 'Cache-Control': 'no-store' }, jsonBody: rotated }
        : notFound('No such webhook.');
    },
  });
