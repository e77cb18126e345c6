import { validationError } from '@mandate/core';
import { collections } from '../model.ts';
import { defineOperation } from '../operation.ts';
import { requireTaggableResource } from './resource-exists.ts';
import { tagResourceInput } from './schemas/tags.ts';

export const MAX_TAGS = 50;

export const tagResource = defineOperation({
  name: 'TagResource',
  method: 'POST',
  path: '/tags/:resourceArn',
  plane: 'control',
  successStatus: 204,
  input: tagResourceInput,
  inputFrom: (body, params) => ({ ...body, resourceArn: params.resourceArn }),
  async handler(input, { services }) {
    await services.store.transaction(async (tx) => {
      await requireTaggableResource(tx, services.config, input.resourceArn);
      const cur = await tx.get<{ tags: Record<string, string> }>(collections.tags, input.resourceArn);
      const tags = { ...(cur?.doc.tags ?? {}), ...input.tags };
      if (Object.keys(tags).length > MAX_TAGS) throw validationError(`A resource can have at most ${MAX_TAGS} tags.`, [{ name: 'tags', message: `Member must have length less than or equal to ${MAX_TAGS}` }]);
      await tx.put(collections.tags, input.resourceArn, { tags });
    });
    return undefined;
  },
});
