// The bodies of the report-requests queue's messages, declared once as zod schemas with their types
// inferred from them. The outbox documents carry them (./report.ts builds them), the relay sends them,
// and the export worker parses them (src/services/export/messages.ts). Message ids: ./message-ids.ts.
import { z } from 'zod';

/** The body of an `ExportRequested` message (the outbox payload): run (or plan) the whole report. */
export const exportRequestSchema = z.object({
  tenantId: z.string().min(1),
  reportId: z.string().min(1),
  reportType: z.string().min(1),
  format: z.string().min(1),
});
export type ExportRequest = z.infer<typeof exportRequestSchema>;

/** The body of an `ExportChunkRequested` message: run chunk `chunkIndex` of plan `planId`. */
export const chunkRequestSchema = exportRequestSchema.extend({
  planId: z.number().int().min(0),
  chunkIndex: z.number().int().min(0),
});
export type ChunkRequest = z.infer<typeof chunkRequestSchema>;
