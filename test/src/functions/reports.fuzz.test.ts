// Seeded fuzzing of the report API through the local host over real HTTP: well over a thousand malformed
// requests (bad JSON and JSON types, missing and unknown fields, invalid dates and ranges, huge strings and
// bodies, prototype-pollution keys, odd headers, paths, ids, filters and continuation tokens). None may
// get a 5xx, every 4xx a function answers must be a complete problem document carrying the correlation id,
// and nothing may be stored for the tenant.
// The seed is printed; rerun a failure with `FUZZ_SEED=<seed> npx vitest run <this file>`.
import { randomUUID } from 'node:crypto';
import type { Container, CosmosClient } from '@azure/cosmos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCosmosClient } from '../../support/clients';
import { apiAndRelayOnly, startAppHost, type AppHost } from '../../support/app-host';
import { compileRoute } from '../../../dev/local-host/routes';
import { issueDevToken } from '../../../dev/token';
import { listContinuationToken } from '../../../src/adapters/cosmos-report-store';

const DEFAULT_SEED = 20_240_229;
const SEED = parseSeed(process.env.FUZZ_SEED);
const REQUESTS = 1_200;
const CONCURRENCY = 8;
const BODY_LIMIT = 64 * 1024;

function parseSeed(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return DEFAULT_SEED;
  const seed = Number(raw);
  if (!Number.isSafeInteger(seed)) throw new Error(`FUZZ_SEED must be an integer, got '${raw}'`);
  return seed;
}

// ---------------------------------------------------------------------------------------------------------
// A small deterministic PRNG (xorshift32 over a scrambled seed), so every run with a seed is the same run.

class Rng {
  private state: number;

  constructor(seed: number) {
    let s = (Math.abs(seed) % 0x1_0000_0000) ^ 0x9e37_79b9;
    s = Math.imul(s ^ (s >>> 16), 0x85eb_ca6b);
    s = Math.imul(s ^ (s >>> 13), 0xc2b2_ae35);
    this.state = (s ^ (s >>> 16)) >>> 0 || 0x1234_5678;
  }

