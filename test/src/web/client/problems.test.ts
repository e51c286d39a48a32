import { describe, expect, it } from 'vitest';
import { fieldMessages, isProblem, summary } from '../../../../src/web/client/problems';

const FIELDS = ['format', 'parameters.fromDate', 'parameters.toDate', 'parameters.top'];

describe('fieldMessages', () => {
  it('puts each validation message next to the field it names', () => {
    const problem = {
      type: 'https://report-exports.dev/problems/validation-error',
      title: 'Your request parameters did not validate.',
      status: 400,
      detail: 'The request is invalid.',
      errors: {
        'parameters.toDate': ['must be on or after fromDate (2024-05-01)'],
        'parameters.top': ['Too big: expected number to be <=10000', 'must be a whole number'],
        format: ['must be one of: csv'],
      },
    };
    expect(fieldMessages(problem, FIELDS)).toEqual({
      fields: {
        'parameters.toDate': ['Must be on or after fromDate (2024-05-01)'],
        'parameters.top': ['Too big: expected number to be <=10000', 'Must be a whole number'],
        format: ['Must be one of: csv'],
      },
      general: [],
    });
  });

  it('gives a message about a path below a field to that field', () => {
    expect(fieldMessages({ errors: { 'parameters.top.0': ['bad'] } }, FIELDS).fields).toEqual({
      'parameters.top': ['Bad'],
    });
  });

  it('keeps messages about unknown fields and the request itself as general ones', () => {
    const problem = {
      detail: 'The request is invalid.',
      errors: {
        'parameters.colour': ['is not a known field'],
        $: ['must be an object'],
        reportType: ['unknown'],
      },
    };
    expect(fieldMessages(problem, FIELDS)).toEqual({
      fields: {},
      general: ['colour: is not a known field', 'Must be an object', 'reportType: unknown'],
    });
  });

  it('falls back to the detail, the title or the status when there are no field errors', () => {
    expect(fieldMessages({ status: 409, detail: 'An active report exists.' }, FIELDS).general).toEqual([
      'An active report exists.',
    ]);
    expect(summary({ title: 'Not found.' })).toBe('Not found.');
    expect(summary({ status: 500 })).toBe('The request failed (500).');
  });
});

describe('isProblem', () => {
  it('recognises problem details', () => {
    expect(isProblem({ title: 'x', status: 400 })).toBe(true);
    expect(isProblem({ items: [] })).toBe(false);
    expect(isProblem(null)).toBe(false);
    expect(isProblem(['title'])).toBe(false);
  });
});
