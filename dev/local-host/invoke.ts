// Runs one function invocation the way the Functions host does: a fresh InvocationContext whose log
// goes to the host's log, and one summary line per invocation (name, id, duration, outcome).
import { randomUUID } from 'node:crypto';
import { InvocationContext, type InvocationContextInit } from '@azure/functions';

export type HostLog = (line: string) => void;

export interface InvokeOptions {
  /**
   * For invocations that run on their own every few seconds (timers, change polls): the outcome line
   * only when the invocation logged something at Information or above, or failed; an idle host is quiet.
   */
  quiet?: boolean;
  /**
   * Show Debug and Trace lines. Default: as the Azure host's own setting says,
   * `AzureFunctionsJobHost__logging__logLevel__default=Debug` (host.json asks for Information).
   */
  verbose?: boolean;
}

const QUIET_LEVELS = new Set(['trace', 'debug']);

export async function invoke<T>(
  log: HostLog,
  functionName: string,
  init: Omit<InvocationContextInit, 'functionName' | 'invocationId' | 'logHandler'>,
  run: (context: InvocationContext) => Promise<T>,
  options: InvokeOptions = {},
): Promise<T> {
  const invocationId = randomUUID();
  const verbose =
    options.verbose ??
    /^(debug|trace)$/i.test(process.env.AzureFunctionsJobHost__logging__logLevel__default ?? '');
  let spoke = false;
  const context = new InvocationContext({
    ...init,
    functionName,
    invocationId,
    logHandler: (level, ...args) => {
      if (QUIET_LEVELS.has(level) && !verbose) return;
      if (!QUIET_LEVELS.has(level)) spoke = true;
      log(
        `  [${functionName}] ${level}: ${args.map((a) => (typeof a === 'string' ? a : formatValue(a))).join(' ')}`,
      );
    },
  });
  const started = performance.now();
  try {
    const result = await run(context);
    if (!options.quiet || spoke || verbose)
      log(`${functionName} (${invocationId}) Succeeded in ${Math.round(performance.now() - started)} ms`);
    return result;
  } catch (error) {
    log(
      `${functionName} (${invocationId}) Failed in ${Math.round(performance.now() - started)} ms: ${formatValue(error)}`,
    );
    throw error;
  }
}

function formatValue(value: unknown): string {
  if (value instanceof Error) return value.stack ?? value.message;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/** Resolves `%SETTING%` expressions in binding values from the environment, as the host does. */
export function resolveSetting(value: string, env: NodeJS.ProcessEnv): string {
  return value.replace(/%([^%]+)%/g, (_, name: string) => {
    const resolved = env[name];
    if (resolved === undefined)
      throw new Error(`binding expression %${name}%: app setting ${name} is not set`);
    return resolved;
  });
}