  /** A float in [0, 1). */
  next(): number {
    let x = this.state;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 0x1_0000_0000;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  bool(probability = 0.5): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[this.int(0, items.length - 1)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  string(
    length: number,
    alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  ): string {
    const chars = Array.from(alphabet); // code points, so astral characters stay whole
    let out = '';
    for (let i = 0; i < length; i++) out += chars[this.int(0, chars.length - 1)] ?? 'x';
    return out;
  }

  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.int(0, 255);
    return out;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Building blocks.

type Method = 'GET' | 'POST' | 'DELETE';
type Auth = 'user' | 'admin' | 'garbage' | 'none';

interface FuzzRequest {
  category: string;
  method: Method;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  auth?: Auth; // chosen at random when not given
  /**
   * A continuation token bound to the caller's query whose inner Cosmos token is garbage: the API cannot
   * tell it from a real one and hands it to Cosmos. Cosmos answers 400 for most (mapped to a 400 problem
   * on `continuationToken`); the local stand-in ignores some it cannot parse, so a 200 is acceptable too.
   */
  mayBeAccepted?: boolean;
}

interface Outcome {
  request: FuzzRequest;
  status: number;
  contentType: string | null;
  correlationId: string | null;
  text: string;
}

const TYPES = ['popularity', 'ratings'] as const;
const JSON_HEADERS = { 'content-type': 'application/json' };
const UNICODE = ['é', 'ü', 'ß', 'ж', '中', '文', '٣', '४', '𝟙', '😀', '\u200b', '\u202e', '\ufeff', 'Ａ'];

const pad2 = (n: number): string => String(n).padStart(2, '0');
const isoDay = (year: number, month: number, day: number): string =>
  `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;

/** A valid date range, so a request built on it is only wrong where the fuzzer says. */
function validRange(rng: Rng): { fromDate: string; toDate: string } {
  const year = rng.int(1990, 2030);
  const month = rng.int(1, 12);
  const day = rng.int(1, 28);
  const toYear = year + rng.int(0, 4);
  const toMonth = toYear === year ? rng.int(month, 12) : rng.int(1, 12);
  const toDay = toYear === year && toMonth === month ? rng.int(day, 28) : rng.int(1, 28);
  return { fromDate: isoDay(year, month, day), toDate: isoDay(toYear, toMonth, toDay) };
}

function validBody(rng: Rng): { format: string; parameters: Record<string, unknown> } {
  return { format: 'csv', parameters: validRange(rng) };
}

function post(category: string, rng: Rng, body: unknown, extra: Partial<FuzzRequest> = {}): FuzzRequest {
  return {
    category,
    method: 'POST',
    path: `/api/reports/${rng.pick(TYPES)}`,
    headers: { ...JSON_HEADERS },
    body: JSON.stringify(body),
    ...extra,
  };
}

function postRaw(category: string, rng: Rng, text: string, extra: Partial<FuzzRequest> = {}): FuzzRequest {
  return post(category, rng, undefined, { body: text, ...extra });
}

function randomKey(rng: Rng): string {
  return rng.pick([
    rng.string(rng.int(1, 12)),
    'id',
    'tenantId',
    'ownerId',
    'status',
    'reportId',
    'kind',
    'requestHash',
    'Format',
    'parameter',
    'params',
    'fromdate',
    'to_date',
    '',
    ' ',
    '$where',
    rng.pick(UNICODE),
  ]);
}

const WRONG_VALUES: readonly unknown[] = [
  0,
  -1,
  42.5,
  1e21,
  true,
  false,
  null,
  [],
  [1, 2],
  ['csv'],
  {},
  { a: 1 },
  '',
  ' ',
  'csv ',
  'null',
  '[object Object]',
];

const INVALID_DATES = [
  '2024-02-30',
  '2023-02-29',
  '2024-13-01',
  '2024-00-10',
  '2024-01-00',
  '2024-01-32',
  '24-01-01',
  '2024-1-1',
  '2024/01/01',
  '01-01-2024',
  '2024-01-01T00:00:00Z',
  '2024-01-01T00:00:00',
  '2024-01-01 ',
  ' 2024-01-01',
  '2024-01-01\n',
  '+02024-01-01',
  '-2024-01-01',
  '0000-00-00',
  '9999-99-99',
  '20240101',
  '',
  'today',
  '２０２４-０１-０１', // full-width digits
  '٢٠٢٤-٠١-٠١', // Arabic-Indic digits
  '२०२४-०१-०१', // Devanagari digits
  '𝟚𝟘𝟚𝟜-𝟘𝟙-𝟘𝟙', // mathematical digits (astral plane)
  '2024-01-01\u200b',
  '\ud800',
];

// fetch (WHATWG URL) resolves `.` and `..` segments, percent-encoded or not, before sending: dots travel
// inside segments instead.
const BAD_TYPE_NAMES = [
  '...',
  '%2E%2E%2E',
  '..%5C',
  'a..b',
  '..%2Fpopularity',
  'popularity%2F..',
  'popularity%2Fx',
  '%2Fpopularity',
  'popularity%5C',
  'Popularity',
  'POPULARITY',
  'popularity%20',
  '%20popularity',
  'popularity%00',
  'popularity%0A',
  'pop%C3%BClarity',
  '%F0%9F%98%80',
  '%E2%80%AEytiralupop',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'popularity;ratings',
  'popularity,ratings',
  'ratings.csv',
  '%25',
  '%zz',
  '%',
  '~',
  '*',
  'null',
  'undefined',
];

const BAD_IDS = [
  '...',
  '%2E%2E%2F',
  'a..b',
  '..%5C..',
  '..%2F..%2Fetc%2Fpasswd',
  'a%2Fb',
  '%2F',
  '%5C',
  'a%5Cb',
  '%23',
  'a%3Fb',
  '%3F',
  '%20',
  '%09',
  '%00',
  'a%00b',
  '%0D%0A',
  '%25',
  '%zz',
  '%',
  '%C3%A9',
  '%F0%9F%98%80',
  '%E2%80%AE',
  '%EF%BB%BF',
  '%ED%A0%80',
  '__proto__',
  'constructor',
  'prototype',
  'null',
  'undefined',
  'download',
  '*',
  "'%20OR%201%3D1",
  'x%22%7D',
  '-1',
  '0',
];

// The filters take their values in any case (`pending`, `Popularity`): only other spellings are bad.
const BAD_STATUSES = [
  'Done',
  'Pending ',
  ' Pending',
  'Pending,Completed',
  'Pending|Completed',
  '',
  '*',
  'null',
  '__proto__',
  'constructor',
  'Cancelled\u200b',
  'Pénding',
];

const BAD_REPORT_TYPES = ['nope', 'popularity ', '', '__proto__', 'constructor', 'toString', '*'];

const BAD_PAGE_SIZES = [
  '0',
  '-1',
  '101',
  '1.5',
  '99.9',
  'abc',
  '',
  ' ',
  '-0',
  '1e400',
  'Infinity',
  '-Infinity',
  'NaN',
  '99999999999999999999',
  '9007199254740993',
  '1,2',
  '10abc',
  '٣',
  '２０',
  'true',
  '[]',
  '{}',
];

const UNKNOWN_QUERY_KEYS = [
  'sort',
  'orderBy',
  'top',
  'tenantId',
  'ownerId',
  'userId',
  'foo',
  'page_size',
  'PageSize',
  'status[]',
  '__proto__',
  '__proto__[polluted]',
  'constructor',
  'constructor[prototype][polluted]',
  'prototype',
  '$filter',
  '',
];

// ---------------------------------------------------------------------------------------------------------
// The generators: each makes one malformed request of its kind.

type Generator = (rng: Rng) => FuzzRequest;

/** A UUID-shaped id from the seeded generator (an unknown report). */
function seededUuid(rng: Rng): string {
  const hex = (n: number): string => rng.string(n, '0123456789abcdef');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
}

function withField(base: Record<string, unknown>, path: readonly string[], value: unknown): unknown {
  const copy: Record<string, unknown> = { ...base };
  const [head, ...rest] = path;
  if (head === undefined) return value;
  if (rest.length === 0) copy[head] = value;
  else copy[head] = withField((copy[head] ?? {}) as Record<string, unknown>, rest, value);
  return copy;
}

function withoutField(base: Record<string, unknown>, path: readonly string[]): unknown {
  const copy: Record<string, unknown> = { ...base };
  const [head, ...rest] = path;
  if (head === undefined) return copy;
  if (rest.length === 0) delete copy[head];
  else copy[head] = withoutField((copy[head] ?? {}) as Record<string, unknown>, rest);
  return copy;
}

/** A JSON text with `key` as a real member (not a prototype setter) at `where`, the rest valid. */
function pollutingBody(rng: Rng, key: string, where: 'top' | 'parameters' | 'nested' | 'only'): string {
  const payload = rng.pick([
    '{"polluted":1}',
    '{"prototype":{"polluted":1}}',
    '{"__proto__":{"polluted":1}}',
    '"polluted"',
    '1',
  ]);
  const { fromDate, toDate } = validRange(rng);
  const dates = `"fromDate":"${fromDate}","toDate":"${toDate}"`;
  switch (where) {
    case 'only':
      return `{"${key}":${payload}}`;
    case 'top':
      return `{"${key}":${payload},"format":"csv","parameters":{${dates}}}`;
    case 'parameters':
      return `{"format":"csv","parameters":{${dates},"${key}":${payload}}}`;
    case 'nested':
      return `{"format":"csv","parameters":{${dates},"genre":{"${key}":${payload}}}}`;
  }
}

const generators: Record<string, Generator> = {
  'post: wrong JSON types': (rng) => {
    const body = validBody(rng);
    const target = rng.pick(['root', 'format', 'parameters', 'fromDate', 'toDate', 'genre', 'albumId']);
    const value = rng.pick(WRONG_VALUES);
    switch (target) {
      case 'root':
        return postRaw('post: wrong JSON types', rng, rng.pick(['42', '[]', 'null', 'true', '"x"', '[{}]']));
      case 'format':
        return post('post: wrong JSON types', rng, withField(body, ['format'], value === 'csv ' ? 7 : value));
      case 'parameters':
        return post('post: wrong JSON types', rng, withField(body, ['parameters'], rng.pick(WRONG_VALUES)));
      default: {
        const bad = typeof value === 'string' ? rng.pick([1, null, [], {}, true]) : value;
        return post('post: wrong JSON types', rng, withField(body, ['parameters', target], bad));
      }
    }
  },

  'post: missing fields': (rng) => {
    const body = validBody(rng);
    const variant = rng.int(0, 5);
    if (variant === 0) return post('post: missing fields', rng, {});
    if (variant === 1) return post('post: missing fields', rng, { format: 'csv' });
    if (variant === 2)
      return post('post: missing fields', rng, withoutField(body, ['parameters', 'fromDate']));
    if (variant === 3) return post('post: missing fields', rng, withoutField(body, ['parameters', 'toDate']));
    if (variant === 4) return post('post: missing fields', rng, { format: 'csv', parameters: {} });
    return postRaw('post: missing fields', rng, rng.pick(['', ' ', '\n\t ']));
  },

  'post: unknown extra fields': (rng) => {
    const body = validBody(rng);
    if (rng.bool()) return post('post: unknown extra fields', rng, withField(body, [randomKey(rng)], 'x'));
    const type = rng.pick(TYPES);
    // Each type's own optional field is unknown to the other type.
    const key = rng.pick([randomKey(rng), type === 'ratings' ? 'top' : 'albumId', 'genres', 'limit']);
    return post('post: unknown extra fields', rng, withField(body, ['parameters', key], rng.pick([1, 'x'])), {
      path: `/api/reports/${type}`,
    });
  },

  'post: huge strings': (rng) => {
    const body = validBody(rng);
    const size = rng.bool(0.5) ? rng.int(1_000, 60_000) : rng.int(BODY_LIMIT + 1, 100_000);
    const huge = rng.string(size, 'abcxyz0123 -=+@');
    const where = rng.pick(['format', 'genre', 'albumId', 'fromDate', 'key', 'padding', 'whitespace']);
    if (where === 'whitespace') {
      // A valid body padded with whitespace past the limit: the limit must apply before trimming.
      return postRaw(
        'post: huge strings',
        rng,
        JSON.stringify(body) + ' '.repeat(BODY_LIMIT + rng.int(1, 40_000)),
      );
    }
    if (where === 'key') return post('post: huge strings', rng, withField(body, ['parameters', huge], 1));
    if (where === 'format') return post('post: huge strings', rng, withField(body, ['format'], huge));
    return post('post: huge strings', rng, withField(body, ['parameters', where], huge));
  },

  'post: invalid dates': (rng) => {
    const body = validBody(rng);
    const field = rng.pick(['fromDate', 'toDate']);
    return post('post: invalid dates', rng, withField(body, ['parameters', field], rng.pick(INVALID_DATES)));
  },

  'post: fromDate after toDate': (rng) => {
    const { fromDate, toDate } = validRange(rng);
    const swapped =
      fromDate === toDate
        ? { fromDate, toDate: isoDay(1989, 12, 31) }
        : { fromDate: toDate, toDate: fromDate };
    return post('post: fromDate after toDate', rng, { format: 'csv', parameters: swapped });
  },

  'post: top out of range': (rng) => {
    const { fromDate, toDate } = validRange(rng);
    const top = rng.pick([
      '0',
      '-1',
      '10001',
      '1.5',
      '99.99',
      '1e999',
      '-1e999',
      '1e21',
      '"10"',
      'null',
      'true',
      '[10]',
      '{}',
    ]);
    return postRaw(
      'post: top out of range',
      rng,
      `{"format":"csv","parameters":{"fromDate":"${fromDate}","toDate":"${toDate}","top":${top}}}`,
      { path: '/api/reports/popularity' },
    );
  },

  'post: prototype pollution': (rng) => {
    const key = rng.pick(['__proto__', 'constructor', 'prototype']);
    const where = rng.pick(['top', 'parameters', 'nested', 'only'] as const);
    return postRaw('post: prototype pollution', rng, pollutingBody(rng, key, where));
  },

  'post: invalid JSON': (rng) => {
    const text = JSON.stringify(validBody(rng));
    const variant = rng.int(0, 4);
    if (variant === 0) return postRaw('post: invalid JSON', rng, text.slice(0, rng.int(1, text.length - 1)));
    if (variant === 1) {
      return postRaw(
        'post: invalid JSON',
        rng,
        rng.pick([
          '{',
          '}',
          '{"parameters": ',
          "{'format':'csv'}",
          '{format:"csv"}',
          '{"format":"csv",}',
          '[1,]',
          'NaN',
          'undefined',
          '{"a":NaN}',
          '{"a":0x10}',
          '{"a":01}',
          '{"a":"\\x41"}',
          '{"a":"unterminated}',
          '/* comment */ {}',
          '{} {}',
          '{}garbage',
          '\u0000',
          'nul',
        ]),
      );
    }
    if (variant === 2)
      return postRaw('post: invalid JSON', rng, rng.string(rng.int(1, 200), '{}[]":,0123abc\\ \t'));
    if (variant === 3) {
      // Bytes that are not UTF-8 around an otherwise plausible object.
      const head = new TextEncoder().encode('{"format":"');
      const tail = new TextEncoder().encode(`","parameters":${JSON.stringify(validRange(rng))}}`);
      const junk = rng.bytes(rng.int(1, 16)).map((b) => b | 0x80);
      return post('post: invalid JSON', rng, undefined, {
        body: new Uint8Array([...head, ...junk, ...tail]),
      });
    }
    return post('post: invalid JSON', rng, undefined, { body: rng.bytes(rng.int(1, 300)) });
  },

