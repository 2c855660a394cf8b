/**
 * Command documents of your own, run step by step with the agent's rules (run-plugins.ts): per-step results in
 * CommandPlugins, the invocation's status from its steps, preconditions, plugins the engine cannot run, exit
 * conditions, schema 1.2 property lists, cancellation.
 */
import { describe, expect, test } from 'vitest';
import type { JsonObject } from '../../../src/model/json.js';
import type { SsmRig } from '../../helpers/ssm.js';
import { ssmRig } from '../../helpers/ssm.js';
import { waitUntil } from '../../helpers/fixtures.js';

type Step = { action: string; name: string; inputs: JsonObject; precondition?: JsonObject };

function document(steps: Step[], extra: JsonObject = {}): string {
  return JSON.stringify({ schemaVersion: '2.2', description: 'Test document', ...extra, mainSteps: steps });
}

const shell = (name: string, ...lines: string[]): Step => ({ action: 'aws:runShellScript', name, inputs: { runCommand: lines } });

async function run(rig: SsmRig, name: string, content: string, parameters: Record<string, string[]> = {}) {
  await rig.ssm.CreateDocument({ Name: name, Content: content, DocumentType: 'Command' });
  const node = rig.instances.add();
  const { Command } = await rig.ssm.SendCommand({ DocumentName: name, InstanceIds: [node.instanceId], Parameters: parameters });
  let done = false;
  rig.ssm.runCommand.onCommandDone(Command.CommandId, () => (done = true));
  await waitUntil(() => done, `command ${Command.CommandId}`);
  const [command] = (await rig.ssm.ListCommands({ CommandId: Command.CommandId })).Commands;
  const [invocation] = (await rig.ssm.ListCommandInvocations({ CommandId: Command.CommandId, Details: true })).CommandInvocations;
  const get = (PluginName?: string) =>
    rig.ssm.GetCommandInvocation({ CommandId: Command.CommandId, InstanceId: node.instanceId, ...(PluginName === undefined ? {} : { PluginName }) });
  return { command: command!, invocation: invocation!, get, instanceId: node.instanceId };
}

