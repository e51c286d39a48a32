// Cosmos DB triggers, driven by polling: the Node Cosmos server serves the change feed only once, so
// the local host finds changed documents itself by `_ts` and `_etag` and hands them to the function in
// batches of `maxItemsPerInvocation`, oldest first. Like the Azure trigger, a batch whose invocation
// throws is not retried here (the outbox sweeper exists for exactly that); checkpoints live in memory.
import type { CosmosDBFunctionOptions, FunctionResult, InvocationContext } from '@azure/functions';
import type { Container, CosmosClient } from '@azure/cosmos';
import { invoke, type HostLog } from './invoke';

export interface CosmosFunction {
  name: string;
  options: CosmosDBFunctionOptions;
}

export interface ChangeFeedSettings {
  connection: string;
  databaseName: string;
  containerName: string;
  pollIntervalMs: number;
  maxItemsPerInvocation: number;
  startFromBeginning: boolean;
}

export interface RunningChangeFeed {
  /** Resolves after one full poll (tests use this to avoid sleeping). */
  pollNow(): Promise<void>;
  stop(): Promise<void>;
}

interface FeedDocument {
  id: string;
  _etag: string;
  _ts: number;
  [key: string]: unknown;
}

export function changeFeedSettings(
  options: CosmosDBFunctionOptions,
  pollIntervalMs: number,
): ChangeFeedSettings {
  if (!('containerName' in options)) throw new Error('only the v4 Cosmos DB trigger options are supported');
  if ('changeFeedMode' in options && String(options.changeFeedMode) === 'AllVersionsAndDeletes') {
    throw new Error('the AllVersionsAndDeletes change feed mode is not supported locally');
  }
  return {
    connection: options.connection,
    databaseName: options.databaseName,
    containerName: options.containerName,
    pollIntervalMs: options.feedPollDelay ?? pollIntervalMs,
    maxItemsPerInvocation: options.maxItemsPerInvocation ?? 100,
    startFromBeginning: options.startFromBeginning ?? false,
  };
}

export function startChangeFeed(
  fn: CosmosFunction,
  client: CosmosClient,
  settings: ChangeFeedSettings,
  log: HostLog,
): RunningChangeFeed {
  // Latest-version mode (checked in changeFeedSettings): the handler takes the documents themselves.
  const handler = fn.options.handler as (documents: unknown[], context: InvocationContext) => FunctionResult;
  const container: Container = client.database(settings.databaseName).container(settings.containerName);
  const seen = new Map<string, string>(); // document identity -> last etag delivered
  let since = 0; // _ts (seconds) of the newest delivered document
  let primed = settings.startFromBeginning;
  let stopped = false;
  let current: Promise<void> | undefined;
  let handle: NodeJS.Timeout | undefined;
  let lastError = '';

  const identity = (doc: FeedDocument): string => `${JSON.stringify(doc['_rid'] ?? doc.id)}`;

  const pollOnce = async (): Promise<void> => {
    // _ts has one-second resolution: look back one second and let the etags drop what was delivered.
    const { resources } = await container.items
      .query<FeedDocument>({
        query: 'SELECT * FROM c WHERE c._ts >= @since ORDER BY c._ts ASC',
        parameters: [{ name: '@since', value: Math.max(0, since - 1) }],
      })
      .fetchAll();
    const changed = resources.filter((doc) => seen.get(identity(doc)) !== doc._etag);
    for (const doc of changed) seen.set(identity(doc), doc._etag);
    if (changed.length > 0) since = Math.max(since, ...changed.map((d) => d._ts));
    if (!primed) {
      primed = true; // not from the beginning: what exists at start is not a change
      return;
    }
    for (let i = 0; i < changed.length; i += settings.maxItemsPerInvocation) {
      const batch = changed.slice(i, i + settings.maxItemsPerInvocation);
      await invoke(
        log,
        fn.name,
        { triggerMetadata: {} },
        (context) => Promise.resolve(handler(batch, context)),
        { quiet: true },
      ).catch(() => undefined); // logged; the checkpoint moves on, as on Azure
    }
  };

  const poll = (): Promise<void> => {
    current ??= pollOnce()
      .then(() => {
        lastError = '';
      })
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        if (message !== lastError) log(`${fn.name}: change feed poll failed (retrying): ${message}`);
        lastError = message;
      })
      .finally(() => {
        current = undefined;
      });
    return current;
  };

  const loop = (): void => {
    if (stopped) return;
    handle = setTimeout(() => void poll().finally(loop), settings.pollIntervalMs);
  };
  void poll().finally(loop);

  return {
    pollNow: async () => {
      await current;
      await poll();
    },
    async stop() {
      stopped = true;
      clearTimeout(handle);
      await current;
    },
  };
}
