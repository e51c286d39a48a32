// The layers hold because ESLint refuses the imports that would break them: each case below is lint run
// on a real source file with one forbidden import added, and must be refused by the layer rule.
import { readFileSync } from 'node:fs';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: process.cwd() });

/** The layer-rule messages ESLint gives `file` with `line` added at its top. */
async function layerErrors(file: string, line: string): Promise<string[]> {
  const text = `${line}\nvoid imported;\n${readFileSync(file, 'utf8')}`;
  const [result] = await eslint.lintText(text, { filePath: file });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports')
    .map((m) => m.message);
}

describe('the layer rules', () => {
  it.each([
    [
      'src/domain/report.ts',
      "import { CosmosClient as imported } from '@azure/cosmos';",
      /know no Azure SDK/,
    ],
    [
      'src/domain/report-types/ratings.ts',
      "import { createCsvWriter as imported } from '../../formats/csv';",
      /only through the FormatWriter port/,
    ],
    [
      'src/domain/validation.ts',
      "import { stringify as imported } from 'csv-stringify/sync';",
      /no file format library/,
    ],
    ['src/domain/report.ts', "import { readFileSync as imported } from 'node:fs';", /no file system/],
    [
      'src/domain/report.ts',
      "import { createAzureClients as imported } from '../adapters/azure-clients';",
      /import no adapter/,
    ],
    [
      'src/functions/webPage.ts',
      "import { loadConfig as imported } from '../config/env';",
      /not adapters or the raw settings/,
    ],
    [
      'src/services/reports.ts',
      "import { BlobServiceClient as imported } from '@azure/storage-blob';",
      /know no Azure SDK/,
    ],
    [
      'src/services/reports.ts',
      "import { createCosmosReportStore as imported } from '../adapters/cosmos-report-store';",
      /import no adapter/,
    ],
    [
      'src/services/export/claim.ts',
      "import { createAzureClients as imported } from '../../adapters/azure-clients';",
      /import no adapter/,
    ],
    [
      'src/functions/health.ts',
      "import { createApp as imported } from '../composition';",
      /only types come from the composition root/,
    ],
    [
      'src/functions/webPage.ts',
      "import { loadConfig as imported } from '../config';",
      /not adapters or the raw settings/,
    ],
    [
      'src/http/boundary.ts',
      "import { createBlobReportFiles as imported } from '../adapters/blob-report-files';",
      /not adapters/,
    ],
  ])(
    '%s may not: %s',
    async (file, line, message) => {
      const errors = await layerErrors(file, line);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(message);
    },
    60_000,
  );

  it('allows what the layers allow: the FormatWriter port in the domain, the writers in a service', async () => {
    expect(
      await layerErrors(
        'src/domain/report-types/types.ts',
        "import type { Column as imported } from '../format';",
      ),
    ).toEqual([]);
    expect(
      await layerErrors(
        'src/services/export/context.ts',
        "import { getFormat as imported } from '../../formats';",
      ),
    ).toEqual([]);
  }, 60_000);

  it('allows what the layers allow: a type from the composition root in a function', async () => {
    expect(
      await layerErrors(
        'src/functions/health.ts',
        "import type { Services as imported } from '../composition';",
      ),
    ).toEqual([]);
  }, 60_000);
});
