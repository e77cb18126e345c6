import { collections } from '../model.ts';
import { defineOperation } from '../operation.ts';
import { requireTaggableResource } from './resource-exists.ts';
import { untagResourceInput } from './schemas/tags.ts';

export const untagResource = defineOperation({
  name: 'UntagResource',
  method: 'DELETE',
  path: '/tags/:resourceArn',
  plane: 'control',
  successStatus: 204,
  input: untagResourceInput,
  // The client sends no body; the keys come as a repeated query parameter (reference §3.6).
  inputFrom: (_body, params, query) => ({ resourceArn: params.resourceArn, tagKeys: query.getAll('tagKeys') }),
  async handler(input, { services }) {
    await services.store.transaction(async (tx) => {
      await requireTaggableResource(tx, services.config, input.resourceArn);
      const cur = await tx.get<{ tags: Record<string, string> }>(collections.tags, input.resourceArn);
      if (!cur) return;
      const tags = { ...cur.doc.tags };
      for (const k of input.tagKeys) delete tags[k];
      if (Object.keys(tags).length === 0) await tx.delete(collections.tags, input.resourceArn);
      else await tx.put(collections.tags, input.resourceArn, { tags });
    });
    return undefined;
  },
});
