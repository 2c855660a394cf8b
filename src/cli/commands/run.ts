/** `shellstep run`: start an execution and follow it with the live view, on AWS or a local endpoint. */
import type { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AwsApi } from '../../engine/aws-api.js';
import { ExitCode } from '../exit-codes.js';
import type { ExecutionSummary } from '../live/live-view.js';

interface RunOptions {
  stateMachine: string;
  input: string;
  endpointUrl?: string;
  roleArn?: string;
  region?: string;
}

/** A placeholder role for state machines created on a local endpoint, which does not check unknown roles. */
export const LOCAL_ROLE_ARN = 'arn:aws:iam::123456789012:role/shellstep-local';

/** Starts `stateMachineArn` with `input` and follows it to the end. */
export async function startAndFollow(api: AwsApi, stateMachineArn: string, input: string, write?: (line: string) => void): Promise<ExecutionSummary> {
  const { followExecution } = await import('../live/live-view.js');
  const started = (await api.call('sfn', 'StartExecution', { stateMachineArn, input })) as { executionArn: string };
  return followExecution(started.executionArn, { api, ...(write === undefined ? {} : { write }) });
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('Start a state machine execution and follow it live, on AWS or a local endpoint.')
    .requiredOption('--state-machine <arn|file>', 'a state machine ARN, or a definition file to create a state machine from')
    .option('--input <json>', 'the execution input', '{}')
    .option('--endpoint-url <url>', 'a local endpoint (shellstep serve); without it, AWS')
    .option('--role-arn <arn>', 'the role for a state machine created from a file (required on AWS)')
    .option('--region <region>', 'the AWS Region (default: your AWS configuration)')
    .addHelpText(
      'after',
      `
The live view goes to stderr; {"status", "output"|"error", "cause"} to stdout.

Exit codes: 0 SUCCEEDED; 2 FAILED, TIMED_OUT or ABORTED; 1 unusable arguments or a refused request.

Examples:
  $ shellstep run --state-machine arn:aws:states:us-east-1:123456789012:stateMachine:sample
  $ shellstep run --state-machine state-machines/run-shell-command.asl.json --endpoint-url http://127.0.0.1:4599`,
    )
    .action(async (options: RunOptions) => {
      try {
        JSON.parse(options.input);
      } catch (error) {
        process.stderr.write(`--input is not valid JSON: ${(error as Error).message}\n`);
        process.exitCode = ExitCode.Failure;
        return;
      }
      const { SdkApi } = await import('../live/api-caller.js');
      const api = new SdkApi({
        ...(options.endpointUrl === undefined ? {} : { endpointUrl: options.endpointUrl }),
        ...(options.region === undefined ? {} : { region: options.region }),
      });
      try {
        let arn = options.stateMachine;
        if (!arn.startsWith('arn:')) {
          const roleArn = options.roleArn ?? (options.endpointUrl === undefined ? undefined : LOCAL_ROLE_ARN);
          if (roleArn === undefined) {
            process.stderr.write('--role-arn is required to create a state machine on AWS from a file.\n');
            process.exitCode = ExitCode.Failure;
            return;
          }
          const definition = readFileSync(arn, 'utf8');
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
