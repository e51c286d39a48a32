// Relative links in the project's markdown pages: each must name a file or folder inside the repository,
// and a `#fragment` on a markdown page must name one of its headings (GitHub's heading ids). Pure file
// checks; links with a scheme (https:, mailto:) are not followed. A file path named in inline code
// (`src/composition.ts`) must exist too, so that a page does not go on describing a file that moved.
//
// `marked` and `github-slugger` ship as ECMAScript modules only and the project compiles to CommonJS, so
// they are loaded with a dynamic import and referenced here for types only.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type GithubSlugger from 'github-slugger' with { 'resolution-mode': 'import' };
import type { Token, Tokens } from 'marked' with { 'resolution-mode': 'import' };

interface MarkdownTools {
  lexer: (markdown: string) => Token[];
  walkTokens: (tokens: Token[], callback: (token: Token) => void) => unknown;
  Slugger: typeof GithubSlugger;
}

let tools: Promise<MarkdownTools> | undefined;

function markdownTools(): Promise<MarkdownTools> {
  tools ??= Promise.all([import('marked'), import('github-slugger')]).then(([{ marked }, slugger]) => ({
    lexer: (markdown) => marked.lexer(markdown),
    walkTokens: (tokens, callback) => marked.walkTokens(tokens, callback),
    Slugger: slugger.default,
  }));
  return tools;
}

export interface BrokenLink {
  /** The page the link is on, relative to the repository root. */
  file: string;
  href: string;
  reason: string;
}

/** README.md, every page under docs/ and bench/README.md, relative to `root`, sorted. */
export function documentationPages(root: string): string[] {
  const docs = existsSync(join(root, 'docs'))
    ? readdirSync(join(root, 'docs'), { recursive: true, encoding: 'utf8' })
        .filter((name) => name.endsWith('.md'))
        .map((name) => join('docs', name))
    : [];
  const pages = ['README.md', join('bench', 'README.md'), ...docs].filter((page) =>
    existsSync(join(root, page)),
  );
  return pages.map((page) => page.split(sep).join('/')).sort();
}

/** The plain text of inline tokens, the way a heading's id is made from it. */
function plainText(tokens: Token[] | undefined, fallback: string): string {
  if (!tokens) return fallback;
  return tokens
    .map((token) => {
      if ('tokens' in token && Array.isArray(token.tokens)) return plainText(token.tokens, '');
      if (token.type === 'html') return '';
      return 'text' in token && typeof token.text === 'string' ? token.text : '';
    })
    .join('');
}

interface Page {
  links: string[];
  anchors: Set<string>;
  /** Inline code that names a repository path: a top folder of the project, then no spaces or globs. */
  codePaths: string[];
}

const CODE_PATH = /^(?:src|test|dev|bench|infra|docs)\/[\w.@/-]*[\w/]$/;

/** The link targets on a markdown page and the ids of its headings. */
export async function readPage(markdown: string): Promise<Page> {
  const { lexer, walkTokens, Slugger } = await markdownTools();
  const tokens = lexer(markdown);
  const links: string[] = [];
  const slugger = new Slugger();
  const anchors = new Set<string>();
  const codePaths: string[] = [];
  walkTokens(tokens, (token) => {
    if (token.type === 'link' || token.type === 'image') links.push((token as Tokens.Link).href);
    if (token.type === 'codespan') {
      // marked escapes the code span's text as HTML; a path holds none of those characters.
      const text = (token as Tokens.Codespan).text;
      if (CODE_PATH.test(text)) codePaths.push(text);
    }
    if (token.type === 'heading') {
      const heading = token as Tokens.Heading;
      anchors.add(slugger.slug(plainText(heading.tokens, heading.text)));
    }
  });
  return { links, anchors, codePaths };
}

const SCHEME = /^[a-z][a-z0-9+.-]*:/i;

/** Every relative link on `pages` (paths relative to `root`) that does not resolve. */
export async function brokenLinks(root: string, pages: readonly string[]): Promise<BrokenLink[]> {
  const rootDir = resolve(root);
  const parsed = new Map<string, Page>();
  const pageAt = async (absolute: string): Promise<Page> => {
    let page = parsed.get(absolute);
    if (!page) {
      page = await readPage(readFileSync(absolute, 'utf8'));
      parsed.set(absolute, page);
    }
    return page;
  };
  const broken: BrokenLink[] = [];
  for (const file of pages) {
    const from = resolve(rootDir, file);
    for (const href of (await pageAt(from)).links) {
      if (SCHEME.test(href) || href.startsWith('//')) continue;
      const report = (reason: string) => broken.push({ file, href, reason });
      const hashAt = href.indexOf('#');
      const pathPart = hashAt === -1 ? href : href.slice(0, hashAt);
      const fragment = hashAt === -1 ? undefined : decodeURIComponent(href.slice(hashAt + 1));
      const target = pathPart === '' ? from : resolve(dirname(from), decodeURIComponent(pathPart));
      const inside = relative(rootDir, target);
      if (inside.startsWith('..') || resolve(rootDir, inside) !== target) {
        report('points outside the repository');
        continue;
      }
      if (!existsSync(target)) {
        report(`no such file: ${inside.split(sep).join('/')}`);
        continue;
      }
      if (fragment === undefined || fragment === '') continue;
      if (!statSync(target).isFile() || !target.endsWith('.md')) continue;
      if (!(await pageAt(target)).anchors.has(fragment)) report(`no heading #${fragment} in ${inside}`);
    }
  }
  return broken;
}

export interface MissingPath {
  /** The page that names it, relative to the repository root. */
  file: string;
  path: string;
}

/** Every repository path named in inline code on `pages` that is not there (paths are from `root`). */
export async function missingCodePaths(root: string, pages: readonly string[]): Promise<MissingPath[]> {
  const missing: MissingPath[] = [];
  for (const file of pages) {
    const { codePaths } = await readPage(readFileSync(join(root, file), 'utf8'));
    for (const path of codePaths) if (!existsSync(join(root, path))) missing.push({ file, path });
  }
  return missing;
}
