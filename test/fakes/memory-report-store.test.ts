// The in-memory ReportStore of the unit tests against the ReportStore contract, which the Cosmos adapter
// passes too (test/src/adapters/cosmos-report-store.test.ts).
import { describeReportStoreContract } from '../contracts/report-store.contract';
import { MemoryReportStore } from './memory-report-store';

describeReportStoreContract('MemoryReportStore', () => {
  const store = new MemoryReportStore();
  return {
    store,
    stored: async (tenantId, id) => {
      const doc = store.docs().find((d) => d.tenantId === tenantId && d.id === id);
      return doc && { ...doc };
    },
  };
});
