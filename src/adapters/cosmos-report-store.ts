// ReportStore on the Cosmos DB `reports` container (partition key /tenantId), which holds report and
// outbox documents side by side so that a report and its outbox message commit in one batch.
// Longer than most modules on purpose: it is the one adapter of one port, its queries and its error
// translation in one place.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Container, OperationInput, SqlParameter, SqlQuerySpec } from '@azure/cosmos';
import { InvalidContinuationTokenError } from '../domain/errors';
import {
  ACTIVE_STATUSES,
  SUMMARY_FIELDS,
  summaryOf,
  type OutboxDocument,
  type ReportDocument,
  type ReportSummary,
} from '../domain/report';
import { reportEventOutbox } from '../domain/webhooks';
import type { ReportListFilter, ReportPage, ReportStore, Stored } from '../services/ports';
import { asJson, clean, readDocument, replaceIfMatch, statusOf, stored } from './cosmos-documents';
import { cosmosError, withTranslatedErrors } from './sdk-errors';

type StoredReport = ReportDocument & { _etag?: string };

/** Whether the error carries any `code` at all (service status or network errno). */
function hasCode(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error;
}

const CLAIMED_UPDATE_RETRIES = 5;

interface ListToken {
  /** HMAC tag binding `c` to the tenant, filter and page size it was issued for (no tampering). */
  q: string;
  /** The SDK's continuation token. */
  c: string;
}

function queryFingerprint(tenantId: string, filter: ReportListFilter, pageSize: number): string {
  return JSON.stringify([
    tenantId,
    filter.ownerId ?? null,
    filter.status ?? null,
    filter.reportType ?? null,
    pageSize,
    // Last, and only when set: a token issued before the format filter existed still matches its query.
    ...(filter.format === undefined ? [] : [filter.format]),
  ]);
}

/**
 * HMAC-SHA256, keyed with the server's continuation-token secret, over the query and the SDK token: a
 * client can read its token but cannot make a valid one for another query or another position.
 */
function tokenTag(secret: string, queryFingerprint: string, sdkToken: string): string {
  return createHmac('sha256', secret).update(`${queryFingerprint}\n${sdkToken}`).digest('base64url');
}

function encodeToken(secret: string, queryFingerprint: string, sdkToken: string): string {
  const token: ListToken = { q: tokenTag(secret, queryFingerprint, sdkToken), c: sdkToken };
  return Buffer.from(JSON.stringify(token), 'utf8').toString('base64url');
}

/**
 * The continuation token `list` hands out for this tenant, filter and page size when the SDK's own
 * continuation is `sdkToken` and the secret is `secret`: what a client gets back, so tests can carry
 * any SDK token to Cosmos.
 */
/** A chunked export under way with no claim on the report itself (its chunks hold theirs). */
const CHUNKED_UNDER_WAY =
  "c.status = 'Processing' AND IS_OBJECT(c.chunkPlan) AND NOT IS_STRING(c.leaseExpiresAt)";

export function listContinuationToken(
  tenantId: string,
  filter: ReportListFilter,
  pageSize: number,
  sdkToken: string,
  secret: string,
): string {
  return encodeToken(secret, queryFingerprint(tenantId, filter, pageSize), sdkToken);
}

function sameTag(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

function decodeToken(secret: string, raw: string, expectedQuery: string): string {
  let parsed: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(raw)) throw new Error('not base64url');
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidContinuationTokenError();
  }
  if (typeof parsed !== 'object' || parsed === null) throw new InvalidContinuationTokenError();
  const { q, c } = parsed as Partial<Record<keyof ListToken, unknown>>;
  if (typeof c !== 'string' || c === '' || !sameTag(q, tokenTag(secret, expectedQuery, c))) {
    throw new InvalidContinuationTokenError();
  }
  return c;
}

/** The projection of a list page: only what the resource shows. */
const LISTED = SUMMARY_FIELDS.map((field) => `c.${field}`).join(', ');

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
  if (filter.format !== undefined) {
    conditions.push('c.format = @format');
    parameters.push({ name: '@format', value: filter.format });
  }
  return {
    query: `SELECT ${LISTED} FROM c WHERE ${conditions.join(' AND ')} ORDER BY c.createdAt DESC`,
    parameters,
  };
}

/**
 * `continuationTokenSecret` keys the integrity tag of the continuation tokens `list` hands out
 * (CONTINUATION_TOKEN_SECRET).
 */
