// Writes the web page's API types (src/web/client/api-types.ts) from the OpenAPI document with
// openapi-typescript, so the page reads the API through the contract rather than a copy of it.
//
//   npm run api-types            write the file
//   npm run api-types -- --check exit 1 when the file is not what the document gives
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { format, resolveConfig } from 'prettier';
import { openApiDocument } from '../src/http/openapi';

export const API_TYPES_FILE = resolve(__dirname, '../src/web/client/api-types.ts');

const HEADER = `// Generated from the OpenAPI document by \`npm run api-types\` (openapi-typescript); do not edit.\n`;

/** The file's text as the current document gives it (formatted as the repository formats TypeScript). */
export async function renderApiTypes(): Promise<string> {
  const { default: openapiTS, astToString } = await import('openapi-typescript');
  const document = openApiDocument() as unknown as Parameters<typeof openapiTS>[0];
  const ast = await openapiTS(document, { alphabetize: true });
  const options = (await resolveConfig(API_TYPES_FILE)) ?? {};
  return format(HEADER + astToString(ast), { ...options, filepath: API_TYPES_FILE });
}

async function main(): Promise<void> {
  const text = await renderApiTypes();
  if (process.argv.includes('--check')) {
    const current = await readFile(API_TYPES_FILE, 'utf8').catch(() => '');
    if (current !== text) {
      process.stderr.write(`${API_TYPES_FILE} is out of date: run npm run api-types\n`);
      process.exitCode = 1;
    }
    return;
  }
  await writeFile(API_TYPES_FILE, text);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
