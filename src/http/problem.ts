// RFC 9457 problem details: every error response of the HTTP API.
//
// `type` URIs follow one scheme: `https://report-exports.dev/problems/<slug>`, the slug naming the kind
// of problem (see PROBLEM_TYPES). They are stable identifiers clients may switch on; they need not resolve.
import type { HttpResponseInit } from '@azure/functions';
import type { JsonBody } from './request';

const PROBLEM_BASE = 'https://report-exports.dev/problems/';

export const PROBLEM_TYPES = {
  validationError: `${PROBLEM_BASE}validation-error`,
  badRequest: `${PROBLEM_BASE}bad-request`,
  unauthorized: `${PROBLEM_BASE}unauthorized`,
  forbidden: `${PROBLEM_BASE}forbidden`,
  notFound: `${PROBLEM_BASE}not-found`,
  methodNotAllowed: `${PROBLEM_BASE}method-not-allowed`,
  conflict: `${PROBLEM_BASE}conflict`,
  payloadTooLarge: `${PROBLEM_BASE}payload-too-large`,
  unprocessable: `${PROBLEM_BASE}unprocessable-content`,
  serviceUnavailable: `${PROBLEM_BASE}service-unavailable`,
  internalError: `${PROBLEM_BASE}internal-error`,
  quotaExceeded: `${PROBLEM_BASE}quota-exceeded`,
} as const;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** Validation errors: field path (e.g. `parameters.toDate`) -> messages. */
  errors?: Record<string, string[]>;
  [extension: string]: unknown;
}

/** The response for `problem`; `headers` are added (Content-Type is always the problem media type). */
export function problemResponse(problem: Problem, headers?: Record<string, string>): HttpResponseInit {
  return {
    status: problem.status,
    jsonBody: problem,
    headers: { ...headers, 'Content-Type': PROBLEM_CONTENT_TYPE },
  };
}

/** 400: bad JSON, unknown report type, invalid parameters (with `errors`, typed validation-error). */
export function badRequest(detail: string, errors?: Record<string, string[]>): HttpResponseInit {
  return problemResponse({
    type: errors ? PROBLEM_TYPES.validationError : PROBLEM_TYPES.badRequest,
    title: errors ? 'Your request parameters did not validate.' : 'Bad request.',
    status: 400,
    detail,
    ...(errors ? { errors } : {}),
  });
}

/** How many of a request's problems a validation `detail` names before it says how many more there are. */
const NAMED_PROBLEMS = 5;

/**
 * 400 validation-error whose `detail` names the problems (`errors` has them all, by field):
 * `The request is invalid: parameters.fromDate is required; format must be one of csv, json.`
 */
export function invalidRequest(lead: string, errors: Record<string, string[]>): HttpResponseInit {
  const problems = Object.entries(errors).flatMap(([path, messages]) =>
    messages.map((message) => (path === '' || path === '$' ? message : `${path} ${message}`)),
  );
  const named = problems.slice(0, NAMED_PROBLEMS).join('; ');
  const more = problems.length > NAMED_PROBLEMS ? `; and ${problems.length - NAMED_PROBLEMS} more` : '';
  return badRequest(problems.length === 0 ? `${lead}.` : `${lead}: ${named}${more}.`, errors);
}

