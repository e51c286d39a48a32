// A small text model of the Bicep files under infra/, enough for test/infra/infra.test.ts to follow values
// through parameters, variables, module invocations and outputs without a Bicep compiler. It knows the
// forms this repository uses (one declaration per line, object literals, `existing` and nested
// resources, `if (...)` conditions); loops (`[for ...]`) are seen but their loop variables are not
// expanded, so a value that depends on one resolves to nothing and the check using it fails loudly.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';

/** Bicep source without comments (strings kept), so a commented-out line never satisfies a check. */
export function stripComments(text: string): string {
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

export const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Index just past the bracket closing the one at `start` (strings skipped), or the text's end. */
function closingIndex(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i] ?? '';
    if (inString) {
      if (c === '\\') i++;
      else if (c === "'") inString = false;
      continue;
    }
    if (c === "'") inString = true;
    else if ('{[('.includes(c)) depth++;
    else if ('}])'.includes(c) && --depth === 0) return i + 1;
  }
  return text.length;
}

/** The balanced {...} or [...] that starts at the first opening bracket at or after `from`. */
export function balancedBlock(text: string, from: number): string {
  const start = text.slice(from).search(/[{[]/) + from;
  return text.slice(start, closingIndex(text, start));
}

/**
 * The top-level `key: value` entries of an object literal `{...}` (one per line or comma-separated);
 * values keep their text, multi-line objects and arrays included.
 */
export function objectEntries(block: string): Map<string, string> {
  const inner = block.trim().replace(/^\{/, '').replace(/\}$/, '');
  const parts: string[] = [];
  let depth = 0;
  let inString = false;
  let current = '';
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i] ?? '';
    if (inString) {
      current += c;
      if (c === '\\') current += inner[++i] ?? '';
      else if (c === "'") inString = false;
      continue;
    }
    if (c === "'") inString = true;
    else if ('{[('.includes(c)) depth++;
    else if ('}])'.includes(c)) depth--;
    if (depth === 0 && (c === '\n' || c === ',')) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  const entries = new Map<string, string>();
  for (const part of parts) {
    const m = /^\s*'?([A-Za-z_$][\w.$-]*)'?\s*:\s*([\s\S]*?)\s*$/.exec(part);
    if (m?.[1] && m[2] !== undefined) entries.set(m[1], m[2]);
  }
  return entries;
}

/** Identifiers an expression uses: code outside string literals plus the `${...}` parts inside them. */
export function identifiersIn(expr: string): Set<string> {
  let code = '';
  let inString = false;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i] ?? '';
    if (inString) {
      if (c === '\\') i++;
      else if (c === "'") inString = false;
      else if (c === '$' && expr[i + 1] === '{') {
        const end = closingIndex(expr, i + 1);
        code += ` ${expr.slice(i + 2, end - 1)} `;
        i = end - 1;
      }
      continue;
    }
    if (c === "'") inString = true;
    else code += c;
  }
  return new Set(code.match(/(?<![\w.:])[A-Za-z_]\w*/g) ?? []);
}

export interface Param {
  name: string;
  type: string;
  /** The default value's expression, when there is one. */
  default?: string;
}

export interface ModuleCall {
  /** File the `module` statement is in. */
  file: string;
  symbol: string;
  /** Absolute path of the module's .bicep file (undefined for registry modules). */
  target?: string;
  params: Map<string, string>;
  conditional: boolean;
  loop: boolean;
}

export interface Resource {
  file: string;
  /** `parent::child` symbolic path. */
  path: string;
  /** Full type without API version, e.g. Microsoft.Storage/storageAccounts/blobServices/containers. */
  type: string;
  existing: boolean;
  conditional: boolean;
  loop: boolean;
  /** The declaration's body `{...}`. */
  body: string;
  /** Where the declaration starts and ends in the (comment-stripped) source. */
  start: number;
  end: number;
}

/** One evaluation context: a file, and for a module, the call that supplies its parameters. */
export interface Context {
  file: string;
  call?: ModuleCall;
  caller?: Context;
  /** Deployed only under a condition (the module call or one of its callers has `if (...)`). */
  conditional: boolean;
}

export class BicepProject {
  readonly mainPath: string;

  constructor(
    readonly infraDir: string,
    /** Comment-stripped source of each .bicep file, by absolute path. */
    readonly sources: Map<string, string>,
  ) {
    this.mainPath = join(infraDir, 'main.bicep');
  }