  'post: wrong or missing content-type': (rng) => {
    // A body under a type other than JSON is a 400 (the contract names no 415); the body carries a fault
    // too, so the request is refused whether or not the type is JSON.
    const body = withoutField(validBody(rng), ['parameters', rng.pick(['fromDate', 'toDate'])]);
    const contentType = rng.pick([
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
      'application/jsonx',
      'application/json; charset=latin1',
      'json',
      '',
      'none',
    ]);
    const bytes = new TextEncoder().encode(JSON.stringify(body));
    if (contentType === 'none')
      return post('post: wrong or missing content-type', rng, undefined, { body: bytes, headers: {} });
    return post('post: wrong or missing content-type', rng, undefined, {
      body: rng.bool() ? JSON.stringify(body) : 'format=csv&parameters[fromDate]=2024-01-01',
      headers: { 'content-type': contentType },
    });
  },

  'post: odd Idempotency-Key': (rng) => {
    const variant = rng.int(0, 5);
    const reject = (key: string): FuzzRequest =>
      post('post: odd Idempotency-Key', rng, validBody(rng), {
        headers: { ...JSON_HEADERS, 'idempotency-key': key },
      });
    if (variant === 0) return reject('k'.repeat(rng.int(201, 4_000)));
    if (variant === 1) return reject(`${rng.string(rng.int(1, 20))} ${rng.string(rng.int(1, 20))}`);
    if (variant === 2) return reject('');
    if (variant === 3) return reject(rng.pick(['clé', 'ü', 'Ünïcødé', '\u00a0x']));
    // Percent forms of non-ASCII keys are legal keys: the body carries the fault.
    const key = rng.pick(['%C3%A9', '%E4%B8%AD%E6%96%87', '%F0%9F%98%80', '%00', '%0D%0A']);
    const body = withField(validBody(rng), ['parameters', 'fromDate'], rng.pick(INVALID_DATES));
    return post('post: odd Idempotency-Key', rng, body, {
      headers: { ...JSON_HEADERS, 'idempotency-key': key },
    });
  },

