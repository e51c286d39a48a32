// Checks HTTP responses against the OpenAPI document with ajv (JSON Schema 2020-12, as OpenAPI 3.1 uses):
// the operation exists, the status is one of its responses, required headers are there and every
// documented header that is there matches its schema, the media type is documented and the body matches
// its schema (or there is no body when none is documented). A response the document does not describe
// fails the calling test.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { expect } from 'vitest';
import type { ReportTypeRegistry } from '../../src/domain/report-types';
import { builtInReportTypes } from '../../src/domain/report-types';
import { openApiDocument } from '../../src/http/openapi';

interface MediaType {
  schema?: Record<string, unknown>;
}
interface HeaderObject {
  required?: boolean;
  schema?: Record<string, unknown>;
}
interface ResponseObject {
  headers?: Record<string, HeaderObject>;
  content?: Record<string, MediaType>;
}
interface Operation {
  responses: Record<string, ResponseObject>;
}
interface Document {
  servers?: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components?: Record<string, unknown>;
}

export interface CheckedResponse {
  method: string;
  /** The request URL or its path (`/api/reports/...`), with or without a query. */
  url: string;
  status: number;
  headers: Headers;
  /** The body's text ('' when there is none). */
  text: string;
}

export interface ResponseValidator {
  /** The problems of `response` against the document; empty when it conforms. */
  problems(response: CheckedResponse): string[];
  /** Fails the test, naming the problems, unless `response` conforms. */
  check(response: CheckedResponse): void;
}

const templateRegex = (template: string): RegExp =>
  new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`);

export function responseValidator(document: Document): ResponseValidator {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const prefix = new URL(document.servers?.[0]?.url ?? '/', 'http://x').pathname.replace(/\/$/, '');
  // Literal paths before templated ones, as OpenAPI matches them.
  const paths = Object.keys(document.paths)
    .sort((a, b) => Number(a.includes('{')) - Number(b.includes('{')))
    .map((path) => ({ path, regex: templateRegex(path) }));
  const compiled = new Map<string, ValidateFunction>();
  const validatorFor = (key: string, schema: Record<string, unknown>): ValidateFunction => {
    let validate = compiled.get(key);
    if (!validate) {
      validate = ajv.compile({ ...schema, components: document.components });
      compiled.set(key, validate);
    }
    return validate;
  };

  function problems(response: CheckedResponse): string[] {
    const method = response.method.toLowerCase();
    const pathname = decodeURI(new URL(response.url, 'http://x').pathname);
    const where = `${response.method} ${pathname} -> ${response.status}`;
    if (!pathname.startsWith(`${prefix}/`)) return [`${where}: not under the server URL ${prefix}`];
    const local = pathname.slice(prefix.length);
    const match = paths.find(({ regex, path }) => regex.test(local) && document.paths[path]?.[method]);
    if (!match) return [`${where}: no operation of the document serves it`];
    const operation = document.paths[match.path]?.[method];
    const described = operation?.responses[String(response.status)] ?? operation?.responses.default;
    if (!described) return [`${where}: status not documented for ${method.toUpperCase()} ${match.path}`];

    const found: string[] = [];
    for (const [name, spec] of Object.entries(described.headers ?? {})) {
      const value = response.headers.get(name);
      if (value === null) {
        if (spec.required) found.push(`${where}: required header ${name} is missing`);
        continue;
      }
      const schema = spec.schema;
      const valid =
        !schema || validatorFor(`header ${name} ${JSON.stringify(schema)}`, schema)(value) === true;
      if (!valid) {
        found.push(`${where}: header ${name}=${String(value)} does not match ${JSON.stringify(spec.schema)}`);
      }
    }

    const content = described.content;
    if (!content) {
      if (response.text !== '' && method !== 'head') found.push(`${where}: a body where none is documented`);
      return found;
    }
    if (method === 'head') return found;
    const mediaType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    const media = content[mediaType];
    if (!media) {
      found.push(`${where}: content type '${mediaType}' not documented (${Object.keys(content).join(', ')})`);
      return found;
    }
    if (!media.schema) return found;
    let body: unknown = response.text;
    if (mediaType.endsWith('json')) {
      try {
        body = JSON.parse(response.text);
      } catch {
        return [...found, `${where}: the body is not JSON`];
      }
    }
    const key = `${match.path} ${method} ${response.status} ${mediaType}`;
    const validate = validatorFor(key, media.schema);
    if (!validate(body)) {
      found.push(`${where}: body does not match the schema: ${ajv.errorsText(validate.errors)}`);
    }
    return found;
  }

  return {
    problems,
    check(response) {
      expect(problems(response), 'the response as the OpenAPI document describes it').toEqual([]);
    },
  };
}

const validators = new WeakMap<ReportTypeRegistry, ResponseValidator>();

/** A validator for the document an app with these report types serves at `GET /api/openapi.json`. */
export function contractValidator(types: ReportTypeRegistry = builtInReportTypes): ResponseValidator {
  let validator = validators.get(types);
  if (!validator) {
    validator = responseValidator(openApiDocument(types) as unknown as Document);
    validators.set(types, validator);
  }
  return validator;
}
