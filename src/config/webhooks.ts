// How webhooks are delivered: which hosts may be called over plain http or at inside addresses, how long
// a receiver gets, when a failed delivery is tried again, and how long a rotated-out secret still signs.
import { z } from 'zod';

/** A comma-separated list of host names, lower-case, blanks dropped. */
const hostList = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((host) => host.trim().toLowerCase())
      .filter(Boolean),
  );

/** Seconds between attempts, comma-separated: one number per retry. */
const schedule = z
  .string()
  .default('5,300,1800,7200,18000,36000,36000')
  .transform((value, ctx) => {
    const delays = value.split(',').map((part) => Number(part.trim()));
    if (delays.length > 20 || delays.some((n) => !Number.isFinite(n) || n < 0 || n > 86_400)) {
      ctx.addIssue({
        code: 'custom',
        message: 'must be at most 20 delays of 0 to 86400 seconds, comma-separated',
      });
      return z.NEVER;
    }
    return delays;
  });

export const webhooks = z
  .object({
    WEBHOOK_ALLOWED_HOSTS: hostList,
    WEBHOOK_TIMEOUT_SECONDS: z.coerce.number().min(0.1).max(30).default(5),
    WEBHOOK_RETRY_SCHEDULE_SECONDS: schedule,
    WEBHOOK_SECRET_GRACE_SECONDS: z.coerce
      .number()
      .int()
      .min(0)
      .max(30 * 86_400)
      .default(86_400),
  })
  .transform((s) => ({
    /**
     * Hosts a webhook may reach over plain http and at a private or loopback address (`localhost` and
     * `127.0.0.1` for local development); none in Azure.
     */
    allowedHosts: s.WEBHOOK_ALLOWED_HOSTS,
    /** How long a receiver has to answer one delivery. */
    timeoutMs: s.WEBHOOK_TIMEOUT_SECONDS * 1000,
    /**
     * Seconds before each retry of a failed delivery: by default 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and
     * 10 h, so eight attempts over about a day; after the last the delivery is Failed.
     */
    retryScheduleSeconds: s.WEBHOOK_RETRY_SCHEDULE_SECONDS,
    /** How long the secret a rotation replaces still signs deliveries (receivers switch meanwhile). */
    secretGraceSeconds: s.WEBHOOK_SECRET_GRACE_SECONDS,
  }));