  'post: odd report type in path': (rng) => {
    const name = rng.bool(0.15)
      ? rng.string(rng.int(200, 6_000))
      : rng.bool(0.15)
        ? encodeURIComponent(rng.pick(UNICODE) + rng.pick(TYPES))
        : rng.pick(BAD_TYPE_NAMES);
    return post('post: odd report type in path', rng, validBody(rng), { path: `/api/reports/${name}` });
  },

  'list: bad status': (rng) => listRequest('list: bad status', rng, { status: rng.pick(BAD_STATUSES) }),

  'list: bad reportType': (rng) =>
    listRequest('list: bad reportType', rng, {
      reportType: rng.bool(0.2) ? rng.string(rng.int(100, 4_000)) : rng.pick(BAD_REPORT_TYPES),
    }),

  'list: bad pageSize': (rng) =>
    listRequest('list: bad pageSize', rng, { pageSize: rng.pick(BAD_PAGE_SIZES) }),

  'list: unknown query keys': (rng) =>
    listRequest('list: unknown query keys', rng, { [rng.pick(UNKNOWN_QUERY_KEYS)]: '1' }),

  'list: bad continuation token': (rng) => {
    const { token, bound } = badContinuationToken(rng);
    return {
      ...listRequest('list: bad continuation token', rng, { continuationToken: token }),
      mayBeAccepted: bound,
    };
  },

