// Where a report's file lives in the reports container: `{tenantId}/{reportId}/{fileName}`.
//
// Each part is one path segment whatever it holds. A part made only of letters, digits, `-`, `_` and
// inner dots (the tenant and report ids, the generated file name) is used as it is, so names stay
// readable; any other part (a `/`, `%`, `..`, a leading or trailing dot, non-ASCII, empty) is written
// as `~` followed by its UTF-8 bytes in base64url. A plain part never starts with `~`, so two different
// parts never give the same segment, and no segment can climb out of, or into, another folder.
import type { ReportDocument } from './report';

const PLAIN_SEGMENT = /^[A-Za-z0-9_-](?:[A-Za-z0-9._-]*[A-Za-z0-9_-])?$/;
const MAX_PLAIN_LENGTH = 255;

/** `part` as one safe path segment of a blob name. */
export function blobSegment(part: string): string {
  if (part.length <= MAX_PLAIN_LENGTH && PLAIN_SEGMENT.test(part)) return part;
  return `~${Buffer.from(part, 'utf8').toString('base64url')}`;
}

/** The blob name of a report's file. */
export const blobNameFor = (report: Pick<ReportDocument, 'tenantId' | 'id'>, fileName: string): string =>
  [report.tenantId, report.id, fileName].map(blobSegment).join('/');
