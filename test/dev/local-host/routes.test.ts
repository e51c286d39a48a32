import { describe, expect, it } from 'vitest';
import { compileRoute } from '../../../dev/local-host/routes';

describe('route templates', () => {
  it('puts the route prefix in front and matches literals case-insensitively', () => {
    const route = compileRoute('api', 'report-types');
    expect(route.template).toBe('api/report-types');
    expect(route.match('/api/report-types')).toEqual({});
    expect(route.match('/API/Report-Types/')).toEqual({});
    expect(route.match('/report-types')).toBeUndefined();
    expect(route.match('/api/report-types/x')).toBeUndefined();
  });

  it('binds parameters, decoded', () => {
    const route = compileRoute('api', 'reports/{reportId}/download');
    expect(route.match('/api/reports/a%20b/download')).toEqual({ reportId: 'a b' });
    expect(route.match('/api/reports/download')).toBeUndefined();
    expect(route.match('/api/reports/%E0%A4%A/download')).toBeUndefined(); // malformed escape
  });

  it('allows a trailing optional parameter', () => {
    const route = compileRoute('api', 'reports/{reportId?}');
    expect(route.match('/api/reports')).toEqual({});
    expect(route.match('/api/reports/r1')).toEqual({ reportId: 'r1' });
    expect(route.match('/api/reports/r1/x')).toBeUndefined();
  });

  it('applies constraints', () => {
    const route = compileRoute('api', 'items/{id:int}');
    expect(route.match('/api/items/42')).toEqual({ id: '42' });
    expect(route.match('/api/items/abc')).toBeUndefined();
    const guid = compileRoute('api', 'g/{id:guid}');
    expect(guid.match('/api/g/3f2504e0-4f89-11d3-9a0c-0305e82c3301')).toEqual({
      id: '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
    });
    expect(guid.match('/api/g/nope')).toBeUndefined();
    expect(() => compileRoute('api', 'x/{id:regex(a)}')).toThrow(/unsupported constraint/);
  });

  it('collects the rest of the path into a catch-all', () => {
    const route = compileRoute('', 'files/{*path}');
    expect(route.match('/files/a/b/c.txt')).toEqual({ path: 'a/b/c.txt' });
    expect(route.match('/files')).toEqual({});
  });

  it('refuses optional or catch-all parameters before the last segment', () => {
    expect(() => compileRoute('api', '{a?}/b')).toThrow(/last segment/);
  });
});