  'id routes: bad ids': (rng) => {
    const id = rng.bool(0.2)
      ? rng.pick([
          rng.string(rng.int(256, 6_000)),
          `x${encodeURIComponent(rng.string(rng.int(1, 40), '/\\?#%. é中😀'))}`,
        ])
      : rng.bool(0.1)
        ? rng.pick([seededUuid(rng), `outbox-${seededUuid(rng)}`, seededUuid(rng).toUpperCase()])
        : rng.pick(BAD_IDS);
    const route = rng.pick(['get', 'delete', 'download', 'download', 'empty-segments'] as const);
    if (route === 'download') {
      return {
        category: 'id routes: bad ids',
        method: rng.pick(['GET', 'GET', 'DELETE', 'POST'] as const),
        path: `/api/reports/${id}/download`,
        headers: {},
      };
    }
    if (route === 'empty-segments') {
      const path = rng.pick([
        `/api/reports//${id}`,
        `/api/reports/${id}//download`,
        `/api//reports/${id}`,
        `/api/reports/${id}/`,
      ]);
      return {
        category: 'id routes: bad ids',
        method: rng.pick(['GET', 'DELETE'] as const),
        path,
        headers: {},
      };
    }
    return {
      category: 'id routes: bad ids',
      method: route === 'get' ? 'GET' : 'DELETE',
      path: `/api/reports/${id}`,
      headers: {},
    };
  },
};

/** Continuation tokens may be bound to the default query: no companions in the query, always the user. */
const listBoundCategory = 'list: bad continuation token';

function listRequest(category: string, rng: Rng, bad: Record<string, string>): FuzzRequest {
  const query = new URLSearchParams();
  // Sometimes valid companions, so the bad one is the only fault.
  if (category !== listBoundCategory) {
    if (rng.bool(0.3)) query.set('status', rng.pick(['Pending', 'Completed']));
    if (rng.bool(0.3)) query.set('pageSize', String(rng.int(1, 100)));
  }
  for (const [key, value] of Object.entries(bad)) query.set(key, value);
  return { category, method: 'GET', path: `/api/reports?${query.toString()}`, headers: {} };
}

let fuzzTenant = '';
const FUZZ_USER = 'fuzzer';

