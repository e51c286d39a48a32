// Static checks of the infrastructure as code (infra/**/*.bicep, main.parameters.json, azure.yaml and its
// hook scripts) against what the code reads: no Bicep compiler is needed, the templates are read as text
// (see ./bicep.ts). Names come from the code itself (loadConfig and loadLocalConfig defaults, %NAME%
// binding expressions in src/functions), not from copies in this file.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLocalConfig } from '../../dev/local-config';
import { ConfigError, loadConfig, settingNames, type AppConfig } from '../../src/config';
import { METRIC } from '../../src/telemetry/metrics';
import {
  balancedBlock,
  BicepProject,
  escapeRegExp,
  identifiersIn,
  objectEntries,
  resourceKey,
  type Context,
  type Resource,
} from './bicep';

const root = resolve(__dirname, '../..');
const infraDir = join(root, 'infra');
const read = (path: string): string => readFileSync(path, 'utf8');
const rel = (path: string): string => relative(root, path);

const project = BicepProject.load(infraDir);
const bicepFiles = project.files;
const infraFiles = readdirSync(infraDir, { recursive: true, encoding: 'utf8' })
  .map((f) => join(infraDir, f))
  .filter((f) => f.endsWith('.bicep') || f.endsWith('.json'));
const mainPath = project.mainPath;
const source = (path: string): string => project.source(path);

/** Where a resource of this type is declared (not merely referenced with `existing`), or -1. */
const declarationAt = (text: string, type: string): number =>
  text.search(new RegExp(`resource\\s+\\w+\\s+'${escapeRegExp(type)}@[^']+'\\s*=(?!\\s*existing)`));

/** The first .bicep file declaring a resource of this type (e.g. 'Microsoft.Web/sites'). */
function fileDeclaring(type: string, p: BicepProject = project): string {
  const file = p.files.find((f) => declarationAt(p.source(f), type) !== -1);
  if (!file) throw new Error(`no infra/**/*.bicep file declares a '${type}' resource`);
  return file;
}

/** The literal string an expression in a file evaluates to, in the file's first evaluation context. */
function resolveString(file: string, expr: string): string | undefined {
  const [ctx] = project.contexts(file);
  return ctx ? project.stringValue(ctx, expr) : undefined;
}

const functionAppFile = fileDeclaring('Microsoft.Web/sites');

