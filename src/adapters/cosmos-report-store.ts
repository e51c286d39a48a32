// ReportStore on the Cosmos DB `reports` container (partition key /tenantId), which holds report and
// outbox documents side by side so that a report and its outbox message commit in one batch.
import { createHash } from 'node:crypto';
import type { Container, JSONObject, OperationInput, SqlParameter, SqlQuerySpec } from '@azure/cosmos';
import { ACTIVE_STATUSES, type OutboxDocument, type ReportDocument } from '../domain/report';
import {
  InvalidContinuationTokenError,
  type ReportListFilter,
  type ReportPage,
  type ReportStore,
  type Stored,
} from '../services/ports';

const SYSTEM_PROPERTIES = ['_rid', '_self', '_ts', '_attachments', '_etag'] as const;

type StoredReport = ReportDocument & { _etag?: string };

/** The status code of a Cosmos SDK error (numeric for service answers), if any. */
function statusOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const { code } = error;
    if (typeof code === 'number') return code;
  }
  return undefined;
}

/** Whether the error carries any `code` at all (service status or network errno). */
function hasCode(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error;
}

/** Our documents are plain JSON data; the SDK's batch input type cannot see that through `unknown`. */
function asJson(doc: ReportDocument | OutboxDocument): JSONObject {
  return { ...doc } as JSONObject;
}

/** A copy of the stored document without Cosmos system properties. */
function clean(resource: StoredReport): ReportDocument {
  const copy: Record<string, unknown> = { ...resource };
  for (const key of SYSTEM_PROPERTIES) delete copy[key];
  return copy as unknown as ReportDocument;
}

function stored(resource: StoredReport | undefined, etag: string | undefined): Stored<ReportDocument> {
  const tag = etag ?? resource?._etag;
  if (!resource || !tag) throw new Error('Cosmos returned a report without a body or an etag');
  return { doc: clean(resource), etag: tag };
}

const CLAIMED_UPDATE_RETRIES = 5;

interface ListToken {
  /** Binds the token to the tenant, filter and page size it was issued for, and to `c` (no tampering). */
  q: string;
  /** The SDK's continuation token. */
  c: string;
}

function queryFingerprint(tenantId: string, filter: ReportListFilter, pageSize: number): string {
  const material = JSON.stringify([
    tenantId,
    filter.ownerId ?? null,
    filter.status ?? null,
    filter.reportType ?? null,
    pageSize,
  ]);
  return createHash('sha256').update(material).digest('base64url').slice(0, 16);
}

function tokenTag(queryFingerprint: string, sdkToken: string): string {
  return createHash('sha256').update(`${queryFingerprint}\n${sdkToken}`).digest('base64url').slice(0, 22);
}

function encodeToken(queryFingerprint: string, sdkToken: string): string {
  const token: ListToken = { q: tokenTag(queryFingerprint, sdkToken), c: sdkToken };
  return Buffer.from(JSON.stringify(token), 'utf8').toString('base64url');
}

/**
 * The continuation token `list` hands out for this tenant, filter and page size when the SDK's own
 * continuation is `sdkToken`: what a client gets back, so tests can carry any SDK token to Cosmos.
 */
export function listContinuationToken(
  tenantId: string,
  filter: ReportListFilter,
  pageSize: number,
  sdkToken: string,
): string {
  return encodeToken(queryFingerprint(tenantId, filter, pageSize), sdkToken);
}

function decodeToken(raw: string, expectedQuery: string): string {
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(raw)) throw new Error('not base64url');
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidContinuationTokenError();
  }
  if (typeof parsed !== 'object' || parsed === null) throw new InvalidContinuationTokenError();
  const { q, c } = parsed as Partial<Record<keyof ListToken, unknown>>;
  if (typeof c !== 'string' || c === '' || q !== tokenTag(expectedQuery, c)) {
    throw new InvalidContinuationTokenError();
  }
  return c;
}