function badContinuationToken(rng: Rng): { token: string; bound: boolean } {
  const b64url = (text: string): string => Buffer.from(text, 'utf8').toString('base64url');
  const unbound = (token: string) => ({ token, bound: false });
  const variant = rng.int(0, 6);
  if (variant === 0) return unbound(Buffer.from(rng.bytes(rng.int(1, 300))).toString('base64'));
  if (variant === 1) return unbound(Buffer.from(rng.bytes(rng.int(1, 300))).toString('base64url'));
  if (variant === 2) return unbound(rng.string(rng.int(8_001, 12_000), 'ABCDEFabcdef0123456789-_'));
  if (variant === 3) {
    return unbound(
      b64url(
        rng.pick([
          '{}',
          'null',
          '[]',
          '"x"',
          '1',
          '{"q":"x","c":"y"}',
          '{"q":null,"c":null}',
          '{"c":{}}',
          '{"__proto__":{"polluted":1}}',
          '{"constructor":{"prototype":{"polluted":1}}}',
        ]),
      ),
    );
  }
  // Bound to this caller's default query (pageSize 20, no filter) exactly as the API binds its own
  // tokens, with a garbage inner SDK token, so the request reaches Cosmos with it.
  const inner = rng.pick([
    rng.string(rng.int(1, 200)),
    '{"token":"garbage","range":{"min":"","max":"FF"}}',
    `{"token":"+RID:${rng.string(8)}#RT:1#TRC:2#RTD:${rng.string(6)}","range":{"min":"","max":"FF"}}`,
    JSON.stringify([{ token: rng.string(10), range: { min: '', max: 'FF' } }]),
    JSON.stringify({ [rng.string(3)]: rng.int(0, 9) }),
    '[]',
    '{}',
    '-1',
    'null',
    rng.string(rng.int(1, 50), '{}[]":,+-'),
  ]);
  return { token: boundToken(inner), bound: true };
}

/** The token the API would issue to the fuzz user's default query for the SDK continuation `inner`. */
function boundToken(inner: string): string {
  return listContinuationToken(
    fuzzTenant,
    { ownerId: FUZZ_USER },
    20,
    inner,
    process.env.CONTINUATION_TOKEN_SECRET ?? '',
  );
}

// ---------------------------------------------------------------------------------------------------------

let host: AppHost;
let cosmos: CosmosClient;
let container: Container;
let userToken = '';
let adminToken = '';
let garbageAuth: string[] = [];

async function devToken(options: { tenantId: string; userId: string; admin?: boolean; audience?: string }) {
  return issueDevToken({
    ...options,
    ...(process.env.REPORT_EXPORTS_TEST_LOCAL_DIR ? { dir: process.env.REPORT_EXPORTS_TEST_LOCAL_DIR } : {}),
  });
}

async function countDocs(tenantId: string): Promise<number> {
  const { resources } = await container.items
    .query<{ id: string }>({
      query: 'SELECT c.id FROM c WHERE c.tenantId = @t',
      parameters: [{ name: '@t', value: tenantId }],
    })
    .fetchAll();
  return resources.length;
}

beforeAll(async () => {
  fuzzTenant = randomUUID();
  cosmos = testCosmosClient();
  container = cosmos.database('reportexports').container('reports');
  userToken = await devToken({ tenantId: fuzzTenant, userId: FUZZ_USER });
  adminToken = await devToken({ tenantId: fuzzTenant, userId: 'fuzz-admin', admin: true });
  const wrongAudience = await devToken({
    tenantId: fuzzTenant,
    userId: FUZZ_USER,
    audience: 'api://someone-else',
  });
  const [header, payload] = userToken.split('.');
  garbageAuth = [
    'Bearer not.a.jwt',
    'Bearer ',
    'Bearer',
    'Basic dXNlcjpwYXNz',
    `Bearer ${wrongAudience}`,
    `Bearer ${header ?? ''}.${payload ?? ''}.`,
    `Bearer ${header ?? ''}.${payload ?? ''}.${'A'.repeat(86)}`,
    `Bearer ${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload ?? ''}.`,
    `Bearer ${Buffer.from('{"alg":"HS256","kid":"x"}').toString('base64url')}.${payload ?? ''}.c2ln`,
    `Bearer ${userToken}${userToken}`,
    `bearer  ${'x'.repeat(4_000)}`,
    `Bearer ${userToken}, Bearer ${userToken}`,
  ];
  host = await startAppHost({ only: apiAndRelayOnly });
});

afterAll(async () => {
  await host?.stop();
  cosmos?.dispose();
});

function authorizationFor(rng: Rng, auth: Auth): string | undefined {
  switch (auth) {
    case 'user':
      return `Bearer ${userToken}`;
    case 'admin':
      return `Bearer ${adminToken}`;
    case 'garbage':
      return rng.pick(garbageAuth);
    case 'none':
      return undefined;
  }
}

