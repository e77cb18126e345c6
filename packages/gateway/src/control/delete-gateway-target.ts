import { docChanged } from '@mandate/edge';
import { defineOperation } from '../operation.ts';
import { gatewayCollections as C, targetKey } from '../model.ts';
import { bumpTargetsRevision, loadGateway, loadTarget } from '../records.ts';
import { targetInput } from './get-gateway-target.ts';

/** DELETE /gateways/{gatewayIdentifier}/targets/{targetId}/ → 202. Its tools disappear from the gateway at once, on every instance. */
export const deleteGatewayTarget = () => defineOperation({
  name: 'DeleteGatewayTarget',
  method: 'DELETE',
  path: '/gateways/:gatewayIdentifier/targets/:targetId/',
  plane: 'control',
  successStatus: 202,
  input: targetInput,
  inputFrom: (_b, p) => ({ gatewayIdentifier: p.gatewayIdentifier, targetId: p.targetId }),
  async handler(input, { services }) {
    let gatewayArn = '';
    let gatewayId = '';
    await services.store.transaction(async (tx) => {
      const rec = await loadGateway(services, tx, input.gatewayIdentifier);
      gatewayArn = rec.doc.gatewayArn;
      gatewayId = rec.doc.gatewayId;
      const t = (await loadTarget(tx, gatewayId, input.targetId)).doc;
      await tx.delete(C.targets, targetKey(gatewayId, t.targetId));
      await tx.delete(C.targetNames, targetKey(gatewayId, t.name));
      await bumpTargetsRevision(tx, rec);
    });
    await docChanged(services, C.gateways, gatewayId);
    return { gatewayArn, targetId: input.targetId, status: 'DELETING' };
  },
});
