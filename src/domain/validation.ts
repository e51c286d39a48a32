// Validation helpers shared by the HTTP adapters and services. Knows nothing of Azure SDKs.
import { createHash } from 'node:crypto';
import type { z } from 'zod';

/** The key used for issues about the validated value itself when no prefix is given (JSONPath root). */
const ROOT_FIELD = '$';

function joinPath(prefix: string | undefined, path: readonly PropertyKey[]): string {
  const parts = path.map((segment) =>
    typeof segment === 'symbol' ? (segment.description ?? '') : String(segment),
  );
  const joined = [prefix, ...parts].filter((part) => part !== undefined && part !== '').join('.');
  return joined === '' ? ROOT_FIELD : joined;
}

const article = (noun: string): string => (/^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`);

/** What zod calls a type, as a user reads it. */
const TYPE_NAMES: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'a boolean (true or false)',
  object: 'an object',
  array: 'an array',
  date: 'a date',
};

const formatNumber = (value: number | bigint): string =>
  typeof value === 'bigint' ? value.toString() : String(value);

function bound(kind: 'least' | 'most', origin: string, limit: number | bigint, inclusive: boolean): string {
  const value = formatNumber(limit);
  switch (origin) {
    case 'string':
      return `must be at ${kind} ${value} characters long`;
    case 'array':
    case 'set':
      return `must hold at ${kind} ${value} items`;
    default:
      if (inclusive) return `must be at ${kind} ${value}`;
      return `must be ${kind === 'least' ? 'more' : 'less'} than ${value}`;
  }
}

/**
 * A zod error map (pass it as `safeParse(value, { error: plainMessage })`) that words the issues zod
 * raises itself as the end of a plain sentence about the field: `is required`, `must be at most 10000`,
 * `must be one of: csv, json`. A message a schema sets itself is kept (zod prefers it over this map).
 */
const plainMessage: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `must be ${TYPE_NAMES[issue.expected] ?? article(issue.expected)}`;
    case 'too_big':
      return bound('most', issue.origin, issue.maximum, issue.inclusive !== false);
    case 'too_small':
      return bound('least', issue.origin, issue.minimum, issue.inclusive !== false);
    case 'invalid_value':
      return issue.values.length === 1
        ? `must be ${JSON.stringify(issue.values[0])}`
        : `must be one of: ${issue.values.map(String).join(', ')}`;
    case 'invalid_format':
      return `must be a valid ${issue.format}`;
    case 'not_multiple_of':
      return `must be a multiple of ${formatNumber(issue.divisor)}`;
    case 'unrecognized_keys':
      return 'is not a known field';
    case 'invalid_union':
    case 'invalid_key':
    case 'invalid_element':
      return 'is not valid';
    default:
      return undefined;
  }
};

/**
 * Parses `value` with `schema`, worded by {@link plainMessage}: the data, or every problem found at once
 * as `field -> messages` (see {@link fieldErrors}), a missing field as `is required`.
 */
export function validate<T>(
  schema: z.ZodType<T>,
  value: unknown,
  prefix?: string,
): { ok: true; data: T } | { ok: false; errors: Record<string, string[]> } {
  const result = schema.safeParse(value, { error: plainMessage, reportInput: true });
  return result.success
    ? { ok: true, data: result.data }
    : { ok: false, errors: fieldErrors(result.error, prefix) };
}

/** An issue about a field that is not there at all (known when the parse reported its input). */
const isMissing = (issue: z.core.$ZodIssue): boolean =>
  issue.code === 'invalid_type' && 'input' in issue && issue.input === undefined;

/**
 * Maps a zod error to `field -> messages` for a problem's `errors`, with dotted paths
 * (`parameters.toDate`, `items.0.name`). Each unrecognized key gets its own entry so a typo is named.
 */
export function fieldErrors(error: z.ZodError, prefix?: string): Record<string, string[]> {
  // A Map, not an object literal: field names come from the request (`constructor`, `__proto__`, ...).
  const errors = new Map<string, string[]>();
  const add = (field: string, message: string): void => {
    const messages = errors.get(field) ?? [];
    if (!messages.includes(message)) messages.push(message);
    errors.set(field, messages);
  };
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) add(joinPath(prefix, [...issue.path, key]), 'is not a known field');
    } else if (isMissing(issue)) {
      // Whatever a schema says about a bad value, an absent one is named as such.
      add(joinPath(prefix, issue.path), 'is required');
    } else {
      add(joinPath(prefix, issue.path), issue.message);
    }
  }
  // Own, enumerable data properties only (defineProperty never reaches a prototype's setter).
  const result: Record<string, string[]> = {};
  for (const [field, messages] of errors) {
    Object.defineProperty(result, field, {
      value: messages,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return result;
}

function serialize(value: unknown, seen: Set<object>): string | undefined {
  if (
    value !== null &&
    typeof value === 'object' &&
    'toJSON' in value &&
    typeof value.toJSON === 'function'
  ) {
    value = (value.toJSON as () => unknown).call(value);
  }
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : 'null';
  if (typeof value === 'bigint') throw new TypeError('canonicalJson: BigInt values cannot be serialized');
  if (typeof value !== 'object') return undefined; // undefined, functions, symbols: omitted as by JSON
  if (seen.has(value)) throw new TypeError('canonicalJson: circular structure');
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      return `[${value.map((item: unknown) => serialize(item, seen) ?? 'null').join(',')}]`;
    }
    const members: string[] = [];
    for (const key of Object.keys(value).sort()) {
      const member = serialize((value as Record<string, unknown>)[key], seen);
      if (member !== undefined) members.push(`${JSON.stringify(key)}:${member}`);
    }
    return `{${members.join(',')}}`;
  } finally {
    seen.delete(value);
  }
}

/**
 * JSON with object keys sorted (by UTF-16 code units) at every depth and no whitespace, so equal values
 * give equal strings whatever their key order. Follows JSON.stringify otherwise (toJSON, undefined members
 * omitted, non-finite numbers as null); a top-level value JSON cannot represent gives `null`.
 */
export function canonicalJson(value: unknown): string {
  return serialize(value, new Set()) ?? 'null';
}

/**
 * Identifies "the same request": sha256 (hex) of the canonical JSON of type, format, parameters and the
 * export options given (none given hashes as before options existed). Pass the parsed parameters
 * (defaults applied) so `{}` and `{ top: 100 }` hash alike, and the stored options.
 */
export function requestHash(
  reportType: string,
  format: string,
  parameters: Record<string, unknown>,
  options: Record<string, unknown> = {},
): string {
  const request = Object.keys(options).length === 0 ? {} : { options };
  return createHash('sha256')
    .update(canonicalJson({ reportType, format, parameters, ...request }), 'utf8')
    .digest('hex');
}
