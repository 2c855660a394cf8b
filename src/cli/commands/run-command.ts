/**
 * `shellstep run-command`: runs shell commands through the runbook path (a state machine calling
 * SfnRunCommandByInstanceIds with a task token) and prints each node's result. Without `--endpoint-url` it
 * starts the embedded engine with the given instances and the generated runbooks.
 */
import type { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AwsApi } from '../../engine/aws-api.js';
import type { LocalEngine } from '../../engine/local-engine.js';
import { RUNBOOK_NAMES } from '../../definitions/runbooks.js';
import { runbookTask, taskTimeoutSeconds } from '../../definitions/state-machines.js';
import type { JsonObject } from '../../model/json.js';
import { ExitCode } from '../exit-codes.js';
import type { SdkApi } from '../live/api-caller.js';
import { collect, instanceSpec, oneOf, wholeSeconds, type InstanceSpec } from '../options.js';
import { PACKAGE_ROOT, SHIPPED_TEMPLATES } from '../shipped.js';
import { LOCAL_ROLE_ARN, startAndFollow } from './run.js';

interface RunCommandOptions {
  instance: InstanceSpec[];
  command?: string[];
  shell: string;
  executionTimeout: string;
  deliveryTimeout: string;
  workingDirectory?: string;
  document: string;
  endpointUrl?: string;
  roleArn?: string;
  region?: string;
}

/**
 * AWS-RunShellScript's pattern accepts 1..172800, but the SSM agent runs any value under 5 (or over its maximum) for
 * its default 3600 s (amazon-ssm-agent pluginutil ValidateExecutionTimeout, minExecutionTimeoutInSeconds = 5):
 * refused here rather than silently lengthened.
 */
const EXECUTION_TIMEOUT = wholeSeconds(5, 172800, 'the SSM agent runs values under 5 for 3600 s');
/** SendCommand `TimeoutSeconds`: 30..2592000 (API reference). */
const DELIVERY_TIMEOUT = wholeSeconds(30, 2592000, 'SendCommand TimeoutSeconds');

function definition(options: RunCommandOptions, instanceIds: string[], lines: string[]): string {
  const parameters: JsonObject = {
    InstanceIds: instanceIds,
    Commands: lines,
    shell: [options.shell],
    executionTimeout: [options.executionTimeout],
    deliveryTimeout: [options.deliveryTimeout],
  };
  if (options.workingDirectory !== undefined) parameters['workingDirectory'] = [options.workingDirectory];
  return JSON.stringify({
    StartAt: 'RunCommand',
    States: {
      RunCommand: {
        ...runbookTask({
          documentName: options.document,
          parameters,
          timeoutSeconds: taskTimeoutSeconds(Number(options.executionTimeout), Number(options.deliveryTimeout)),
        }),
        End: true,
      },
    },
  });
}

async function nodeResults(api: AwsApi, commandId: string): Promise<JsonObject[]> {
  const listed = (await api.call('ssm', 'ListCommandInvocations', { CommandId: commandId })) as { CommandInvocations?: JsonObject[] };
  const results: JsonObject[] = [];
  for (const inv of listed.CommandInvocations ?? []) {
    const detail = (await api.call('ssm', 'GetCommandInvocation', { CommandId: commandId, InstanceId: String(inv['InstanceId']) })) as JsonObject;
    results.push({
      InstanceId: detail['InstanceId'] ?? null,
      Status: detail['Status'] ?? null,
      StatusDetails: detail['StatusDetails'] ?? null,
      ResponseCode: detail['ResponseCode'] ?? null,
      StandardOutputContent: detail['StandardOutputContent'] ?? '',
      StandardErrorContent: detail['StandardErrorContent'] ?? '',
    });
  }
  return results;
}

