import type { Scenario } from '../lib/context.ts';

export const runtimeOverhead: Scenario = {
  name: 'runtime-overhead',
  async run() {
    throw new Error('not written yet');
  },
};
