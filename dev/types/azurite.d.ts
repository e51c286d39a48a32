// The few Azurite internals the local Blob stand-in uses (the package ships no type declarations).
declare module 'azurite/dist/src/blob/BlobConfiguration' {
  export default class BlobConfiguration {
    constructor(
      host: string,
      port: number,
      keepAliveTimeout: number | undefined,
      metadataDBPath: string,
      extentDBPath: string,
      persistencePathArray: { locationId: string; locationPath: string; maxConcurrency: number }[],
      enableAccessLog: boolean,
      accessLogWriteStream: undefined,
      enableDebugLog: boolean,
      debugLogFilePath: string | undefined,
      loose: boolean,
      skipApiVersionCheck: boolean,
      cert: string,
      key: string,
      pwd: string,
      oauth: string | undefined,
      disableProductStyleUrl: boolean,
      isMemoryPersistence: boolean,
    );
  }
}
declare module 'azurite/dist/src/blob/BlobServer' {
  import type BlobConfiguration from 'azurite/dist/src/blob/BlobConfiguration';
  export default class BlobServer {
    constructor(configuration: BlobConfiguration);
    start(): Promise<void>;
    close(): Promise<void>;
    getHttpServerAddress(): string;
  }
}
declare module 'azurite/dist/src/blob/utils/constants' {
  export const DEFAULT_BLOB_LOKI_DB_PATH: string;
  export const DEFAULT_BLOB_EXTENT_LOKI_DB_PATH: string;
  export const DEFAULT_BLOB_PERSISTENCE_PATH: string;
  export const EMULATOR_ACCOUNT_NAME: string;
  export const EMULATOR_ACCOUNT_KEY_STR: string;
}
