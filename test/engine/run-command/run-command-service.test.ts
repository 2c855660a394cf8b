import { describe, expect, test } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../../../src/engine/clock.js';
import { sequentialIds } from '../../../src/engine/ids.js';
import { InstanceRegistry } from '../../../src/engine/instances/instance-registry.js';
import { RunCommandService } from '../../../src/engine/run-command/run-command-service.js';
import { waitUntil } from '../../helpers/fixtures.js';
import { runCommandRig } from '../../helpers/run-command.js';
import type { RunCommandRig } from '../../helpers/run-command.js';

async function send(rig: RunCommandRig, instanceIds: string[], commands: string[], extra: Record<string, string[]> = {}, options: { TimeoutSeconds?: number; MaxErrors?: string; MaxConcurrency?: string } = {}) {
  const { Command } = await rig.service.SendCommand({
    DocumentName: 'AWS-RunShellScript',
    InstanceIds: instanceIds,
    Parameters: { commands, ...extra },
    ...options,
  });
  return Command.CommandId;
}

async function terminal(rig: RunCommandRig, commandId: string) {
  let done = false;
  rig.service.onCommandDone(commandId, () => (done = true));
  await waitUntil(() => done, `command ${commandId} to finish`);
  return (await rig.service.ListCommands({ CommandId: commandId })).Commands[0]!;
}

