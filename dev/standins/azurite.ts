// Azurite's Blob service started in-process (the `azurite` npm package), on 127.0.0.1.
import { join } from 'node:path';
import BlobConfiguration from 'azurite/dist/src/blob/BlobConfiguration';
import BlobServer from 'azurite/dist/src/blob/BlobServer';
import {
  DEFAULT_BLOB_EXTENT_LOKI_DB_PATH,
  DEFAULT_BLOB_LOKI_DB_PATH,
  DEFAULT_BLOB_PERSISTENCE_PATH,
  EMULATOR_ACCOUNT_KEY_STR,
  EMULATOR_ACCOUNT_NAME,
} from 'azurite/dist/src/blob/utils/constants';

export interface AzuriteOptions {
  host?: string;
  port?: number; // 0 = a free port
  /** Folder for blobs and metadata; omitted = in memory only. */
  location?: string;
}

export interface AzuriteBlob {
  readonly port: number;
  readonly connectionString: string;
  close(): Promise<void>;
}

export function azuriteConnectionString(host: string, port: number): string {
  return (
    `DefaultEndpointsProtocol=http;AccountName=${EMULATOR_ACCOUNT_NAME};AccountKey=${EMULATOR_ACCOUNT_KEY_STR};` +
    `BlobEndpoint=http://${host}:${port}/${EMULATOR_ACCOUNT_NAME};`
  );
}

export async function startAzurite(options: AzuriteOptions = {}): Promise<AzuriteBlob> {
  const host = options.host ?? '127.0.0.1';
  const location = options.location;
  const inMemory = location === undefined;
  const base = location ?? '.';
  const config = new BlobConfiguration(
    host,
    options.port ?? 10000,
    undefined, // keep-alive timeout: default
    join(base, DEFAULT_BLOB_LOKI_DB_PATH),
    join(base, DEFAULT_BLOB_EXTENT_LOKI_DB_PATH),
    [{ locationId: 'Default', locationPath: join(base, DEFAULT_BLOB_PERSISTENCE_PATH), maxConcurrency: 10 }],
    false, // access log
    undefined,
    false, // debug log
    undefined,
    true, // loose: ignore headers Azurite does not know
    true, // skipApiVersionCheck: the SDK is newer than Azurite's API version list
    '',
    '',
    '',
    undefined, // oauth
    false,
    inMemory,
  );
  const server = new BlobServer(config);
  await server.start();
  const address = server.getHttpServerAddress(); // "http://127.0.0.1:PORT"
  const port = Number(new URL(address).port);
  return {
    port,
    connectionString: azuriteConnectionString(host, port),
    close: () => server.close(),
  };
}
