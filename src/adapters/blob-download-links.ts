// Short-lived, read-only SAS links for exactly one report blob. In Azure (identity-based client) the SAS
// is a user delegation SAS signed with a key obtained through the app's managed identity; with an
// account key (Azurite) it is a service SAS signed with that key.
import {
  BlobSASPermissions,
  generateBlobSASQueryParameters,
  SASProtocol,
  StorageSharedKeyCredential,
  type BlobServiceClient,
  type UserDelegationKey,
} from '@azure/storage-blob';
import { attachmentDisposition } from '../domain/format';
import type { DownloadLink, DownloadLinks } from '../services/ports';
import { blobError, withTranslatedErrors } from './sdk-errors';

/** The SAS service version; newer ones are refused by Azurite's user delegation SAS check. */
const SAS_VERSION = '2025-11-05';
const CLOCK_SKEW_MS = 5 * 60_000;

export function createBlobDownloadLinks(
  blob: BlobServiceClient,
  containerName: string,
  validMinutes: number,
  now: () => Date = () => new Date(),
): DownloadLinks {
  const sharedKey = blob.credential instanceof StorageSharedKeyCredential ? blob.credential : undefined;
  let delegation: { key: UserDelegationKey; expiresOn: Date } | undefined;

  /** One delegation key serves many links: it is fetched again only when it would expire too soon. */
  async function delegationKey(linkExpiresOn: Date): Promise<UserDelegationKey> {
    if (!delegation || delegation.expiresOn.getTime() < linkExpiresOn.getTime()) {
      const startsOn = new Date(now().getTime() - CLOCK_SKEW_MS);
      const expiresOn = new Date(now().getTime() + 6 * 3600_000); // well under the 7-day maximum
      delegation = { key: await blob.getUserDelegationKey(startsOn, expiresOn), expiresOn };
    }
    return delegation.key;
  }

  const links: DownloadLinks = {
    async create(blobName: string, fileName: string): Promise<DownloadLink> {
      const startsOn = new Date(now().getTime() - CLOCK_SKEW_MS);
      const expiresOn = new Date(now().getTime() + validMinutes * 60_000);
      const values = {
        containerName,
        blobName,
        permissions: BlobSASPermissions.parse('r'),
        startsOn,
        expiresOn,
        version: SAS_VERSION,
        // Azurite speaks http; Azure storage accounts only https.
        protocol: blob.url.startsWith('https:') ? SASProtocol.Https : SASProtocol.HttpsAndHttp,
        contentDisposition: attachmentDisposition(fileName),
      };
      const sas = sharedKey
        ? generateBlobSASQueryParameters(values, sharedKey)
        : generateBlobSASQueryParameters(values, await delegationKey(expiresOn), blob.accountName);
      const url = `${blob.getContainerClient(containerName).getBlobClient(blobName).url}?${sas.toString()}`;
      return { url, expiresAt: expiresOn.toISOString() };
    },
  };
  return withTranslatedErrors(links, blobError);
}
