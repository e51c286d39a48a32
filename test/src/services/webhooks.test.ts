// The webhook service's checks when an endpoint is registered, with a stubbed DNS resolver (no name is
// ever looked up for real and nothing is called): a host that resolves to any inside address is refused
// and nothing is stored; a public one is stored with its secret, which no read shows again.
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../../src/domain/principal';
import type { WebhookDeliveryDocument, WebhookEndpointDocument } from '../../../src/domain/webhooks';
import type { MessagePublisher, Stored, WebhookStore } from '../../../src/services/ports';
import { createWebhookService } from '../../../src/services/webhooks';

/** Endpoints in a Map; deliveries are not needed here. */
function memoryStore(): WebhookStore & { endpoints: Map<string, WebhookEndpointDocument> } {
  const endpoints = new Map<string, WebhookEndpointDocument>();
  const key = (tenantId: string, id: string) => `${tenantId}/${id}`;
  const none = (): Promise<never> => Promise.reject(new Error('not used here'));
  return {
    endpoints,
    createEndpoint: (e) => Promise.resolve(void endpoints.set(key(e.tenantId, e.id), structuredClone(e))),
    getEndpoint: (t, id): Promise<Stored<WebhookEndpointDocument> | undefined> => {
      const found = endpoints.get(key(t, id));
      return Promise.resolve(found && { doc: structuredClone(found), etag: 'e' });
    },
    listEndpoints: (t) => Promise.resolve([...endpoints.values()].filter((e) => e.tenantId === t)),
    replaceEndpoint: none,
    deleteEndpoint: none,
    getDelivery: (): Promise<WebhookDeliveryDocument | undefined> => none(),
    saveDelivery: none,
    listDeliveries: none,
  };
}

const admin: Principal = { tenantId: 'contoso', userId: 'root', roles: ['Reports.Admin'], isAdmin: true };
const unused: MessagePublisher = { publish: () => Promise.reject(new Error('not used here')) };

function service(dns: Record<string, string[]>, allowedHosts: string[] = []) {
  const store = memoryStore();
  const resolved: string[] = [];
  const webhooks = createWebhookService({
    store,
    resolve: (host) => {
      resolved.push(host);
      const addresses = dns[host];
      return addresses ? Promise.resolve(addresses) : Promise.reject(new Error('ENOTFOUND'));
    },
    send: () => Promise.reject(new Error('nothing is sent here')),
    publisher: unused,
    allowedHosts,
    retryScheduleSeconds: [5],
    secretGraceSeconds: 60,
    retentionSeconds: 3600,
  });
  return { store, webhooks, resolved };
}

const input = (url: string) => ({ url, events: ['report.completed' as const], description: '' });

describe('registering a webhook endpoint', () => {
  it.each([
    ['inside.example.com', ['10.20.30.40'], 'must not resolve to a private address'],
    ['meta.example.com', ['169.254.169.254'], 'must not resolve to a metadata address'],
    ['loop.example.com', ['127.0.0.1'], 'must not resolve to a loopback address'],
    ['mixed.example.com', ['93.184.215.14', 'fd00::5'], 'must not resolve to a private address'],
    ['missing.example.com', undefined, 'host missing.example.com does not resolve'],
  ])('refuses %s (resolving to %j) and stores nothing', async (host, addresses, message) => {
    const { store, webhooks, resolved } = service(addresses ? { [host]: addresses } : {});
    expect(await webhooks.create(admin, input(`https://${host}/hook`))).toEqual({
      kind: 'invalid',
      errors: { url: [message] },
    });
    expect(resolved).toEqual([host]);
    expect(store.endpoints.size).toBe(0);
  });

  it('refuses loopback, even by name, unless the host is allowed', async () => {
    const refused = service({ localhost: ['127.0.0.1'] });
    expect(await refused.webhooks.create(admin, input('http://localhost:9000/hook'))).toMatchObject({
      kind: 'invalid',
    });
    const allowed = service({}, ['localhost']);
    expect(await allowed.webhooks.create(admin, input('http://localhost:9000/hook'))).toMatchObject({
      kind: 'created',
    });
    expect(allowed.resolved).toEqual([]);
  });

  it('stores a public endpoint with a new secret, shown in the answer and in no read', async () => {
    const { store, webhooks } = service({ 'hooks.example.com': ['93.184.215.14'] });
    const created = await webhooks.create(admin, input('https://hooks.example.com/hook'));
    if (created.kind !== 'created') throw new Error('not created');
    expect(created.secret).toMatch(/^whsec_/);
    expect([...store.endpoints.values()][0]?.secrets[0]?.secret).toBe(created.secret);
    const listed = JSON.stringify([
      await webhooks.list(admin),
      await webhooks.get(admin, created.endpoint.id),
    ]);
    expect(listed).not.toContain(created.secret);
    expect(await webhooks.get({ ...admin, tenantId: 'fabrikam' }, created.endpoint.id)).toBeUndefined();
  });
});
