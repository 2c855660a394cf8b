import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  CreateActivityCommand,
  CreateStateMachineCommand,
  DeleteActivityCommand,
  DescribeActivityCommand,
  DescribeExecutionCommand,
  GetActivityTaskCommand,
  GetExecutionHistoryCommand,
  ListActivitiesCommand,
  ListTagsForResourceCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { VirtualClock } from '../../../src/engine/clock.js';
import { LocalEngine } from '../../../src/engine/local-engine.js';
import { startLocalEndpoint } from '../../../src/server/local-endpoint.js';
import type { LocalEndpoint } from '../../../src/server/server.js';

const ROLE = 'arn:aws:iam::123456789012:role/activity-test';
let clock: VirtualClock;
let engine: LocalEngine;
let endpoint: LocalEndpoint;
let sfn: SFNClient;
let release: () => void;

beforeAll(async () => {
  clock = new VirtualClock({ autoAdvance: true });
  engine = new LocalEngine({ clock });
  engine.roles.define(ROLE);
  endpoint = await startLocalEndpoint(engine);
  sfn = new SFNClient({ endpoint: endpoint.url, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });
  // Time flows at real speed between the test's calls; the tests move it on explicitly.
  release = clock.hold();
});

afterAll(async () => {
  release();
  sfn.destroy();
  await endpoint.close();
  await engine.close();
});

async function machineOn(activityArn: string, extra: Record<string, unknown> = {}): Promise<string> {
  const definition = JSON.stringify({ StartAt: 'Work', States: { Work: { Type: 'Task', Resource: activityArn, Parameters: { 'job.$': '$.job' }, End: true, ...extra } } });
  const name = `m-${Math.random().toString(16).slice(2, 10)}`;
  return (await sfn.send(new CreateStateMachineCommand({ name, definition, roleArn: ROLE }))).stateMachineArn!;
}

async function historyTypes(executionArn: string): Promise<string[]> {
  return ((await sfn.send(new GetExecutionHistoryCommand({ executionArn }))).events ?? []).map((e) => e.type!);
}

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200 && !(await check()); i++) await clock.advance(1000);
}

