// Starts the local stand-ins once for the whole run, on free ports, provisions them like infra/ would
// provision Azure, and hands their settings to every test file through the environment.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localSettings, peerQueues } from '../dev/local-env';
import { provisionLocal } from '../dev/provision';
import { startServiceBusPeer } from '../dev/servicebus-peer/peer';
import { startAzurite } from '../dev/standins/azurite';
import { startCosmosServer } from '../dev/standins/cosmos';
import { ensureDevSigningKey } from '../dev/token';
import { loadConfig } from '../src/config';

export default async function setup(): Promise<() => Promise<void>> {
  const localDir = mkdtempSync(join(tmpdir(), 'report-exports-test-'));
  // The peer's queue options come from the same config the app reads; its port is not known before it
  // listens, so the settings are made with a placeholder port first.
  const queues = peerQueues(
    loadConfig({ ...process.env, ...localSettings({ azurite: 0, cosmos: 0, servicebus: 0 }, localDir) }),
  );
  const [azurite, cosmos, servicebus] = await Promise.all([
    startAzurite({ port: 0 }),
    startCosmosServer({ port: 0 }),
    startServiceBusPeer({ port: 0, queues }),
  ]);
  await ensureDevSigningKey(localDir);
  const settings = {
    ...localSettings({ azurite: azurite.port, cosmos: cosmos.port, servicebus: servicebus.port }, localDir),
    REPORT_EXPORTS_TEST_LOCAL_DIR: localDir,
  };
  Object.assign(process.env, settings);
  await provisionLocal(loadConfig(process.env));

  return async () => {
    await Promise.allSettled([azurite.close(), cosmos.close(), servicebus.close()]);
    rmSync(localDir, { recursive: true, force: true });
  };
}
