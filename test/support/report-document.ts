// A complete report document as the API would store it (Pending, nothing done yet), for tests that
// write reports directly.
import { randomUUID } from 'node:crypto';
import { NO_PROGRESS, type ReportDocument } from '../../src/domain/report';

export function reportDocument(
  overrides: Partial<ReportDocument> & Pick<ReportDocument, 'tenantId'>,
): ReportDocument {
  const id = overrides.id ?? randomUUID();
  return {
    id,
    kind: 'report',
    ownerId: 'user-1',
    reportType: 'popularity',
    format: 'csv',
    parameters: {},
    requestHash: randomUUID(),
    idempotencyKey: null,
    status: 'Pending',
    cancelRequested: false,
    progress: { ...NO_PROGRESS },
    createdAt: new Date().toISOString(),
    startedAt: null,
    completedAt: null,
    error: null,
    rowCount: null,
    sizeBytes: null,
    fileName: null,
    blobName: null,
    correlationId: `corr-${id}`,
    attempts: 0,
    leaseOwner: null,
    leaseExpiresAt: null,
    ...overrides,
  };
}