function generate(rng: Rng, count: number): FuzzRequest[] {
  const kinds = Object.entries(generators);
  const requests: FuzzRequest[] = [];
  for (let i = 0; i < count; i++) {
    // Round robin over the kinds, so each gets its share whatever the seed.
    const [, make] = kinds[i % kinds.length] ?? [];
    if (!make) continue;
    const request = make(rng);
    const roll = rng.next();
    const auth: Auth =
      request.category === listBoundCategory
        ? 'user'
        : roll < 0.85
          ? 'user'
          : roll < 0.9
            ? 'admin'
            : roll < 0.97
              ? 'garbage'
              : 'none';
    const authorization = authorizationFor(rng, auth);
    const headers: Record<string, string> = { ...request.headers };
    if (authorization !== undefined) headers.authorization = authorization;
    // Odd correlation headers now and then: they must be ignored or used, never break anything.
    if (rng.bool(0.1))
      headers['x-correlation-id'] = rng.pick(['', ' ', 'a'.repeat(500), 'é', '../x', '${jndi:x}']);
    if (rng.bool(0.05))
      headers.traceparent = rng.pick(['00-0-0-00', `00-${'0'.repeat(32)}-${'1'.repeat(16)}-01`, 'zz']);
    requests.push({ ...request, headers, auth });
  }
  return requests;
}

async function send(request: FuzzRequest): Promise<Outcome> {
  const response = await fetch(`${host.url}${request.path}`, {
    method: request.method,
    headers: request.headers,
    redirect: 'manual',
    ...(request.body !== undefined ? { body: request.body } : {}),
  });
  const text = await response.text();
  return {
    request,
    status: response.status,
    contentType: response.headers.get('content-type'),
    correlationId: response.headers.get('x-correlation-id'),
    text,
  };
}

