// The warning a completed export gets when it matched no rows: the file is complete (a header, an empty
// array, an empty sheet), and the report says why it holds nothing, in the report type's words (an
// album that does not exist, a range without ratings).
import type { ReportFields } from '../../domain/report';
import type { WorkerContext, WorkerLog } from './context';
import type { RunnableReport } from './runnable';

const GENERAL = 'No rows matched the report’s parameters.';

/** `{ warnings }` for a report completed with `rowCount` rows: none unless it has no rows. */
export async function emptyResultFields(
  ctx: WorkerContext,
  run: RunnableReport,
  rowCount: number,
  log: WorkerLog,
): Promise<Pick<ReportFields, 'warnings'>> {
  if (rowCount > 0) return {};
  try {
    const context = { data: ctx.data, signal: new AbortController().signal };
    const warning = await run.type.emptyWarning?.(run.parameters, context);
    return { warnings: [warning ?? GENERAL] };
  } catch (error) {
    // The file is there and right; only the explanation is missing.
    log.warn(`could not explain an empty ${run.type.name} export: ${String(error)}`);
    return { warnings: [GENERAL] };
  }
}
