import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { canonicalJson, fieldErrors, requestHash, validate } from '../../../src/domain/validation';

function errorOf(schema: z.ZodType, value: unknown): z.ZodError {
  const result = schema.safeParse(value);
  if (result.success) throw new Error('expected validation to fail');
  return result.error;
}

describe('fieldErrors', () => {
  const schema = z.strictObject({
    format: z.literal('csv', { error: 'must be csv' }),
    parameters: z.strictObject({ toDate: z.string({ error: 'must be a string' }) }),
    items: z.array(z.strictObject({ name: z.string({ error: 'name required' }) })).optional(),
  });

  it('maps issues to dotted paths', () => {
    const error = errorOf(schema, { format: 'xml', parameters: { toDate: 1 }, items: [{ name: 'a' }, {}] });
    expect(fieldErrors(error)).toEqual({
      format: ['must be csv'],
      'parameters.toDate': ['must be a string'],
      'items.1.name': ['name required'],
    });
  });

  it('prefixes paths', () => {
    const error = errorOf(z.strictObject({ toDate: z.string({ error: 'bad' }) }), { toDate: 1 });
    expect(fieldErrors(error, 'parameters')).toEqual({ 'parameters.toDate': ['bad'] });
  });

  it('names each unknown key as its own field', () => {
    const error = errorOf(schema, { format: 'csv', parameters: { toDate: 'x', tpo: 1, extra: 2 } });
    expect(fieldErrors(error)).toEqual({
      'parameters.tpo': ['is not a known field'],
      'parameters.extra': ['is not a known field'],
    });
  });

  it('puts issues about the value itself under the prefix, or $ without one', () => {
    const error = errorOf(z.object({}), 'text');
    expect(Object.keys(fieldErrors(error))).toEqual(['$']);
    expect(Object.keys(fieldErrors(error, 'parameters'))).toEqual(['parameters']);
  });

  it('collects several messages for one field without duplicates', () => {
    const field = z.string().min(5, { error: 'too short' }).regex(/^\d+$/, { error: 'digits only' });
    const error = errorOf(z.object({ a: field, b: field }), { a: 'x', b: 'y' });
    expect(fieldErrors(error)).toEqual({ a: ['too short', 'digits only'], b: ['too short', 'digits only'] });
  });
});

describe('validate', () => {
  const schema = z.strictObject({
    name: z.string().min(2).max(5),
    count: z.number().int().min(1).max(10_000),
    ratio: z.number().gt(0).lt(1).optional(),
    tags: z.array(z.string()).max(2).optional(),
    kind: z.enum(['a', 'b']).optional(),
    day: z.iso.date({ error: 'must be a calendar date' }),
    flag: z.boolean().optional(),
  });
  const errorsOf = (value: unknown): Record<string, string[]> => {
    const result = validate(schema, value);
    if (result.ok) throw new Error('expected validation to fail');
    return result.errors;
  };

  it('words zod’s own issues as the end of a plain sentence about the field', () => {
    expect(
      errorsOf({ name: 'x', count: 20_000, ratio: 1, tags: ['a', 'b', 'c'], kind: 'c', day: 'x', flag: 'y' }),
    ).toEqual({
      name: ['must be at least 2 characters long'],
      count: ['must be at most 10000'],
      ratio: ['must be less than 1'],
      tags: ['must hold at most 2 items'],
      kind: ['must be one of: a, b'],
      day: ['must be a calendar date'],
      flag: ['must be a boolean (true or false)'],
    });
    expect(errorsOf({ name: 7, count: 1.5, day: '2024-01-01' })).toEqual({
      name: ['must be text'],
      count: ['must be a whole number'],
    });
  });

  it('names every missing field as required, whatever its schema says of bad values', () => {
    expect(errorsOf({})).toEqual({ name: ['is required'], count: ['is required'], day: ['is required'] });
    expect(errorsOf('text')).toEqual({ $: ['must be an object'] });
  });

  it('gives the parsed data when the value is valid', () => {
    expect(validate(schema, { name: 'abc', count: 3, day: '2024-02-29' })).toEqual({
      ok: true,
      data: { name: 'abc', count: 3, day: '2024-02-29' },
    });
  });
});

describe('canonicalJson', () => {
  it('is independent of key order at every depth', () => {
    const a = { b: 1, a: { y: [1, { q: 1, p: 2 }], x: 'x' }, 10: true, 2: false };
    const b = { 2: false, a: { x: 'x', y: [1, { p: 2, q: 1 }] }, 10: true, b: 1 };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe('{"10":true,"2":false,"a":{"x":"x","y":[1,{"p":2,"q":1}]},"b":1}');
  });

  it('keeps array order and follows JSON for odd values', () => {
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
    expect(canonicalJson({ a: undefined, b: null, c: Number.NaN, d: [undefined] })).toBe(
      '{"b":null,"c":null,"d":[null]}',
    );
    expect(canonicalJson(new Date('2024-01-01T00:00:00Z'))).toBe('"2024-01-01T00:00:00.000Z"');
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson('a"b')).toBe('"a\\"b"');
  });

  it('rejects circular structures', () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => canonicalJson(loop)).toThrow(TypeError);
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });
});

describe('requestHash', () => {
  const params = { fromDate: '2024-01-01', toDate: '2024-12-31', top: 100 };

  it('is a sha256 hex digest, equal for reordered keys', () => {
    const hash = requestHash('popularity', 'csv', params);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(requestHash('popularity', 'csv', { top: 100, toDate: '2024-12-31', fromDate: '2024-01-01' })).toBe(
      hash,
    );
  });

  it('differs when type, format or any parameter value differs', () => {
    const hash = requestHash('popularity', 'csv', params);
    expect(requestHash('ratings', 'csv', params)).not.toBe(hash);
    expect(requestHash('popularity', 'xlsx', params)).not.toBe(hash);
    expect(requestHash('popularity', 'csv', { ...params, top: 10 })).not.toBe(hash);
    expect(requestHash('popularity', 'csv', { ...params, genre: 'Jazz' })).not.toBe(hash);
  });
});