describe('activities', () => {
  test('should run a Task on an activity ARN: a worker polls it, answers, and the history shows Activity* events', async () => {
    const { activityArn, creationDate } = await sfn.send(new CreateActivityCommand({ name: 'worker-queue', tags: [{ key: 'team', value: 'ops' }] }));
    expect(activityArn).toBe('arn:aws:states:us-east-1:123456789012:activity:worker-queue');
    // Idempotent by name.
    expect((await sfn.send(new CreateActivityCommand({ name: 'worker-queue' }))).creationDate).toEqual(creationDate);
    expect(await sfn.send(new DescribeActivityCommand({ activityArn }))).toMatchObject({ name: 'worker-queue', encryptionConfiguration: { type: 'AWS_OWNED_KEY' } });
    expect((await sfn.send(new ListTagsForResourceCommand({ resourceArn: activityArn }))).tags).toEqual([{ key: 'team', value: 'ops' }]);
    expect((await sfn.send(new ListActivitiesCommand({}))).activities?.map((a) => a.name)).toContain('worker-queue');

    const stateMachineArn = await machineOn(activityArn!);
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{"job":"build"}' }));
    const task = await sfn.send(new GetActivityTaskCommand({ activityArn, workerName: 'w1' }));
    expect(JSON.parse(task.input!)).toEqual({ job: 'build' });
    await sfn.send(new SendTaskHeartbeatCommand({ taskToken: task.taskToken }));
    await sfn.send(new SendTaskSuccessCommand({ taskToken: task.taskToken, output: '{"built":true}' }));
    await until(async () => (await sfn.send(new DescribeExecutionCommand({ executionArn }))).status !== 'RUNNING');
    expect(await sfn.send(new DescribeExecutionCommand({ executionArn }))).toMatchObject({ status: 'SUCCEEDED', output: '{"built":true}' });
    const events = (await sfn.send(new GetExecutionHistoryCommand({ executionArn }))).events!;
    expect(events.map((e) => e.type)).toEqual(['ExecutionStarted', 'TaskStateEntered', 'ActivityScheduled', 'ActivityStarted', 'ActivitySucceeded', 'TaskStateExited', 'ExecutionSucceeded']);
    expect(events[2]!.activityScheduledEventDetails).toMatchObject({ resource: activityArn, input: '{"job":"build"}', inputDetails: { truncated: false } });
    expect(events[3]!.activityStartedEventDetails).toEqual({ workerName: 'w1' });
  });

  test('should fail the Task with the worker error, and time out a worker that stops heartbeating', async () => {
    const { activityArn } = await sfn.send(new CreateActivityCommand({ name: 'failing-queue' }));
    const failing = await machineOn(activityArn!);
    const first = await sfn.send(new StartExecutionCommand({ stateMachineArn: failing, input: '{"job":1}' }));
    const task = await sfn.send(new GetActivityTaskCommand({ activityArn }));
    await sfn.send(new SendTaskFailureCommand({ taskToken: task.taskToken, error: 'Worker.Broke', cause: 'disk full' }));
    await until(async () => (await sfn.send(new DescribeExecutionCommand({ executionArn: first.executionArn }))).status !== 'RUNNING');
    expect(await sfn.send(new DescribeExecutionCommand({ executionArn: first.executionArn }))).toMatchObject({ status: 'FAILED', error: 'Worker.Broke', cause: 'disk full' });
    expect(await historyTypes(first.executionArn!)).toContain('ActivityFailed');

    const heartbeat = await machineOn(activityArn!, { HeartbeatSeconds: 5, TimeoutSeconds: 60 });
    const second = await sfn.send(new StartExecutionCommand({ stateMachineArn: heartbeat, input: '{"job":2}' }));
    const taken = await sfn.send(new GetActivityTaskCommand({ activityArn }));
    expect(taken.taskToken).toBeDefined();
    await until(async () => (await sfn.send(new DescribeExecutionCommand({ executionArn: second.executionArn }))).status !== 'RUNNING');
    expect(await sfn.send(new DescribeExecutionCommand({ executionArn: second.executionArn }))).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(await historyTypes(second.executionArn!)).toContain('ActivityTimedOut');
    // The worker's late answer is refused as AWS refuses it.
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken: taken.taskToken, output: '{}' }))).rejects.toMatchObject({ name: 'TaskTimedOut' });
  });

  test('should return no task after the 60-second long poll, and refuse deleted or malformed activities', async () => {
    const { activityArn } = await sfn.send(new CreateActivityCommand({ name: 'idle-queue' }));
    let settled = false;
    const poll = sfn.send(new GetActivityTaskCommand({ activityArn })).finally(() => (settled = true));
    const started = clock.now();
    for (let i = 0; i < 200 && !settled; i++) await clock.advance(1000);
    expect((await poll).taskToken).toBeUndefined();
    // The poll was held for its 60 seconds of the service's clock, not answered at once.
    expect(clock.now() - started).toBeGreaterThanOrEqual(60_000);
    await sfn.send(new DeleteActivityCommand({ activityArn }));
    await sfn.send(new DeleteActivityCommand({ activityArn }));
    await expect(sfn.send(new GetActivityTaskCommand({ activityArn }))).rejects.toMatchObject({ name: 'ActivityDoesNotExist', message: `Activity Does Not Exist: '${activityArn}'` });
    await expect(sfn.send(new DescribeActivityCommand({ activityArn: 'not-an-arn' }))).rejects.toMatchObject({ name: 'InvalidArn', message: "Invalid Arn: 'Invalid ARN prefix: not-an-arn'" });
    await expect(sfn.send(new CreateActivityCommand({ name: 'bad name' }))).rejects.toMatchObject({ name: 'InvalidName', message: "Invalid Name: 'bad name'" });
    // A machine whose activity was deleted fails when the Task schedules it.
    const orphan = await machineOn(activityArn!);
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: orphan, input: '{"job":3}' }));
    await until(async () => (await sfn.send(new DescribeExecutionCommand({ executionArn }))).status !== 'RUNNING');
    expect(await historyTypes(executionArn!)).toContain('ActivityScheduleFailed');
  });

  test('should refuse activities in Express state machines with AWS message', async () => {
    const definition = JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Task', Resource: 'arn:aws:states:us-east-1:123456789012:activity:x', End: true } } });
    await expect(sfn.send(new CreateStateMachineCommand({ name: 'express-activity', definition, roleArn: ROLE, type: 'EXPRESS' }))).rejects.toMatchObject({
      name: 'InvalidDefinition',
      message: "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: Express state machine does not support Activity ARN at /States/A/Resource'",
    });
  });
});
