import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateWorkloadIdentityCommand, DeleteWorkloadIdentityCommand, GetWorkloadIdentityCommand, ListWorkloadIdentitiesCommand,
  UpdateWorkloadIdentityCommand, paginateListWorkloadIdentities, ResourceNotFoundException, ValidationException, ConflictException,
} from '@aws-sdk/client-bedrock-agentcore-control';
import { collections } from '../src/model.ts';
import { ACCOUNT, REGION, snapshot, startControlServer, type ControlHarness } from './helpers/control-server.ts';

let h: ControlHarness;
before(async () => { h = await startControlServer(); });
after(async () => { await h.close(); });

const arn = (name: string) => `arn:aws:bedrock-agentcore:${REGION}:${ACCOUNT}:workload-identity-directory/default/workload-identity/${name}`;

describe('workload identities through the unmodified control-plane client', () => {
  test('create → get → update → list → delete', async () => {
    const created = await h.client.send(new CreateWorkloadIdentityCommand({ name: 'wi-life', allowedResourceOauth2ReturnUrls: ['https://app.example.com/return'], tags: { team: 'a' } }));
    assert.equal(created.$metadata.httpStatusCode, 201);
    assert.ok(created.$metadata.requestId);
    assert.equal(created.name, 'wi-life');
    assert.equal(created.workloadIdentityArn, arn('wi-life'));
    assert.deepEqual(created.allowedResourceOauth2ReturnUrls, ['https://app.example.com/return']);

    const got = await h.client.send(new GetWorkloadIdentityCommand({ name: 'wi-life' }));
    assert.equal(got.$metadata.httpStatusCode, 200);
    assert.ok(got.createdTime instanceof Date);
    assert.ok(Math.abs(got.createdTime.getTime() - Date.now()) < 60_000);
    assert.deepEqual(got.lastUpdatedTime, got.createdTime);

    const updated = await h.client.send(new UpdateWorkloadIdentityCommand({ name: 'wi-life', allowedResourceOauth2ReturnUrls: ['https://app.example.com/other', 'http://localhost:8080/cb'] }));
    assert.deepEqual(updated.allowedResourceOauth2ReturnUrls, ['https://app.example.com/other', 'http://localhost:8080/cb']);
    assert.deepEqual(updated.createdTime, got.createdTime);
    assert.ok(updated.lastUpdatedTime!.getTime() >= got.createdTime.getTime());

    const listed = await h.client.send(new ListWorkloadIdentitiesCommand({}));
    assert.deepEqual(listed.workloadIdentities?.find((w) => w.name === 'wi-life'), { name: 'wi-life', workloadIdentityArn: arn('wi-life') });

    const del = await h.client.send(new DeleteWorkloadIdentityCommand({ name: 'wi-life' }));
    assert.equal(del.$metadata.httpStatusCode, 204);
    await assert.rejects(h.client.send(new GetWorkloadIdentityCommand({ name: 'wi-life' })), (e: unknown) => {
      assert.ok(e instanceof ResourceNotFoundException);
      assert.equal(e.message, 'The workload identity wi-life does not exist.');
      assert.equal(e.$metadata.httpStatusCode, 404);
      return true;
    });
    // Tags went with the resource.
    assert.equal(await h.store.get(collections.tags, arn('wi-life')), undefined);
  });

  test('the paginator walks every page and nextToken is opaque', async () => {
    const names = Array.from({ length: 23 }, (_, i) => `page-${String(i).padStart(2, '0')}`);
    for (const name of names) await h.client.send(new CreateWorkloadIdentityCommand({ name }));
    const pages: number[] = [];
    const seen: string[] = [];
    for await (const page of paginateListWorkloadIdentities({ client: h.client, pageSize: 5 }, {})) {
      pages.push(page.workloadIdentities!.length);
      seen.push(...page.workloadIdentities!.map((w) => w.name!));
    }
    assert.deepEqual(seen.filter((n) => n.startsWith('page-')), names);
    assert.ok(pages.length >= 5);
    assert.ok(pages.every((n) => n <= 5));
    const first = await h.client.send(new ListWorkloadIdentitiesCommand({}));
    assert.equal(first.workloadIdentities!.length, 10, 'default page size is 10');
    assert.ok(first.nextToken && !first.nextToken.includes('page-'));
    for (const name of names) await h.client.send(new DeleteWorkloadIdentityCommand({ name }));
  });

  test('errors: bad name, missing name, duplicate, unknown, bad URL, bad token, maxResults range', async () => {
    await h.client.send(new CreateWorkloadIdentityCommand({ name: 'dup' }));
    await assert.rejects(h.client.send(new CreateWorkloadIdentityCommand({ name: 'dup' })), (e: unknown) => {
      assert.ok(e instanceof ConflictException);
      assert.equal(e.message, 'A workload identity named dup already exists.');
      assert.equal(e.$metadata.httpStatusCode, 409);
      return true;
    });
    await assert.rejects(h.client.send(new CreateWorkloadIdentityCommand({ name: 'bad name!' })), (e: unknown) => {
      assert.ok(e instanceof ValidationException);
      assert.equal(e.reason, 'FieldValidationFailed');
      assert.deepEqual(e.fieldList, [{ name: 'name', message: 'Member must satisfy regular expression pattern: [a-zA-Z0-9\\-_]+' }]);
      assert.equal(e.message, "1 validation error detected: Value at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9\\-_]+");
      return true;
    });
    await assert.rejects(h.client.send(new CreateWorkloadIdentityCommand({ name: 'x'.repeat(129) })), (e: unknown) => {
      assert.ok(e instanceof ValidationException);
      assert.deepEqual(e.fieldList, [{ name: 'name', message: 'Member must have length less than or equal to 128' }]);
      return true;
    });
    await assert.rejects(h.client.send(new CreateWorkloadIdentityCommand({} as never)), (e: unknown) => {
      assert.ok(e instanceof ValidationException);
      assert.deepEqual(e.fieldList, [{ name: 'name', message: 'Member must not be null' }]);
      return true;
    });
    await assert.rejects(h.client.send(new CreateWorkloadIdentityCommand({ name: 'bad-url', allowedResourceOauth2ReturnUrls: ['javascript:alert(1)', 'https://ok.example.com/#frag'] })), (e: unknown) => {
      assert.ok(e instanceof ValidationException);
      assert.equal(e.fieldList?.length, 2);
      assert.deepEqual(e.fieldList?.map((f) => f.name), ['allowedResourceOauth2ReturnUrls.0', 'allowedResourceOauth2ReturnUrls.1']);
      assert.match(e.message, /^2 validation errors detected: /);
      return true;
    });
    await assert.rejects(h.client.send(new GetWorkloadIdentityCommand({ name: 'nope' })), ResourceNotFoundException);
    await assert.rejects(h.client.send(new UpdateWorkloadIdentityCommand({ name: 'nope', allowedResourceOauth2ReturnUrls: [] })), ResourceNotFoundException);
    await assert.rejects(h.client.send(new DeleteWorkloadIdentityCommand({ name: 'nope' })), ResourceNotFoundException);
    await assert.rejects(h.client.send(new ListWorkloadIdentitiesCommand({ nextToken: 'garbage!' })), (e: unknown) => {
      assert.ok(e instanceof ValidationException);
      assert.deepEqual(e.fieldList, [{ name: 'nextToken', message: 'Member is not a valid pagination token' }]);
      return true;
    });
    // A token minted for another collection is refused too.
    const other = Buffer.from('oauth2_providers\nzzz').toString('base64url');
    await assert.rejects(h.client.send(new ListWorkloadIdentitiesCommand({ nextToken: other })), ValidationException);
    for (const maxResults of [0, 101]) {
      await assert.rejects(h.client.send(new ListWorkloadIdentitiesCommand({ maxResults })), ValidationException);
    }
    await h.client.send(new DeleteWorkloadIdentityCommand({ name: 'dup' }));
  });

  test('a runtime-managed workload identity cannot be deleted here (ValidationException), and nothing changes', async () => {
    await h.client.send(new CreateWorkloadIdentityCommand({ name: 'rt-owned' }));
    const rec = await h.store.get<Record<string, unknown>>(collections.workloadIdentities, 'rt-owned');
    await h.store.put(collections.workloadIdentities, 'rt-owned', { ...rec!.doc, managedBy: 'my_agent-AbCdEf1234' });
    const before = await snapshot(h.store, [collections.workloadIdentities, collections.tags]);
    await assert.rejects(h.client.send(new DeleteWorkloadIdentityCommand({ name: 'rt-owned' })), (e: unknown) => {
      assert.ok(e instanceof ValidationException);
      assert.equal(e.reason, 'ResourceConflict');
      assert.equal(e.message, 'The workload identity rt-owned is managed by agent runtime my_agent-AbCdEf1234. Delete the agent runtime instead.');
      return true;
    });
    assert.equal(await snapshot(h.store, [collections.workloadIdentities, collections.tags]), before);
  });
});