export function createCosmosReportStore(container: Container, continuationTokenSecret: string): ReportStore {
  /** A `SELECT VALUE COUNT(1)` query within one tenant's partition (a single-partition aggregate). */
  /** How many of the tenant's reports match `condition` (one aggregate within its partition). */
  /** Reports of every tenant that meet `condition`, least recently written first, at most `@limit`. */
  async function oldestReports(
    condition: string,
    parameters: SqlQuerySpec['parameters'],
  ): Promise<Stored<ReportDocument>[]> {
    const { resources } = await container.items
      .query<StoredReport>({
        query: `SELECT TOP @limit * FROM c WHERE c.kind = 'report' AND ${condition} ORDER BY c._ts`,
        parameters,
      })
      .fetchAll();
    return resources.map((resource) => stored<ReportDocument>(resource, undefined));
  }

  /** Counts the tenant's reports that hold a place and meet `condition`: a re-driven one holds none. */
  async function countPlaceHolders(
    tenantId: string,
    condition: string,
    parameters: SqlQuerySpec['parameters'] = [],
  ): Promise<number> {
    const query: SqlQuerySpec = {
      query:
        'SELECT VALUE COUNT(1) FROM c WHERE c.tenantId = @tenantId AND c.kind = @kind ' +
        `AND NOT IS_STRING(c.redrivenAt) AND ${condition}`,
      parameters: [
        { name: '@tenantId', value: tenantId },
        { name: '@kind', value: 'report' },
        ...(parameters ?? []),
      ],
    };
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
      return readDocument<ReportDocument>(
        container,
        reportId,
        tenantId,
        (resource) => resource.kind === 'report' && resource.tenantId === tenantId,
      );
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
      return found ? clean<ReportDocument>(found) : undefined;
    },

    countActive(tenantId: string, ownerId: string): Promise<number> {
      return countPlaceHolders(tenantId, 'c.ownerId = @ownerId AND ARRAY_CONTAINS(@statuses, c.status)', [
        { name: '@ownerId', value: ownerId },
        { name: '@statuses', value: [...ACTIVE_STATUSES] },
      ]);
    },

    countAhead(tenantId: string, report: Pick<ReportDocument, 'id' | 'createdAt'>): Promise<number> {
      return countPlaceHolders(
        tenantId,
        "(c.status = 'Processing' OR (c.status = 'Pending' AND (c.createdAt < @createdAt " +
          'OR (c.createdAt = @createdAt AND c.id < @id))))',
        [
          { name: '@createdAt', value: report.createdAt },
          { name: '@id', value: report.id },
        ],
      );
    },

    countProcessing(tenantId: string): Promise<number> {
      return countPlaceHolders(tenantId, "c.status = 'Processing'");
    },

    async oldestPending(tenantId: string, limit: number): Promise<ReportDocument[]> {
      const { resources } = await container.items
        .query<StoredReport>(
          {
            query:
              'SELECT TOP @limit * FROM c WHERE c.tenantId = @tenantId AND c.kind = @kind ' +
              "AND c.status = 'Pending' ORDER BY c.createdAt",
            parameters: [
              { name: '@limit', value: limit },
              { name: '@tenantId', value: tenantId },
              { name: '@kind', value: 'report' },
            ],
          },
          { partitionKey: tenantId },
        )
        .fetchAll();
      return resources.map((resource) => stored<ReportDocument>(resource, undefined).doc);
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
        continuationToken === undefined
          ? undefined
          : decodeToken(continuationTokenSecret, continuationToken, fingerprint);
      const iterator = container.items.query<ReportSummary>(listQuery(tenantId, filter), {
        partitionKey: tenantId,
        maxItemCount: pageSize,
        ...(sdkToken === undefined ? {} : { continuationToken: sdkToken }),
      });
      const items: ReportSummary[] = [];
      let next: string | undefined;
      try {
        // An empty page that still has a continuation is followed, so callers never get one.
        do {
          const page = await iterator.fetchNext();
          for (const resource of page.resources) items.push(summaryOf(clean<ReportSummary>(resource)));
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
        continuationToken:
          next === undefined ? null : encodeToken(continuationTokenSecret, fingerprint, next),
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
      return resources.map((resource) => stored<ReportDocument>(resource, undefined));
    },

    async findStalled(before: Date, limit: number): Promise<Stored<ReportDocument>[]> {
      const parameters = [
        { name: '@limit', value: limit },
        { name: '@before', value: Math.floor(before.getTime() / 1000) },
      ];
      // Two queries, so that many reports of one kind never hide the other.
      const pages = await Promise.all([
        oldestReports("c.status = 'Pending' AND c._ts < @before", parameters),
        oldestReports(`${CHUNKED_UNDER_WAY} AND c._ts < @before`, parameters),
      ]);
      return pages.flat();
    },

    findCancelling(limit: number): Promise<Stored<ReportDocument>[]> {
      return oldestReports(`${CHUNKED_UNDER_WAY} AND c.cancelRequested = true`, [
        { name: '@limit', value: limit },
      ]);
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
      const event = reportEventOutbox(report);
      if (!event) return replaceIfMatch(container, report, report.tenantId, etag);
      // The report has just ended: it and its event commit together. The report goes first, so a stale
      // etag (412) fails the batch before the event is written (where batches are not atomic too).
      const operations: OperationInput[] = [
        { operationType: 'Replace', id: report.id, resourceBody: asJson(report), ifMatch: etag },
        { operationType: 'Create', resourceBody: asJson(event) },
      ];
      const response = await container.items.batch(operations, report.tenantId);
      const results = response.result ?? [];
      const [first] = results;
      if (first?.statusCode === 412) return 'conflict';
      // As the SDK throws it for a single replace: the adapter's translation makes it the database's refusal.
      if (first?.statusCode === 404)
        throw Object.assign(new Error(`report ${report.id} not found`), { code: 404 });
      if (
        first?.eTag &&
        results.length === operations.length &&
        results.every((r) => r.statusCode >= 200 && r.statusCode < 300)
      ) {
        return { doc: report, etag: first.eTag };
      }
      throw new Error(
        `Cosmos batch ending report ${report.id} failed: status ${String(response.code)}, ` +
          `operations [${results.map((r) => r.statusCode).join(', ')}]`,
      );
    },
  };
  return withTranslatedErrors(store, cosmosError);
}
