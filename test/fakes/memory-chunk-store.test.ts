// The in-memory ChunkStore of the unit tests against the ChunkStore contract, which the Cosmos adapter
// passes too (test/src/adapters/cosmos-chunk-store.test.ts).
import { describeChunkStoreContract } from '../contracts/chunk-store.contract';
import { MemoryChunkStore } from './memory-chunk-store';

describeChunkStoreContract('MemoryChunkStore', () => new MemoryChunkStore());
