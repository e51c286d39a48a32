import { CosmosClient } from '@azure/cosmos';
import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { ServiceBusClient } from '@azure/service-bus';
import { BlobServiceClient } from '@azure/storage-blob';
import type { AppConfig, Connection } from '../config';

/** The one client per Azure service that a process holds. */
export interface AzureClients {
  cosmos: CosmosClient;
  serviceBus: ServiceBusClient;
  blob: BlobServiceClient;
  close(): Promise<void>;
}

/** One credential per managed identity client id; DefaultAzureCredential caches its tokens itself. */
function credentialFactory(): CredentialFor {
  const byClientId = new Map<string, TokenCredential>();
  return ({ clientId }) => {
    const key = clientId ?? '';
    let credential = byClientId.get(key);
    if (!credential) {
      credential = clientId
        ? new DefaultAzureCredential({ managedIdentityClientId: clientId })
        : new DefaultAzureCredential();
      byClientId.set(key, credential);
    }
    return credential;
  };
}

type CredentialFor = (connection: Connection & { kind: 'identity' }) => TokenCredential;

export function createCosmosClient(
  c: Connection,
  credentialFor: CredentialFor = credentialFactory(),
): CosmosClient {
  return c.kind === 'identity'
    ? new CosmosClient({ endpoint: c.endpoint, aadCredentials: credentialFor(c) })
    : new CosmosClient({
        ...parseCosmosConnectionString(c.connectionString),
        // Local stand-ins answer on one endpoint only; never try to discover regional ones.
        connectionPolicy: { enableEndpointDiscovery: false },
      });
}

export function createServiceBusClient(
  c: Connection,
  credentialFor: CredentialFor = credentialFactory(),
): ServiceBusClient {
  // Fail an operation within seconds rather than minutes: the outbox keeps what could not be sent and
  // the sweeper sends it later, so long in-call retries only hold up the other documents.
  const options = {
    retryOptions: { maxRetries: 2, retryDelayInMs: 500, maxRetryDelayInMs: 5_000, timeoutInMs: 10_000 },
  };
  return c.kind === 'identity'
    ? new ServiceBusClient(c.endpoint, credentialFor(c), options)
    : new ServiceBusClient(c.connectionString, options);
}

export function createAzureClients(config: AppConfig): AzureClients {
  const credentialFor = credentialFactory();
  const cosmos = createCosmosClient(config.cosmos, credentialFor);
  const serviceBus = createServiceBusClient(config.serviceBus, credentialFor);
  const b = config.blob;
  const blob =
    b.kind === 'identity'
      ? new BlobServiceClient(b.endpoint, credentialFor(b))
      : BlobServiceClient.fromConnectionString(b.connectionString);
  return {
    cosmos,
    serviceBus,
    blob,
    async close() {
      cosmos.dispose();
      await serviceBus.close();
    },
  };
}

/** `AccountEndpoint=...;AccountKey=...;` as the Cosmos emulator and portal print it. */
function parseCosmosConnectionString(connectionString: string): { endpoint: string; key: string } {
  const parts = new Map<string, string>();
  for (const part of connectionString.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) parts.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  const endpoint = parts.get('accountendpoint');
  const key = parts.get('accountkey');
  if (!endpoint || !key) throw new Error('COSMOS: connection string needs AccountEndpoint and AccountKey');
  return { endpoint, key };
}
