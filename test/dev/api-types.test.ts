// The web page's API types are generated from the OpenAPI document, and the committed file is current.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { API_TYPES_FILE, renderApiTypes } from '../../dev/api-types';
import { openApiDocument } from '../../src/http/openapi';

describe('npm run api-types', () => {
  it('gives the committed src/web/client/api-types.ts (run it after changing the API)', async () => {
    expect(await readFile(API_TYPES_FILE, 'utf8')).toBe(await renderApiTypes());
  });

  it('types every path of the document and the report resource field by field', async () => {
    const text = await renderApiTypes();
    for (const path of Object.keys(openApiDocument().paths as object)) expect(text).toContain(`'${path}': {`);
    const resource = (openApiDocument().components as { schemas: { Report: { properties: object } } }).schemas
      .Report.properties;
    const block = /\n {4}Report: \{\n([\s\S]*?)\n {4}\};/.exec(text)?.[1] ?? '';
    for (const field of Object.keys(resource)) expect(block).toMatch(new RegExp(`(^|\\n) {6}${field}: `));
  });
});
