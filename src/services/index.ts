// The services the functions are handed: declared here, apart from the composition root that builds
// them, so that a function's types do not lead back to the root that imports every function.
import type { AppConfig } from '../config';
import type { Principal } from '../domain/principal';
import type { ReportTypeRegistry } from '../domain/report-types';
import type { ExportWorker } from './export-worker';
import type { HealthReport } from './health';
import type { OutboxSweep } from './outbox-relay';
import type { MessagePublisher } from './ports';
import type { ReportService } from './reports';
import type { WebhookService } from './webhooks';

/**
 * What the functions are handed (see ../functions): the use cases, built once by the composition root
 * (../composition.ts) from the validated config. No handler reaches for a service any other way.
 */
export interface Services {
  config: AppConfig;
  reportTypes: ReportTypeRegistry;
  health(): Promise<HealthReport>;
  verifyToken(authorizationHeader: string | null | undefined): Promise<Principal>;
  reports: ReportService;
  exportWorker: ExportWorker;
  outbox: OutboxSweep;
  webhooks: WebhookService;
  /** Publishers of the app's own queues: a queue trigger puts a delivery held in an outage back with them. */
  queues: { reportRequests: MessagePublisher; reportEvents: MessagePublisher };
}