/** RFC 6750 error_description allows only printable ASCII without `"` and `\`. */
function quotable(text: string): string {
  return text
    .replace(/[^\x20\x21\x23-\x5B\x5D-\x7E]/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
}

/**
 * 401 with a Bearer challenge: `error="invalid_token"` and a description (the short `description`, else
 * the detail) when a token was sent and rejected; just `Bearer` when the request carried none (RFC 6750 section 3.1).
 */
export function unauthorized(
  detail: string,
  options: { tokenPresented?: boolean; description?: string } = {},
): HttpResponseInit {
  const challenge =
    options.tokenPresented === false
      ? 'Bearer'
      : `Bearer error="invalid_token", error_description="${quotable(options.description ?? detail)}"`;
  return problemResponse(
    { type: PROBLEM_TYPES.unauthorized, title: 'Authentication required.', status: 401, detail },
    { 'WWW-Authenticate': challenge },
  );
}

/**
 * 403: authenticated but not allowed (another tenant's report is a 404 instead). With `requiredScope`,
 * the token lacks that scope: an RFC 6750 `insufficient_scope` challenge names it, and so does the body.
 */
export function forbidden(detail: string, options: { requiredScope?: string } = {}): HttpResponseInit {
  const problem: Problem = { type: PROBLEM_TYPES.forbidden, title: 'Forbidden.', status: 403, detail };
  if (options.requiredScope === undefined) return problemResponse(problem);
  const scope = quotable(options.requiredScope);
  return problemResponse(
    { ...problem, requiredScope: options.requiredScope },
    { 'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${scope}"` },
  );
}

/** 404: unknown, or not visible to the caller. */
export function notFound(detail: string): HttpResponseInit {
  return problemResponse({ type: PROBLEM_TYPES.notFound, title: 'Not found.', status: 404, detail });
}

/** 409: conflicts with the resource's state; `extensions` such as `{ existingReportId }` join the body. */
export function conflict(detail: string, extensions?: Record<string, unknown>): HttpResponseInit {
  return problemResponse({
    ...extensions,
    type: PROBLEM_TYPES.conflict,
    title: 'Conflict.',
    status: 409,
    detail,
  });
}

/** 413: the request body is larger than `limitBytes` (also in the body as `limitBytes`). */
export function payloadTooLarge(limitBytes: number): HttpResponseInit {
  return problemResponse({
    type: PROBLEM_TYPES.payloadTooLarge,
    title: 'Request body too large.',
    status: 413,
    detail: `The request body must not exceed ${limitBytes} bytes.`,
    limitBytes,
  });
}

/** 422: well-formed but unprocessable, e.g. an Idempotency-Key reused with a different body. */
export function unprocessable(detail: string): HttpResponseInit {
  return problemResponse({
    type: PROBLEM_TYPES.unprocessable,
    title: 'Unprocessable content.',
    status: 422,
    detail,
  });
}

/**
 * 503: a database, broker or storage outage; the client should retry after `retryAfterSeconds`. Names
 * the dependency only in words (never an SDK message), and carries the correlation id to quote.
 */
export function serviceUnavailable(
  detail: string,
  correlationId: string,
  retryAfterSeconds: number,
): HttpResponseInit {
  return problemResponse(
    {
      type: PROBLEM_TYPES.serviceUnavailable,
      title: 'Service unavailable.',
      status: 503,
      detail,
      correlationId,
    },
    { 'Retry-After': String(retryAfterSeconds) },
  );
}

/** 500: an unexpected error. No details of it, only the correlation id that finds it in the logs. */
export function internalError(correlationId: string): HttpResponseInit {
  return problemResponse({
    type: PROBLEM_TYPES.internalError,
    title: 'Internal server error.',
    status: 500,
    detail: 'The request could not be completed. Quote the correlation id when you report this.',
    correlationId,
  });
}

/**
 * 429: the caller's quota is used up; `Retry-After` says when to look again. `extensions` (the limit and
 * the use of it) join the body.
 */
export function tooManyRequests(
  detail: string,
  retryAfterSeconds: number,
  extensions?: Record<string, unknown>,
): HttpResponseInit {
  return problemResponse(
    { ...extensions, type: PROBLEM_TYPES.quotaExceeded, title: 'Quota exceeded.', status: 429, detail },
    { 'Retry-After': String(retryAfterSeconds) },
  );
}

/**
 * The problem with a JSON body that could not be read as one (too large, not JSON, a forbidden field
 * name); undefined for a body read (or an empty one).
 */
export function unreadableBody(body: JsonBody, maxBytes: number): HttpResponseInit | undefined {
  switch (body.kind) {
    case 'too-large':
      return payloadTooLarge(maxBytes);
    case 'bad-json':
      return badRequest('The body is not valid JSON.');
    case 'forbidden-key':
      return badRequest('The body holds a field name that is not allowed.', {
        [body.key]: ['is not allowed'],
      });
    default:
      return undefined;
  }
}
