// Azure Functions route templates (ASP.NET Core style, as the Functions host uses them):
//   literal segments (case-insensitive), `{name}`, `{name?}` (optional, trailing only), `{name:int}`-style
//   constraints (int, long, bool, guid, alpha, double, minlength(n), maxlength(n), length(n)), and a
//   trailing catch-all `{*rest}`. The route prefix (host.json `extensions.http.routePrefix`, default `api`)
//   is put in front of every route.

type Segment =
  | { kind: 'literal'; value: string }
  | { kind: 'param'; name: string; optional: boolean; catchAll: boolean; constraints: Constraint[] };

type Constraint = (value: string) => boolean;

export interface CompiledRoute {
  template: string;
  match(pathname: string): Record<string, string> | undefined;
}

const CONSTRAINTS: Record<string, (arg?: string) => Constraint> = {
  int: () => (v) => /^-?\d+$/.test(v) && Number.isSafeInteger(Number(v)),
  long: () => (v) => /^-?\d+$/.test(v),
  bool: () => (v) => /^(true|false)$/i.test(v),
  guid: () => (v) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(v),
  alpha: () => (v) => /^[a-z]+$/i.test(v),
  double: () => (v) => v.trim() !== '' && Number.isFinite(Number(v)),
  minlength: (n) => (v) => v.length >= Number(n),
  maxlength: (n) => (v) => v.length <= Number(n),
  length: (n) => (v) => v.length === Number(n),
};

function parseConstraint(spec: string, template: string): Constraint {
  const m = /^(\w+)(?:\((\w+)\))?$/.exec(spec);
  const factory = m?.[1] ? CONSTRAINTS[m[1].toLowerCase()] : undefined;
  if (!m || !factory) throw new Error(`route '${template}': unsupported constraint '${spec}'`);
  return factory(m[2]);
}

function parseSegment(raw: string, template: string): Segment {
  const m = /^\{(\*)?([A-Za-z_]\w*)((?::[^:}]+)*)(\?)?\}$/.exec(raw);
  if (!m) {
    if (raw.includes('{') || raw.includes('}')) throw new Error(`route '${template}': bad segment '${raw}'`);
    return { kind: 'literal', value: raw.toLowerCase() };
  }
  const constraints = (m[3] ?? '')
    .split(':')
    .filter(Boolean)
    .map((c) => parseConstraint(c, template));
  return { kind: 'param', name: m[2] ?? '', catchAll: m[1] === '*', optional: m[4] === '?', constraints };
}

export function compileRoute(routePrefix: string, route: string): CompiledRoute {
  const template = [routePrefix, route]
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter(Boolean)
    .join('/');
  const segments = template === '' ? [] : template.split('/').map((s) => parseSegment(s, template));
  segments.forEach((s, i) => {
    if (s.kind === 'param' && (s.optional || s.catchAll) && i !== segments.length - 1) {
      throw new Error(`route '${template}': only the last segment may be optional or catch-all`);
    }
  });

  return {
    template,
    match(pathname) {
      const parts = pathname
        .replace(/^\/+|\/+$/g, '')
        .split('/')
        .filter(Boolean);
      const params: Record<string, string> = {};
      for (let i = 0; i < segments.length; i++) {
        const segment = segments[i];
        if (!segment) return undefined;
        const part = parts[i];
        if (segment.kind === 'literal') {
          if (part === undefined || safeDecode(part)?.toLowerCase() !== segment.value) return undefined;
          continue;
        }
        if (segment.catchAll) {
          const rest = parts.slice(i).map(safeDecode);
          if (rest.some((r) => r === undefined)) return undefined;
          if (rest.length > 0) params[segment.name] = rest.join('/');
          return params;
        }
        if (part === undefined) return segment.optional ? params : undefined;
        const value = safeDecode(part);
        if (value === undefined || !segment.constraints.every((c) => c(value))) return undefined;
        params[segment.name] = value;
      }
      return parts.length === segments.length ? params : undefined;
    },
  };
}

function safeDecode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}
