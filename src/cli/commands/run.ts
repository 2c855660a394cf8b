/** `shellstep run`: start an execution and follow it with the live view, on AWS or a local endpoint. */
import type { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AwsApi } from '../../engine/aws-api.js';
import { CLI_STATE_MACHINE_ROLE_NAME } from '../../engine/iam/roles.js';
import { DEFAULT_ACCOUNT_ID } from '../../engine/regions/partitions.js';
import { ExitCode } from '../exit-codes.js';
import type { SdkApi } from '../live/api-caller.js';
import type { ExecutionSummary, LiveViewOptions } from '../live/live-view.js';
import { localEndpointIdentity } from '../live/local-endpoint-identity.js';
import { jsonText } from '../options.js';
import { resolveFile, SHIPPED_STATE_MACHINES } from '../shipped.js';

interface RunOptions {
  stateMachine: string;
  input: string;
  endpointUrl?: string;
  roleArn?: string;
  region?: string;
}

/** The role the embedded engine (default account, `aws` partition) defines for the state machines the CLI creates. */
export const LOCAL_ROLE_ARN = `arn:aws:iam::${DEFAULT_ACCOUNT_ID}:role/${CLI_STATE_MACHINE_ROLE_NAME}`;

/** Starts `stateMachineArn` with `input` and follows it to the end. */
export async function startAndFollow(api: AwsApi, stateMachineArn: string, input: string, view: Omit<LiveViewOptions, 'api'> = {}): Promise<ExecutionSummary> {
  const { followExecution } = await import('../live/live-view.js');
  const started = (await api.call('sfn', 'StartExecution', { stateMachineArn, input })) as { executionArn: string };
  return followExecution(started.executionArn, { ...view, api });
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('Start a state machine execution and follow it live, on AWS or a local endpoint.')
    .requiredOption(
      '--state-machine <arn|file|name>',
      `a state machine ARN, or a definition to create a state machine from: a file, or a shipped one by name (${SHIPPED_STATE_MACHINES.map((s) => s.name).join(', ')})`,
    )
    .option('--input <json>', 'the execution input', jsonText, '{}')
    .option('--endpoint-url <url>', 'a local endpoint (shellstep serve); without it, AWS')
    .option('--role-arn <arn>', 'the role for a state machine created from a file (required on AWS)')
    .option('--region <region>', 'the AWS Region (default: your AWS configuration)')
    .addHelpText(
      'after',
      `
The live view goes to stderr; {"status", "output"|"error", "cause"} to stdout.

Exit codes: 0 SUCCEEDED; 2 FAILED, TIMED_OUT or ABORTED; 1 unusable arguments or a refused request.

The shipped run-shell-command definitions are the seed's sample: they run 'sleep 100' on i-1234567890abcdef0,
so a local endpoint needs that instance and the runbooks (shellstep serve --instance i-1234567890abcdef0
--template runbooks), and the execution takes 100 s.

Examples:
  $ shellstep run --state-machine arn:aws:states:us-east-1:123456789012:stateMachine:sample
  $ shellstep run --state-machine run-shell-command --endpoint-url http://127.0.0.1:4599`,
    )
    .action(async (options: RunOptions) => {
      let definitionFile: string | undefined;
      if (!options.stateMachine.startsWith('arn:')) {
        try {
          definitionFile = resolveFile(options.stateMachine, SHIPPED_STATE_MACHINES, 'state machine').file;
        } catch (error) {
          process.stderr.write(`run: ${(error as Error).message}\n`);
          process.exitCode = ExitCode.Failure;
          return;
        }
      }
      // A local endpoint: its engine's role for the CLI, in its account, and its default region unless --region says.
      const local = options.endpointUrl === undefined ? undefined : await localEndpointIdentity(options.endpointUrl, options.region);
      const roleArn = options.roleArn ?? local?.roleArn;
      const region = options.region ?? local?.region;
      if (definitionFile !== undefined && roleArn === undefined) {
        process.stderr.write('run: --role-arn is required to create a state machine on AWS from a definition.\n');
        process.exitCode = ExitCode.Failure;
        return;
      }
      const { SdkApi } = await import('../live/api-caller.js');
      let api: SdkApi;
      try {
        api = await SdkApi.open(
          {
            ...(options.endpointUrl === undefined ? {} : { endpointUrl: options.endpointUrl }),
            ...(region === undefined ? {} : { region }),
          },
          ['sfn', 'ssm'],
        );
      } catch (error) {
        process.stderr.write(`run: ${(error as Error).message}\n`);
        process.exitCode = ExitCode.Failure;
        return;
      }
      try {
        let arn = options.stateMachine;
        if (definitionFile !== undefined && roleArn !== undefined) {
          const definition = readFileSync(definitionFile, 'utf8');
          const created = (await api.call('sfn', 'CreateStateMachine', { name: `shellstep-run-${randomBytes(4).toString('hex')}`, definition, roleArn })) as { stateMachineArn: string };
          arn = created.stateMachineArn;
        }
        const summary = await startAndFollow(api, arn, options.input);
        process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
        process.exitCode = summary.status === 'SUCCEEDED' ? ExitCode.Success : ExitCode.ExecutionFailed;
      } catch (error) {
        process.stderr.write(`${(error as Error).name}: ${(error as Error).message}\n`);
        process.exitCode = ExitCode.Failure;
      } finally {
        api.close();
      }
    });
}
