import { describe, expect, it } from 'vitest';
import {
  etaText,
  fileText,
  outcomeText,
  parametersText,
  progressText,
  sizeText,
  statusLabel,
} from '../../../../src/web/client/text';

describe('page wording', () => {
  it('says what the file holds, and that it was cut when the format capped it', () => {
    const report = { rowCount: 1234, sizeBytes: 2048, truncated: false, format: 'csv' };
    expect(fileText(report)).toBe('1,234 rows, 2.0 KB');
    expect(fileText({ ...report, rowCount: 1 })).toMatch(/^1 row, /);
    const cut = fileText({ ...report, rowCount: 10_000, truncated: true, format: 'pdf' });
    expect(cut).toMatch(
      /^10,000 rows, 2.0 KB\. Cut short: a PDF file stops at 10,000 rows and this report has more/,
    );
  });

  it('describes progress with rows, percent and ETA', () => {
    expect(progressText({ processedRows: 1200, totalRows: 2930, percent: 40.96, etaSeconds: 3 })).toBe(
      '1,200 of 2,930 rows (40%), about 3 s left',
    );
    expect(progressText({ processedRows: 5000, totalRows: null, percent: null, etaSeconds: null })).toBe(
      '5,000 rows',
    );
  });

  it('rounds ETAs to seconds, minutes and hours', () => {
    expect(etaText(0.2)).toBe('about 1 s left');
    expect(etaText(150)).toBe('about 3 min left');
    expect(etaText(3600 + 5 * 60)).toBe('about 1 h 5 min left');
    expect(etaText(7200)).toBe('about 2 h left');
  });

  it('gives sizes in bytes, KB and MB', () => {
    expect(sizeText(394)).toBe('394 bytes');
    expect(sizeText(5_300)).toBe('5.2 KB');
    expect(sizeText(12_800)).toBe('13 KB');
    expect(sizeText(2_683_934)).toBe('2.6 MB');
  });

  it('summarises parameters, the date range first', () => {
    expect(parametersText({ top: 5, fromDate: '2024-01-01', toDate: '2024-12-31', genre: 'Rock' })).toBe(
      '2024-01-01 to 2024-12-31, top 5, genre Rock',
    );
    expect(parametersText({ albumId: 'al-1', toDate: '2024-01-31' })).toBe('to 2024-01-31, album id al-1');
  });

  it('calls a Processing report with a cancel requested Cancelling', () => {
    expect(statusLabel('Processing', true)).toBe('Cancelling');
    expect(statusLabel('Pending', false)).toBe('Pending');
    expect(statusLabel('Pending', true)).toBe('Cancelling');
    expect(statusLabel('Completed', true)).toBe('Completed');
  });

  it('says when a cancel came too late: the report finished first and its file is whole', () => {
    expect(outcomeText({ status: 'Completed', cancelRequested: false })).toBe(', ready to download');
    expect(outcomeText({ status: 'Completed', cancelRequested: true })).toBe(
      ', before the cancel could stop it; ready to download',
    );
    expect(outcomeText({ status: 'Failed', cancelRequested: false, error: { message: 'boom' } })).toBe(
      ': boom',
    );
    expect(outcomeText({ status: 'Cancelled', cancelRequested: true })).toBe('');
  });
});
