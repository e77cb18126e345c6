import { MemoryStore } from '../src/memory.ts';
import { runStoreContract } from './contract.ts';

runStoreContract('memory', async (clock) => {
  const store = new MemoryStore({ clock });
  return { store, cleanup: () => store.close() };
});