describe('Command documents of your own', () => {
  test('should run a two-step document whose second step fails, and report each step and the invocation as AWS does', async () => {
    const rig = ssmRig();
    const { command, invocation, get } = await run(rig, 'TwoSteps', document([shell('first', 'echo hello'), shell('second', 'echo partial', 'echo broken >&2', 'exit 3')]));
    // A failed step fails the invocation (DocumentResultAggregator), and the command over MaxErrors 0.
    expect(command).toMatchObject({ Status: 'Failed', StatusDetails: 'Failed', ErrorCount: 1, CompletedCount: 1 });
    expect(invocation).toMatchObject({ Status: 'Failed', StatusDetails: 'Failed' });
    expect(invocation.CommandPlugins.map((p) => [p.Name, p.Status, p.StatusDetails, p.ResponseCode, p.Output])).toEqual([
      ['first', 'Success', 'Success', 0, 'hello\n'],
      ['second', 'Failed', 'Failed', 3, 'partial\n\n----------ERROR-------\nbroken\n'],
    ]);
    // The steps ran one after the other.
    const [first, second] = invocation.CommandPlugins;
    expect(first!.ResponseFinishDateTime!.getTime()).toBeLessThanOrEqual(second!.ResponseStartDateTime!.getTime());
    // "If the document contains more than one step, you must specify the name of the step" (GetCommandInvocation).
    await expect(get()).rejects.toMatchObject({ name: 'InvalidPluginName' });
    await expect(get('aws:runShellScript')).rejects.toMatchObject({ name: 'InvalidPluginName' });
    expect(await get('second')).toMatchObject({
      PluginName: 'second',
      Status: 'Failed',
      StatusDetails: 'Failed',
      ResponseCode: 3,
      StandardOutputContent: 'partial\n',
      StandardErrorContent: 'broken\n',
    });
    expect(await get('first')).toMatchObject({ Status: 'Success', ResponseCode: 0, StandardOutputContent: 'hello\n' });
  });

  test('should go on after a failed step, as the agent does unless the step says otherwise', async () => {
    const rig = ssmRig();
    const { invocation } = await run(rig, 'GoesOn', document([shell('fails', 'exit 1'), shell('after', 'echo still ran')]));
    expect(invocation.CommandPlugins.map((p) => [p.Name, p.Status, p.Output])).toEqual([
      ['fails', 'Failed', ''],
      ['after', 'Success', 'still ran\n'],
    ]);
    expect(invocation.Status).toBe('Failed');
  });

  test('should skip the later steps after exit 169, exit 168, onFailure exit and onSuccess exit, but run a last finallyStep', async () => {
    const rig = ssmRig();
    const skipped = (name: string) => `Plugin with name aws:runShellScript and id ${name} skipped due to prior step with an exit condition`;
    const a = await run(rig, 'Exit169', document([shell('stop', 'exit 169'), shell('never', 'echo no')]));
    expect(a.invocation.CommandPlugins.map((p) => [p.Status, p.ResponseCode, p.Output])).toEqual([
      ['Failed', 169, ''],
      ['Success', 0, skipped('never')],
    ]);
    expect(a.invocation.Status).toBe('Failed');
    expect((await a.get('stop')).StandardErrorContent).toContain('Step exited with code 169. Therefore, marking step as Failed.');

    const b = await run(rig, 'Exit168', document([shell('done', 'echo early', 'exit 168'), shell('never', 'echo no')]));
    expect(b.invocation.Status).toBe('Success');
    expect(b.invocation.CommandPlugins[1]!.Output).toBe(skipped('never'));

    const onFailure = { action: 'aws:runShellScript', name: 'guard', inputs: { runCommand: ['exit 2'], onFailure: 'exit' } };
    const finallyStep = { action: 'aws:runShellScript', name: 'cleanup', inputs: { runCommand: ['echo cleaned'], finallyStep: true } };
    const c = await run(rig, 'OnFailureExit', document([onFailure, shell('never', 'echo no'), finallyStep]));
    expect(c.invocation.CommandPlugins.map((p) => [p.Name, p.Status, p.Output])).toEqual([
      ['guard', 'Failed', ''],
      ['never', 'Success', skipped('never')],
      ['cleanup', 'Success', 'cleaned\n'],
    ]);

    const successAndExit = { action: 'aws:runShellScript', name: 'guard', inputs: { runCommand: ['exit 2'], onFailure: 'successAndExit' } };
    const d = await run(rig, 'SuccessAndExit', document([successAndExit, shell('never', 'echo no')]));
    expect(d.invocation.CommandPlugins.map((p) => [p.Status, p.ResponseCode])).toEqual([
      ['Success', 168],
      ['Success', 0],
    ]);
    expect(d.invocation.Status).toBe('Success');

    const onSuccess = { action: 'aws:runShellScript', name: 'first', inputs: { runCommand: ['true'], onSuccess: 'exit' } };
    const e = await run(rig, 'OnSuccessExit', document([onSuccess, shell('never', 'echo no')]));
    expect(e.invocation.CommandPlugins[1]!.Output).toBe(skipped('never'));
  });

  test('should skip a step whose platform precondition is not Linux, and run the one that is', async () => {
    const rig = ssmRig();
    const windows: Step = { action: 'aws:runPowerShellScript', name: 'onWindows', precondition: { StringEquals: ['platformType', 'Windows'] }, inputs: { runCommand: ['Write-Output hi'] } };
    const linux: Step = { action: 'aws:runShellScript', name: 'onLinux', precondition: { StringEquals: ['platformType', 'Linux'] }, inputs: { runCommand: ['echo linux'] } };
    const { invocation } = await run(rig, 'CrossPlatform', document([windows, linux]));
    expect(invocation.Status).toBe('Success');
    expect(invocation.CommandPlugins.map((p) => [p.Name, p.Status, p.Output])).toEqual([
      ['onWindows', 'Success', `Step execution skipped due to unsatisfied preconditions: '"StringEquals": [platformType, Windows]'. Step name: onWindows`],
      ['onLinux', 'Success', 'linux\n'],
    ]);
  });

  test('should evaluate a parameter precondition after the parameters are replaced', async () => {
    const rig = ssmRig();
    const step: Step = { action: 'aws:runShellScript', name: 'maybe', precondition: { StringEquals: ['{{ mode }}', 'on'] }, inputs: { runCommand: ['echo ran'] } };
    const content = document([step], { parameters: { mode: { type: 'String', default: 'off', allowedValues: ['on', 'off'] } } });
    const off = await run(rig, 'Conditional', content);
    expect(off.invocation.CommandPlugins[0]!.Output).toContain('skipped due to unsatisfied preconditions');
    const node = rig.instances.add();
    const { Command } = await rig.ssm.SendCommand({ DocumentName: 'Conditional', InstanceIds: [node.instanceId], Parameters: { mode: ['on'] } });
    await waitUntil(async () => (await rig.ssm.ListCommands({ CommandId: Command.CommandId })).Commands[0]!.Status === 'Success', 'the command');
    expect((await rig.ssm.GetCommandInvocation({ CommandId: Command.CommandId, InstanceId: node.instanceId })).StandardOutputContent).toBe('ran\n');
  });

  test('should fail a step whose plugin the engine cannot run, naming the plugin, and go on with the next', async () => {
    const rig = ssmRig();
    const download: Step = { action: 'aws:downloadContent', name: 'fetch', inputs: { sourceType: 'S3', sourceInfo: '{"path":"https://example.com/x"}' } };
    const { invocation, get } = await run(rig, 'Downloads', document([download, shell('after', 'echo next')]));
    expect(invocation).toMatchObject({ Status: 'Failed', StatusDetails: 'Failed' });
    const [fetch, after] = invocation.CommandPlugins;
    expect(fetch).toMatchObject({ Name: 'fetch', Status: 'Failed', StatusDetails: 'Failed', ResponseCode: 1 });
    expect(fetch!.Output).toBe('Plugin with name aws:downloadContent is not supported by the shellstep local engine. Step name: fetch');
    expect((await get('fetch')).StandardErrorContent).toContain('aws:downloadContent');
    expect(after).toMatchObject({ Status: 'Success', Output: 'next\n' });
  });

  test("should skip a 2.2 step whose plugin does not run on Linux, and fail it in a 2.0 document, as the agent does", async () => {
    const rig = ssmRig();
    const windowsOnly: Step = { action: 'aws:applications', name: 'install', inputs: { action: 'Install', source: 'https://example.com/app.msi' } };
    const v22 = await run(rig, 'Apps22', document([windowsOnly]));
    expect(v22.invocation.CommandPlugins[0]).toMatchObject({ Status: 'Success', Output: 'Step execution skipped due to unsupported plugin: aws:applications. Step name: install' });
    const v20 = await run(rig, 'Apps20', document([windowsOnly], { schemaVersion: '2.0' }));
    expect(v20.invocation.CommandPlugins[0]).toMatchObject({ Status: 'Failed', Output: 'Plugin with name aws:applications is not supported in current platform. Step name: install' });
  });

  test('should fail AWS-UpdateSSMAgent, the AWS-owned document whose plugin cannot run locally, naming its plugin', async () => {
    const rig = ssmRig();
    const node = rig.instances.add();
    const { Command } = await rig.ssm.SendCommand({ DocumentName: 'AWS-UpdateSSMAgent', InstanceIds: [node.instanceId] });
    await waitUntil(async () => (await rig.ssm.ListCommands({ CommandId: Command.CommandId })).Commands[0]!.Status === 'Failed', 'the command to fail');
    const invocation = await rig.ssm.GetCommandInvocation({ CommandId: Command.CommandId, InstanceId: node.instanceId });
    expect(invocation).toMatchObject({ PluginName: 'aws:updateSsmAgent', Status: 'Failed', StatusDetails: 'Failed', ResponseCode: 1 });
    expect(invocation.StandardErrorContent).toBe('Plugin with name aws:updateSsmAgent is not supported by the shellstep local engine. Step name: aws:updateSsmAgent');
    // Its parameters are checked as AWS checks them.
    await expect(rig.ssm.SendCommand({ DocumentName: 'AWS-UpdateSSMAgent', InstanceIds: [node.instanceId], Parameters: { allowDowngrade: ['maybe'] } })).rejects.toMatchObject({
      name: 'InvalidParameters',
    });
  });

  test('should run a schema 1.2 document of your own, its property sets in turn into one output', async () => {
    const rig = ssmRig();
    const content = JSON.stringify({
      schemaVersion: '1.2',
      description: 'Two property sets',
      parameters: { who: { type: 'String', default: 'world' } },
      runtimeConfig: { 'aws:runShellScript': { properties: [{ id: '0.aws:runShellScript', runCommand: ['echo one {{ who }}'] }, { id: '1.aws:runShellScript', runCommand: 'echo two' }] } },
    });
    const { invocation, get } = await run(rig, 'Legacy', content);
    expect(invocation.CommandPlugins.map((p) => [p.Name, p.Status, p.Output])).toEqual([['aws:runShellScript', 'Success', 'one world\ntwo\n']]);
    expect((await get()).StandardOutputContent).toBe('one world\ntwo\n');
    expect((await get('0.aws:runShellScript')).PluginName).toBe('aws:runShellScript');
  });

  test("should replace parameters as the agent does: a whole '{{ name }}' keeps its type, inside text a list is JSON and a value's $$ is $", async () => {
    const rig = ssmRig();
    const whole: Step = { action: 'aws:runShellScript', name: 'whole', inputs: { runCommand: '{{ lines }}' } };
    const content = document([whole, shell('inline', "echo '{{ lines }} {{ price }} for {{ who }} {{ unknown_name }} {{ not_replaced }}'")], {
      parameters: {
        lines: { type: 'StringList', default: ['echo a', 'echo b'] },
        price: { type: 'String', default: '$$5' },
        who: { type: 'String', default: 'me' },
        // The agent replaces only names of letters and digits (parameters.go paramNameRegex).
        not_replaced: { type: 'String', default: 'x' },
      },
    });
    const { invocation } = await run(rig, 'Replaced', content);
    expect(invocation.CommandPlugins.map((p) => p.Output)).toEqual(['a\nb\n', '["echo a","echo b"] $5 for me {{ unknown_name }} {{ not_replaced }}\n']);
  });

  test('should fail a script step whose runCommand is not a string or a list of strings, as the agent does', async () => {
    const rig = ssmRig();
    const nested: Step = { action: 'aws:runShellScript', name: 'nested', inputs: { runCommand: ['{{ lines }}'] } };
    const { invocation } = await run(rig, 'Nested', document([nested], { parameters: { lines: { type: 'StringList', default: ['echo a'] } } }));
    expect(invocation.CommandPlugins[0]).toMatchObject({ Status: 'Failed', ResponseCode: 1 });
    expect(invocation.CommandPlugins[0]!.Output).toContain('Invalid format in plugin properties');
  });

  test('should check SendCommand parameters against the document: allowedValues, allowedPattern, types, required ones', async () => {
    const rig = ssmRig();
    const content = document([shell('s', 'echo {{ level }} {{ count }}')], {
      parameters: {
        level: { type: 'String', allowedValues: ['low', 'high'] },
        count: { type: 'String', default: '1', allowedPattern: '^[0-9]{1,3}$' },
        flag: { type: 'Boolean', default: false },
      },
    });
    await rig.ssm.CreateDocument({ Name: 'Checked', Content: content, DocumentType: 'Command' });
    const node = rig.instances.add();
    const send = (Parameters: Record<string, string[]>) => rig.ssm.SendCommand({ DocumentName: 'Checked', InstanceIds: [node.instanceId], Parameters });
    for (const bad of [{}, { level: ['medium'] }, { level: ['low'], count: ['1234'] }, { level: ['low'], flag: ['yes'] }, { level: ['low', 'high'] }, { level: ['low'], other: ['x'] }]) {
      await expect(send(bad), JSON.stringify(bad)).rejects.toMatchObject({ name: 'InvalidParameters' });
    }
    const { Command } = await send({ level: ['high'], flag: ['true'] });
    // Only what the request gave is recorded, as AWS lists it.
    expect(Command.Parameters).toEqual({ level: ['high'], flag: ['true'] });
    await waitUntil(async () => (await rig.ssm.ListCommands({ CommandId: Command.CommandId })).Commands[0]!.Status === 'Success', 'the command');
    expect((await rig.ssm.GetCommandInvocation({ CommandId: Command.CommandId, InstanceId: node.instanceId })).StandardOutputContent).toBe('high 1\n');
  });

  test('should refuse Parameter Store references by name, in the document and in parameter values', async () => {
    const rig = ssmRig();
    const node = rig.instances.add();
    await rig.ssm.CreateDocument({ Name: 'FromStore', Content: document([shell('s', 'echo {{ssm:/my/param}}')]), DocumentType: 'Command' });
    await expect(rig.ssm.SendCommand({ DocumentName: 'FromStore', InstanceIds: [node.instanceId] })).rejects.toMatchObject({
      name: 'InvalidParameters',
      message: expect.stringContaining('Parameter Store'),
    });
    await expect(
      rig.ssm.SendCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: [node.instanceId], Parameters: { commands: ['echo {{ssm-secure:/pw}}'] } }),
    ).rejects.toMatchObject({ name: 'InvalidParameters' });
  });

  test('should cancel the running step and leave the later steps Cancelled, never run', async () => {
    const rig = ssmRig();
    await rig.ssm.CreateDocument({ Name: 'Long', Content: document([shell('wait', 'sleep 30'), shell('later', 'echo never')]), DocumentType: 'Command' });
    const node = rig.instances.add();
    const { Command } = await rig.ssm.SendCommand({ DocumentName: 'Long', InstanceIds: [node.instanceId] });
    const details = async () => (await rig.ssm.ListCommandInvocations({ CommandId: Command.CommandId, Details: true })).CommandInvocations[0]!;
    await waitUntil(async () => (await details()).Status === 'InProgress', 'the first step to run');
    expect((await details()).CommandPlugins.map((p) => p.Status)).toEqual(['InProgress', 'Pending']);
    await rig.ssm.CancelCommand({ CommandId: Command.CommandId });
    await waitUntil(async () => (await rig.ssm.ListCommands({ CommandId: Command.CommandId })).Commands[0]!.Status === 'Cancelled', 'the cancel');
    const plugins = (await details()).CommandPlugins;
    expect(plugins.map((p) => [p.Name, p.Status])).toEqual([
      ['wait', 'Cancelled'],
      ['later', 'Cancelled'],
    ]);
    expect(plugins[1]!.Output).toBe('');
  });

  test('should treat members named __proto__ as members, in parameters and in inputs', async () => {
    const rig = ssmRig();
    const content = `{"schemaVersion":"2.2","parameters":{"__proto__":{"type":"StringMap","default":{"polluted":"yes"}},"name":{"type":"String","default":"x"}},"mainSteps":[{"action":"aws:runShellScript","name":"s","inputs":{"__proto__":{"runCommand":"echo bad"},"runCommand":"echo {{ name }} {{ polluted }}"}}]}`;
    const { invocation } = await run(rig, 'Proto', content);
    expect(invocation.CommandPlugins[0]).toMatchObject({ Status: 'Success', Output: 'x {{ polluted }}\n' });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  test('should keep a step named like a path inside the command folder', async () => {
    const rig = ssmRig();
    const { invocation } = await run(rig, 'Paths', document([shell('../../..', 'pwd'), shell('a/b:c', 'echo ok')]));
    expect(invocation.CommandPlugins.map((p) => p.Status)).toEqual(['Success', 'Success']);
  });
});
