// Creates what infra/ provisions in Azure, on the local stand-ins: the Cosmos database and containers
// and the blob container. (Service Bus queues are created by the local peer when first addressed, with
// the options it was started with.) Idempotent.
import { createAzureClients } from '../src/adapters/azure-clients';
import type { AppConfig } from '../src/config';
import { loadLocalConfig, type LocalConfig } from './local-config';

export async function provisionLocal(
  config: AppConfig,
  local: LocalConfig = loadLocalConfig(),
): Promise<void> {
  const clients = createAzureClients(config);
  try {
    const { database } = await clients.cosmos.databases.createIfNotExists({ id: config.cosmos.databaseName });
    await database.containers.createIfNotExists({
      id: config.cosmos.reportsContainer,
      partitionKey: { paths: ['/tenantId'] },
      defaultTtl: -1, // TTL on, per document
    });
    await database.containers.createIfNotExists({
      id: local.leasesContainer,
      partitionKey: { paths: ['/id'] },
    });
    // Source data of the sample report types (dev/seed.ts fills them).
    await database.containers.createIfNotExists({
      id: config.cosmos.albumsContainer,
      partitionKey: { paths: ['/id'] },
    });
    await database.containers.createIfNotExists({
      id: config.cosmos.ratingsContainer,
      partitionKey: { paths: ['/albumId'] },
    });
    await clients.blob.getContainerClient(config.blob.reportsContainer).createIfNotExists();
  } finally {
    await clients.close();
  }
}
