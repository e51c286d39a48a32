import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { brokenLinks, documentationPages, missingCodePaths, readPage } from '../support/markdown-links';

const ROOT = resolve(__dirname, '../..');

describe('documentation links', () => {
  const pages = documentationPages(ROOT);

  it('finds the front door, the docs pages, the decision records and the benchmark page', () => {
    expect(pages).toContain('README.md');
    expect(pages).toContain('docs/README.md');
    expect(pages).toContain('bench/README.md');
    expect(pages.some((page) => page.startsWith('docs/adr/'))).toBe(true);
  });

  it('every relative link and #anchor in README.md, docs/ and bench/README.md resolves', async () => {
    expect(await brokenLinks(ROOT, pages)).toEqual([]);
  });

  it('every file path the pages name in inline code exists (or is one a run writes)', async () => {
    const written = new Set(['bench/results/latest.json']);
    const missing = await missingCodePaths(ROOT, pages);
    expect(missing.filter(({ path }) => !written.has(path))).toEqual([]);
  });

  it('the docs index lists every page under docs/', async () => {
    const index = new Set(
      (await readPage(readFileSync(join(ROOT, 'docs/README.md'), 'utf8'))).links.map(
        (href) => href.split('#')[0],
      ),
    );
    const unlisted = pages
      .filter((page) => page.startsWith('docs/') && page !== 'docs/README.md')
      .map((page) => page.slice('docs/'.length))
      .filter((page) => !index.has(page));
    expect(unlisted).toEqual([]);
  });
});

describe('the link check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'doc-links-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };

  it('reports missing files, unknown headings and links out of the repository, and nothing else', async () => {
    write(
      'README.md',
      [
        '# Front door',
        '',
        'See [api](docs/api.md#the-post-call), [gone](docs/gone.md), [bad anchor](docs/api.md#nowhere),',
        '[out](../elsewhere/DESIGN.md), [here](#front-door), [missing here](#no-such-heading),',
        '[folder](docs/), [site](https://example.com/x.md), [mail](mailto:a@example.com).',
        '',
        '| table | cell |',
        '| ----- | ---- |',
        '| one   | [in a table](docs/missing-too.md) |',
      ].join('\n'),
    );
    write('docs/api.md', '# API\n\n## The `POST` call\n\n[back](../README.md#front-door)\n');
    write('bench/README.md', '# Benchmarks\n\n![chart](results/chart.png)\n');

    expect(await brokenLinks(dir, documentationPages(dir))).toEqual([
      { file: 'README.md', href: 'docs/gone.md', reason: 'no such file: docs/gone.md' },
      { file: 'README.md', href: 'docs/api.md#nowhere', reason: 'no heading #nowhere in docs/api.md' },
      { file: 'README.md', href: '../elsewhere/DESIGN.md', reason: 'points outside the repository' },
      { file: 'README.md', href: '#no-such-heading', reason: 'no heading #no-such-heading in README.md' },
      { file: 'README.md', href: 'docs/missing-too.md', reason: 'no such file: docs/missing-too.md' },
      { file: 'bench/README.md', href: 'results/chart.png', reason: 'no such file: bench/results/chart.png' },
    ]);
  });

  it('reports inline code paths that are not there, and leaves other code alone', async () => {
    write('src/here.ts', 'export {};\n');
    write(
      'docs/code.md',
      [
        '# Code',
        '',
        '`src/here.ts` and `src/` exist; `src/gone.ts` and `test/old/` do not.',
        'Not paths: `src/*.ts`, `npm test`, `src/a b.ts`, `x/src/gone.ts`, `SRC/gone.ts`.',
        '',
        '```',
        'src/in-a-block.ts',
        '```',
      ].join('\n'),
    );
    expect(await missingCodePaths(dir, ['docs/code.md'])).toEqual([
      { file: 'docs/code.md', path: 'src/gone.ts' },
      { file: 'docs/code.md', path: 'test/old/' },
    ]);
  });
});
