import type { WorkloadIdentityDoc } from '../model.ts';
import { seconds } from './common.ts';

export function workloadIdentityView(d: WorkloadIdentityDoc) {
  return {
    name: d.name,
    workloadIdentityArn: d.workloadIdentityArn,
    allowedResourceOauth2ReturnUrls: d.allowedResourceOauth2ReturnUrls,
    createdTime: seconds(d.createdTime),
    lastUpdatedTime: seconds(d.lastUpdatedTime),
  };
}