/** The Function App's app settings: name -> expression (object `var appSettings = {...}`). */
function appSettings(p: BicepProject = project): Map<string, string> {
  const file = fileDeclaring('Microsoft.Web/sites', p);
  const text = p.source(file);
  const at = text.search(/\bappSettings\s*(=|:)/);
  if (at === -1) throw new Error(`${rel(file)} has no appSettings`);
  return objectEntries(balancedBlock(text, at));
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

/**
 * Every setting the config in src/config.ts declares, besides the connections (`<NAME>` and
 * `<NAME>__<key>`: checked on their own below).
 */
function schemaSettings(): string[] {
  const connections = new Set(settingNames.filter((n) => n.includes('__')).map((n) => n.split('__')[0]));
  return settingNames.filter((n) => !n.includes('__') && !connections.has(n));
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
/** The settings of the local tooling only (dev/local-config.ts), at their defaults. */
const localConfig = loadLocalConfig({});

describe('infra: Function App settings', () => {
  const keys = new Set(appSettings().keys());

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

describe('infra: parameters reach the app', () => {
  const mainParams = project.params(mainPath);

  it('every module call passes each parameter without a default, and only parameters the module has', () => {
    const problems: string[] = [];
    for (const call of project.calls) {
      if (!call.target) continue;
      const params = project.params(call.target);
      const where = `${project.rel(call.file)}: module ${call.symbol} (${project.rel(call.target)})`;
      for (const p of params) {
        if (p.default === undefined && !call.params.has(p.name)) problems.push(`${where} lacks ${p.name}`);
      }
      for (const name of call.params.keys()) {
        if (!params.some((p) => p.name === name)) problems.push(`${where} passes unknown ${name}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('main.bicep passes the Function App every parameter that feeds an app setting', () => {
    const params = project.params(functionAppFile);
    const used = new Set([...appSettings().values()].flatMap((expr) => [...identifiersIn(expr)]));
    const feeding = params.filter((p) => used.has(p.name)).map((p) => p.name);
    const withoutDefault = params.filter((p) => p.default === undefined).map((p) => p.name);
    expect(feeding).toEqual(expect.arrayContaining(['webAuthClientId', 'authRequiredScope']));

    const calls = project.calls.filter((c) => c.target === functionAppFile);
    expect(
      calls.map((c) => project.rel(c.file)),
      'calls of the Function App module',
    ).toEqual(['main.bicep']);
    const passed = new Set(calls[0]?.params.keys());
    const absent = missing(new Set([...feeding, ...withoutDefault]), passed);
    expect(absent, `parameters of ${rel(functionAppFile)} main.bicep does not pass`).toEqual([]);
  });

  it('main.bicep feeds each operational app setting from its own parameter', () => {
    // e.g. WEB_AUTH_CLIENT_ID must come from main.bicep's webAuthClientId, not from the module's own ''.
    const settings = appSettings();
    const call = project.calls.find((c) => c.target === functionAppFile);
    // The module parameter a setting is made of (`param` or `string(param)`), then what main.bicep passes.
    const passedFor = (key: string): string | undefined => {
      const m = /^(?:string\((\w+)\)|(\w+))$/.exec(settings.get(key) ?? '');
      return call?.params.get(m?.[1] ?? m?.[2] ?? '');
    };
    const expected: Record<string, string> = {
      WEB_AUTH_CLIENT_ID: 'webAuthClientId',
      WEB_AUTH_AUTHORITY: 'webAuthAuthority',
      WEB_AUTH_SCOPE: 'webAuthScope',
      AUTH_REQUIRED_SCOPE: 'authRequiredScope',
      AUTH_AUDIENCE: 'authAudience',
      DOWNLOAD_LINK_MINUTES: 'downloadLinkMinutes',
    };
    const wrong = Object.entries(expected)
      .filter(([key, param]) => passedFor(key) !== param || !mainParams.some((p) => p.name === param))
      .map(
        ([key, param]) => `${key}: expected main.bicep parameter ${param}, found ${passedFor(key) ?? 'none'}`,
      );
    expect(wrong).toEqual([]);
  });

  const parametersFile = join(infraDir, 'main.parameters.json');
  const mapped = new Map(
    Object.entries(
      (JSON.parse(read(parametersFile)) as { parameters: Record<string, { value?: unknown }> }).parameters,
    ).map(([name, p]) => [name, p.value]),
  );
  /** `${NAME}` or `${NAME=default}` of a mapped parameter. */
  const reference = (value: unknown): { variable: string; default?: string } | undefined => {
    const m = typeof value === 'string' ? /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?:=([^}]*))?\}$/.exec(value) : null;
    if (!m?.[1]) return undefined;
    return m[2] === undefined ? { variable: m[1] } : { variable: m[1], default: m[2] };
  };

  it('main.parameters.json maps every main.bicep parameter without a default', () => {
    const absent = mainParams
      .filter((p) => p.default === undefined && !mapped.has(p.name))
      .map((p) => p.name);
    expect(mainParams.length).toBeGreaterThan(0);
    expect(absent, 'parameters azd would prompt for').toEqual([]);
  });

  it('main.parameters.json lets the azd environment set every main.bicep parameter', () => {
    const problems: string[] = [];
    for (const p of mainParams) {
      const ref = reference(mapped.get(p.name));
      if (!ref) problems.push(`${p.name}: not mapped from \${NAME} or \${NAME=default}`);
    }
    for (const name of mapped.keys()) {
      if (!mainParams.some((p) => p.name === name)) problems.push(`${name}: not a parameter of main.bicep`);
    }
    expect(problems).toEqual([]);
  });

  it('a default in main.parameters.json equals the main.bicep default', () => {
    const unquote = (expr: string): string => /^'(.*)'$/.exec(expr)?.[1] ?? expr;
    const differing = mainParams
      .map((p) => ({ p, ref: reference(mapped.get(p.name)) }))
      .filter(({ p, ref }) => ref?.default !== undefined && unquote(p.default ?? '') !== ref.default)
      .map(
        ({ p, ref }) =>
          `${p.name}: main.bicep ${p.default ?? '(none)'}, main.parameters.json ${ref?.default}`,
      );
    expect(differing).toEqual([]);
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
      [localConfig.leasesContainer]: '/id',
      [config.cosmos.albumsContainer]: '/id',
      [config.cosmos.ratingsContainer]: '/albumId',
    };
    const wrong = Object.entries(expected)
      .filter(([name, pk]) => provisioned.get(name) !== pk)
      .map(([name, pk]) => `${name} (${pk}): found ${provisioned.get(name) ?? 'nothing'}`);
    expect(wrong, `Cosmos containers in ${rel(file)}`).toEqual([]);
    expect(text, 'reports container keeps per-document TTL').toMatch(/defaultTtl:\s*-1/);
  });

  it('gives the app the container names it provisions', () => {
    const settings = appSettings();
    const [ctx] = project.contexts(functionAppFile);
    const value = (key: string): string | undefined => {
      const expr = settings.get(key);
      return ctx && expr !== undefined ? project.stringValue(ctx, expr) : undefined;
    };
    expect({
      COSMOS_DATABASE_NAME: value('COSMOS_DATABASE_NAME'),
      COSMOS_REPORTS_CONTAINER: value('COSMOS_REPORTS_CONTAINER'),
      COSMOS_LEASES_CONTAINER: value('COSMOS_LEASES_CONTAINER'),
      COSMOS_ALBUMS_CONTAINER: value('COSMOS_ALBUMS_CONTAINER'),
      COSMOS_RATINGS_CONTAINER: value('COSMOS_RATINGS_CONTAINER'),
      SERVICEBUS_REPORT_REQUESTS_QUEUE: value('SERVICEBUS_REPORT_REQUESTS_QUEUE'),
      BLOB_REPORTS_CONTAINER: value('BLOB_REPORTS_CONTAINER'),
    }).toEqual({
      COSMOS_DATABASE_NAME: config.cosmos.databaseName,
      COSMOS_REPORTS_CONTAINER: config.cosmos.reportsContainer,
      COSMOS_LEASES_CONTAINER: localConfig.leasesContainer,
      COSMOS_ALBUMS_CONTAINER: config.cosmos.albumsContainer,
      COSMOS_RATINGS_CONTAINER: config.cosmos.ratingsContainer,
      SERVICEBUS_REPORT_REQUESTS_QUEUE: config.serviceBus.reportRequestsQueue,
      BLOB_REPORTS_CONTAINER: config.blob.reportsContainer,
    });
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

// --- Role assignments, followed structurally -------------------------------------------------------

const TYPES = {
  storageAccount: 'Microsoft.Storage/storageAccounts',
  blobContainer: 'Microsoft.Storage/storageAccounts/blobServices/containers',
  serviceBusNamespace: 'Microsoft.ServiceBus/namespaces',
  serviceBusQueue: 'Microsoft.ServiceBus/namespaces/queues',
  cosmosAccount: 'Microsoft.DocumentDB/databaseAccounts',
  cosmosDatabase: 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases',
  appInsights: 'Microsoft.Insights/components',
  roleAssignment: 'Microsoft.Authorization/roleAssignments',
  cosmosSqlRoleAssignment: 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments',
};

/** What a role is assigned on: a resource type, the account-level resource it belongs to, its own name. */
interface Scope {
  type: string;
  /** Key of the top-level resource declaration (the account, namespace, component), followed past `existing`. */
  account?: string;
  /** Name of a child scope (container, queue, database). */
  name?: string;
}

interface Assignment {
  resource: Resource;
  kind: 'rbac' | 'cosmos-sql';
  roleId?: string;
  /** Key of the identity resource whose principal id is assigned (`properties.principalId` only). */
  principal?: string;
  scope?: Scope;
  conditional: boolean;
}

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The role definition GUID an assignment's roleDefinitionId names. */
function roleIdOf(p: BicepProject, ctx: Context, expr: string): string | undefined {
  const d = p.deref(ctx, expr);
  const call = /^\w+\(\s*'Microsoft\.Authorization\/roleDefinitions'\s*,\s*([\s\S]+?)\s*\)$/.exec(d.expr);
  if (call) return p.stringValue(d.ctx, call[1] ?? '');
  const sql = /\/sqlRoleDefinitions\/(?:\$\{([^}]+)\}|([0-9a-f-]{36}))'$/i.exec(d.expr);
  if (sql) return sql[2] ?? p.stringValue(d.ctx, sql[1] ?? '');
  return GUID.exec(p.stringValue(d.ctx, d.expr) ?? '')?.[0];
}

/** The top-level resource a (possibly nested, or `parent:`-linked) resource belongs to. */
function accountOf(p: BicepProject, ctx: Context, resource: Resource): string | undefined {
  let top = resource;
  for (let i = 0; i < 10; i++) {
    const byPath = top.path.includes('::') ? p.resource(top.file, top.path.split('::')[0] ?? '') : undefined;
    const parent = p.entries(top).get('parent');
    const byParent = parent ? p.resource(top.file, parent) : undefined;
    const next = byPath ?? byParent;
    if (!next) break;
    top = next;
  }
  if (!top.existing) return resourceKey(p, top);
  // An `existing` reference: the resource its name comes from (a module output, a parameter, ...).
  const ref = p.resourceRef(ctx, p.entries(top).get('name') ?? '');
  return ref ? resourceKey(p, ref.resource) : undefined;
}

function scopeOfResource(p: BicepProject, ctx: Context, resource: Resource): Scope {
  const scope: Scope = { type: resource.type };
  const account = accountOf(p, ctx, resource);
  if (account) scope.account = account;
  if (resource.type.split('/').length > 2) {
    const name = p.stringValue(ctx, p.entries(resource).get('name') ?? '');
    if (name !== undefined) scope.name = name;
  }
  return scope;
}

/** Every role assignment in infra/, once per context its file is deployed in (module calls). */
function roleAssignments(p: BicepProject): Assignment[] {
  const found: Assignment[] = [];
  for (const file of p.files) {
    const resources = p
      .resources(file)
      .filter(
        (r) => !r.existing && (r.type === TYPES.roleAssignment || r.type === TYPES.cosmosSqlRoleAssignment),
      );
    for (const resource of resources) {
      for (const ctx of p.contexts(file)) {
        const entries = p.entries(resource);
        const properties = objectEntries(entries.get('properties') ?? '{}');
        const kind = resource.type === TYPES.roleAssignment ? 'rbac' : 'cosmos-sql';
        const assignment: Assignment = {
          resource,
          kind,
          conditional: resource.conditional || ctx.conditional,
        };
        const roleId = roleIdOf(p, ctx, properties.get('roleDefinitionId') ?? '');
        if (roleId) assignment.roleId = roleId.toLowerCase();
        const principal = p.resourceRef(ctx, properties.get('principalId') ?? '');
        if (principal?.property === 'properties.principalId') {
          assignment.principal = resourceKey(p, principal.resource);
        }
        if (kind === 'rbac') {
          const scopeExpr = entries.get('scope');
          const d = scopeExpr === undefined ? undefined : p.deref(ctx, scopeExpr);
          const target = d && p.resource(d.ctx.file, d.expr);
          assignment.scope =
            d && target ? scopeOfResource(p, d.ctx, target) : { type: d?.expr ?? 'resourceGroup' };
        } else {
          // Cosmos data-plane scope: the account (`<account>.id`) or a database (`<account>.id/dbs/<name>`).
          const scopeExpr = properties.get('scope') ?? '';
          const account = /^(\w+(?:::\w+)*)\.id$/.exec(scopeExpr);
          const database = /^'\$\{(\w+(?:::\w+)*)\.id\}\/dbs\/\$\{([^}]+)\}'$/.exec(scopeExpr);
          const target = p.resource(file, account?.[1] ?? database?.[1] ?? '');
          if (target) {
            const scope = scopeOfResource(p, ctx, target);
            if (database) {
              scope.type = TYPES.cosmosDatabase;
              const name = p.stringValue(ctx, database[2] ?? '');
              if (name !== undefined) scope.name = name;
            }
            assignment.scope = scope;
          }
        }
        found.push(assignment);
      }
    }
  }
  return found;
}

/** Key of the managed identity the Function App runs as (its userAssignedIdentities entry). */
function appIdentity(p: BicepProject): string | undefined {
  const file = fileDeclaring('Microsoft.Web/sites', p);
  const site = p.resources(file).find((r) => r.type === 'Microsoft.Web/sites' && !r.existing);
  const identity = site ? (p.entries(site).get('identity') ?? '') : '';
  const id = /'\$\{(\w+)\}'\s*:|\[\s*(\w+)\s*\]\s*:/.exec(identity);
  const [ctx] = p.contexts(file);
  const ref = ctx && id ? p.resourceRef(ctx, id[1] ?? id[2] ?? '') : undefined;
  return ref?.resource.type === 'Microsoft.ManagedIdentity/userAssignedIdentities' && ref.property === 'id'
    ? resourceKey(p, ref.resource)
    : undefined;
}

/** Key of the resource an app setting's value comes from (e.g. BLOB__serviceUri -> the storage account). */
function settingSource(p: BicepProject, setting: string): string | undefined {
  const file = fileDeclaring('Microsoft.Web/sites', p);
  const [ctx] = p.contexts(file);
  const expr = appSettings(p).get(setting);
  const ref = ctx && expr !== undefined ? p.resourceRef(ctx, expr) : undefined;
  return ref ? resourceKey(p, ref.resource) : undefined;
}

interface RoleNeed {
  role: string;
  id: string;
  kind: 'rbac' | 'cosmos-sql';
  /** The app setting naming the resource the role is for: the scope must be that resource (or a child). */
  setting: string;
  /** Acceptable scopes: a type alone, or a type with the child's name. */
  scopes: { type: string; name?: string }[];
  why: string;
}

const roleNeeds = (): RoleNeed[] => [
  {
    role: 'Storage Blob Data Owner',
    id: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
    kind: 'rbac',
    setting: 'AzureWebJobsStorage__accountName',
    scopes: [{ type: TYPES.storageAccount }],
    why: 'Functions host storage and the Flex deployment container, identity-based',
  },
  {
    role: 'Storage Blob Data Contributor',
    id: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
    kind: 'rbac',
    setting: 'BLOB__serviceUri',
    scopes: [
      { type: TYPES.storageAccount },
      { type: TYPES.blobContainer, name: config.blob.reportsContainer },
    ],
    why: 'report files are written to and read from the reports container',
  },
  {
    role: 'Storage Blob Delegator',
    id: 'db58b8e5-c6ad-4a2a-8342-4190687cbf4a',
    kind: 'rbac',
    setting: 'BLOB__serviceUri',
    scopes: [{ type: TYPES.storageAccount }],
    why: 'download links are user delegation SAS; the delegation key is an account-level action',
  },
  {
    role: 'Azure Service Bus Data Sender',
    id: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39',
    kind: 'rbac',
    setting: 'SERVICEBUS__fullyQualifiedNamespace',
    scopes: [
      { type: TYPES.serviceBusNamespace },
      { type: TYPES.serviceBusQueue, name: config.serviceBus.reportRequestsQueue },
    ],
    why: 'the outbox relay and sweeper send report requests',
  },
  {
    role: 'Azure Service Bus Data Receiver',
    id: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0',
    kind: 'rbac',
    setting: 'SERVICEBUS__fullyQualifiedNamespace',
    scopes: [
      { type: TYPES.serviceBusNamespace },
      { type: TYPES.serviceBusQueue, name: config.serviceBus.reportRequestsQueue },
    ],
    why: 'the export worker and the dead-letter trigger receive',
  },
  {
    role: 'Azure Service Bus Data Owner',
    id: '090c5cfd-751d-490a-894a-3ce6f1109419',
    kind: 'rbac',
    setting: 'SERVICEBUS__fullyQualifiedNamespace',
    scopes: [
      { type: TYPES.serviceBusNamespace },
      { type: TYPES.serviceBusQueue, name: config.serviceBus.reportRequestsQueue },
    ],
    why: 'target-based scaling of the Service Bus trigger reads the queue message count (Manage right)',
  },
  {
    role: 'Cosmos DB Built-in Data Contributor',
    id: '00000000-0000-0000-0000-000000000002',
    kind: 'cosmos-sql',
    setting: 'COSMOS__accountEndpoint',
    scopes: [{ type: TYPES.cosmosAccount }, { type: TYPES.cosmosDatabase, name: config.cosmos.databaseName }],
    why: 'reports, outbox, leases and source data; the change feed trigger',
  },
  {
    role: 'Monitoring Metrics Publisher',
    id: '3913510d-42f4-4e42-8a64-420c390055eb',
    kind: 'rbac',
    setting: 'APPLICATIONINSIGHTS_CONNECTION_STRING',
    scopes: [{ type: TYPES.appInsights }],
    why: 'telemetry is sent with the managed identity (local auth is off on Application Insights)',
  },
];

/** The assignments that give the app's identity this role where it is needed, unconditionally. */
function grants(p: BicepProject, need: RoleNeed, assignments = roleAssignments(p)): Assignment[] {
  const app = appIdentity(p);
  const account = settingSource(p, need.setting);
  return assignments.filter(
    (a) =>
      app !== undefined &&
      account !== undefined &&
      a.kind === need.kind &&
      a.roleId === need.id &&
      a.principal === app &&
      !a.conditional &&
      a.scope?.account === account &&
      need.scopes.some((s) => s.type === a.scope?.type && (s.name === undefined || s.name === a.scope.name)),
  );
}

/** The roles the app lacks, as `role (why)`. */
function missingRoles(p: BicepProject): string[] {
  const assignments = roleAssignments(p);
  return roleNeeds()
    .filter((need) => grants(p, need, assignments).length === 0)
    .map((need) => `${need.role} (${need.why})`);
}

/** The project with the given role's grants to the app rewritten by `change` (on the declaration text). */
function mutated(roleName: string, change: (declaration: string) => string): BicepProject {
  const need = roleNeeds().find((n) => n.role === roleName);
  if (!need) throw new Error(`unknown role ${roleName}`);
  const targets = grants(project, need).map((a) => a.resource);
  expect(targets.length, `${roleName} grants found`).toBeGreaterThan(0);
  let p = project;
  // Later declarations first, so earlier offsets stay valid.
  for (const r of [...new Set(targets)].sort((a, b) => b.start - a.start)) {
    const text = p.source(r.file);
    p = p.withSource(r.file, text.slice(0, r.start) + change(text.slice(r.start, r.end)) + text.slice(r.end));
  }
  return p;
}

describe('infra: alerts and the exports workbook', () => {
  const alertsFile = fileDeclaring('Microsoft.Insights/actionGroups');
  const alertResources = project.resources(alertsFile);
  const [alertsCtx] = project.contexts(alertsFile);
  const declared = (type: string) => alertResources.filter((r) => r.type === type && !r.existing);
  const metricAlerts = declared('Microsoft.Insights/metricAlerts');
  const queryAlerts = declared('Microsoft.Insights/scheduledQueryRules');
  /** The `query:` strings of a file (alert rules, workbook tiles). */
  const queriesIn = (text: string) => [...text.matchAll(/\bquery:\s*'([^']*)'/g)].map((m) => m[1] ?? '');
  const queryAlert = (metric: string) =>
    queryAlerts.find((r) => queriesIn(r.body).some((q) => q.includes(`"${metric}"`)));
  const thresholdOf = (resource: Resource) => {
    const expr = /\bthreshold:\s*(.+)$/m.exec(resource.body)?.[1] ?? '';
    return alertsCtx ? project.stringValue(alertsCtx, expr) : undefined;
  };
  const mainParams = project.params(mainPath);

  it('is deployed from main.bicep, unconditionally', () => {
    const call = project.calls.find((c) => c.target === alertsFile);
    expect(call?.file).toBe(mainPath);
    expect(call?.conditional).toBe(false);
  });

  it('mails the action group to the operator address azd sets as ALERT_EMAIL', () => {
    const [group] = declared('Microsoft.Insights/actionGroups');
    expect(group?.body).toMatch(/emailReceivers:[\s\S]*emailAddress:\s*alertEmail\b/);
    const call = project.calls.find((c) => c.target === alertsFile);
    expect(call?.params.get('alertEmail')).toBe('alertEmail');
    expect(mainParams.some((p) => p.name === 'alertEmail')).toBe(true);
    const parameters = JSON.parse(read(join(infraDir, 'main.parameters.json'))) as {
      parameters: Record<string, { value: string }>;
    };
    expect(parameters.parameters.alertEmail?.value).toBe('${ALERT_EMAIL}');
  });

  it('sends every alert rule to that action group', () => {
    const rules = [...metricAlerts, ...queryAlerts];
    expect(rules.length).toBe(5);
    const unrouted = rules.filter(
      (r) => !/actionGroupId:\s*actionGroup\.id|actionGroups:\s*\[\s*actionGroup\.id\s*\]/.test(r.body),
    );
    expect(unrouted.map((r) => r.path)).toEqual([]);
  });

  it('alerts on any dead-lettered message of the report-requests queue', () => {
    const rule = metricAlerts.find((r) => r.body.includes("metricName: 'DeadletteredMessages'"));
    expect(rule, 'a metric alert on DeadletteredMessages').toBeDefined();
    if (!rule || !alertsCtx) return;
    expect(rule.body).toMatch(/operator:\s*'GreaterThan'/);
    expect(thresholdOf(rule)).toBe('0');
    const scope = /scopes:\s*\[\s*(\w+)\.id\s*\]/.exec(rule.body)?.[1] ?? '';
    expect(project.resource(alertsFile, scope)?.type).toBe('Microsoft.ServiceBus/namespaces');
    const entity = /name:\s*'EntityName'[\s\S]*?values:\s*\[\s*(\w+)\s*\]/.exec(rule.body)?.[1] ?? '';
    expect(project.stringValue(alertsCtx, entity)).toBe(config.serviceBus.reportRequestsQueue);
  });

  it('alerts when the oldest undispatched outbox document is older than 5 minutes', () => {
    const rule = queryAlert(METRIC.outboxOldestAge);
    expect(rule, `a log alert on ${METRIC.outboxOldestAge}`).toBeDefined();
    if (rule) expect(thresholdOf(rule)).toBe('300');
    expect(rule?.body).toMatch(/operator:\s*'GreaterThan'/);
  });

  it('alerts when the watchdog re-drives stalled work more than rarely', () => {
    const rule = queryAlert(METRIC.redriven);
    expect(rule, `a log alert on ${METRIC.redriven}`).toBeDefined();
    if (rule) expect(thresholdOf(rule)).toBe('5');
    expect(rule?.body).toMatch(/operator:\s*'GreaterThan'/);
  });

  it('alerts on the failure ratio of finished reports, from the failed and completed counters', () => {
    const rule = queryAlert(METRIC.failed);
    expect(rule, `a log alert on ${METRIC.failed}`).toBeDefined();
    const query = queriesIn(rule?.body ?? '').join('\n');
    expect(query).toContain(`"${METRIC.completed}"`);
    expect(rule?.body).toMatch(/threshold:\s*json\(failureRatioThreshold\)/);
    expect(project.params(alertsFile).find((p) => p.name === 'failureRatioThreshold')?.default).toBe("'0.1'");
  });

  it('alerts on failed function invocations, leaving out the API’s client errors', () => {
    const rule = queryAlerts.find((r) =>
      queriesIn(r.body).some((q) => q.startsWith('requests | where success == false')),
    );
    expect(rule, 'a log alert on failed requests').toBeDefined();
    expect(queriesIn(rule?.body ?? '').join()).toMatch(/code < 400 or code >= 500/);
  });

  it('scopes the log alerts to the Application Insights resource the app sends telemetry to', () => {
    for (const rule of queryAlerts) {
      const scope = /scopes:\s*\[\s*(\w+)\.id\s*\]/.exec(rule.body)?.[1] ?? '';
      const target = project.resource(alertsFile, scope);
      expect(target?.type, rule.path).toBe('Microsoft.Insights/components');
      const name = /\bname:\s*(\w+)/.exec(target?.body ?? '')?.[1] ?? '';
      const fromMain = project.calls.find((c) => c.target === alertsFile)?.params.get(name);
      expect(fromMain, rule.path).toBe('monitoring.outputs.applicationInsightsName');
    }
  });

  describe('the workbook', () => {
    const workbookFile = fileDeclaring('Microsoft.Insights/workbooks');
    const text = source(workbookFile);
    const queries = queriesIn(text).join('\n');

    it('is deployed from main.bicep on the Application Insights resource', () => {
      const call = project.calls.find((c) => c.target === workbookFile);
      expect(call?.file).toBe(mainPath);
      expect(call?.params.get('applicationInsightsName')).toBe('monitoring.outputs.applicationInsightsName');
      expect(text).toMatch(/sourceId:\s*applicationInsights\.id/);
      expect(text).toMatch(/serializedData:\s*string\(workbookContent\)/);
    });

    it('shows throughput, latency percentiles, failures, waits, dead letters and the outbox backlog', () => {
      for (const metric of [
        METRIC.created,
        METRIC.completed,
        METRIC.failed,
        METRIC.queueWait,
        METRIC.exportRowsPerSecond,
        METRIC.deadLettered,
        METRIC.outboxOldestAge,
      ]) {
        expect(queries, metric).toContain(`"${metric}"`);
      }
      expect(queries).toMatch(/requests \| where name == "export"[^\n]*percentile\(duration, 95\)/);
    });

    it('shows the queue depth from the report-requests queue’s Service Bus metrics', () => {
      expect(text).toMatch(/for metric in \[[^\]]*'ActiveMessages'[^\]]*'DeadletteredMessages'/);
      expect(text).toMatch(/resourceIds:\s*\[\s*serviceBusNamespace\.id\s*\]/);
      expect(text).toMatch(/key: 'EntityName'[^\n]*values: \[serviceBusQueueName\]/);
    });
  });

  it('names only metrics the app records, in every alert and workbook query', () => {
    const known = new Set<string>(Object.values(METRIC));
    const used = bicepFiles
      .flatMap((f) => queriesIn(source(f)))
      .filter((q) => q.startsWith('customMetrics'))
      .flatMap((q) => [...q.matchAll(/"([a-z_]+\.[a-z_.]+)"/g)].map((m) => m[1] ?? ''));
    expect(used.length).toBeGreaterThan(10);
    expect(used.filter((name) => !known.has(name))).toEqual([]);
  });
});

describe('infra: identity and access', () => {
  it('the Function App runs as a user-assigned identity', () => {
    expect(appIdentity(project)).toMatch(/:\w+$/);
  });

  it('gives the app identity every role its code path needs, on the resource it uses, at the right scope', () => {
    expect(missingRoles(project), 'roles the app identity lacks').toEqual([]);
  });

  it('finds each role assignment it checks (sanity of the text model)', () => {
    const assignments = roleAssignments(project);
    const unresolved = assignments
      .filter((a) => !a.roleId || !a.scope)
      .map((a) => `${project.rel(a.resource.file)}:${a.resource.path}`);
    expect(assignments.length).toBeGreaterThanOrEqual(roleNeeds().length);
    expect(unresolved, 'assignments whose role or scope could not be followed').toEqual([]);
  });

  describe('the role check fails when a needed grant is broken', () => {
    it.each(roleNeeds().map((n) => [n.role]))('%s removed', (role) => {
      expect(missingRoles(mutated(role, () => ''))).toContainEqual(expect.stringContaining(role));
    });

    it('Storage Blob Delegator given to another principal (e.g. only the deploying user)', () => {
      // Any other principal expression in the same file (the deploying user's), else a fixed object id.
      const other = roleAssignments(project).find((a) => a.principal !== appIdentity(project));
      const otherExpr = other
        ? (objectEntries(project.entries(other.resource).get('properties') ?? '{}').get('principalId') ?? '')
        : "'11111111-1111-1111-1111-111111111111'";
      const p = mutated('Storage Blob Delegator', (d) =>
        d.replace(/principalId:\s*[^\n]+/, `principalId: ${otherExpr}`),
      );
      expect(missingRoles(p)).toContainEqual(expect.stringContaining('Storage Blob Delegator'));
    });

    it('Storage Blob Delegator narrowed to the reports container', () => {
      const container = project.files
        .flatMap((f) => project.resources(f))
        .find((r) => r.type === TYPES.blobContainer && r.existing);
      expect(container, 'an existing reference to the reports container').toBeDefined();
      const p = mutated('Storage Blob Delegator', (d) =>
        d.replace(/scope:\s*[^\n]+/, `scope: ${container?.path}`),
      );
      expect(missingRoles(p)).toContainEqual(expect.stringContaining('Storage Blob Delegator'));
    });

    it('Storage Blob Delegator made conditional', () => {
      const p = mutated('Storage Blob Delegator', (d) => d.replace(/=\s*\{/, '= if (false) {'));
      expect(missingRoles(p)).toContainEqual(expect.stringContaining('Storage Blob Delegator'));
    });

    it('Cosmos DB data role with a scope other than the account or database', () => {
      const p = mutated('Cosmos DB Built-in Data Contributor', (d) =>
        d.replace(/scope:\s*[^\n]+/, "scope: '/subscriptions/x/resourceGroups/y'"),
      );
      expect(missingRoles(p)).toContainEqual(expect.stringContaining('Cosmos DB Built-in Data Contributor'));
    });
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

  it('the postprovision scripts read only outputs main.bicep declares, and write the same settings', () => {
    const outputs = new Set(project.outputs(mainPath).keys());
    const yaml = read(join(root, 'azure.yaml'));
    const scripts = [...yaml.matchAll(/^\s+run:\s*\.\/(scripts\/\S+)\s*$/gm)].map((m) => m[1] ?? '');
    expect(scripts.length, 'postprovision scripts in azure.yaml').toBeGreaterThan(0);
    const written = new Map<string, string[]>();
    const unknown: string[] = [];
    for (const script of scripts) {
      const text = read(join(root, script));
      // `setting NAME OUTPUT` (sh) / `Add-Setting NAME OUTPUT` (PowerShell), and the optional forms.
      const lines = [
        ...text.matchAll(
          /^\s*(?:optional_setting|setting|Add-Setting|Add-OptionalSetting)\s+(\S+)\s+(\S+)/gm,
        ),
      ];
      expect(lines.length, `${script} settings`).toBeGreaterThan(0);
      written.set(script, lines.map((m) => m[1] ?? '').sort());
      for (const m of lines) if (!outputs.has(m[2] ?? '')) unknown.push(`${script}: ${m[2]}`);
    }
    expect(unknown, 'outputs read but not declared in main.bicep').toEqual([]);
    const [first, ...rest] = [...written.values()];
    for (const names of rest) expect(names).toEqual(first);
  });

  it('every module main.bicep references exists', () => {
    const paths = [...source(mainPath).matchAll(/^module\s+\w+\s+'([^']+)'/gm)]
      .map((m) => m[1] ?? '')
      .filter((p) => !/^(br|ts)[:/]/.test(p));
    expect(paths.length).toBeGreaterThan(0);
    const absent = paths.filter((p) => !existsSync(join(infraDir, p)));
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
