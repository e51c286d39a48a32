import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { builtInReportTypes, describeReportTypes } from '../../../../src/domain/report-types';
import { collectParameters, fieldsFromSchema, labelFor } from '../../../../src/web/client/form-fields';

const schemaOf = (schema: z.ZodType): Record<string, unknown> =>
  z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' });

describe('fieldsFromSchema', () => {
  it('maps the popularity parameters as GET /api/report-types describes them', () => {
    const popularity = describeReportTypes(builtInReportTypes).find((type) => type.name === 'popularity');
    const fields = fieldsFromSchema(popularity?.parameters);
    expect(fields.map((f) => [f.name, f.kind, f.required])).toEqual(
      expect.arrayContaining([
        ['fromDate', 'date', true],
        ['toDate', 'date', true],
        ['top', 'integer', false],
      ]),
    );
    expect(fields.find((f) => f.name === 'top')).toMatchObject({
      label: 'Top',
      min: 1,
      max: 10_000,
      initial: '100',
    });
    expect(fields.find((f) => f.name === 'fromDate')?.description).toMatch(/First day/);
  });

  it("names other fields in hints as the form labels them, not by the API's names", () => {
    const fields = fieldsFromSchema({
      type: 'object',
      properties: {
        fromDate: { type: 'string', format: 'date' },
        toDate: {
          type: 'string',
          format: 'date',
          description: 'Last day; not before fromDate, unlike someOther.',
        },
        top: { type: 'integer', description: 'How many of the top albums.' },
      },
    });
    expect(fields.find((f) => f.name === 'toDate')?.description).toBe(
      'Last day; not before From date, unlike someOther.',
    );
    expect(fields.find((f) => f.name === 'top')?.description).toBe('How many of the top albums.');
  });

  it('makes selects of enums (an optional one may stay empty), keeping the default', () => {
    const fields = fieldsFromSchema(
      schemaOf(
        z.strictObject({
          genre: z.enum(['Rock', 'Jazz']).optional(),
          order: z.enum(['asc', 'desc']).default('desc'),
          level: z.union([z.literal(1), z.literal(2)]),
        }),
      ),
    );
    expect(fields).toEqual([
      {
        name: 'genre',
        label: 'Genre',
        kind: 'select',
        required: false,
        options: ['Rock', 'Jazz'],
        initial: '',
      },
      {
        name: 'order',
        label: 'Order',
        kind: 'select',
        required: false,
        options: ['asc', 'desc'],
        initial: 'desc',
      },
      { name: 'level', label: 'Level', kind: 'select', required: true, options: ['1', '2'], initial: '' },
    ]);
  });

  it('gives numbers their bounds (exclusive ones included), booleans checkboxes, strings text', () => {
    const fields = fieldsFromSchema(
      schemaOf(
        z.strictObject({
          count: z.number().int().gt(0).lt(11),
          ratio: z.number().min(0.5),
          detailed: z.boolean().default(true),
          albumId: z.string().min(1).max(100).nullable().optional(),
        }),
      ),
    );
    expect(fields).toEqual([
      { name: 'count', label: 'Count', kind: 'integer', required: true, min: 1, max: 10, initial: '' },
      { name: 'ratio', label: 'Ratio', kind: 'number', required: true, min: 0.5, initial: '' },
      { name: 'detailed', label: 'Detailed', kind: 'checkbox', required: false, initial: 'true' },
      {
        name: 'albumId',
        label: 'Album ID',
        kind: 'text',
        required: false,
        minLength: 1,
        maxLength: 100,
        initial: '',
      },
    ]);
  });

  it('uses a schema title as the label, and ignores what is not an object schema', () => {
    expect(fieldsFromSchema({ properties: { x: { type: 'string', title: 'Custom' } } })[0]?.label).toBe(
      'Custom',
    );
    expect(fieldsFromSchema(null)).toEqual([]);
    expect(fieldsFromSchema({ type: 'object' })).toEqual([]);
  });
});

describe('labelFor', () => {
  it('turns parameter names into sentence-case labels', () => {
    expect(labelFor('fromDate')).toBe('From date');
    expect(labelFor('albumId')).toBe('Album ID');
    expect(labelFor('page_size')).toBe('Page size');
  });
});

describe('collectParameters', () => {
  const fields = fieldsFromSchema(
    schemaOf(
      z.strictObject({
        fromDate: z.iso.date(),
        top: z.number().int().default(100),
        ratio: z.number().optional(),
        genre: z.string().optional(),
        detailed: z.boolean().default(false),
      }),
    ),
  );

  it('converts numbers and booleans and leaves out empty optional fields', () => {
    expect(
      collectParameters(fields, {
        fromDate: ' 2024-01-01 ',
        top: '5',
        ratio: '0.25',
        genre: '',
        detailed: 'true',
      }),
    ).toEqual({ parameters: { fromDate: '2024-01-01', top: 5, ratio: 0.25, detailed: true }, errors: {} });
  });

  it('reports a required field left empty and text in a number field, keyed like the API, as sentences', () => {
    expect(collectParameters(fields, { fromDate: '', top: '1.5', ratio: 'abc', detailed: 'false' })).toEqual({
      parameters: { detailed: false },
      errors: {
        'parameters.fromDate': ['Required'],
        'parameters.top': ['Must be a whole number'],
        'parameters.ratio': ['Must be a number'],
      },
    });
  });
});
