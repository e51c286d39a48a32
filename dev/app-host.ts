// The app on the local host, as `npm start`, the benchmark's host process and the tests run it: the app
// is built from the settings as they are now (fresh clients each time), its functions (all, or the ones
// `only` keeps) run on the local host, and `stop()` stops the host, then closes the app's clients.
import { createApp, type App, type AppOptions } from '../src/composition';
import { loadConfig, type AppConfig } from '../src/config';
import type { FunctionDefinition } from '../src/functions/definition';
import { startLocalHost, type LocalHost, type LocalHostOptions } from './local-host';

export interface AppHost extends LocalHost {
  readonly app: App;
}

export interface AppHostOptions extends Omit<LocalHostOptions, 'definitions'>, AppOptions {
  /** The config the app is built from (default: `loadConfig(env ?? process.env)`). */
  config?: AppConfig;
  /** Which of the app's functions run (default: all). */
  only?: (definition: FunctionDefinition) => boolean;
}

export async function startAppHost(options: AppHostOptions = {}): Promise<AppHost> {
  const { config, only, reportTypes, ...hostOptions } = options;
  const app = createApp(config ?? loadConfig(options.env ?? process.env), reportTypes ? { reportTypes } : {});
  let host: LocalHost;
  try {
    host = await startLocalHost({
      ...hostOptions,
      definitions: only ? app.functions.filter(only) : app.functions,
    });
  } catch (error) {
    await app.close();
    throw error;
  }
  return {
    app,
    url: host.url,
    port: host.port,
    changeFeeds: host.changeFeeds,
    async stop() {
      try {
        await host.stop();
      } finally {
        await app.close();
      }
    },
  };
}
