import type { PeerQueueOptions } from './peer';

const QUEUE_OPTION_NAMES = ['maxDeliveryCount', 'lockDurationMs', 'duplicateDetectionWindowMs'] as const;

function isQueueOptionName(name: string): name is (typeof QUEUE_OPTION_NAMES)[number] {
  return (QUEUE_OPTION_NAMES as readonly string[]).includes(name);
}

/** `name` or `name:key=value,key=value`. */
export function parseQueueSpec(spec: string): [string, Partial<PeerQueueOptions>] {
  const separator = spec.indexOf(':');
  const name = (separator === -1 ? spec : spec.slice(0, separator)).trim();
  if (!name) throw new Error(`--queue needs a name: '${spec}'`);
  const options: Partial<PeerQueueOptions> = {};
  const rest = separator === -1 ? '' : spec.slice(separator + 1);
  for (const pair of rest.split(',').filter((p) => p.trim() !== '')) {
    const [key = '', value = ''] = pair.split('=').map((s) => s.trim());
    const number = Number(value);
    if (!isQueueOptionName(key)) {
      throw new Error(`unknown queue option '${key}' (expected ${QUEUE_OPTION_NAMES.join(', ')})`);
    }
    if (value === '' || !Number.isFinite(number)) throw new Error(`queue option ${key} needs a number`);
    options[key] = number;
  }
  return [name, options];
}
