import { apiDocs } from './apiDocs';
import { cancelReport } from './cancelReport';
import { createReport } from './createReport';
import type { FunctionDefinition } from './definition';
import { downloadReport } from './downloadReport';
import { exportDeadLetters } from './exportDeadLetters';
import { exportWatchdog } from './exportWatchdog';
import { exportWorker } from './exportWorker';
import { getReport } from './getReport';
import { health } from './health';
import { limits } from './limits';
import { listReports } from './listReports';
import { openApi } from './openApi';
import { outboxRelay } from './outboxRelay';
import { outboxSweeper } from './outboxSweeper';
import { reportTypes } from './reportTypes';
import { webPage } from './webPage';

/** Every function of the app, in one list: the Azure entry point and the local host both read it. */
export const functions: readonly FunctionDefinition[] = [
  health,
  reportTypes,
  limits,
  createReport,
  getReport,
  listReports,
  cancelReport,
  downloadReport,
  outboxRelay,
  outboxSweeper,
  exportWorker,
  exportDeadLetters,
  exportWatchdog,
  webPage,
  openApi,
  apiDocs,
];
