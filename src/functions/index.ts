import type { Services } from '../services';
import { apiDocs } from './apiDocs';
import { makeCancelReport } from './cancelReport';
import { makeCreateReport } from './createReport';
import type { FunctionDefinition } from './definition';
import { makeDownloadReport } from './downloadReport';
import { makeExportDeadLetters } from './exportDeadLetters';
import { makeExportWatchdog } from './exportWatchdog';
import { makeExportWorker } from './exportWorker';
import { makeGetReport } from './getReport';
import { makeHealth } from './health';
import { makeLimits } from './limits';
import { makeListReports } from './listReports';
import { makeOpenApi } from './openApi';
import { makeOutboxRelay } from './outboxRelay';
import { makeOutboxSweeper } from './outboxSweeper';
import { makeReportTypes } from './reportTypes';
import { makeWebPage } from './webPage';
import { makeRedeliverWebhook } from './redeliverWebhook';
import { makeWebhook } from './webhook';
import { makeWebhookDeliveries } from './webhookDeliveries';
import { makeWebhookDelivery } from './webhookDelivery';
import { makeWebhooks } from './webhooks';
import { makeWebhookSecret } from './webhookSecret';

/**
 * Every function of the app, in one list, each given the services it uses: the Azure entry point and
 * the local host both register this list (see ../composition.ts, which calls it).
 */
export function createFunctions(services: Services): readonly FunctionDefinition[] {
  return [
    makeHealth(services),
    makeReportTypes(services),
    makeLimits(services),
    makeCreateReport(services),
    makeGetReport(services),
    makeListReports(services),
    makeCancelReport(services),
    makeDownloadReport(services),
    makeOutboxRelay(services),
    makeOutboxSweeper(services),
    makeExportWorker(services),
    makeExportDeadLetters(services),
    makeExportWatchdog(services),
    makeWebhooks(services),
    makeWebhook(services),
    makeWebhookSecret(services),
    makeWebhookDeliveries(services),
    makeRedeliverWebhook(services),
    makeWebhookDelivery(services),
    makeWebPage(services),
    makeOpenApi(services),
    apiDocs,
  ];
}
