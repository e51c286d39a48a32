import { HttpResponse, type HttpResponseInit } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import {
  PROBLEM_TYPES,
  badRequest,
  conflict,
  forbidden,
  notFound,
  payloadTooLarge,
  problemResponse,
  unauthorized,
  unprocessable,
} from '../../../src/http/problem';

function headersOf(response: HttpResponseInit): Record<string, string> {
  return response.headers as Record<string, string>;
}

function bodyOf(response: HttpResponseInit): Record<string, unknown> {
  return response.jsonBody as Record<string, unknown>;
}

describe('problem responses', () => {
  it.each([
    [badRequest('bad JSON'), 400, PROBLEM_TYPES.badRequest],
    [unauthorized('expired'), 401, PROBLEM_TYPES.unauthorized],
    [forbidden('no role'), 403, PROBLEM_TYPES.forbidden],
    [notFound('no such report'), 404, PROBLEM_TYPES.notFound],
    [conflict('already terminal'), 409, PROBLEM_TYPES.conflict],
    [payloadTooLarge(1024), 413, PROBLEM_TYPES.payloadTooLarge],
    [unprocessable('key reused'), 422, PROBLEM_TYPES.unprocessable],
  ])('helper %# sets status, problem+json and RFC 9457 members', (response, status, type) => {
    expect(response.status).toBe(status);
    expect(headersOf(response)['Content-Type']).toBe('application/problem+json');
    const body = bodyOf(response);
    expect(body).toMatchObject({ type, status });
    expect(body.type).toMatch(/^https:\/\/report-exports\.dev\/problems\/[a-z-]+$/);
    expect(typeof body.title).toBe('string');
    expect(typeof body.detail).toBe('string');
  });

  it('uses distinct type URIs', () => {
    const types = Object.values(PROBLEM_TYPES);
    expect(new Set(types).size).toBe(types.length);
  });

  it('carries validation errors as a validation-error', () => {
    const errors = { 'parameters.toDate': ['must be on or after fromDate (2024-03-02)'] };
    const body = bodyOf(badRequest('Invalid parameters.', errors));
    expect(body).toEqual({
      type: PROBLEM_TYPES.validationError,
      title: expect.any(String) as string,
      status: 400,
      detail: 'Invalid parameters.',
      errors,
    });
    expect(bodyOf(badRequest('bad JSON'))).not.toHaveProperty('errors');
  });

  it('challenges with invalid_token when a token was rejected', () => {
    const response = unauthorized('The token has expired.');
    expect(headersOf(response)['WWW-Authenticate']).toBe(
      'Bearer error="invalid_token", error_description="The token has expired."',
    );
    expect(bodyOf(response).detail).toBe('The token has expired.');
  });

  it('keeps the challenge a valid quoted string', () => {
    const header = headersOf(unauthorized('bad "aud" \\ é'))['WWW-Authenticate'];
    expect(header).toBe('Bearer error="invalid_token", error_description="bad aud"');
  });

  it('challenges with plain Bearer when no token was sent', () => {
    expect(
      headersOf(unauthorized('A bearer token is required.', { tokenPresented: false }))['WWW-Authenticate'],
    ).toBe('Bearer');
  });

  it('challenges a 403 for a missing scope with insufficient_scope, naming the scope', () => {
    const response = forbidden('The token lacks the scope.', { requiredScope: 'Reports.Export' });
    expect(response.status).toBe(403);
    expect(headersOf(response)).toEqual({
      'WWW-Authenticate': 'Bearer error="insufficient_scope", scope="Reports.Export"',
      'Content-Type': 'application/problem+json',
    });
    expect(bodyOf(response)).toMatchObject({
      type: PROBLEM_TYPES.forbidden,
      status: 403,
      requiredScope: 'Reports.Export',
    });
    expect(headersOf(forbidden('no'))).not.toHaveProperty('WWW-Authenticate');
  });

  it('adds conflict extensions such as existingReportId', () => {
    const body = bodyOf(conflict('An identical report is already in progress.', { existingReportId: 'r-1' }));
    expect(body).toMatchObject({ status: 409, type: PROBLEM_TYPES.conflict, existingReportId: 'r-1' });
    const guarded = bodyOf(conflict('x', { status: 200, type: 'evil' }));
    expect(guarded).toMatchObject({ status: 409, type: PROBLEM_TYPES.conflict });
  });

  it('states the size limit on 413', () => {
    const body = bodyOf(payloadTooLarge(65_536));
    expect(body.limitBytes).toBe(65_536);
    expect(body.detail).toContain('65536 bytes');
  });

  it('keeps extra headers but never lets them replace the content type', () => {
    const response = problemResponse(
      { type: PROBLEM_TYPES.notFound, title: 'Not found.', status: 404, detail: 'gone' },
      { 'Retry-After': '5', 'Content-Type': 'text/plain' },
    );
    expect(headersOf(response)).toEqual({ 'Retry-After': '5', 'Content-Type': 'application/problem+json' });
  });

  it('serializes through the Functions HttpResponse with the problem media type', async () => {
    const response = new HttpResponse(notFound('No report r-9.'));
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({ status: 404, detail: 'No report r-9.' });
  });
});
