import type { Services } from '../services';
import { validate } from '../domain/validation';
import { badRequest, unreadableBody } from '../http/problem';
import { MAX_JSON_BODY_BYTES, readJsonBody } from '../http/request';
import { webhookInputSchema } from '../http/webhooks';
import { defineAdminHttp } from './admin-http';

const NO_STORE = { 'Cache-Control': 'no-store' };

/** GET /api/webhooks: the tenant's endpoints. POST: registers one; its secret is in this answer only. */
export const makeWebhooks = ({ webhooks, verifyToken }: Pick<Services, 'webhooks' | 'verifyToken'>) =>
  defineAdminHttp('webhooks', {
    route: 'webhooks',
    methods: ['GET', 'POST'],
    verifyToken,
    handler: async (request, principal) => {
      if (request.method !== 'POST') {
        return { status: 200, headers: NO_STORE, jsonBody: { items: await webhooks.list(principal) } };
      }
      const body = await readJsonBody(request);
      const unreadable = unreadableBody(body, MAX_JSON_BODY_BYTES);
      if (unreadable) return unreadable;
      const input = validate(webhookInputSchema, body.kind === 'ok' ? body.value : undefined);
      if (!input.ok) return badRequest('The webhook is invalid.', input.errors);
      const result = await webhooks.create(principal, input.data);
      if (result.kind === 'invalid') return badRequest('The webhook is invalid.', result.errors);
      return {
        status: 201,
        headers: { ...NO_STORE, Location: `/api/webhooks/${result.endpoint.id}` },
        jsonBody: { ...result.endpoint, secret: result.secret },
      };
    },
  });
