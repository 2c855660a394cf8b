import { afterEach, describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalEngine } from '../../../src/engine/local-engine.js';
import { EnginesUnavailable, RegionalEngines, RegionRefused } from '../../../src/engine/regions/regional-engines.js';
import { openSqliteStore, type Store } from '../../../src/engine/store/index.js';

const TEMPLATE = JSON.stringify({
  Resources: {
    Role: {
      Type: 'AWS::IAM::Role',
      Properties: {
        RoleName: { 'Fn::Sub': 'worker-${AWS::Region}' },
        AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'states.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
      },
    },
  },
  Outputs: {
    Where: { Value: { 'Fn::Sub': '${AWS::Partition}|${AWS::Region}|${AWS::AccountId}|${AWS::URLSuffix}' } },
    RoleArn: { Value: { 'Fn::GetAtt': ['Role', 'Arn'] } },
  },
});

let sets: RegionalEngines[] = [];
afterEach(async () => {
  await Promise.all(sets.map((s) => s.close()));
  sets = [];
});

async function start(options: Partial<Parameters<typeof RegionalEngines.start>[0]> = {}): Promise<RegionalEngines> {
  const set = await RegionalEngines.start({ accountId: '210987654321', create: (scope) => new LocalEngine({ ...scope, clock: 'fast' }), ...options });
  sets.push(set);
  return set;
}

