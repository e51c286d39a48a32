// What the Cosmos DB adapters share: documents without system properties, reads that treat 404 as
// absent, and etag-conditional replaces that answer 'conflict' instead of throwing on 412.
import type { Container, JSONObject } from '@azure/cosmos';
import type { Stored } from '../services/ports';

const SYSTEM_PROPERTIES = ['_rid', '_self', '_ts', '_attachments', '_etag'] as const;

type WithEtag<T> = T & { _etag?: string };

/** The status code of a Cosmos SDK error (numeric for service answers), if any. */
export function statusOf(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const { code } = error;
    if (typeof code === 'number') return code;
  }
  return undefined;
}

/** Our documents are plain JSON data; the SDK's input types cannot see that through their interfaces. */
export function asJson(doc: object): JSONObject {
  const copy: JSONObject = { ...doc };
  return copy;
}

/** A copy of the stored document without Cosmos system properties. */
export function clean<T>(resource: WithEtag<T>): T {
  const copy: Record<string, unknown> = { ...resource };
  for (const key of SYSTEM_PROPERTIES) delete copy[key];
  return copy as T;
}

export function stored<T>(resource: WithEtag<T> | undefined, etag: string | undefined): Stored<T> {
  const tag = etag ?? resource?._etag;
  if (!resource || !tag) throw new Error('Cosmos returned a document without a body or an etag');
  return { doc: clean(resource), etag: tag };
}

/** The document `id` in partition `partitionKey` when `accept` takes it, else undefined (also on 404). */
export async function readDocument<T>(
  container: Container,
  id: string,
  partitionKey: string,
  accept: (resource: T) => boolean,
): Promise<Stored<T> | undefined> {
  try {
    const response = await container.item(id, partitionKey).read<WithEtag<T>>();
    const resource = response.resource;
    if (response.statusCode === 404 || !resource || !accept(resource)) return undefined;
    return stored(resource, response.etag);
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

/** Replaces the document if its etag still matches; 'conflict' when someone changed it meanwhile. */
export async function replaceIfMatch<T extends { id: string }>(
  container: Container,
  doc: T,
  partitionKey: string,
  etag: string,
): Promise<Stored<T> | 'conflict'> {
  try {
    const response = await container
      .item(doc.id, partitionKey)
      .replace<WithEtag<T>>(doc, { accessCondition: { type: 'IfMatch', condition: etag } });
    return stored(response.resource, response.etag);
  } catch (error) {
    if (statusOf(error) === 412) return 'conflict';
    throw error;
  }
}
