// The parts of host.json the local host honours, read and validated like the Azure host would.
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const timeSpan = z
  .string()
  .regex(/^(\d+\.)?\d{1,2}:\d{2}:\d{2}$/, 'must be a [d.]hh:mm:ss time span')
  .transform(parseTimeSpanMs);

const hostJsonSchema = z.object({
  version: z.literal('2.0'),
  extensions: z
    .object({
      http: z.object({ routePrefix: z.string().default('api') }).prefault({}),
      serviceBus: z
        .object({
          maxConcurrentCalls: z.number().int().min(1).default(16),
          autoCompleteMessages: z.boolean().default(true),
          maxAutoLockRenewalDuration: timeSpan.default(5 * 60_000),
        })
        .prefault({}),
    })
    .prefault({}),
});

export type HostJson = z.output<typeof hostJsonSchema>;

export function parseTimeSpanMs(value: string): number {
  const m = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})$/.exec(value);
  if (!m) throw new Error(`'${value}' is not a [d.]hh:mm:ss time span`);
  const [days, hours, minutes, seconds] = [m[1] ?? '0', m[2] ?? '0', m[3] ?? '0', m[4] ?? '0'].map(Number);
  return ((((days ?? 0) * 24 + (hours ?? 0)) * 60 + (minutes ?? 0)) * 60 + (seconds ?? 0)) * 1000;
}

export function parseHostJson(json: unknown): HostJson {
  const parsed = hostJsonSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(
      `host.json: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

export function readHostJson(path = 'host.json'): HostJson {
  return parseHostJson(JSON.parse(readFileSync(path, 'utf8')));
}
