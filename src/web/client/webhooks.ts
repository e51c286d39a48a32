// The admins' view of the tenant's webhooks: each endpoint (URL, events) and its recent deliveries
// (status, attempts, the last answer). Read only: endpoints are registered through the API
// (docs/webhooks.md). Shown to callers with the Reports.Admin role.
import type { Api } from './api';
import { byId, h, replaceChildren } from './dom';

interface Endpoint {
  id: string;
  url: string;
  events: string[];
  description: string;
}

interface Delivery {
  deliveryId: string;
  eventType: string;
  reportId: string;
  status: string;
  attempts: { at: string; statusCode: number | null; error: string | null }[];
  updatedAt: string;
}

/** How many recent deliveries are shown per endpoint. */
const RECENT = 5;

function lastAnswer(delivery: Delivery): string {
  const last = delivery.attempts.at(-1);
  if (!last) return 'not tried yet';
  const answer = last.statusCode === null ? (last.error ?? 'no answer') : `HTTP ${last.statusCode}`;
  return `${answer} (${delivery.attempts.length} ${delivery.attempts.length === 1 ? 'attempt' : 'attempts'})`;
}

function deliveryRow(delivery: Delivery): HTMLLIElement {
  return h(
    'li',
    { 'data-delivery': delivery.deliveryId },
    h('span', { class: `status status-${delivery.status.toLowerCase()}` }, delivery.status),
    ` ${delivery.eventType} · report ${delivery.reportId.slice(0, 8)} · ${lastAnswer(delivery)}`,
  );
}

export function setUpWebhooks(options: { api: Api; signal: AbortSignal }): { reload(): Promise<void> } {
  const section = byId('webhooks');
  const list = byId('webhook-list');
  const error = byId('webhook-error');
  section.hidden = false;

  async function reload(): Promise<void> {
    try {
      const { body } = await options.api.get<{ items: Endpoint[] }>('/api/webhooks');
      const items = await Promise.all(
        body.items.map(async (endpoint) => {
          const deliveries = await options.api.get<{ items: Delivery[] }>(
            `/api/webhooks/${encodeURIComponent(endpoint.id)}/deliveries?limit=${RECENT}`,
          );
          return h(
            'li',
            { class: 'webhook', 'data-webhook': endpoint.id },
            h('p', {}, h('strong', {}, endpoint.url), ` · ${endpoint.events.join(', ')}`),
            endpoint.description ? h('p', { class: 'hint' }, endpoint.description) : null,
            deliveries.body.items.length > 0
              ? h('ul', { class: 'deliveries' }, ...deliveries.body.items.map(deliveryRow))
              : h('p', { class: 'hint' }, 'No deliveries yet.'),
          );
        }),
      );
      if (options.signal.aborted) return;
      error.hidden = true;
      replaceChildren(list, ...(items.length > 0 ? items : [h('li', {}, 'No webhook endpoints.')]));
    } catch (failure) {
      if (options.signal.aborted) return;
      error.textContent = `The webhooks could not be read: ${failure instanceof Error ? failure.message : String(failure)}`;
      error.hidden = false;
    }
  }

  byId('webhooks-refresh').addEventListener('click', () => void reload(), { signal: options.signal });
  return { reload };
}