export function registerRunCommand(program: Command): void {
  program
    .command('run-command')
    .description('Run shell commands on instances through the runbook path and print each node\'s result.')
    .argument('[command...]', 'one command line (put it after --)')
    .requiredOption('--instance <id[:tag=value,...]>', "an instance id, or 'auto' for a new local one (repeatable)", instanceSpec)
    .option('-c, --command <line>', 'a script line; repeat for more lines (run as one script)', collect)
    .option('--shell <shell>', 'Shell or PowerShell (case-sensitive, as the runbook\'s allowedValues)', oneOf(['Shell', 'PowerShell'] as const), 'Shell')
    .option('--execution-timeout <seconds>', 'seconds the commands may run, 5..172800', EXECUTION_TIMEOUT, '3600')
    .option('--delivery-timeout <seconds>', 'seconds to wait for a node to start them, 30..2592000', DELIVERY_TIMEOUT, '600')
    .option('--working-directory <dir>', 'directory to run in (default: the node\'s default)')
    .option('--document <name>', 'the runbook to use', RUNBOOK_NAMES.InstanceIds)
    .option('--endpoint-url <url>', 'a local endpoint with the runbooks deployed; without it, the embedded engine')
    .option('--role-arn <arn>', 'the role of the temporary state machine (for an endpoint that checks it)')
    .addHelpText(
      'after',
      `
Without --endpoint-url, creates the given instances locally (ids as given, or generated for 'auto'), deploys
the generated runbooks and runs there. Node results {InstanceId, Status, ResponseCode, StandardOutputContent,
StandardErrorContent} and the execution's status go to stdout; the live view to stderr.

Exit codes: 0 the command succeeded on every node; 2 it did not; 1 unusable arguments.

Examples:
  $ shellstep run-command --instance auto -- uname -a
  $ shellstep run-command --instance auto:Role=web --instance auto -c 'cd /tmp' -c 'ls -la'
  $ shellstep run-command --instance i-0123456789abcdef0 --endpoint-url http://127.0.0.1:4599 -- df -h`,
    )
    .action(async (words: string[], options: RunCommandOptions) => {
      const lines = [...(options.command ?? []), ...(words.length > 0 ? [words.join(' ')] : [])];
      if (lines.length === 0) {
        process.stderr.write('Give a command after --, or one or more --command lines.\n');
        process.exitCode = ExitCode.Failure;
        return;
      }
      let api: AwsApi;
      let engine: LocalEngine | undefined;
      let sdk: SdkApi | undefined;
      let instanceIds: string[];
      let roleArn = LOCAL_ROLE_ARN;
      if (options.endpointUrl === undefined) {
        const { LocalEngine } = await import('../../engine/local-engine.js');
        engine = new LocalEngine({ clock: 'fast' });
        instanceIds = options.instance.map((spec) =>
          engine!.instances.add({ tags: spec.tags, ...(spec.instanceId === undefined ? {} : { instanceId: spec.instanceId }) }).instanceId,
        );
        const runbooks = SHIPPED_TEMPLATES.find((t) => t.name === 'runbooks')!;
        await engine.deploy(readFileSync(`${PACKAGE_ROOT}${runbooks.path}`, 'utf8'), { stackName: runbooks.stackName! });
        api = engine.api;
      } else {
        if (options.instance.some((spec) => spec.instanceId === undefined)) {
          process.stderr.write("'auto' instances exist only in the embedded engine; give instance ids with --endpoint-url.\n");
          process.exitCode = ExitCode.Failure;
          return;
        }
        instanceIds = options.instance.map((spec) => spec.instanceId!);
        const { SdkApi } = await import('../live/api-caller.js');
        const { localEndpointIdentity } = await import('../live/local-endpoint-identity.js');
        const local = await localEndpointIdentity(options.endpointUrl, options.region);
        roleArn = local.roleArn;
        try {
          sdk = await SdkApi.open({ endpointUrl: options.endpointUrl, region: local.region }, ['sfn', 'ssm']);
        } catch (error) {
          process.stderr.write(`run-command: ${(error as Error).message}\n`);
          process.exitCode = ExitCode.Failure;
          return;
        }
        api = sdk;
      }
      try {
        const created = (await api.call('sfn', 'CreateStateMachine', {
          name: `shellstep-run-command-${randomBytes(4).toString('hex')}`,
          definition: definition(options, instanceIds, lines),
          roleArn: options.roleArn ?? roleArn,
        })) as { stateMachineArn: string };
        const runCommand = engine?.ssm.runCommand;
        const summary = await startAndFollow(api, created.stateMachineArn, '{}', runCommand === undefined ? {} : { liveOutput: (c, i) => runCommand.liveOutput(c, i) });
        await api.call('sfn', 'DeleteStateMachine', { stateMachineArn: created.stateMachineArn }).catch(() => undefined);
        const commandId =
          typeof (summary.output as JsonObject | undefined)?.['CommandId'] === 'string'
            ? String((summary.output as JsonObject)['CommandId'])
            : /Command ([0-9a-f-]{36})/.exec(summary.cause ?? '')?.[1];
        const nodes = commandId === undefined ? [] : await nodeResults(api, commandId);
        process.stdout.write(`${JSON.stringify({ ...summary, CommandId: commandId ?? null, nodes }, null, 2)}\n`);
        process.exitCode = summary.status === 'SUCCEEDED' ? ExitCode.Success : ExitCode.ExecutionFailed;
      } catch (error) {
        process.stderr.write(`${(error as Error).name}: ${(error as Error).message}\n`);
        process.exitCode = ExitCode.Failure;
      } finally {
        sdk?.close();
        await engine?.close();
      }
    });
}
