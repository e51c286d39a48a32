// From a report type's parameter JSON Schema (as GET /api/report-types gives it) to form fields, and
// from the fields' values back to the request's `parameters`. No DOM here.

export type FieldKind = 'date' | 'select' | 'integer' | 'number' | 'checkbox' | 'text';

export interface FieldSpec {
  /** The parameter name, e.g. `fromDate`. */
  name: string;
  label: string;
  kind: FieldKind;
  required: boolean;
  description?: string;
  /** Choices of a `select` (an optional select also offers an empty choice). */
  options?: string[];
  min?: number;
  max?: number;
  minLength?: number;
  maxLength?: number;
  /** The initial value as the input holds it ('' when none). */
  initial: string;
}

type Schema = Record<string, unknown>;

const isObject = (value: unknown): value is Schema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `fromDate` -> `From date`, `albumId` -> `Album ID`. */
export function labelFor(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .split(/\s+/)
    .map((word) => (word.toLowerCase() === 'id' ? 'ID' : word.toLowerCase()));
  const sentence = words.join(' ');
  return sentence.charAt(0).toUpperCase() + sentence.slice(1);
}

/** The schema without a `null` alternative (`anyOf: [X, { type: 'null' }]` -> X). */
function nonNull(schema: Schema): Schema {
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(alternatives)) {
    const rest = alternatives.filter((alt) => isObject(alt) && alt.type !== 'null');
    if (rest.length === 1 && isObject(rest[0]))
      return { ...schema, ...rest[0], anyOf: undefined, oneOf: undefined };
  }
  if (Array.isArray(schema.type)) {
    const types = schema.type.filter((t) => t !== 'null');
    if (types.length === 1) return { ...schema, type: types[0] };
  }
  return schema;
}

/** The allowed values of an enum-like schema (`enum`, or alternatives that are all `const`), else undefined. */
function choices(schema: Schema): string[] | undefined {
  if (Array.isArray(schema.enum)) return schema.enum.map(String);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(alternatives) && alternatives.length > 0) {
    const consts = alternatives.map((alt) => (isObject(alt) && 'const' in alt ? alt.const : undefined));
    if (consts.every((c) => c !== undefined)) return consts.map(String);
  }
  return undefined;
}

/** A default value as an input holds it; objects and arrays have none. */
const scalarText = (value: unknown): string =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';

const numberOr = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

function field(name: string, raw: Schema, required: boolean): FieldSpec {
  const schema = nonNull(raw);
  const base = {
    name,
    label: typeof schema.title === 'string' ? schema.title : labelFor(name),
    required,
    initial: scalarText(schema.default),
    ...(typeof schema.description === 'string' ? { description: schema.description } : {}),
  };
  const options = choices(schema);
  if (options) return { ...base, kind: 'select', options };
  switch (schema.type) {
    case 'integer':
    case 'number': {
      const exclusiveMin = numberOr(schema.exclusiveMinimum);
      const exclusiveMax = numberOr(schema.exclusiveMaximum);
      const integer = schema.type === 'integer';
      const min =
        numberOr(schema.minimum) ??
        (exclusiveMin === undefined ? undefined : exclusiveMin + (integer ? 1 : 0));
      const max =
        numberOr(schema.maximum) ??
        (exclusiveMax === undefined ? undefined : exclusiveMax - (integer ? 1 : 0));
      return {
        ...base,
        kind: integer ? 'integer' : 'number',
        ...(min === undefined ? {} : { min }),
        ...(max === undefined ? {} : { max }),
      };
    }
    case 'boolean':
      return { ...base, kind: 'checkbox', initial: base.initial === 'true' ? 'true' : 'false' };
    default: {
      const minLength = numberOr(schema.minLength);
      const maxLength = numberOr(schema.maxLength);
      return {
        ...base,
        kind: schema.format === 'date' ? 'date' : 'text',
        ...(minLength === undefined ? {} : { minLength }),
        ...(maxLength === undefined ? {} : { maxLength }),
      };
    }
  }
}

/**
 * The form fields of an object schema, in property order. A description that names another field by
 * its API name (`not before fromDate`) names it as the form labels it (`not before From date`).
 */
export function fieldsFromSchema(schema: unknown): FieldSpec[] {
  if (!isObject(schema) || !isObject(schema.properties)) return [];
  const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
  const fields = Object.entries(schema.properties).flatMap(([name, property]) =>
    isObject(property) ? [field(name, property, required.has(name))] : [],
  );
  const labels = new Map(fields.map((spec) => [spec.name, spec.label]));
  const apiName = /\b[a-z]+[A-Z][A-Za-z0-9]*\b/g;
  return fields.map((spec) =>
    spec.description === undefined
      ? spec
      : { ...spec, description: spec.description.replace(apiName, (word) => labels.get(word) ?? word) },
  );
}

export interface CollectedParameters {
  parameters: Record<string, unknown>;
  /** Problems found before asking the API, keyed like the API's problem details (`parameters.<name>`). */
  errors: Record<string, string[]>;
}

/**
 * The request's `parameters` from the inputs' values: an empty optional field is left out (so the API
 * applies its default), numbers become numbers, checkboxes booleans. Only what cannot be sent at all is
 * reported here (a required field left empty, text in a number field); the API validates the rest.
 */
export function collectParameters(
  fields: readonly FieldSpec[],
  values: Readonly<Record<string, string>>,
): CollectedParameters {
  const parameters: Record<string, unknown> = {};
  const errors: Record<string, string[]> = {};
  for (const spec of fields) {
    const raw = (values[spec.name] ?? '').trim();
    const key = `parameters.${spec.name}`;
    if (spec.kind === 'checkbox') {
      parameters[spec.name] = raw === 'true';
      continue;
    }
    if (raw === '') {
      if (spec.required) errors[key] = ['Required'];
      continue;
    }
    if (spec.kind === 'integer' || spec.kind === 'number') {
      const value = Number(raw);
      const ok = spec.kind === 'integer' ? /^[-+]?\d+$/.test(raw) : Number.isFinite(value);
      if (ok) parameters[spec.name] = value;
      else errors[key] = [spec.kind === 'integer' ? 'Must be a whole number' : 'Must be a number'];
      continue;
    }
    parameters[spec.name] = raw;
  }
  return { parameters, errors };
}
