/** A dependency check: resolves when the dependency answered, rejects (or never settles) when it did not. */
export type Probe = (signal: AbortSignal) => Promise<void>;

export interface DependencyHealth {
  status: 'up' | 'down';
  latencyMs: number;
  error?: string;
}

export interface HealthReport {
  status: 'healthy' | 'unhealthy';
  dependencies: Record<string, DependencyHealth>;
}

/** Runs every probe in parallel, each bounded by `timeoutMs`; healthy only when every dependency is up. */
export async function checkHealth(probes: Record<string, Probe>, timeoutMs: number): Promise<HealthReport> {
  const entries = await Promise.all(
    Object.entries(probes).map(async ([name, probe]): Promise<[string, DependencyHealth]> => {
      const started = performance.now();
      const controller = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          controller.abort();
          reject(new Error(`no answer within ${timeoutMs} ms`));
        }, timeoutMs);
      });
      try {
        await Promise.race([probe(controller.signal), timeout]);
        return [name, { status: 'up', latencyMs: Math.round(performance.now() - started) }];
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        return [name, { status: 'down', latencyMs: Math.round(performance.now() - started), error: message }];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const dependencies = Object.fromEntries(entries);
  const status = entries.every(([, d]) => d.status === 'up') ? 'healthy' : 'unhealthy';
  return { status, dependencies };
}
