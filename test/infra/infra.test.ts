// Static checks of the infrastructure as code (infra/**/*.bicep, azure.yaml) against what the code reads:
// no Bicep compiler is needed, the templates are read as text. Names come from the code itself
// (loadConfig defaults, %NAME% binding expressions in src/functions), not from copies in this file.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type AppConfig } from '../../src/config';

const root = resolve(__dirname, '../..');
const infraDir = join(root, 'infra');
const read = (path: string): string => readFileSync(path, 'utf8');
const rel = (path: string): string => relative(root, path);

const bicepFiles = readdirSync(infraDir, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.bicep'))
  .map((f) => join(infraDir, f));
const infraFiles = readdirSync(infraDir, { recursive: true, encoding: 'utf8' })
  .map((f) => join(infraDir, f))
  .filter((f) => f.endsWith('.bicep') || f.endsWith('.json'));
const mainPath = join(infraDir, 'main.bicep');

/** Bicep source without comments (strings kept), so a commented-out line never satisfies a check. */
function stripComments(text: string): string {
  let out = '';
  let i = 0;
  let inString = false;
  while (i < text.length) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === "'") inString = false;
      i++;
    } else if (text.startsWith('//', i)) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? text.length : end + 2;
    } else {
      if (c === "'") inString = true;
      out += c;
      i++;
    }
  }
  return out;
}

const sources = new Map(bicepFiles.map((f) => [f, stripComments(read(f))]));
const source = (path: string): string => sources.get(path) ?? '';

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Where a resource of this type is declared (not merely referenced with `existing`), or -1. */
const declarationAt = (text: string, type: string): number =>
  text.search(new RegExp(`resource\\s+\\w+\\s+'${escapeRegExp(type)}@[^']+'\\s*=(?!\\s*existing)`));

/** The first .bicep file declaring a resource of this type (e.g. 'Microsoft.Web/sites'). */
function fileDeclaring(type: string): string {
  const file = bicepFiles.find((f) => declarationAt(source(f), type) !== -1);
  if (!file) throw new Error(`no infra/**/*.bicep file declares a '${type}' resource`);
  return file;
}

/** The balanced {...} or [...] that starts at the first opening bracket at or after `from`. */
function balancedBlock(text: string, from: number): string {
  const start = text.slice(from).search(/[{[]/) + from;
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    if (text[i] === '{' || text[i] === '[') depth++;
    if (text[i] === '}' || text[i] === ']') depth--;
    if (depth === 0) return text.slice(start, i + 1);
  }
  return text.slice(start);
}

/**
 * The literal string an expression evaluates to, following `var`/`param` defaults in its file and, for a
 * param without default, the value main.bicep passes to the module declared from that file.
 */
function resolveString(file: string, expr: string, depth = 0): string | undefined {
  const e = expr.trim();
  const literal = /^'([^'$]*)'$/.exec(e);
  if (literal) return literal[1];
  if (depth > 10 || !/^[A-Za-z_]\w*$/.test(e)) return undefined;
  const text = source(file);
  const decl = new RegExp(`^(?:var\\s+${e}|param\\s+${e}\\s+\\w+)\\s*=\\s*(.+)$`, 'm').exec(text);
  if (decl?.[1]) return resolveString(file, decl[1], depth + 1);
  if (file === mainPath) return undefined;
  const modulePath = relative(infraDir, file).split('\\').join('/');
  const main = source(mainPath);
  const moduleAt = main.search(new RegExp(`module\\s+\\w+\\s+'${modulePath}'`));
  if (moduleAt === -1) return undefined;
  const block = balancedBlock(main, moduleAt);
  const passed = new RegExp(`^\\s*${e}:\\s*(.+)$`, 'm').exec(block);
  return passed?.[1] ? resolveString(mainPath, passed[1], depth + 1) : undefined;
}

/** The keys of the Function App's app settings (object `var appSettings = {...}` or `appSettings: [...]`). */
function appSettingKeys(): Set<string> {
  const file = fileDeclaring('Microsoft.Web/sites');
  const text = source(file);
  const at = text.search(/\bappSettings\s*(=|:)/);
  if (at === -1) throw new Error(`${rel(file)} has no appSettings`);
  const block = balancedBlock(text, at);
  const keys = new Set<string>();
  for (const m of block.matchAll(/^\s*'?([A-Za-z_][\w.]*)'?\s*:/gm)) if (m[1]) keys.add(m[1]);
  for (const m of block.matchAll(/\bname:\s*'([^']+)'/g)) if (m[1]) keys.add(m[1]);
  return keys;
}

/**
 * The settings loadConfig insists on, found by asking it: start from an empty environment, fill in
 * every setting a problem names, until it parses. Returns those names and the resulting config.
 */
