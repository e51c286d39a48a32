// The SDK clients tests use to look at the stand-ins directly, built the way the app builds them.
import type { CosmosClient } from '@azure/cosmos';
import { createCosmosClient } from '../../src/adapters/azure-clients';

/** A Cosmos client for the run's Cosmos stand-in (`COSMOS`, set by test/global-setup.ts). */
export function testCosmosClient(): CosmosClient {
  return createCosmosClient({ kind: 'connectionString', connectionString: process.env.COSMOS ?? '' });
}
