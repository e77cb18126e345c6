import { PostgresStore } from '../src/postgres/postgres-store.ts';
import { runStoreContract } from './contract.ts';
import { DATABASE_URL, dropSchema, freshSchema } from './pg-fixture.ts';

runStoreContract(
  'postgres',
  async (clock) => {
    const schema = freshSchema();
    const store = await PostgresStore.open({ url: DATABASE_URL, schema, clock });
    return {
      store,
      reopen: () => PostgresStore.open({ url: DATABASE_URL, schema, clock }),
      cleanup: async () => {
        await store.close();
        await dropSchema(schema);
      },
    };
  },
  { crossInstancePubSub: true },
);