function requiredSettings(): { names: string[]; config: AppConfig } {
  const env: Record<string, string> = {};
  for (let round = 0; round < 10; round++) {
    try {
      return { names: Object.keys(env), config: loadConfig(env) };
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      for (const problem of error.problems) {
        const name = /^([A-Za-z_]\w*)/.exec(problem)?.[1];
        if (!name || name in env) throw new Error(`cannot satisfy config problem: ${problem}`);
        // Namespaces are host names; every other required setting here accepts a URL.
        env[name] = name.endsWith('__fullyQualifiedNamespace')
          ? 'placeholder.invalid'
          : 'https://placeholder.invalid/';
      }
    }
  }
  throw new Error('loadConfig never accepted the environment');
}

/** Every setting the zod schema in src/config.ts declares (top-level keys of `settingsSchema`). */
function schemaSettings(): string[] {
  const text = read(join(root, 'src/config.ts'));
  const at = text.indexOf('const settingsSchema = z.object(');
  if (at === -1) throw new Error('src/config.ts: settingsSchema not found');
  const block = balancedBlock(text, at);
  return [...block.matchAll(/^ {2}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1] ?? '');
}

/** `%NAME%` app-setting references in the function bindings. */
function bindingExpressions(): string[] {
  const dir = join(root, 'src/functions');
  const names = new Set<string>();
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    for (const m of read(join(dir, f)).matchAll(/%([A-Za-z_]\w*)%/g)) if (m[1]) names.add(m[1]);
  }
  return [...names];
}

const missing = (wanted: Iterable<string>, have: Set<string>): string[] =>
  [...wanted].filter((name) => !have.has(name));

const { names: required, config } = requiredSettings();

describe('infra: Function App settings', () => {
  const keys = appSettingKeys();

  it('sets every setting the config schema requires', () => {
    expect(required.length).toBeGreaterThan(0);
    expect(missing(required, keys), 'required by loadConfig but not an app setting').toEqual([]);
  });

  it('sets every setting a function binding references as %NAME%', () => {
    const names = bindingExpressions();
    expect(names.length).toBeGreaterThan(0);
    expect(missing(names, keys), 'binding %NAME% not set as an app setting').toEqual([]);
  });

  it('sets every setting the config schema declares (besides platform and dev-only ones)', () => {
    const names = schemaSettings().filter((n) => n !== 'AUTH_DEV_JWKS_PATH' && n !== 'WEBSITE_SITE_NAME');
    expect(names.length).toBeGreaterThan(0);
    expect(missing(names, keys), 'schema setting not set as an app setting').toEqual([]);
  });

  it('uses identity-based connections with the user-assigned identity', () => {
    const connections = {
      AzureWebJobsStorage: 'accountName',
      COSMOS: 'accountEndpoint',
      SERVICEBUS: 'fullyQualifiedNamespace',
      BLOB: 'serviceUri',
    };
    const wanted = Object.entries(connections).flatMap(([name, endpoint]) => [
      `${name}__${endpoint}`,
      `${name}__credential`,
      `${name}__clientId`,
    ]);
    expect(missing(wanted, keys), 'identity connection setting missing').toEqual([]);
    const plain = Object.keys(connections).filter((name) => keys.has(name));
    expect(plain, 'connection-string settings must not be set').toEqual([]);
  });

  it('never mentions AUTH_DEV_JWKS_PATH anywhere in infra/', () => {
    const offenders = infraFiles.filter((f) => read(f).includes('AUTH_DEV_JWKS_PATH')).map(rel);
    expect(offenders, 'files mentioning AUTH_DEV_JWKS_PATH').toEqual([]);
  });
});

