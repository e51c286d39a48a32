import type { Services } from '../services';
import { defineAuthenticatedHttp } from './authenticated-http';
import {
  badRequest,
  conflict,
  invalidRequest,
  payloadTooLarge,
  tooManyRequests,
  unprocessable,
} from '../http/problem';
import { reportResponse } from '../http/reports';
import { isTerminal } from '../domain/report';
import { MAX_JSON_BODY_BYTES, readJsonBody } from '../http/request';
import { activeTraceparent } from '../telemetry/tracing';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/** What a create's body looks like, for the problem that answers a request without one. */
const BODY_EXAMPLE = '{"format": "csv", "parameters": {"fromDate": "2024-01-01", "toDate": "2024-12-31"}}';

/** `application/json` or a `+json` type (`application/merge-patch+json`), parameters allowed. */
const isJsonMediaType = (contentType: string): boolean =>
  /^application\/([\w.-]+\+)?json\s*(;|$)/i.test(contentType.trim());

/** When a user whose quota is full should look again: about when a small export of theirs finishes. */
const QUOTA_RETRY_AFTER_SECONDS = 30;

/** POST /api/reports/{reportType}: report + outbox in one batch, 202 at once. */
export const makeCreateReport = ({ reports, verifyToken }: Pick<Services, 'reports' | 'verifyToken'>) =>
  defineAuthenticatedHttp('createReport', {
    route: 'reports/{reportType}',
    methods: ['POST'],
    verifyToken,
    handler: async (request, principal, context, correlationId) => {
      const body = await readJsonBody(request);
      if (body.kind === 'too-large') return payloadTooLarge(MAX_JSON_BODY_BYTES);
      const contentType = request.headers.get('content-type');
      if (contentType !== null && !isJsonMediaType(contentType)) {
        return badRequest(
          `The body must be JSON sent as Content-Type: application/json, not ${contentType.split(';')[0]?.trim() || 'an empty type'}.`,
        );
      }
      if (body.kind === 'empty') return badRequest(`A JSON body is required: ${BODY_EXAMPLE}.`);
      if (body.kind === 'bad-json') return badRequest('The body is not valid JSON.');
      if (body.kind === 'forbidden-key') {
        return badRequest('The body holds a field name that is not allowed.', {
          [body.key]: ['is not allowed'],
        });
      }
      const idempotencyKey = request.headers.get('idempotency-key') ?? undefined;
      if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
        return badRequest('The Idempotency-Key header is invalid.', {
          'Idempotency-Key': ['must be 1-200 visible ASCII characters'],
        });
      }
      const traceparent = activeTraceparent();
      const result = await reports.create(principal, {
        reportType: request.params.reportType ?? '',
        body: body.value,
        correlationId,
        ...(idempotencyKey ? { idempotencyKey } : {}),
        ...(traceparent ? { traceparent } : {}),
      });
      switch (result.kind) {
        case 'created':
        case 'replayed': {
          context.log(`report ${result.report.id} ${result.kind} correlationId=${correlationId}`);
          // A replay answers as a GET would: the report as it is now, its link once Completed, and 200
          // once it is finished (202 while it is still to be done).
          const now =
            result.kind === 'replayed' ? await reports.view(principal, result.report.id) : undefined;
          const report = now?.report ?? result.report;
          const status = isTerminal(report.status) ? 200 : 202;
          const response = reportResponse(status, report, {
            correlationId: result.report.correlationId,
            ...(now?.link ? { link: now.link } : {}),
          });
          return {
            ...response,
            headers: { ...response.headers, Location: `/api/reports/${result.report.id}` },
          };
        }
        case 'unknown-type':
          return badRequest(`Unknown report type '${result.reportType}'.`, {
            reportType: ['is not a known report type; see GET /api/report-types'],
          });
        case 'invalid':
          return invalidRequest('The request is invalid', result.errors);
        case 'duplicate':
          // The duplicate check reads the active reports, then writes: two identical requests that arrive
          // together without an Idempotency-Key can both pass the read and both be accepted. Only the
          // Idempotency-Key (whose derived report id makes the second write conflict) closes that window.
          return conflict('An active report with the same type, format and parameters exists.', {
            existingReportId: result.existingReportId,
          });
        case 'quota-exceeded':
          return tooManyRequests(
            `You have ${result.active} active reports; at most ${result.limit} may be Pending or Processing at once. ` +
              'Wait for one to finish, or cancel one, and ask again.',
            QUOTA_RETRY_AFTER_SECONDS,
            { limit: result.limit, activeReports: result.active },
          );
        case 'idempotency-mismatch':
          return unprocessable('The Idempotency-Key was already used with a different request body.');
      }
    },
  });
