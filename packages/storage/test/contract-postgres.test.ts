import { after } from 'node:test';
import { PostgresStore } from '../src/postgres/postgres-store.ts';
import { runStoreContract } from './contract.ts';
import { admin, DATABASE_URL, dropSchema, freshSchema } from './pg-fixture.ts';

// One fresh schema for this file (migrated by the first open, dropped at the end); every test gets its
// own store instance on an emptied table. Creating and dropping a schema per test costs ~0.5 s of DDL.
const schema = freshSchema();
after(() => dropSchema(schema));

runStoreContract(
  'postgres',
  async (clock) => {
    const store = await PostgresStore.open({ url: DATABASE_URL, schema, clock });
    return {
      store,
      reopen: () => PostgresStore.open({ url: DATABASE_URL, schema, clock }),
      cleanup: async () => {
        await store.close();
        await admin(`DELETE FROM ${schema}.records`);
      },
    };
  },
  { crossInstancePubSub: true },
);
