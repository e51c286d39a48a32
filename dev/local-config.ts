// Settings only the local tooling reads, declared the way the app's are (src/config.ts): the queue options
// the local Service Bus peer is started with (infra/ provisions the same on the Azure queue) and the
// change feed's leases container that local provisioning creates. The app never reads them: in Azure the
// queue is provisioned by infra/, and the leases container is named to the change feed trigger by its
// binding (`%COSMOS_LEASES_CONTAINER%`), not through the config.
import { z } from 'zod';
import { fromEnvironment, parseEnvironment, resourceName, setting, type Env } from '../src/config/env';

/** The report-requests queue as infra/ provisions it (and the local peer is started with). */
const queue = z
  .object({
    SERVICEBUS_MAX_DELIVERY_COUNT: z.coerce.number().int().min(1).max(2000).default(10),
    SERVICEBUS_LOCK_DURATION_SECONDS: z.coerce.number().int().min(5).max(300).default(60),
    SERVICEBUS_DUPLICATE_DETECTION_WINDOW_MINUTES: z.coerce.number().int().min(1).max(10080).default(10),
  })
  .transform((s) => ({
    maxDeliveryCount: s.SERVICEBUS_MAX_DELIVERY_COUNT,
    lockDurationSeconds: s.SERVICEBUS_LOCK_DURATION_SECONDS,
    duplicateDetectionWindowMinutes: s.SERVICEBUS_DUPLICATE_DETECTION_WINDOW_MINUTES,
  }));

const localConfigSchema = fromEnvironment({
  queue,
  /** The change feed trigger's leases (partition key `/id`). */
  leasesContainer: setting('COSMOS_LEASES_CONTAINER', resourceName.default('leases')),
});

export type LocalConfig = z.output<typeof localConfigSchema>;
export type QueueSettings = LocalConfig['queue'];

/** Parses the local tooling's settings; throws a ConfigError naming every malformed one. */
export function loadLocalConfig(env: Env = process.env): LocalConfig {
  return parseEnvironment(localConfigSchema, env);
}
