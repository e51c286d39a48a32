// The SDK clients tests use to look at the stand-ins directly, built the way the app builds them.
import type { Container, CosmosClient } from '@azure/cosmos';
import { createCosmosClient } from '../../src/adapters/azure-clients';

/** A Cosmos client for the run's Cosmos stand-in (`COSMOS`, set by test/global-setup.ts). */
export function testCosmosClient(): CosmosClient {
  return createCosmosClient({ kind: 'connectionString', connectionString: process.env.COSMOS ?? '' });
}

/** The run's `reports` container (reports, outbox messages and chunks), through `client`. */
export function testReportsContainer(client: CosmosClient): Container {
  if (!process.env.COSMOS) throw new Error('COSMOS is not set: the global setup did not run');
  return client
    .database(process.env.COSMOS_DATABASE_NAME ?? 'reportexports')
    .container(process.env.COSMOS_REPORTS_CONTAINER ?? 'reports');
}
