// WebhookStore on the Cosmos DB `reports` container (partition key /tenantId): endpoints (`kind:
// 'webhook'`) and delivery records (`kind: 'webhook-delivery'`) live in their tenant's partition, next to
// the reports whose events they deliver. Every query names the tenant.
import type { Container } from '@azure/cosmos';
import type { WebhookDeliveryDocument, WebhookEndpointDocument } from '../domain/webhooks';
import type { Stored, WebhookStore } from '../services/ports';
import { asJson, clean, readDocument, replaceIfMatch, statusOf } from './cosmos-documents';
import { cosmosError, withTranslatedErrors } from './sdk-errors';

export function createCosmosWebhookStore(container: Container): WebhookStore {
  const endpointOf = (tenantId: string, id: string) =>
    readDocument<WebhookEndpointDocument>(
      container,
      id,
      tenantId,
      (resource) => resource.kind === 'webhook' && resource.tenantId === tenantId,
    );

  const store: WebhookStore = {
    async createEndpoint(endpoint: WebhookEndpointDocument): Promise<void> {
      await container.items.create(asJson(endpoint));
    },

    getEndpoint: (
      tenantId: string,
      endpointId: string,
    ): Promise<Stored<WebhookEndpointDocument> | undefined> => endpointOf(tenantId, endpointId),

    async listEndpoints(tenantId: string): Promise<WebhookEndpointDocument[]> {
      const { resources } = await container.items
        .query<WebhookEndpointDocument>(
          {
            query:
              "SELECT * FROM c WHERE c.tenantId = @tenantId AND c.kind = 'webhook' ORDER BY c.createdAt ASC",
            parameters: [{ name: '@tenantId', value: tenantId }],
          },
          { partitionKey: tenantId },
        )
        .fetchAll();
      return resources.map((resource) => clean<WebhookEndpointDocument>(resource));
    },

    async replaceEndpoint(endpoint: WebhookEndpointDocument, etag: string): Promise<'replaced' | 'conflict'> {
      const result = await replaceIfMatch(container, endpoint, endpoint.tenantId, etag);
      return result === 'conflict' ? 'conflict' : 'replaced';
    },

    async deleteEndpoint(tenantId: string, endpointId: string): Promise<boolean> {
      const found = await endpointOf(tenantId, endpointId);
      if (!found) return false;
      try {
        await container
          .item(endpointId, tenantId)
          .delete({ accessCondition: { type: 'IfMatch', condition: found.etag } });
        return true;
      } catch (error) {
        if (statusOf(error) === 404) return false;
        throw error;
      }
    },

    async getDelivery(tenantId: string, deliveryId: string): Promise<WebhookDeliveryDocument | undefined> {
      const found = await readDocument<WebhookDeliveryDocument>(
        container,
        deliveryId,
        tenantId,
        (resource) => resource.kind === 'webhook-delivery' && resource.tenantId === tenantId,
      );
      return found?.doc;
    },

    async saveDelivery(delivery: WebhookDeliveryDocument): Promise<void> {
      await container.items.upsert(asJson(delivery));
    },

    async listDeliveries(
      tenantId: string,
      endpointId: string,
      limit: number,
    ): Promise<WebhookDeliveryDocument[]> {
      const { resources } = await container.items
        .query<WebhookDeliveryDocument>(
          {
            query:
              "SELECT TOP @limit * FROM c WHERE c.tenantId = @tenantId AND c.kind = 'webhook-delivery' " +
              'AND c.endpointId = @endpointId ORDER BY c.createdAt DESC',
            parameters: [
              { name: '@limit', value: limit },
              { name: '@tenantId', value: tenantId },
              { name: '@endpointId', value: endpointId },
            ],
          },
          { partitionKey: tenantId },
        )
        .fetchAll();
      return resources.map((resource) => clean<WebhookDeliveryDocument>(resource));
    },
  };
  return withTranslatedErrors(store, cosmosError);
}