describe('engines per region', () => {
  test('should make one engine per region on first use, sharing the account, credentials and roles', async () => {
    const set = await start();
    expect(set.list().map((e) => e.region)).toEqual(['us-east-1']);
    const eu = set.for('eu-west-1');
    expect(set.for('eu-west-1')).toBe(eu);
    const cn = set.for('cn-north-1');
    expect([eu.region, eu.partition, eu.accountId]).toEqual(['eu-west-1', 'aws', '210987654321']);
    expect([cn.region, cn.partition, cn.accountId]).toEqual(['cn-north-1', 'aws-cn', '210987654321']);
    expect(eu.credentials).toBe(set.default.credentials);
    expect(cn.roles).toBe(set.default.roles);
    expect(set.list().map((e) => e.region)).toEqual(['us-east-1', 'eu-west-1', 'cn-north-1']);
  });

  test('should give every ARN the region and partition of its engine, pseudo parameters included', async () => {
    const set = await start();
    const cn = set.for('cn-north-1');
    cn.roles.define('arn:aws-cn:iam::210987654321:role/x');
    const machine = await cn.sfn.CreateStateMachine({ name: 'm', definition: '{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}', roleArn: 'arn:aws-cn:iam::210987654321:role/x' });
    expect(machine.stateMachineArn).toBe('arn:aws-cn:states:cn-north-1:210987654321:stateMachine:m');
    const { executionArn } = await cn.sfn.StartExecution({ stateMachineArn: machine.stateMachineArn });
    expect(executionArn).toMatch(/^arn:aws-cn:states:cn-north-1:210987654321:execution:m:/);
    const deployed = await cn.deploy(TEMPLATE, { stackName: 'where' });
    expect(deployed.outputs['Where']).toBe('aws-cn|cn-north-1|210987654321|amazonaws.com.cn');
    expect(deployed.outputs['RoleArn']).toBe('arn:aws-cn:iam::210987654321:role/worker-cn-north-1');
    const gov = await set.for('us-gov-west-1').deploy(TEMPLATE, { stackName: 'where' });
    expect(gov.outputs['Where']).toBe('aws-us-gov|us-gov-west-1|210987654321|amazonaws.com');
    const stacks = await cn.cloudformation.DescribeStacks({ StackName: 'where' });
    expect(String((stacks.Stacks[0] as Record<string, unknown>)['StackId'])).toMatch(/^arn:aws-cn:cloudformation:cn-north-1:210987654321:stack\/where\//);
  });

  test('should keep template roles per account: a role made in one region is known in every region', async () => {
    const set = await start();
    const deployed = await set.for('eu-west-1').deploy(TEMPLATE, { stackName: 'roles' });
    expect(set.default.roles.get(deployed.outputs['RoleArn']!)?.name).toBe('worker-eu-west-1');
    // IAM names are unique in an account: the same name from another region's stack is refused, as AWS refuses it.
    const again = TEMPLATE.replace('worker-${AWS::Region}', 'worker-eu-west-1');
    await expect(set.default.deploy(again, { stackName: 'roles' })).rejects.toThrow(/already exists/);
  });

  test('should refuse names that are no region, and regions beyond the limit, without making an engine', async () => {
    const set = await start({ maxRegions: 3 });
    for (const bad of ['bogus', '', 'us-east-1; rm -rf /', '__proto__', 'x'.repeat(10_000)]) expect(() => set.for(bad)).toThrow(RegionRefused);
    expect(() => set.for('bogus')).toThrow("Credential should be scoped to a valid region, not 'bogus'.");
    set.for('eu-west-1');
    set.for('eu-west-2');
    expect(() => set.for('eu-west-3')).toThrow(/serves 3 regions, its limit/);
    expect(set.list()).toHaveLength(3);
  });

  test('should reset to fresh engines with the startup work redone, keeping registered keys, and end running processes', async () => {
    let setups = 0;
    const base = mkdtempSync(join(tmpdir(), 'shellstep-reset-'));
    const set = await start({
      setup: async (engine) => {
        setups++;
        engine.roles.define('arn:aws:iam::210987654321:role/startup');
        engine.instances.add({ instanceId: 'i-0123456789abcdef0' });
      },
    });
    const before = set.default;
    const key = set.credentials.issue({ arn: 'arn:aws:iam::210987654321:user/alice', accountId: '210987654321' });
    await before.deploy(TEMPLATE, { stackName: 'gone' });
    set.default.roles.define('arn:aws:iam::210987654321:role/x');
    await set.for('eu-west-1').sfn.CreateStateMachine({ name: 'gone', definition: '{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}', roleArn: 'arn:aws:iam::210987654321:role/x' });
    const pidFile = join(base, 'pid');
    await before.ssm.SendCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: ['i-0123456789abcdef0'], Parameters: { commands: [`echo $$ > ${pidFile}; sleep 30`] } });
    let pid = 0;
    for (let i = 0; i < 200 && pid === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
      try {
        pid = Number(readFileSync(pidFile, 'utf8').trim());
      } catch {
        // not written yet
      }
    }
    expect(pid).toBeGreaterThan(0);

    await set.reset();
    expect(setups).toBe(2);
    expect(set.resets).toBe(1);
    expect(set.default).not.toBe(before);
    expect(set.list().map((e) => e.region)).toEqual(['us-east-1']);
    expect(set.default.instances.list().map((i) => i.instanceId)).toEqual(['i-0123456789abcdef0']);
    expect((await set.default.cloudformation.ListStacks({})).StackSummaries).toEqual([]);
    expect((await set.for('eu-west-1').sfn.ListStateMachines({})).stateMachines).toEqual([]);
    // Roles are back to the startup ones: the template's role went with its stack.
    expect(set.default.roles.get('arn:aws:iam::210987654321:role/startup')).toBeDefined();
    expect(set.default.roles.byName('worker-us-east-1')).toBeUndefined();
    expect(set.credentials.get(key.accessKeyId)).toBe(key);
    // The old engine's command was killed with it.
    let alive = true;
    for (let i = 0; i < 200 && alive; i++) {
      try {
        process.kill(pid, 0);
        await new Promise((r) => setTimeout(r, 10));
      } catch {
        alive = false;
      }
    }
    expect(alive).toBe(false);
  });

  test('should join a burst of resets into at most two', async () => {
    let setups = 0;
    const set = await start({ setup: async () => void setups++ });
    await Promise.all(Array.from({ length: 50 }, () => set.reset()));
    expect(set.resets).toBeGreaterThanOrEqual(1);
    expect(set.resets).toBeLessThanOrEqual(2);
    expect(setups).toBe(1 + set.resets);
  });

  test('should serve nothing while a reset runs, and nothing after a failed one until the next succeeds', async () => {
    let fail = false;
    let block = false;
    let release: () => void = () => undefined;
    const blocking = await start({
      setup: async () => {
        if (fail) throw new Error('template gone');
        if (block) await new Promise<void>((resolve) => (release = resolve));
      },
    });
    block = true;
    const resetting = blocking.reset();
    await new Promise((r) => setTimeout(r, 20));
    expect(blocking.state).toBe('resetting');
    expect(() => blocking.for('us-east-1')).toThrow(EnginesUnavailable);
    expect(() => blocking.for('eu-west-1')).toThrow('The endpoint is resetting; retry.');
    release();
    await resetting;
    expect(blocking.default.region).toBe('us-east-1');
    fail = true;
    await expect(blocking.reset()).rejects.toThrow('template gone');
    expect(blocking.state).toBe('failed');
    expect(() => blocking.default).toThrow('The last reset failed (template gone); POST /_shellstep/reset again.');
    fail = false;
    block = false;
    await blocking.reset();
    expect(blocking.state).toBe('running');
    expect(blocking.default.region).toBe('us-east-1');
  });

  test('should hand each region its scope of the store, and empty the store on reset after the old engines closed', async () => {
    const calls: string[] = [];
    const scopes: string[] = [];
    const store: Store = {
      durable: true,
      put: () => undefined,
      delete: () => undefined,
      append: () => undefined,
      records: () => [],
      logs: () => new Map(),
      scope: (name) => {
        scopes.push(name);
        return store;
      },
      clear: () => void calls.push('clear'),
      flush: () => void calls.push('flush'),
      close: () => undefined,
    };
    const set = await start({
      store,
      create: (scope) => {
        const engine = new LocalEngine({ ...scope, clock: 'fast' });
        const close = engine.close.bind(engine);
        engine.close = async () => {
          calls.push(`close ${engine.region}`);
          await close();
        };
        calls.push(`create ${engine.region}`);
        expect(engine.store.durable).toBe(true);
        return engine;
      },
    });
    set.for('eu-west-1');
    set.for('cn-north-1');
    // A scope per region, and one per partition for IAM, which is global.
    expect(scopes).toEqual(['us-east-1', 'iam-aws', 'eu-west-1', 'iam-aws', 'cn-north-1', 'iam-aws-cn']);
    await set.reset();
    expect(calls).toEqual(['create us-east-1', 'create eu-west-1', 'create cn-north-1', 'close us-east-1', 'close eu-west-1', 'close cn-north-1', 'flush', 'clear', 'create us-east-1']);
  });

  test('should empty the data folder on reset and restore every region from it after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shellstep-regions-data-'));
    const open = async () => {
      const store = openSqliteStore(dir);
      const set = await start({ store, create: (scope) => new LocalEngine({ ...scope, clock: 'fast', instancesDir: join(dir, 'instances') }) });
      set.default.roles.define('arn:aws:iam::210987654321:role/x');
      return { store, set };
    };
    const machine = (name: string) => ({ name, definition: '{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}', roleArn: 'arn:aws:iam::210987654321:role/x' });
    const first = await open();
    await first.set.default.sfn.CreateStateMachine(machine('kept-in-virginia'));
    await first.set.for('eu-west-1').sfn.CreateStateMachine(machine('kept-in-ireland'));
    await first.set.close();
    first.store.close();

    const second = await open();
    const names = async (region: string) => (await second.set.for(region).sfn.ListStateMachines({})).stateMachines.map((m) => m.name);
    expect(await names('us-east-1')).toEqual(['kept-in-virginia']);
    expect(await names('eu-west-1')).toEqual(['kept-in-ireland']);
    await second.set.reset();
    expect(await names('us-east-1')).toEqual([]);
    await second.set.close();
    second.store.close();

    const third = await open();
    expect((await third.set.default.sfn.ListStateMachines({})).stateMachines).toEqual([]);
    expect((await third.set.for('eu-west-1').sfn.ListStateMachines({})).stateMachines).toEqual([]);
    await third.set.close();
    third.store.close();
  });

  test("should let templates in two partitions name the same role, and refuse it twice in one partition", async () => {
    const set = await start();
    const same = JSON.stringify({
      Resources: {
        Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'same', AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [] } } },
        Policy: { Type: 'AWS::IAM::Policy', Properties: { PolicyName: 'p', Roles: [{ Ref: 'Role' }], PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ssm:*', Resource: '*' }] } } },
      },
      Outputs: { RoleArn: { Value: { 'Fn::GetAtt': ['Role', 'Arn'] } } },
    });
    const global = await set.default.deploy(same, { stackName: 'same' });
    const china = await set.for('cn-north-1').deploy(same, { stackName: 'same' });
    expect([global.outputs['RoleArn'], china.outputs['RoleArn']]).toEqual(['arn:aws:iam::210987654321:role/same', 'arn:aws-cn:iam::210987654321:role/same']);
    // Each stack's policy is attached to its own partition's role.
    for (const arn of [global.outputs['RoleArn']!, china.outputs['RoleArn']!]) expect([...set.default.roles.get(arn)!.attached.keys()]).toHaveLength(1);
    await expect(set.for('eu-west-1').deploy(same, { stackName: 'same' })).rejects.toThrow(/already exists/);
  });

  test('should keep IAM roles once per partition, whichever region made or changed them, and restore them at start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shellstep-regions-iam-'));
    const open = async () => {
      const store = openSqliteStore(dir);
      return { store, set: await start({ store }) };
    };
    const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'states.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
    const allow = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
    const first = await open();
    // Made through Ireland's endpoint, changed through Virginia's and Frankfurt's: one IAM.
    await first.set.for('eu-west-1').iam.CreateRole({ RoleName: 'made-in-ireland', AssumeRolePolicyDocument: trust });
    await first.set.default.iam.PutRolePolicy({ RoleName: 'made-in-ireland', PolicyName: 'all', PolicyDocument: allow });
    await first.set.for('eu-central-1').iam.CreateRole({ RoleName: 'deleted', AssumeRolePolicyDocument: trust });
    await first.set.default.iam.DeleteRole({ RoleName: 'deleted' });
    await first.set.for('cn-north-1').iam.CreateRole({ RoleName: 'made-in-beijing', AssumeRolePolicyDocument: trust });
    await first.set.close();
    first.store.close();

    // After a restart, the default region's engine alone knows the aws partition's roles, with their policies.
    const second = await open();
    const roles = second.set.default.roles;
    expect(roles.get('arn:aws:iam::210987654321:role/made-in-ireland')?.inline.get('all')).toEqual(JSON.parse(allow));
    expect(roles.get('arn:aws:iam::210987654321:role/deleted')).toBeUndefined();
    const machine = await second.set.default.sfn.CreateStateMachine({
      name: 'm',
      definition: '{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}',
      roleArn: 'arn:aws:iam::210987654321:role/made-in-ireland',
    });
    expect(machine.stateMachineArn).toContain(':stateMachine:m');
    // The aws-cn partition's roles come back with its first engine, and a sibling engine restores nothing twice.
    expect(roles.get('arn:aws-cn:iam::210987654321:role/made-in-beijing')).toBeUndefined();
    await second.set.for('cn-north-1').iam.GetRole({ RoleName: 'made-in-beijing' });
    await second.set.for('eu-west-1').iam.PutRolePolicy({ RoleName: 'made-in-ireland', PolicyName: 'second', PolicyDocument: allow });
    await second.set.for('ap-south-1').iam.GetRole({ RoleName: 'made-in-ireland' });
    expect([...roles.get('arn:aws:iam::210987654321:role/made-in-ireland')!.inline.keys()]).toEqual(['all', 'second']);
    await second.set.close();
    second.store.close();
  });

  test('should make the engines of other regions like the one it was built around', async () => {
    const engine = new LocalEngine({ clock: 'fast', region: 'eu-central-1', accountId: '111122223333', enforceIam: false });
    const set = RegionalEngines.around(engine);
    sets.push(set);
    expect(set.default).toBe(engine);
    const other = set.for('ap-south-1');
    expect([other.region, other.accountId, other.enforceIam, other.clock]).toEqual(['ap-south-1', '111122223333', false, engine.clock]);
    expect(other.roles).toBe(engine.roles);
  });
});