describe('infra: data resources the code uses', () => {
  it('provisions the Cosmos database and containers with their partition keys', () => {
    const file = fileDeclaring('Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers');
    const text = source(file);
    const dbAt = declarationAt(text, 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases');
    const dbName = /\bname:\s*(.+)$/m.exec(balancedBlock(text, dbAt))?.[1] ?? '';
    expect(resolveString(file, dbName), `Cosmos database in ${rel(file)}`).toBe(config.cosmos.databaseName);

    const provisioned = new Map<string, string>();
    for (const m of text.matchAll(/\{\s*name:\s*([^,\n]+?)\s*,?\s*partitionKey:\s*'([^']+)'/g)) {
      const name = resolveString(file, m[1] ?? '');
      if (name) provisioned.set(name, m[2] ?? '');
    }
    const expected: Record<string, string> = {
      [config.cosmos.reportsContainer]: '/tenantId',
      [config.cosmos.leasesContainer]: '/id',
      albums: '/id',
      ratings: '/albumId',
    };
    const wrong = Object.entries(expected)
      .filter(([name, pk]) => provisioned.get(name) !== pk)
      .map(([name, pk]) => `${name} (${pk}): found ${provisioned.get(name) ?? 'nothing'}`);
    expect(wrong, `Cosmos containers in ${rel(file)}`).toEqual([]);
    expect(text, 'reports container keeps per-document TTL').toMatch(/defaultTtl:\s*-1/);
  });

  it('provisions the Service Bus queue with duplicate detection', () => {
    const file = fileDeclaring('Microsoft.ServiceBus/namespaces/queues');
    const text = source(file);
    const block = balancedBlock(text, declarationAt(text, 'Microsoft.ServiceBus/namespaces/queues'));
    const name = resolveString(file, /\bname:\s*(.+)$/m.exec(block)?.[1] ?? '');
    expect(name, `queue name in ${rel(file)}`).toBe(config.serviceBus.reportRequestsQueue);
    for (const property of [
      'requiresDuplicateDetection: true',
      'deadLetteringOnMessageExpiration: true',
      'duplicateDetectionHistoryTimeWindow:',
      'maxDeliveryCount:',
      'lockDuration:',
    ]) {
      expect(block.includes(property), `queue property ${property}`).toBe(true);
    }
  });

  it('provisions the reports blob container', () => {
    const file = fileDeclaring('Microsoft.Storage/storageAccounts');
    const text = source(file);
    const names = [
      ...text.matchAll(/resource\s+\w+\s+'(?:[^']*\/)?containers(?:@[^']+)?'[^=]*=\s*\{\s*name:\s*(.+)$/gm),
    ]
      .map((m) => resolveString(file, m[1] ?? ''))
      .filter((n): n is string => n !== undefined);
    expect(names, `blob containers in ${rel(file)}`).toContain(config.blob.reportsContainer);
  });
});

describe('infra: identity and access', () => {
  const allText = [...sources.values()].join('\n');

  it('assigns every role the app needs', () => {
    const roles = {
      'Storage Blob Delegator': 'db58b8e5-c6ad-4a2a-8342-4190687cbf4a',
      'Storage Blob Data Contributor': 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
      'Azure Service Bus Data Sender': '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39',
      'Azure Service Bus Data Receiver': '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0',
      'Cosmos DB Built-in Data Contributor': '00000000-0000-0000-0000-000000000002',
    };
    const absent = Object.entries(roles)
      .filter(([, id]) => !allText.includes(id))
      .map(([role, id]) => `${role} (${id})`);
    expect(absent, 'role definitions not assigned in infra/').toEqual([]);
  });

  it('disables local (key) auth on Cosmos DB and Service Bus, shared keys on Storage', () => {
    const checks: [string, string][] = [
      ['Microsoft.DocumentDB/databaseAccounts', 'disableLocalAuth: true'],
      ['Microsoft.ServiceBus/namespaces', 'disableLocalAuth: true'],
      ['Microsoft.Storage/storageAccounts', 'allowSharedKeyAccess: false'],
    ];
    const absent = checks
      .filter(([type, property]) => {
        const text = source(fileDeclaring(type));
        const at = declarationAt(text, type);
        return at === -1 || !balancedBlock(text, at).includes(property);
      })
      .map(([type, property]) => `${type}: ${property}`);
    expect(absent).toEqual([]);
  });
});

describe('infra: structure', () => {
  it('azure.yaml declares the api as a TypeScript Function App', () => {
    const yaml = read(join(root, 'azure.yaml'));
    const absent = [/^\s+host:\s*function\s*$/m, /^\s+language:\s*ts\s*$/m]
      .filter((re) => !re.test(yaml))
      .map((re) => re.source);
    expect(absent, 'azure.yaml lacks').toEqual([]);
  });

  it('every module main.bicep references exists', () => {
    const paths = [...source(mainPath).matchAll(/^module\s+\w+\s+'([^']+)'/gm)]
      .map((m) => m[1] ?? '')
      .filter((p) => !/^(br|ts)[:/]/.test(p));
    expect(paths.length).toBeGreaterThan(0);
    const absent = paths.filter((p) => !existsSync(join(dirname(mainPath), p)));
    expect(absent, 'modules referenced from infra/main.bicep but missing').toEqual([]);
  });

  it.each(bicepFiles.map((f) => [rel(f), f]))('%s has balanced braces and brackets', (_name, file) => {
    // Strings are skipped except for their ${...} interpolations, which are code.
    const text = source(file);
    const stack: string[] = [];
    const pairs: Record<string, string> = { '}': '{', ']': '[', ')': '(' };
    const problems: string[] = [];
    let inString = false;
    const interpolation: number[] = []; // stack depth at which each open ${ started
    for (let i = 0; i < text.length; i++) {
      const c = text[i] ?? '';
      const line = text.slice(0, i).split('\n').length;
      if (inString) {
        if (c === '\\') i++;
        else if (c === "'") inString = false;
        else if (c === '$' && text[i + 1] === '{') {
          interpolation.push(stack.length);
          stack.push('{');
          inString = false;
          i++;
        }
        continue;
      }
      if (c === "'") inString = true;
      else if ('{[('.includes(c)) stack.push(c);
      else if (c in pairs) {
        if (stack.pop() !== pairs[c]) problems.push(`unexpected '${c}' on line ${line}`);
        if (c === '}' && interpolation.at(-1) === stack.length) {
          interpolation.pop();
          inString = true;
        }
      }
    }
    if (inString) problems.push('unterminated string');
    if (stack.length > 0) problems.push(`unclosed ${stack.join('')}`);
    expect(problems).toEqual([]);
  });
});
