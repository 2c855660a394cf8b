/**
 * `shellstep demo`: the offline end-to-end demo. It starts the embedded engine with three local instances,
 * deploys the generated runbooks template and the sample stack, then runs three scenarios while the live view
 * shows every state, automation step and node status:
 *  1. the seed's sample state machine on one instance (a short sleep instead of 100 s);
 *  2. SfnRunCommandByTargets against the instances tagged Role=web;
 *  3. a failing command whose `RunCommand.Failed` error a Catch handles.
 * Result JSON on stdout; exit 0 only when every scenario behaved as expected.
 */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import type { LocalEngine } from '../../engine/local-engine.js';
import type { JsonObject } from '../../model/json.js';
import { ExitCode } from '../exit-codes.js';
import type { ExecutionSummary } from '../live/live-view.js';
import { wholeSeconds } from '../options.js';
import { PACKAGE_ROOT, SHIPPED_TEMPLATES } from '../shipped.js';

export interface ScenarioResult {
  readonly name: string;
  readonly expected: string;
  readonly status: string;
  readonly error?: string;
  readonly passed: boolean;
  readonly durationMs: number;
  readonly nodes: Array<{ InstanceId: string; Status: string; ResponseCode?: number; Output?: string }>;
}

export interface DemoResult {
  readonly passed: boolean;
  readonly scenarios: ScenarioResult[];
  readonly instances: Array<{ InstanceId: string; Tags: Record<string, string> }>;
  readonly elapsedMs: number;
  /** With `console`: the web console's URL, served until `close` is called. */
  readonly console?: string;
  readonly close?: () => Promise<void>;
}

/** Per-node results of the command a finished execution ran, from ListCommandInvocations. */
async function nodes(engine: LocalEngine, commandId: string | undefined): Promise<ScenarioResult['nodes']> {
  if (commandId === undefined) return [];
  const out = await engine.ssm.ListCommandInvocations({ CommandId: commandId, Details: true });
  return out.CommandInvocations.map((inv) => {
    const plugin = inv.CommandPlugins?.[0];
    return {
      InstanceId: inv.InstanceId ?? '',
      Status: String(inv.Status),
      ...(plugin?.ResponseCode === undefined ? {} : { ResponseCode: plugin.ResponseCode }),
      ...(plugin?.Output === undefined ? {} : { Output: plugin.Output }),
    };
  });
}

function commandIdOf(summary: ExecutionSummary): string | undefined {
  const output = summary.output as JsonObject | undefined;
  const command = output?.['command'] as JsonObject | undefined;
  if (typeof command?.['CommandId'] === 'string') return command['CommandId'];
  const cause = summary.cause ?? JSON.stringify(output?.['error'] ?? '');
  return /Command ([0-9a-f-]{36})/.exec(cause)?.[1];
}