describe('RunCommandService', () => {
  test('should hand out copies of a command, so that changing one changes nothing in the service', async () => {
    const rig = runCommandRig();
    const node = rig.instances.add();
    const { Command: sent } = await rig.service.SendCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: [node.instanceId], Parameters: { commands: ['true'] } });
    sent.Parameters['commands']!.push('false');
    sent.InstanceIds.push('i-00000000000000000');
    sent.RequestedDateTime.setTime(0);
    sent.CloudWatchOutputConfig.CloudWatchOutputEnabled = true;
    const [listed] = (await rig.service.ListCommands({ CommandId: sent.CommandId })).Commands;
    expect(listed!.Parameters['commands']).toEqual(['true']);
    expect(listed!.InstanceIds).toEqual([node.instanceId]);
    expect(listed!.RequestedDateTime.getTime()).not.toBe(0);
    expect(listed!.CloudWatchOutputConfig.CloudWatchOutputEnabled).not.toBe(true);
    expect(listed).not.toBe(sent);
    await terminal(rig, sent.CommandId);
  });

  test('should keep its own copy of the instance ids, without repeats, whatever the caller does with its list', async () => {
    const rig = runCommandRig();
    const [a, b] = [rig.instances.add(), rig.instances.add()];
    const ids = [a.instanceId, b.instanceId, a.instanceId];
    const { Command } = await rig.service.SendCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: ids, Parameters: { commands: ['true'] } });
    expect(Command).toMatchObject({ InstanceIds: [a.instanceId, b.instanceId], TargetCount: 2 });
    const single = [b.instanceId];
    const { Command: other } = await rig.service.SendCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: single, Parameters: { commands: ['true'] } });
    ids.length = 0;
    single.push(a.instanceId);
    expect((await rig.service.ListCommands({ CommandId: Command.CommandId })).Commands[0]!.InstanceIds).toEqual([a.instanceId, b.instanceId]);
    expect((await rig.service.ListCommands({ CommandId: other.CommandId })).Commands[0]!.InstanceIds).toEqual([b.instanceId]);
    expect((await rig.service.ListCommandInvocations({ CommandId: Command.CommandId })).CommandInvocations.map((i) => i.InstanceId)).toEqual([a.instanceId, b.instanceId]);
    await terminal(rig, Command.CommandId);
    await terminal(rig, other.CommandId);
  });

  test('should call each listener once when the command ends, except those that stopped listening before it ended', async () => {
    const rig = runCommandRig();
    const node = rig.instances.add();
    const id = await send(rig, [node.instanceId], ['true']);
    const calls: string[] = [];
    const stopA = rig.service.onCommandDone(id, () => calls.push('a'));
    const stopB = rig.service.onCommandDone(id, (c) => {
      calls.push(`b ${c.Status}`);
      // The listeners are called together: stopping another one from inside a call is too late, as documented.
      stopC();
      // A throwing listener keeps neither the others from their call nor the service from its update.
      throw new Error('listener failed');
    });
    const stopC = rig.service.onCommandDone(id, () => calls.push('c'));
    rig.service.onCommandDone(id, () => calls.push('d'));
    stopA();
    stopA();
    const uncaught = new Promise<unknown>((resolve) => process.once('uncaughtException', resolve));
    await terminal(rig, id);
    expect(calls).toEqual(['b Success', 'c', 'd']);
    expect(await uncaught).toMatchObject({ message: 'listener failed' });
    stopB();
    rig.service.onCommandDone(id, (c) => calls.push(`late ${c.Status}`));
    expect(calls).toEqual(['b Success', 'c', 'd', 'late Success']);
  });

  test('should hand out copies of the notification and CloudWatch settings in invocations, nested members included', async () => {
    const rig = runCommandRig();
    const node = rig.instances.add();
    const { Command } = await rig.service.SendCommand({
      DocumentName: 'AWS-RunShellScript',
      InstanceIds: [node.instanceId],
      Parameters: { commands: ['true'] },
      // Members the model lacks are dropped, as AWS's JSON front end ignores them.
      NotificationConfig: { NotificationEvents: ['Failed'], Extra: { deep: ['x'] } } as never,
      CloudWatchOutputConfig: { CloudWatchOutputEnabled: true, CloudWatchLogGroupName: 'g' },
    });
    const invocation = async () => (await rig.service.ListCommandInvocations({ CommandId: Command.CommandId })).CommandInvocations[0]!;
    const first = await invocation();
    first.NotificationConfig.NotificationEvents!.push('Success');
    first.CloudWatchOutputConfig.CloudWatchOutputEnabled = false;
    (await rig.service.GetCommandInvocation({ CommandId: Command.CommandId, InstanceId: node.instanceId })).CloudWatchOutputConfig.CloudWatchLogGroupName = 'h';
    const again = await invocation();
    // AWS returns every member, empty when not set (send-command example).
    expect(again.NotificationConfig).toEqual({ NotificationArn: '', NotificationEvents: ['Failed'], NotificationType: '' });
    expect(again.CloudWatchOutputConfig).toEqual({ CloudWatchOutputEnabled: true, CloudWatchLogGroupName: 'g' });
    expect(rig.service.invocationsOf(Command.CommandId)[0]!.CloudWatchOutputConfig).toEqual({ CloudWatchOutputEnabled: true, CloudWatchLogGroupName: 'g' });
    await terminal(rig, Command.CommandId);
  });

  test('should report Success with stdout and ResponseCode 0 when the script exits 0', async () => {
    const rig = runCommandRig();
    const node = rig.instances.add();
    const id = await send(rig, [node.instanceId], ['echo hello', 'echo world']);
    const cmd = await terminal(rig, id);
    expect(cmd).toMatchObject({ Status: 'Success', StatusDetails: 'Success', TargetCount: 1, CompletedCount: 1, ErrorCount: 0 });
    const inv = await rig.service.GetCommandInvocation({ CommandId: id, InstanceId: node.instanceId });
    expect(inv).toMatchObject({ Status: 'Success', StatusDetails: 'Success', ResponseCode: 0, StandardOutputContent: 'hello\nworld\n', PluginName: 'aws:runShellScript' });
    expect(inv.ExecutionStartDateTime).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(inv.ExecutionElapsedTime).toMatch(/^PT\d+\.\d{3}S$/);
  });

  test('should run all command lines as one script when lines share shell state', async () => {
    const rig = runCommandRig();
    const node = rig.instances.add();
    const id = await send(rig, [node.instanceId], ['X=shared', 'cd /tmp', 'echo "$X $(pwd)"']);
    await terminal(rig, id);
    const inv = await rig.service.GetCommandInvocation({ CommandId: id, InstanceId: node.instanceId });
    expect(inv.StandardOutputContent).toBe('shared /tmp\n');
  });

  test('should report Failed with the exit code when the last command exits non-zero', async () => {
    const rig = runCommandRig();
    const node = rig.instances.add();
    const id = await send(rig, [node.instanceId], ['echo out', 'echo err >&2', 'exit 3']);
    expect(await terminal(rig, id)).toMatchObject({ Status: 'Failed', StatusDetails: 'Failed', ErrorCount: 1 });
    const inv = await rig.service.GetCommandInvocation({ CommandId: id, InstanceId: node.instanceId });
    expect(inv).toMatchObject({ Status: 'Failed', StatusDetails: 'Failed', ResponseCode: 3, StandardErrorContent: 'err\n' });
    const list = await rig.service.ListCommandInvocations({ CommandId: id, Details: true });
    expect(list.CommandInvocations[0]!.CommandPlugins[0]!.Output).toBe('out\n\n----------ERROR-------\nerr\n');
  });

  test('should map exit 168 to Success and 169 to Failed when the agent stop codes are used', async () => {
    const rig = runCommandRig();
    const node = rig.instances.add();
    const ok = await send(rig, [node.instanceId], ['echo e >&2', 'exit 168']);
    expect((await terminal(rig, ok)).Status).toBe('Success');
    const list = await rig.service.ListCommandInvocations({ CommandId: ok, Details: true });
    expect(list.CommandInvocations[0]!.CommandPlugins[0]!.Output).toBe('');
    // The agent notes the exit code in the step's standard output, not in its Output (runpluginutil.go RunPlugins).
    expect((await rig.service.GetCommandInvocation({ CommandId: ok, InstanceId: node.instanceId })).StandardOutputContent).toBe(
      '\nStep exited with code 168. Therefore, marking step as succeeded. Further document steps will be skipped.',
    );
    const bad = await send(rig, [node.instanceId], ['exit 169']);
    expect((await terminal(rig, bad)).Status).toBe('Failed');
    expect((await rig.service.GetCommandInvocation({ CommandId: bad, InstanceId: node.instanceId })).StandardErrorContent).toContain('Step exited with code 169.');
  });

  test('should run the script again when it exits 194 to request a reboot', async () => {
    const rig = runCommandRig();
    const node = rig.instances.add();
    const id = await send(rig, [node.instanceId], ['if [ -f rebooted ]; then echo after; exit 0; fi', 'touch rebooted', 'exit 194']);
    expect((await terminal(rig, id)).Status).toBe('Success');
    expect((await rig.service.GetCommandInvocation({ CommandId: id, InstanceId: node.instanceId })).StandardOutputContent).toBe('after\n');
  });

  test('should report Failed (not TimedOut) when the script itself exits 137', async () => {
    const rig = runCommandRig();
    const node = rig.instances.add();
    const id = await send(rig, [node.instanceId], ['exit 137']);
    expect(await terminal(rig, id)).toMatchObject({ Status: 'Failed' });
  });

  test('should kill the process tree and report Execution Timed Out when executionTimeout passes', async () => {
    const rig = runCommandRig();
    const node = rig.instances.add();
    const id = await send(rig, [node.instanceId], ['sleep 30 & sleep 30; echo never'], { executionTimeout: ['10'] });
    await waitUntil(async () => (await rig.service.GetCommandInvocation({ CommandId: id, InstanceId: node.instanceId })).Status === 'InProgress');
    await rig.clock.advance(10_000);
    expect(await terminal(rig, id)).toMatchObject({ Status: 'TimedOut', StatusDetails: 'Execution Timed Out', ErrorCount: 1 });
    const inv = await rig.service.GetCommandInvocation({ CommandId: id, InstanceId: node.instanceId });
    expect(inv).toMatchObject({ Status: 'TimedOut', StatusDetails: 'Execution Timed Out', ResponseCode: 137 });
    expect(inv.StandardOutputContent).toBe('');
  });

  test('should use the agent default of 3600 s when executionTimeout is below 5', async () => {
    const rig = runCommandRig();
    const node = rig.instances.add();
    const id = await send(rig, [node.instanceId], ['sleep 30'], { executionTimeout: ['2'] });
    await waitUntil(async () => (await rig.service.GetCommandInvocation({ CommandId: id, InstanceId: node.instanceId })).Status === 'InProgress');
    await rig.clock.advance(3000);
    expect((await rig.service.GetCommandInvocation({ CommandId: id, InstanceId: node.instanceId })).Status).toBe('InProgress');
    await rig.clock.advance(3600_000);
    expect((await terminal(rig, id)).StatusDetails).toBe('Execution Timed Out');
  });

  test('should stay Delayed and end Delivery Timed Out when the node is offline before the command', async () => {
    const rig = runCommandRig();
    const node = rig.instances.add();
    rig.instances.goOffline(node.instanceId);
    const id = await send(rig, [node.instanceId], ['echo hi'], {}, { TimeoutSeconds: 30 });
    expect((await rig.service.GetCommandInvocation({ CommandId: id, InstanceId: node.instanceId })).Status).toBe('Delayed');
    await rig.clock.advance(29_000);
    expect((await rig.service.ListCommands({ CommandId: id })).Commands[0]!.Status).toBe('Pending');
    await rig.clock.advance(1_000);
    const cmd = await terminal(rig, id);
    expect(cmd).toMatchObject({ Status: 'TimedOut', StatusDetails: 'Delivery Timed Out', DeliveryTimedOutCount: 1, ErrorCount: 0 });
    expect(await rig.service.GetCommandInvocation({ CommandId: id, InstanceId: node.instanceId })).toMatchObject({ StatusDetails: 'Delivery Timed Out', ResponseCode: -1 });
  });

  test('should deliver the command when an offline node comes back before the delivery timeout', async () => {
    const rig = runCommandRig();
    const node = rig.instances.add();
    rig.instances.goOffline(node.instanceId);
    const id = await send(rig, [node.instanceId], ['echo late'], {}, { TimeoutSeconds: 60 });
    await rig.clock.advance(20_000);
    rig.instances.goOnline(node.instanceId);
    expect((await terminal(rig, id)).Status).toBe('Success');
  });

  test('should hold the result until the node reconnects when it goes offline during a command', async () => {
    const rig = runCommandRig();
    const node = rig.instances.add();
    rig.instances.setDeliveryDelay(node.instanceId, 1000);
    const id = await send(rig, [node.instanceId], ['sleep 0.2', 'echo done', 'touch finished']);
    await rig.clock.advance(1000);
    await waitUntil(async () => (await rig.service.GetCommandInvocation({ CommandId: id, InstanceId: node.instanceId })).Status === 'InProgress');
    rig.instances.goOffline(node.instanceId);
    await waitUntil(() => existsSync(join(node.rootDir, 'finished')), 'the script to finish on the offline node');
    await new Promise((r) => setTimeout(r, 50));
    expect((await rig.service.GetCommandInvocation({ CommandId: id, InstanceId: node.instanceId })).Status).toBe('InProgress');
    rig.instances.goOnline(node.instanceId);
    expect((await terminal(rig, id)).Status).toBe('Success');
  });

  test('should keep a lost agent InProgress until TimeoutSeconds + executionTimeout, then Delivery Timed Out', async () => {
    const rig = runCommandRig();
    const node = rig.instances.add();
    const id = await send(rig, [node.instanceId], ['sleep 30'], { executionTimeout: ['100'] }, { TimeoutSeconds: 30 });
    await waitUntil(async () => (await rig.service.GetCommandInvocation({ CommandId: id, InstanceId: node.instanceId })).Status === 'InProgress');
    rig.instances.killAgent(node.instanceId);
    await new Promise((r) => setTimeout(r, 200));
    await rig.clock.advance(129_000);
    expect((await rig.service.GetCommandInvocation({ CommandId: id, InstanceId: node.instanceId })).Status).toBe('InProgress');
    await rig.clock.advance(1_000);
    expect(await terminal(rig, id)).toMatchObject({ Status: 'TimedOut', StatusDetails: 'Delivery Timed Out' });
  });

  test('should deliver late when delivery is slow', async () => {
    const rig = runCommandRig();
    const node = rig.instances.add();
    rig.instances.setDeliveryDelay(node.instanceId, 5_000);
    const id = await send(rig, [node.instanceId], ['echo slow']);
    await rig.clock.advance(4_000);
    expect((await rig.service.GetCommandInvocation({ CommandId: id, InstanceId: node.instanceId })).Status).toBe('Pending');
    await rig.clock.advance(1_000);
    expect((await terminal(rig, id)).Status).toBe('Success');
  });

  test('should throw InvalidInstanceId when an instance is unknown', async () => {
    const rig = runCommandRig();
    const node = rig.instances.add();
    rig.instances.forget(node.instanceId);
    await expect(send(rig, [node.instanceId], ['echo'])).rejects.toMatchObject({ name: 'InvalidInstanceId' });
    await expect(send(rig, ['i-0123456789abcdef0'], ['echo'])).rejects.toMatchObject({ name: 'InvalidInstanceId' });
  });

  test('should throw InvalidDocument when the document is not a supported Command document', async () => {
    const rig = runCommandRig();
    const node = rig.instances.add();
    await expect(rig.service.SendCommand({ DocumentName: 'AWS-ConfigureAWSPackage', InstanceIds: [node.instanceId] })).rejects.toMatchObject({ name: 'InvalidDocument' });
  });

  test('should refuse a document named like a member objects inherit', async () => {
    const rig = runCommandRig();
    const node = rig.instances.add();
    await expect(rig.service.SendCommand({ DocumentName: 'constructor', InstanceIds: [node.instanceId] })).rejects.toMatchObject({ name: 'InvalidDocument' });
  });

  test('should throw InvalidParameters when commands are missing or executionTimeout is out of pattern', async () => {
    const rig = runCommandRig();
    const node = rig.instances.add();
    await expect(rig.service.SendCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: [node.instanceId] })).rejects.toMatchObject({ name: 'InvalidParameters' });
    await expect(send(rig, [node.instanceId], ['echo'], { executionTimeout: ['172801'] })).rejects.toMatchObject({ name: 'InvalidParameters' });
    await expect(send(rig, [node.instanceId], ['echo'], { bogus: ['x'] })).rejects.toMatchObject({ name: 'InvalidParameters' });
    // Names an object literal inherits are not parameters of the document either.
    for (const name of ['toString', 'constructor', 'hasOwnProperty']) {
      await expect(send(rig, [node.instanceId], ['echo'], { [name]: ['x'] })).rejects.toMatchObject({
        name: 'InvalidParameters',
        message: `Parameter ${name} is not defined in the document.`,
      });
    }
  });

  test('should reject TimeoutSeconds outside 30..2592000 and more than 50 instance ids', async () => {
    const rig = runCommandRig();
    const node = rig.instances.add();
    await expect(send(rig, [node.instanceId], ['echo'], {}, { TimeoutSeconds: 29 })).rejects.toMatchObject({ name: 'ValidationException' });
    const many = Array.from({ length: 51 }, (_, i) => `i-${i.toString(16).padStart(17, '0')}`);
    await expect(send(rig, many, ['echo'])).rejects.toMatchObject({ name: 'ValidationException' });
  });

  test('should throw InvocationDoesNotExist and InvalidCommandId for unknown ids', async () => {
    const rig = runCommandRig();
    const node = rig.instances.add();
    await expect(rig.service.GetCommandInvocation({ CommandId: '11111111-2222-4333-8444-555555555555', InstanceId: node.instanceId })).rejects.toMatchObject({ name: 'InvocationDoesNotExist' });
    await expect(rig.service.GetCommandInvocation({ CommandId: 'nope', InstanceId: node.instanceId })).rejects.toMatchObject({ name: 'InvalidCommandId' });
    await expect(rig.service.ListCommands({ CommandId: '11111111-2222-4333-8444-555555555555' })).rejects.toMatchObject({ name: 'InvalidCommandId' });
    await expect(rig.service.CancelCommand({ CommandId: '11111111-2222-4333-8444-555555555555' })).rejects.toMatchObject({ name: 'InvalidCommandId' });
  });

  test('should cancel a running command by killing its process when CancelCommand is called', async () => {
    const rig = runCommandRig();
    const node = rig.instances.add();
    const id = await send(rig, [node.instanceId], ['sleep 30']);
    await waitUntil(async () => (await rig.service.GetCommandInvocation({ CommandId: id, InstanceId: node.instanceId })).Status === 'InProgress');
    await rig.service.CancelCommand({ CommandId: id });
    expect(await terminal(rig, id)).toMatchObject({ Status: 'Cancelled', StatusDetails: 'Cancelled' });
    expect(await rig.service.GetCommandInvocation({ CommandId: id, InstanceId: node.instanceId })).toMatchObject({ Status: 'Cancelled', ResponseCode: 137 });
  });

  test('should fail the invocation when an absolute working directory does not exist', async () => {
    const rig = runCommandRig();
    const node = rig.instances.add();
    const id = await send(rig, [node.instanceId], ['echo hi'], { workingDirectory: ['/home/ssm-user-does-not-exist/'] });
    expect((await terminal(rig, id)).Status).toBe('Failed');
    const inv = await rig.service.GetCommandInvocation({ CommandId: id, InstanceId: node.instanceId });
    expect(inv).toMatchObject({ ResponseCode: 1 });
    expect(inv.StandardErrorContent).toContain('no such file or directory');
  });

  test('should fall back to the node root when the working directory is the relative literal "" (sample D1)', async () => {
    const rig = runCommandRig();
    const node = rig.instances.add();
    const id = await send(rig, [node.instanceId], ['pwd'], { workingDirectory: ['""'] });
    await terminal(rig, id);
    expect((await rig.service.GetCommandInvocation({ CommandId: id, InstanceId: node.instanceId })).StandardOutputContent).toBe(`${node.rootDir}\n`);
  });

  test('should keep each node in its own root folder when two nodes write the same file', async () => {
    const rig = runCommandRig();
    const a = rig.instances.add();
    const b = rig.instances.add();
    const id = await send(rig, [a.instanceId, b.instanceId], ['echo "$AWS_SSM_INSTANCE_ID" > who', 'cat who']);
    await terminal(rig, id);
    expect(readFileSync(join(a.rootDir, 'who'), 'utf8')).toBe(`${a.instanceId}\n`);
    expect(readFileSync(join(b.rootDir, 'who'), 'utf8')).toBe(`${b.instanceId}\n`);
  });

  test('should expose SSM_COMMAND_ID to the script', async () => {
    const rig = runCommandRig();
    const node = rig.instances.add();
    const id = await send(rig, [node.instanceId], ['echo "$SSM_COMMAND_ID"']);
    await terminal(rig, id);
    expect((await rig.service.GetCommandInvocation({ CommandId: id, InstanceId: node.instanceId })).StandardOutputContent).toBe(`${id}\n`);
  });

  test('should truncate stdout to 24000 and stderr to 8000 characters, and plugin output to 2500', async () => {
    const rig = runCommandRig();
    const node = rig.instances.add();
    const id = await send(rig, [node.instanceId], ['head -c 30000 /dev/zero | tr "\\0" a', 'head -c 9000 /dev/zero | tr "\\0" b >&2']);
    await terminal(rig, id);
    const inv = await rig.service.GetCommandInvocation({ CommandId: id, InstanceId: node.instanceId });
    expect(inv.StandardOutputContent).toHaveLength(24_000);
    expect(inv.StandardErrorContent).toHaveLength(8_000);
    const output = (await rig.service.ListCommandInvocations({ CommandId: id, Details: true })).CommandInvocations[0]!.CommandPlugins[0]!.Output;
    expect(output.length).toBeLessThanOrEqual(2500);
    expect(output).toContain('\n---Output truncated---\n----------ERROR-------\n');
    expect(output.endsWith('\n---Error truncated----')).toBe(true);
  });

  test('should survive NUL bytes and invalid UTF-8 in the output', async () => {
    const rig = runCommandRig();
    const node = rig.instances.add();
    const id = await send(rig, [node.instanceId], ["printf 'a\\000b\\377\\376c'"]);
    await terminal(rig, id);
    const out = (await rig.service.GetCommandInvocation({ CommandId: id, InstanceId: node.instanceId })).StandardOutputContent;
    expect(out).toBe('a\u0000b\uFFFD\uFFFDc');
    expect(() => JSON.stringify(out)).not.toThrow();
  });

  test('should fail one of three nodes and fail the command when MaxErrors is 0', async () => {
    const rig = runCommandRig();
    const nodes = [rig.instances.add(), rig.instances.add(), rig.instances.add()];
    const id = await send(rig, nodes.map((n) => n.instanceId), ['[ "$AWS_SSM_INSTANCE_ID" != "' + nodes[1]!.instanceId + '" ]']);
    expect(await terminal(rig, id)).toMatchObject({ Status: 'Failed', StatusDetails: 'Failed', ErrorCount: 1, CompletedCount: 3 });
  });

  test('should succeed when errors stay within MaxErrors', async () => {
    const rig = runCommandRig();
    const nodes = [rig.instances.add(), rig.instances.add(), rig.instances.add()];
    const id = await send(rig, nodes.map((n) => n.instanceId), ['[ "$AWS_SSM_INSTANCE_ID" != "' + nodes[1]!.instanceId + '" ]'], {}, { MaxErrors: '1' });
    expect(await terminal(rig, id)).toMatchObject({ Status: 'Success', ErrorCount: 1 });
  });

  test('should terminate queued invocations when MaxErrors is exceeded with MaxConcurrency 1', async () => {
    const rig = runCommandRig();
    const nodes = [rig.instances.add(), rig.instances.add(), rig.instances.add()];
    const id = await send(rig, nodes.map((n) => n.instanceId), ['exit 1'], {}, { MaxConcurrency: '1' });
    expect(await terminal(rig, id)).toMatchObject({ Status: 'Failed', ErrorCount: 1 });
    const invs = (await rig.service.ListCommandInvocations({ CommandId: id })).CommandInvocations;
    expect(invs.map((i) => i.StatusDetails)).toEqual(['Failed', 'Terminated', 'Terminated']);
  });

  test('should resolve tag targets and mark unknown InstanceIds targets Undeliverable without counting them', async () => {
    const rig = runCommandRig();
    const web = rig.instances.add({ tags: { role: 'web' } });
    rig.instances.add({ tags: { role: 'db' } });
    const { Command } = await rig.service.SendCommand({
      DocumentName: 'AWS-RunShellScript',
      Targets: [{ Key: 'tag:role', Values: ['web'] }],
      Parameters: { commands: ['echo tagged'] },
    });
    expect(Command.TargetCount).toBe(1);
    expect((await terminal(rig, Command.CommandId)).Status).toBe('Success');
    expect((await rig.service.ListCommandInvocations({ CommandId: Command.CommandId })).CommandInvocations[0]!.InstanceId).toBe(web.instanceId);

    const mixed = await rig.service.SendCommand({
      DocumentName: 'AWS-RunShellScript',
      Targets: [{ Key: 'InstanceIds', Values: [web.instanceId, 'i-0000000000000dead'] }],
      Parameters: { commands: ['echo x'] },
    });
    expect(await terminal(rig, mixed.Command.CommandId)).toMatchObject({ Status: 'Success', TargetCount: 2, ErrorCount: 0 });
  });

  test('should fail with Invalid Platform when AWS-RunPowerShellScript runs without pwsh', async () => {
    const rig = runCommandRig();
    const node = rig.instances.add();
    const { Command } = await rig.service.SendCommand({ DocumentName: 'AWS-RunPowerShellScript', InstanceIds: [node.instanceId], Parameters: { commands: ['Write-Output hi'] } });
    const cmd = await terminal(rig, Command.CommandId);
    expect(cmd).toMatchObject({ Status: 'Failed', StatusDetails: 'Invalid Platform', ErrorCount: 0 });
  });

  test('should write the script under <agentDir>/<instance>/orchestration/<command>/<plugin> however the agent folder is spelt', async () => {
    const clock = new VirtualClock({ start: Date.parse('2026-01-01T00:00:00Z') });
    const ids = sequentialIds();
    const base = mkdtempSync(join(tmpdir(), 'shellstep-test-'));
    const instances = new InstanceRegistry({ baseDir: base, clock, ids });
    const node = instances.add();
    for (const agentDir of [undefined, `${base}/agent/`, `${base}/x/../agent2`]) {
      const service = new RunCommandService({ clock, ids, instances, region: 'us-east-1', ...(agentDir === undefined ? {} : { agentDir }) });
      const rig = { clock, instances, service };
      const id = await send(rig, [node.instanceId], ['true']);
      await terminal(rig, id);
      const script = join(agentDir ?? join(base, '.agent'), node.instanceId, 'orchestration', id, 'awsrunShellScript', '_script.sh');
      expect(existsSync(script)).toBe(true);
    }
  });

  test('should describe instances with their ping status', async () => {
    const rig = runCommandRig();
    const a = rig.instances.add({ kind: 'managed' });
    expect(a.instanceId).toMatch(/^mi-[0-9a-f]{17}$/);
    rig.instances.goOffline(a.instanceId);
    expect(a.describe()).toMatchObject({ PingStatus: 'ConnectionLost', ResourceType: 'ManagedInstance', PlatformType: 'Linux' });
  });
});