  static load(infraDir: string): BicepProject {
    const files = readdirSync(infraDir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.bicep'))
      .map((f) => join(infraDir, f));
    return new BicepProject(infraDir, new Map(files.map((f) => [f, stripComments(readFileSync(f, 'utf8'))])));
  }

  /** The same project with one file's (already comment-free) source replaced. */
  withSource(file: string, text: string): BicepProject {
    return new BicepProject(this.infraDir, new Map([...this.sources, [file, text]]));
  }

  get files(): string[] {
    return [...this.sources.keys()];
  }

  source(file: string): string {
    return this.sources.get(file) ?? '';
  }

  rel(file: string): string {
    return relative(this.infraDir, file).split('\\').join('/');
  }

  params(file: string): Param[] {
    return [...this.source(file).matchAll(/^param\s+(\w+)\s+([\w.[\]]+)(?:\s*=\s*(.+?))?\s*$/gm)].map((m) => {
      const param: Param = { name: m[1] ?? '', type: m[2] ?? '' };
      if (m[3] !== undefined) param.default = m[3];
      return param;
    });
  }

  /** `var` declarations: name -> expression (a whole `{...}`/`[...]` literal when it spans lines). */
  vars(file: string): Map<string, string> {
    const text = this.source(file);
    const vars = new Map<string, string>();
    for (const m of text.matchAll(/^var\s+(\w+)\s*=\s*(.*)$/gm)) {
      const value = (m[2] ?? '').trim();
      const open = /^[{[]$/.test(value);
      vars.set(m[1] ?? '', open ? balancedBlock(text, (m.index ?? 0) + m[0].length - 1) : value);
    }
    return vars;
  }

  outputs(file: string): Map<string, string> {
    return new Map(
      [...this.source(file).matchAll(/^output\s+(\w+)\s+\w+\s*=\s*(.+?)\s*$/gm)].map((m) => [
        m[1] ?? '',
        m[2] ?? '',
      ]),
    );
  }

  modules(file: string): ModuleCall[] {
    const text = this.source(file);
    return [...text.matchAll(/^module\s+(\w+)\s+'([^']+)'\s*=\s*(if\s*\(|\[\s*for\b)?/gm)].map((m) => {
      const body = balancedBlock(text, (m.index ?? 0) + m[0].length);
      const paramsAt = body.search(/^\s*params\s*:/m);
      const target = /^(br|ts)[:/]/.test(m[2] ?? '') ? undefined : resolve(dirname(file), m[2] ?? '');
      const call: ModuleCall = {
        file,
        symbol: m[1] ?? '',
        params: paramsAt === -1 ? new Map<string, string>() : objectEntries(balancedBlock(body, paramsAt)),
        conditional: (m[3] ?? '').startsWith('if'),
        loop: (m[3] ?? '').startsWith('['),
      };
      if (target) call.target = target;
      return call;
    });
  }

  /** Every module call in the project. */
  get calls(): ModuleCall[] {
    return this.files.flatMap((f) => this.modules(f));
  }

  resources(file: string): Resource[] {
    const text = this.source(file);
    const found: Resource[] = [];
    const re = /\bresource\s+(\w+)\s+'([^'@]+)(?:@[^']*)?'\s*(existing\s*)?=\s*(if\s*\(|\[\s*for\b)?/g;
    for (const m of text.matchAll(re)) {
      const start = m.index ?? 0;
      const bodyStart = text.slice(start + m[0].length).search(/[{[]/) + start + m[0].length;
      const end = closingIndex(text, bodyStart);
      // A child resource sits inside its parent's body: the innermost enclosing declaration.
      const parent = found
        .filter((r) => r.start < start && start < r.end)
        .sort((a, b) => b.start - a.start)[0];
      const type = m[2] ?? '';
      found.push({
        file,
        path: parent ? `${parent.path}::${m[1]}` : (m[1] ?? ''),
        type: parent && !type.includes('/') ? `${parent.type}/${type}` : type,
        existing: Boolean(m[3]),
        conditional: (m[4] ?? '').startsWith('if'),
        loop: (m[4] ?? '').startsWith('['),
        body: text.slice(bodyStart, end),
        start,
        end,
      });
    }
    return found;
  }

  resource(file: string, path: string): Resource | undefined {
    return this.resources(file).find((r) => r.path === path);
  }

  /** The resource's own properties (child resource declarations excluded). */
  entries(resource: Resource): Map<string, string> {
    return objectEntries(resource.loop ? balancedBlock(resource.body, 1) : resource.body);
  }

  /** Every context a file is evaluated in: main.bicep once, a module once per call (callers' contexts too). */
  contexts(file: string, seen = new Set<string>()): Context[] {
    if (file === this.mainPath || seen.has(file)) return [{ file, conditional: false }];
    const calls = this.calls.filter((c) => c.target === file);
    if (calls.length === 0) return [{ file, conditional: false }];
    return calls.flatMap((call) =>
      this.contexts(call.file, new Set([...seen, file])).map((caller) => ({
        file,
        call,
        caller,
        conditional: call.conditional || caller.conditional,
      })),
    );
  }

  /** The context of a module call made from `ctx` (its file being the call's target). */
  callContext(ctx: Context, symbol: string): Context | undefined {
    const call = this.modules(ctx.file).find((c) => c.symbol === symbol);
    if (!call?.target) return undefined;
    return { file: call.target, call, caller: ctx, conditional: call.conditional || ctx.conditional };
  }

  /**
   * Follows a bare identifier through variables and parameters (a parameter to the value its caller
   * passes, else to its default) until the expression is something else.
   */
  deref(ctx: Context, expr: string, depth = 0): { ctx: Context; expr: string } {
    const e = expr.trim();
    if (depth > 20 || !/^[A-Za-z_]\w*$/.test(e)) return { ctx, expr: e };
    const variable = this.vars(ctx.file).get(e);
    if (variable !== undefined) return this.deref(ctx, variable, depth + 1);
    const param = this.params(ctx.file).find((p) => p.name === e);
    if (param) {
      const passed = ctx.call?.params.get(e);
      if (passed !== undefined && ctx.caller) return this.deref(ctx.caller, passed, depth + 1);
      if (param.default !== undefined) return this.deref(ctx, param.default, depth + 1);
    }
    return { ctx, expr: e };
  }

  /** The literal string an expression evaluates to, when it can be known from the text. */
  stringValue(ctx: Context, expr: string, depth = 0): string | undefined {
    if (depth > 20) return undefined;
    const d = this.deref(ctx, expr);
    const literal = /^'([^'$]*)'$/.exec(d.expr);
    if (literal) return literal[1];
    const number = /^-?\d+$/.exec(d.expr);
    if (number) return number[0];
    const output = /^(\w+)\.outputs\.(\w+)$/.exec(d.expr);
    if (output) {
      const target = this.callContext(d.ctx, output[1] ?? '');
      const value = target && this.outputs(target.file).get(output[2] ?? '');
      return target && value !== undefined ? this.stringValue(target, value, depth + 1) : undefined;
    }
    const name = /^(\w+(?:::\w+)*)\.name$/.exec(d.expr);
    if (name) {
      const resource = this.resource(d.ctx.file, name[1] ?? '');
      const value = resource && this.entries(resource).get('name');
      return value !== undefined ? this.stringValue(d.ctx, value, depth + 1) : undefined;
    }
    const member = /^(\w+)\.(\w+)$/.exec(d.expr);
    if (member) {
      const object = this.vars(d.ctx.file).get(member[1] ?? '');
      const value = object?.startsWith('{') ? objectEntries(object).get(member[2] ?? '') : undefined;
      return value !== undefined ? this.stringValue(d.ctx, value, depth + 1) : undefined;
    }
    return undefined;
  }

  /**
   * The resource (and which of its properties) a value comes from, following parameters, variables and
   * module outputs: e.g. `identity.outputs.principalId` in main.bicep leads to `properties.principalId` of
   * resource `identity` in app/identity.bicep. An expression that is not a plain property read (a function
   * of one) names the single resource it uses, with property '?'.
   */
  resourceRef(ctx: Context, expr: string, depth = 0): ResourceRef | undefined {
    if (depth > 20) return undefined;
    const d = this.deref(ctx, expr);
    const output = /^(\w+)\.outputs\.(\w+)$/.exec(d.expr);
    if (output) {
      const target = this.callContext(d.ctx, output[1] ?? '');
      const value = target && this.outputs(target.file).get(output[2] ?? '');
      return target && value !== undefined ? this.resourceRef(target, value, depth + 1) : undefined;
    }
    const property = /^(\w+(?:::\w+)*)\.(id|name|properties(?:\.\w+)+)$/.exec(d.expr);
    const resource = property && this.resource(d.ctx.file, property[1] ?? '');
    if (resource) return { resource, property: property[2] ?? '', ctx: d.ctx };
    const used = [...identifiersIn(d.expr)]
      .map((id) => this.resource(d.ctx.file, id))
      .filter((r): r is Resource => r !== undefined);
    const only = used.length === 1 ? used[0] : undefined;
    return only ? { resource: only, property: '?', ctx: d.ctx } : undefined;
  }
}

export interface ResourceRef {
  resource: Resource;
  property: string;
  ctx: Context;
}

/** A stable key for a resource declaration: `<file relative to infra/>:<symbolic path>`. */
export const resourceKey = (project: BicepProject, resource: Resource): string =>
  `${project.rel(resource.file)}:${resource.path}`;
