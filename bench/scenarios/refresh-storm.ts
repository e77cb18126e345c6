import type { Scenario } from '../lib/context.ts';

export const refreshStorm: Scenario = {
  name: 'refresh-storm',
  async run() {
    throw new Error('not written yet');
  },
};