describe('SendCommand response', () => {
  test("should return AWS's empty NotificationConfig and CloudWatchOutputConfig when the request set none, in every view", async () => {
    const rig = runCommandRig();
    const node = rig.instances.add();
    const { Command } = await rig.service.SendCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: [node.instanceId], Parameters: { commands: ['true'] } });
    const notification = { NotificationArn: '', NotificationEvents: [], NotificationType: '' };
    const cloudWatch = { CloudWatchLogGroupName: '', CloudWatchOutputEnabled: false };
    expect(Command).toMatchObject({ NotificationConfig: notification, CloudWatchOutputConfig: cloudWatch, DocumentVersion: '' });
    expect((await rig.service.ListCommands({ CommandId: Command.CommandId })).Commands[0]).toMatchObject({ NotificationConfig: notification, CloudWatchOutputConfig: cloudWatch });
    const [invocation] = (await rig.service.ListCommandInvocations({ CommandId: Command.CommandId })).CommandInvocations;
    expect(invocation).toMatchObject({ NotificationConfig: notification, CloudWatchOutputConfig: cloudWatch });
    expect(invocation).not.toHaveProperty('TraceOutput');
    expect((await rig.service.GetCommandInvocation({ CommandId: Command.CommandId, InstanceId: node.instanceId })).CloudWatchOutputConfig).toEqual(cloudWatch);
    await terminal(rig, Command.CommandId);
  });

  test('should compare target keys as AWS does: `instanceids` lists the ids under InstanceIds, tag keys keep their case', async () => {
    const rig = runCommandRig();
    const node = rig.instances.add({ tags: { Env: 'Dev' } });
    const { Command } = await rig.service.SendCommand({ DocumentName: 'AWS-RunShellScript', Targets: [{ Key: 'instanceids', Values: [node.instanceId] }], Parameters: { commands: ['true'] } });
    // aws-cli send-command example 1: Key=instanceids → "InstanceIds": [...], "Targets": [].
    expect(Command).toMatchObject({ InstanceIds: [node.instanceId], Targets: [], TargetCount: 1 });
    const byTag = await rig.service.SendCommand({ DocumentName: 'AWS-RunShellScript', Targets: [{ Key: 'TAG:Env', Values: ['Dev'] }], Parameters: { commands: ['true'] } });
    expect(byTag.Command).toMatchObject({ TargetCount: 1, InstanceIds: [], Targets: [{ Key: 'TAG:Env', Values: ['Dev'] }] });
    const wrongCase = await rig.service.SendCommand({ DocumentName: 'AWS-RunShellScript', Targets: [{ Key: 'tag:env', Values: ['Dev'] }], Parameters: { commands: ['true'] } });
    expect(wrongCase.Command.TargetCount).toBe(0);
    await terminal(rig, Command.CommandId);
    await terminal(rig, byTag.Command.CommandId);
  });

  test('should show the command Pending with its limits when it is accepted', async () => {
    const rig = runCommandRig();
    const node = rig.instances.add();
    const { Command } = await rig.service.SendCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: [node.instanceId], Parameters: { commands: ['true'], executionTimeout: ['100'] }, TimeoutSeconds: 60 });
    expect(Command).toMatchObject({ Status: 'Pending', StatusDetails: 'Pending', TargetCount: 1, MaxConcurrency: '50', MaxErrors: '0', TimeoutSeconds: 60, DocumentVersion: '' });
    expect(Command.ExpiresAfter.getTime() - Command.RequestedDateTime.getTime()).toBe(160_000);
  });
});