export async function runDemo(options: { write?: (line: string) => void; sleepSeconds?: number; console?: boolean } = {}): Promise<DemoResult> {
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const started = Date.now();
  // Loaded here, not at the top, so that other commands start fast (cold start of the CLI).
  const { LocalEngine } = await import('../../engine/local-engine.js');
  const { followExecution } = await import('../live/live-view.js');
  const engine = new LocalEngine({ clock: 'fast' });
  let serving: { url: string; close: () => Promise<void> } | undefined;
  try {
    const web1 = engine.instances.add({ name: 'web-1', tags: { Name: 'web-1', Role: 'web' } });
    const web2 = engine.instances.add({ name: 'web-2', tags: { Name: 'web-2', Role: 'web' } });
    const db1 = engine.instances.add({ name: 'db-1', tags: { Name: 'db-1', Role: 'db' } });
    write(`shellstep demo: local instances ${web1.instanceId} (web-1), ${web2.instanceId} (web-2), ${db1.instanceId} (db-1)`);

    const [runbooks, sampleTemplate] = ['runbooks', 'sample'].map((name) => SHIPPED_TEMPLATES.find((t) => t.name === name)!);
    write(`deploying ${runbooks!.path} as stack ${runbooks!.stackName!}`);
    await engine.deploy(readFileSync(`${PACKAGE_ROOT}${runbooks!.path}`, 'utf8'), { stackName: runbooks!.stackName! });
    write(`deploying ${sampleTemplate!.path} as stack ${sampleTemplate!.stackName!}`);
    const sample = await engine.deploy(readFileSync(`${PACKAGE_ROOT}${sampleTemplate!.path}`, 'utf8'), {
      stackName: sampleTemplate!.stackName!,
      parameters: { InstanceId: web1.instanceId, SleepSeconds: String(options.sleepSeconds ?? 2) },
    });
    if (options.console === true) {
      const { startLocalEndpoint } = await import('../../server/local-endpoint.js');
      const { CONSOLE_PATH } = await import('../../server/console-routes.js');
      const endpoint = await startLocalEndpoint(engine, { console: {} });
      serving = { url: `${endpoint.url}${CONSOLE_PATH}`, close: () => endpoint.close() };
      write(`console: ${serving.url}`);
    }
    const roleArn = sample.outputs['JsonPathStateMachineArn'] === undefined ? '' : (await engine.sfn.DescribeStateMachine({ stateMachineArn: sample.outputs['JsonPathStateMachineArn'] })).roleArn;

    const scenarios: ScenarioResult[] = [];
    const scenario = async (
      name: string,
      expected: string,
      stateMachineArn: string,
      input: JsonObject,
      check: (summary: ExecutionSummary) => boolean,
    ): Promise<void> => {
      write('');
      write(`── ${name} — expect ${expected}`);
      const t0 = Date.now();
      const { executionArn } = await engine.sfn.StartExecution({ stateMachineArn, input: JSON.stringify(input) });
      if (serving !== undefined) write(`   open: ${serving.url}#/executions/${encodeURIComponent(executionArn)}`);
      const summary = await followExecution(executionArn, {
        api: engine.api,
        write,
        startedAt: t0,
        intervalMs: 50,
        liveOutput: (commandId, instanceId) => engine.ssm.runCommand.liveOutput(commandId, instanceId),
      });
      const result: ScenarioResult = {
        name,
        expected,
        status: summary.status,
        ...(summary.error === undefined ? {} : { error: summary.error }),
        passed: check(summary),
        durationMs: Date.now() - t0,
        nodes: await nodes(engine, commandIdOf(summary)),
      };
      for (const node of result.nodes) {
        const output = (node.Output ?? '').trim();
        write(`   ${node.InstanceId}: ${node.Status}, exit ${node.ResponseCode ?? '-'}${output === '' ? ', no output' : `, output: ${output.split('\n').join(' ⏎ ')}`}`);
      }
      write(`   ${result.passed ? 'as expected' : 'NOT as expected'} (${result.durationMs} ms)`);
      scenarios.push(result);
    };

    await scenario(
      'sample state machine (SfnRunCommandByInstanceIds, the seed\'s commands)',
      'SUCCEEDED with the command id and per-node results',
      sample.outputs['JsonPathStateMachineArn']!,
      {},
      (s) => s.status === 'SUCCEEDED' && typeof commandIdOf(s) === 'string',
    );

    const byTargets = await engine.sfn.CreateStateMachine({
      name: 'demo-by-targets',
      roleArn,
      definition: JSON.stringify({
        QueryLanguage: 'JSONata',
        StartAt: 'RunOnWebNodes',
        States: {
          RunOnWebNodes: {
            Type: 'Task',
            Resource: 'arn:aws:states:::aws-sdk:ssm:startAutomationExecution.waitForTaskToken',
            Arguments: {
              DocumentName: 'SfnRunCommandByTargets',
              Parameters: {
                // A MapList parameter travels as one JSON string per map.
                Targets: ['{% $string({"Key": "tag:Role", "Values": [$states.input.role]}) %}'],
                taskToken: ['{% $states.context.Task.Token %}'],
                Commands: ['echo "$(cat /proc/sys/kernel/hostname 2>/dev/null || echo node) says hello from $PWD"'],
                executionTimeout: ['60'],
              },
            },
            TimeoutSeconds: 960,
            Output: { command: '{% $states.result %}' },
            End: true,
          },
        },
      }),
    });
    await scenario(
      'SfnRunCommandByTargets on the nodes tagged Role=web',
      'SUCCEEDED on web-1 and web-2 only',
      byTargets.stateMachineArn,
      { role: 'web' },
      (s) => s.status === 'SUCCEEDED',
    );
    const targeted = scenarios.at(-1)!;
    const ids = targeted.nodes.map((n) => n.InstanceId).sort();
    if (JSON.stringify(ids) !== JSON.stringify([web1.instanceId, web2.instanceId].sort())) {
      scenarios[scenarios.length - 1] = { ...targeted, passed: false };
    }

    const failing = await engine.sfn.CreateStateMachine({
      name: 'demo-failing-command',
      roleArn,
      definition: JSON.stringify({
        StartAt: 'RunFailingCommand',
        States: {
          RunFailingCommand: {
            Type: 'Task',
            Resource: 'arn:aws:states:::aws-sdk:ssm:startAutomationExecution.waitForTaskToken',
            Parameters: {
              DocumentName: 'SfnRunCommandByInstanceIds',
              Parameters: {
                InstanceIds: [db1.instanceId],
                'taskToken.$': 'States.Array($$.Task.Token)',
                Commands: ['echo "checking the database..."', 'echo "disk full" >&2', 'exit 3'],
              },
            },
            TimeoutSeconds: 4500,
            Catch: [{ ErrorEquals: ['RunCommand.Failed'], ResultPath: '$.error', Next: 'HandleFailure' }],
            End: true,
          },
          HandleFailure: { Type: 'Pass', End: true },
        },
      }),
    });
    await scenario(
      'a failing command, caught by name',
      'the Catch on RunCommand.Failed to handle it (execution SUCCEEDED through HandleFailure)',
      failing.stateMachineArn,
      {},
      (s) => s.status === 'SUCCEEDED' && ((s.output as JsonObject | undefined)?.['error'] as JsonObject | undefined)?.['Error'] === 'RunCommand.Failed',
    );

    const passed = scenarios.every((s) => s.passed);
    write('');
    write(`${passed ? 'All scenarios behaved as expected' : 'Some scenarios did NOT behave as expected'} in ${Date.now() - started} ms.`);
    const server = serving;
    return {
      passed,
      scenarios,
      // Not their folders: a temp folder the engine removes as it closes.
      instances: [web1, web2, db1].map((i) => ({ InstanceId: i.instanceId, Tags: { ...i.tags } })),
      elapsedMs: Date.now() - started,
      ...(server === undefined
        ? {}
        : {
            console: server.url,
            close: async () => {
              await server.close();
              await engine.close();
            },
          }),
    };
  } catch (error) {
    await serving?.close();
    throw error;
  } finally {
    // With the console, the engine keeps serving until the caller's close.
    if (serving === undefined) await engine.close();
  }
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('Run the offline demo: the generated runbooks and sample state machine on local instances, with a live view.')
    .option('--sleep <seconds>', 'how long the sample command sleeps, 0..600 (the seed uses 100)', wholeSeconds(0, 600), '2')
    .option('--console', 'serve the web console, print its URL and each run\'s, and keep serving until Ctrl-C')
    .option('--json', 'print the result JSON on stdout (the default when stdout is not a terminal)')
    .addHelpText(
      'after',
      `
Needs no AWS account and no Docker. The live view and a per-node summary go to stderr. The result JSON
({"passed", "scenarios", "instances", "elapsedMs"}) goes to stdout with --json, or when stdout is not a terminal
(a pipe or a file); on a terminal without --json, the readable view is all.

Exit codes: 0 every scenario behaved as expected; 2 at least one did not; 1 unusable arguments.

Examples:
  $ shellstep demo
  $ shellstep demo --console
  $ shellstep demo --sleep 5 --json 2>/dev/null | jq '.scenarios[].status'`,
    )
    .action(async (options: { sleep: string; console?: boolean; json?: boolean }) => {
      const result = await runDemo({ sleepSeconds: Number(options.sleep), console: options.console === true });
      const { close, ...printed } = result;
      if (options.json === true || process.stdout.isTTY !== true) process.stdout.write(`${JSON.stringify(printed, null, 2)}\n`);
      process.exitCode = result.passed ? ExitCode.Success : ExitCode.ExecutionFailed;
      if (close !== undefined) {
        process.stderr.write(`\nThe console is at ${result.console} (Ctrl-C to stop).\n`);
        const stop = () => void close().then(() => process.exit());
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      }
    });
}