function listQuery(tenantId: string, filter: ReportListFilter): SqlQuerySpec {
  const conditions = ['c.tenantId = @tenantId', "c.kind = 'report'"];
  const parameters: SqlParameter[] = [{ name: '@tenantId', value: tenantId }];
  if (filter.ownerId !== undefined) {
    conditions.push('c.ownerId = @ownerId');
    parameters.push({ name: '@ownerId', value: filter.ownerId });
  }
  if (filter.status !== undefined) {
    conditions.push('c.status = @status');
    parameters.push({ name: '@status', value: filter.status });
  }
  if (filter.reportType !== undefined) {
    conditions.push('c.reportType = @reportType');
    parameters.push({ name: '@reportType', value: filter.reportType });
  }
  return {
    query: `SELECT * FROM c WHERE ${conditions.join(' AND ')} ORDER BY c.createdAt DESC`,
    parameters,
  };
}

export function createCosmosReportStore(container: Container): ReportStore {
  /** A `SELECT VALUE COUNT(1)` query within one tenant's partition (a single-partition aggregate). */
  async function count(tenantId: string, query: SqlQuerySpec): Promise<number> {
    const { resources } = await container.items.query<number>(query, { partitionKey: tenantId }).fetchAll();
    // A partition's count may come in partial results (one per physical range scanned); they add up.
    return resources.reduce((sum, n) => sum + (typeof n === 'number' ? n : 0), 0);
  }

  const store: ReportStore = {
    async createWithOutbox(report: ReportDocument, outbox: OutboxDocument): Promise<'created' | 'conflict'> {
      if (outbox.tenantId !== report.tenantId) {
        throw new Error('the outbox document must be in the report tenant partition');
      }
      // The report goes first: it is the op that may conflict, and (even where batches are not atomic,
      // as on the local stand-in) a conflict on the first op means nothing was written.
      const operations: OperationInput[] = [
        { operationType: 'Create', resourceBody: asJson(report) },
        { operationType: 'Create', resourceBody: asJson(outbox) },
      ];
      const response = await container.items.batch(operations, report.tenantId);
      const codes = (response.result ?? []).map((r) => r.statusCode);
      if (codes[0] === 409) return 'conflict';
      if (codes.length === operations.length && codes.every((code) => code >= 200 && code < 300)) {
        return 'created';
      }
      throw new Error(
        `Cosmos batch creating report ${report.id} failed: status ${String(response.code)}, ` +
          `operations [${codes.join(', ')}]`,
      );
    },

    async get(tenantId: string, reportId: string): Promise<Stored<ReportDocument> | undefined> {
      try {
        const response = await container.item(reportId, tenantId).read<StoredReport>();
        const resource = response.resource;
        if (response.statusCode === 404 || !resource) return undefined;
        if (resource.kind !== 'report' || resource.tenantId !== tenantId) return undefined;
        return stored(resource, response.etag);
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    },

    async findActive(
      tenantId: string,
      ownerId: string,
      requestHash: string,
    ): Promise<ReportDocument | undefined> {
      const query: SqlQuerySpec = {
        // tenantId is filtered explicitly: the partitionKey option alone is not honoured everywhere.
        query:
          'SELECT TOP 1 * FROM c WHERE c.tenantId = @tenantId AND c.kind = @kind AND c.ownerId = @ownerId ' +
          'AND c.requestHash = @requestHash AND ARRAY_CONTAINS(@statuses, c.status) ORDER BY c.createdAt DESC',
        parameters: [
          { name: '@tenantId', value: tenantId },
          { name: '@kind', value: 'report' },
          { name: '@ownerId', value: ownerId },
          { name: '@requestHash', value: requestHash },
          { name: '@statuses', value: [...ACTIVE_STATUSES] },
        ],
      };
      const { resources } = await container.items
        .query<StoredReport>(query, { partitionKey: tenantId })
        .fetchAll();
      const found = resources[0];
      return found ? clean(found) : undefined;
    },

    async countActive(tenantId: string, ownerId: string): Promise<number> {
      return count(tenantId, {
        query:
          'SELECT VALUE COUNT(1) FROM c WHERE c.tenantId = @tenantId AND c.kind = @kind ' +
          'AND c.ownerId = @ownerId AND ARRAY_CONTAINS(@statuses, c.status)',
        parameters: [
          { name: '@tenantId', value: tenantId },
          { name: '@kind', value: 'report' },
          { name: '@ownerId', value: ownerId },
          { name: '@statuses', value: [...ACTIVE_STATUSES] },
        ],
      });
    },

    async countAhead(tenantId: string, report: Pick<ReportDocument, 'id' | 'createdAt'>): Promise<number> {
      return count(tenantId, {
        query:
          'SELECT VALUE COUNT(1) FROM c WHERE c.tenantId = @tenantId AND c.kind = @kind ' +
          "AND (c.status = 'Processing' OR (c.status = 'Pending' AND (c.createdAt < @createdAt " +
          'OR (c.createdAt = @createdAt AND c.id < @id))))',
        parameters: [
          { name: '@tenantId', value: tenantId },
          { name: '@kind', value: 'report' },
          { name: '@createdAt', value: report.createdAt },
          { name: '@id', value: report.id },
        ],
      });
    },

    async list(
      tenantId: string,
      filter: ReportListFilter,
      pageSize: number,
      continuationToken?: string,
    ): Promise<ReportPage> {
      if (!Number.isInteger(pageSize) || pageSize < 1)
        throw new RangeError('pageSize must be a positive integer');
      const fingerprint = queryFingerprint(tenantId, filter, pageSize);
      const sdkToken =
        continuationToken === undefined ? undefined : decodeToken(continuationToken, fingerprint);
      const iterator = container.items.query<StoredReport>(listQuery(tenantId, filter), {
        partitionKey: tenantId,
        maxItemCount: pageSize,
        ...(sdkToken === undefined ? {} : { continuationToken: sdkToken }),
      });
      const items: ReportDocument[] = [];
      let next: string | undefined;
      try {
        // An empty page that still has a continuation is followed, so callers never get one.
        do {
          const page = await iterator.fetchNext();
          for (const resource of page.resources) items.push(clean(resource));
          next = page.continuationToken || undefined;
        } while (items.length === 0 && next !== undefined);
      } catch (error) {
        // A corrupted inner token: the service answers 400, or the SDK fails to parse it itself.
        if (sdkToken !== undefined && (statusOf(error) === 400 || !hasCode(error))) {
          throw new InvalidContinuationTokenError();
        }
        throw error;
      }
      return {
        items,
        continuationToken: next === undefined ? null : encodeToken(fingerprint, next),
      };
    },

    async updateClaimed(
      tenantId: string,
      reportId: string,
      owner: string,
      fields: Partial<ReportDocument>,
    ): Promise<ReportDocument | 'lost'> {
      // Read, check the claim, replace if nothing changed meanwhile (else read again). A conditional
      // patch would save the read, but the local stand-in mangles patch conditions (it lower-cases them).
      for (let attempt = 0; attempt < CLAIMED_UPDATE_RETRIES; attempt++) {
        const current = await store.get(tenantId, reportId);
        if (!current || current.doc.status !== 'Processing' || current.doc.leaseOwner !== owner)
          return 'lost';
        const result = await store.replace({ ...current.doc, ...fields }, current.etag);
        if (result !== 'conflict') return result.doc;
      }
      throw new Error(`report ${reportId}: too many concurrent changes`);
    },

    async findExpiredLeases(now: Date, limit: number): Promise<Stored<ReportDocument>[]> {
      const { resources } = await container.items
        .query<StoredReport>({
          query:
            "SELECT TOP @limit * FROM c WHERE c.kind = 'report' AND c.status = 'Processing' " +
            'AND IS_STRING(c.leaseExpiresAt) AND c.leaseExpiresAt < @now ORDER BY c.leaseExpiresAt',
          parameters: [
            { name: '@limit', value: limit },
            { name: '@now', value: now.toISOString() },
          ],
        })
        .fetchAll();
      return resources.map((resource) => stored(resource, undefined));
    },

    async addOutbox(outbox: OutboxDocument): Promise<'created' | 'exists'> {
      try {
        await container.items.create(asJson(outbox));
        return 'created';
      } catch (error) {
        if (statusOf(error) === 409) return 'exists';
        throw error;
      }
    },

    async replace(report: ReportDocument, etag: string): Promise<Stored<ReportDocument> | 'conflict'> {
      try {
        const response = await container
          .item(report.id, report.tenantId)
          .replace<StoredReport>(report, { accessCondition: { type: 'IfMatch', condition: etag } });
        return stored(response.resource, response.etag);
      } catch (error) {
        if (statusOf(error) === 412) return 'conflict';
        throw error;
      }
    },
  };
  return store;
}