async function sendAll(requests: readonly FuzzRequest[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < requests.length) {
      const request = requests[next++];
      if (request) outcomes.push(await send(request));
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return outcomes;
}

function describeRequest(outcome: Outcome, why: string): string {
  const { request } = outcome;
  const body =
    request.body === undefined
      ? ''
      : typeof request.body === 'string'
        ? request.body
        : `<bytes ${Buffer.from(request.body).toString('hex').slice(0, 80)}>`;
  const headers = Object.entries(request.headers)
    .filter(([name]) => name !== 'authorization')
    .map(([name, value]) => `${name}: ${value.slice(0, 60)}`)
    .join('; ');
  return (
    `[${request.category}] ${request.method} ${request.path.slice(0, 160)} (auth ${request.auth ?? '?'}` +
    `${headers ? `; ${headers}` : ''}) body ${JSON.stringify(body.slice(0, 160))}${body.length > 160 ? '...' : ''}` +
    ` -> ${outcome.status} ${outcome.contentType ?? ''} ${outcome.text.slice(0, 200)} :: ${why}`
  );
}

/** The HTTP functions the local host serves, matched as the host matches them. */
const httpRoutes = () =>
  host.app.functions.flatMap((definition) =>
    definition.trigger === 'http' && apiAndRelayOnly(definition)
      ? [
          {
            route: compileRoute('api', definition.options.route ?? definition.name),
            methods: (definition.options.methods ?? ['GET', 'POST']).map((m) => m.toUpperCase()),
          },
        ]
      : [],
  );

/**
 * Whether a function serves the request. The others (no route matches the path, or none the method) are
 * answered by the Functions host itself with a bodiless 404 or 405, in Azure as locally.
 */
function servedByAFunction(request: FuzzRequest): boolean {
  const { pathname } = new URL(`${host.url}${request.path}`);
  return httpRoutes().some(
    (r) => r.methods.includes(request.method) && r.route.match(pathname) !== undefined,
  );
}

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** What is wrong with the response's correlation id: every answer of a function carries a well-formed one. */
function correlationFault(outcome: Outcome): string | undefined {
  const given = outcome.request.headers['x-correlation-id']?.trim();
  const echoed = outcome.correlationId;
  if (echoed === null) return 'no x-correlation-id';
  if (!CORRELATION_ID.test(echoed)) return 'a malformed x-correlation-id';
  if (given !== undefined && !CORRELATION_ID.test(given) && echoed === given) {
    return 'an invalid incoming x-correlation-id was echoed';
  }
  if (given !== undefined && CORRELATION_ID.test(given) && echoed !== given) {
    return 'a valid incoming x-correlation-id was not echoed';
  }
  return undefined;
}

const nonEmptyString = (value: unknown): boolean => typeof value === 'string' && value.trim() !== '';

function problemFault(outcome: Outcome): string | undefined {
  if (outcome.status < 400 || outcome.status >= 500) return undefined;
  if (!servedByAFunction(outcome.request)) {
    return [404, 405].includes(outcome.status) ? undefined : 'the host answered something but 404 or 405';
  }
  if (!outcome.contentType?.startsWith('application/problem+json'))
    return 'a 4xx that is not application/problem+json';
  let problem: unknown;
  try {
    problem = JSON.parse(outcome.text);
  } catch {
    return 'a problem body that is not JSON';
  }
  if (typeof problem !== 'object' || problem === null || Array.isArray(problem))
    return 'a problem body that is not an object';
  const { type, status, title, detail, errors } = problem as Record<string, unknown>;
  if (status !== outcome.status) return `problem.status ${String(status)} differs from the HTTP status`;
  if (typeof type !== 'string' || !/^https:\/\/\S+$/.test(type)) return 'problem.type is not an https URI';
  if (!nonEmptyString(title)) return 'problem.title is not a non-empty string';
  if (!nonEmptyString(detail)) return 'problem.detail is not a non-empty string';
  if (errors !== undefined) {
    if (typeof errors !== 'object' || errors === null || Array.isArray(errors))
      return 'problem.errors is not an object';
    const lists = Object.values(errors);
    if (lists.length === 0) return 'problem.errors is empty';
    if (!lists.every((l) => Array.isArray(l) && l.length > 0 && l.every(nonEmptyString)))
      return 'problem.errors holds something but lists of messages';
  }
  return undefined;
}

/** A bound continuation token is either passed through (200) or refused on `continuationToken` (400). */
function boundTokenFault(outcome: Outcome): string | undefined {
  if (!outcome.request.mayBeAccepted) return undefined;
  if (outcome.status === 200) return undefined;
  if (outcome.status !== 400) return `a bound continuation token answered ${outcome.status}`;
  const { errors } = JSON.parse(outcome.text) as { errors?: Record<string, unknown> };
  return errors && 'continuationToken' in errors ? undefined : 'a 400 that does not name continuationToken';
}

describe('fuzzing the report API with malformed requests', () => {
  it(
    'never answers 5xx, always answers problems, stores nothing and pollutes no prototype',
    { timeout: 25_000 },
    async () => {
      console.log(`reports fuzz: seed ${SEED} (set FUZZ_SEED to override), tenant ${fuzzTenant}`);
      const started = Date.now();
      const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
      expect(await countDocs(fuzzTenant)).toBe(0);

      const requests = generate(new Rng(SEED), REQUESTS);
      const outcomes = await sendAll(requests);

      const serverErrors = outcomes.filter((o) => o.status >= 500);
      const badProblems = outcomes.flatMap((o) => {
        const routed = servedByAFunction(o.request);
        const fault = (routed ? correlationFault(o) : undefined) ?? problemFault(o) ?? boundTokenFault(o);
        return fault ? [describeRequest(o, fault)] : [];
      });
      const accepted = outcomes.filter((o) => o.status < 400 && !o.request.mayBeAccepted);
      const histogram: Record<string, number> = {};
      for (const o of outcomes) histogram[o.status] = (histogram[o.status] ?? 0) + 1;
      console.log(
        `reports fuzz: ${outcomes.length} requests in ${Date.now() - started} ms; statuses ${JSON.stringify(histogram)}`,
      );

      expect(outcomes.length).toBeGreaterThanOrEqual(1_000);
      expect(
        serverErrors.length,
        `${serverErrors.length} responses >= 500, e.g.:\n${serverErrors
          .slice(0, 5)
          .map((o) => describeRequest(o, '5xx'))
          .join('\n')}`,
      ).toBe(0);
      expect(
        badProblems.length,
        `${badProblems.length} bad problem responses, e.g.:\n${badProblems.slice(0, 5).join('\n')}`,
      ).toBe(0);
      expect(
        accepted.length,
        `${accepted.length} malformed requests were accepted, e.g.:\n${accepted
          .slice(0, 5)
          .map((o) => describeRequest(o, 'accepted'))
          .join('\n')}`,
      ).toBe(0);
      expect(await countDocs(fuzzTenant)).toBe(0);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
    },
  );

  it('hands a continuation token bound to the caller to Cosmos, and answers its refusal with a 400 problem', async () => {
    const list = async (inner: string): Promise<Outcome> =>
      send({
        category: 'bound continuation token',
        method: 'GET',
        path: `/api/reports?continuationToken=${boundToken(inner)}`,
        headers: { authorization: `Bearer ${userToken}` },
      });
    // An inner token the stand-in cannot read but does not refuse: the API's own checks let it through.
    const passed = await list('garbage');
    expect(passed.status).toBe(200);
    expect(JSON.parse(passed.text)).toEqual({ items: [], continuationToken: null });
    // One Cosmos refuses with a 400: a 400 problem on continuationToken, never a 5xx.
    for (const inner of ['{"x":1}', '[]', '-1']) {
      const refused = await list(inner);
      expect(problemFault(refused), inner).toBeUndefined();
      expect(refused.status, inner).toBe(400);
      expect(JSON.parse(refused.text)).toMatchObject({ errors: { continuationToken: [expect.any(String)] } });
    }
    expect(await countDocs(fuzzTenant)).toBe(0);
  });
});
