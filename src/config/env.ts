// Reading settings from the environment: the field schemas settings share, a section that is one setting,
// the composition of sections into one schema, and the error that names every bad setting. The app's
// config (src/config.ts) and the local tooling's (dev/local-config.ts) are both built from these.
import { z } from 'zod';

/** App settings as the process sees them (`process.env`, or a test's own record). */
export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

export const nonEmpty = z
  .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
  .trim()
  .min(1, 'must not be empty');

/** A Cosmos DB database or container, a Service Bus queue or a blob container name. */
export const resourceName = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, 'must be 3-63 lowercase letters, digits or hyphens');

/** A section that is one setting: its value, parsed by `schema`. */
export function setting<N extends string, T extends z.ZodType>(name: N, schema: T) {
  return z.object({ [name]: schema } as Record<N, T>).transform((s) => (s as Record<N, z.output<T>>)[name]);
}

/**
 * One schema over the environment made of sections: each section is a schema that reads its own settings
 * from the whole environment (a `z.object` of setting names, transformed into its nested shape), and its
 * output is the section's value under its key. Every section is parsed, so every problem is reported.
 * Empty values count as unset, as they do in App Service settings.
 */
export function fromEnvironment<S extends Record<string, z.ZodType>>(sections: S) {
  return z.preprocess((env) => {
    const set = Object.fromEntries(
      Object.entries(env as Env).filter(([, v]) => v !== undefined && v.trim() !== ''),
    );
    return Object.fromEntries(Object.keys(sections).map((key) => [key, set]));
  }, z.object(sections));
}

/** Parses `env` with a schema made by fromEnvironment; throws a ConfigError naming every problem. */
export function parseEnvironment<T extends z.ZodType>(schema: T, env: Env): z.output<T> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  // A path is [section, setting]: the setting names the problem. A problem of a section as a whole (a
  // connection, say) names its settings in its message. Sections that read the same setting report its
  // problem once.
  const problems = parsed.error.issues.map((issue) => {
    const name = issue.path.slice(1).join('.');
    return name ? `${name}: ${issue.message}` : issue.message;
  });
  throw new ConfigError([...new Set(problems)]);
}

/** The settings the sections read: the keys of each section's `z.object` (both sides of an intersection). */
export function settingNames(sections: Record<string, z.ZodType>): string[] {
  const names = (schema: z.ZodType): string[] => {
    if (schema instanceof z.ZodObject) return Object.keys(schema.shape);
    if (schema instanceof z.ZodPipe) return names(schema.in as z.ZodType);
    if (schema instanceof z.ZodIntersection) {
      return [...names(schema.def.left as z.ZodType), ...names(schema.def.right as z.ZodType)];
    }
    throw new Error('a config section is a z.object, transformed or intersected');
  };
  return [...new Set(Object.values(sections).flatMap(names))];
}
