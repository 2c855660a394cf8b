/**
 * `shellstep deploy`: creates or updates a CloudFormation stack through the AWS SDK, following its events live,
 * against AWS (the normal credential chain) or a local endpoint (`--endpoint-url`).
 */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import type { JsonObject } from '../../model/json.js';
import { ExitCode } from '../exit-codes.js';
import type { SdkApi } from '../live/api-caller.js';
import { keyValue } from '../options.js';

interface DeployOptions {
  template: string;
  stackName: string;
  parameter?: Record<string, string>;
  endpointUrl?: string;
  region?: string;
}

const COMPLETE = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE']);
const TERMINAL = /(_COMPLETE|_FAILED)$/;

export function registerDeploy(program: Command): void {
  program
    .command('deploy')
    .description('Create or update a CloudFormation stack and follow its events, on AWS or a local endpoint.')
    .requiredOption('--template <file>', 'the template (JSON or YAML)')
    .requiredOption('--stack-name <name>', 'the stack to create or update')
    .option('--parameter <key=value>', 'a template parameter (repeatable)', keyValue)
    .option('--endpoint-url <url>', 'a local endpoint (shellstep serve); without it, AWS')
    .option('--region <region>', 'the AWS Region (default: your AWS configuration)')
    .addHelpText(
      'after',
      `
Acknowledges CAPABILITY_IAM and CAPABILITY_NAMED_IAM. Stack events on stderr; {StackName, StackStatus, Outputs}
on stdout. "No updates are to be performed" counts as success.

Exit codes: 0 the stack is CREATE_COMPLETE or UPDATE_COMPLETE; 2 it ended otherwise (rolled back); 1 the request
was refused (bad template, parameters or credentials).

Examples:
  $ shellstep deploy --template cloudformation/ssm-automation-documents.cfn.json --stack-name shellstep-runbooks
  $ shellstep deploy --template cloudformation/sample-state-machine.cfn.json --stack-name shellstep-sample \\
      --parameter InstanceId=i-0123456789abcdef0 --endpoint-url http://127.0.0.1:4599`,
    )
    .action(async (options: DeployOptions) => {
      const { SdkApi } = await import('../live/api-caller.js');
      const api = new SdkApi({
        ...(options.endpointUrl === undefined ? {} : { endpointUrl: options.endpointUrl }),
        ...(options.region === undefined ? {} : { region: options.region }),
      });
      try {
        process.exitCode = await deploy(api, options);
      } finally {
        api.close();
      }
    });
}

async function deploy(api: SdkApi, options: DeployOptions): Promise<number> {
  let body: string;
  try {
    body = readFileSync(options.template, 'utf8');
  } catch (error) {
    process.stderr.write(`Cannot read ${options.template}: ${(error as Error).message}\n`);
    return ExitCode.Failure;
  }
  const request = {
    StackName: options.stackName,
    TemplateBody: body,
    Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
    Parameters: Object.entries(options.parameter ?? {}).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue })),
  };
  const exists = await api.call('cloudformation', 'DescribeStacks', { StackName: options.stackName }).then(
    (out) => ((out as { Stacks?: JsonObject[] }).Stacks ?? []).some((s) => s['StackStatus'] !== 'DELETE_COMPLETE'),
    () => false,
  );
  const started = new Date();
  try {
    await api.call('cloudformation', exists ? 'UpdateStack' : 'CreateStack', request);
  } catch (error) {
    const message = (error as Error).message;
    if (exists && message.includes('No updates are to be performed')) {
      process.stderr.write('No updates are to be performed.\n');
      return report(api, options.stackName);
    }
    process.stderr.write(`${(error as Error).name}: ${message}\n`);
    return ExitCode.Failure;
  }
  const seen = new Set<string>();
  for (;;) {
    const events = ((await api.call('cloudformation', 'DescribeStackEvents', { StackName: options.stackName })) as { StackEvents?: JsonObject[] }).StackEvents ?? [];
    const fresh = events.filter((e) => !seen.has(String(e['EventId'])) && new Date(String(e['Timestamp'])) >= new Date(started.getTime() - 1000)).reverse();
    for (const e of fresh) {
      seen.add(String(e['EventId']));
      const reason = typeof e['ResourceStatusReason'] === 'string' ? ` — ${e['ResourceStatusReason']}` : '';
      process.stderr.write(`${String(e['Timestamp'])}  ${String(e['ResourceStatus']).padEnd(22)} ${String(e['ResourceType']).padEnd(34)} ${String(e['LogicalResourceId'])}${reason}\n`);
    }
    const stack = ((await api.call('cloudformation', 'DescribeStacks', { StackName: options.stackName })) as { Stacks?: JsonObject[] }).Stacks?.[0];
    const status = String(stack?.['StackStatus'] ?? '');
    if (TERMINAL.test(status) && !status.endsWith('_IN_PROGRESS')) return report(api, options.stackName);
    await new Promise((resolve) => setTimeout(resolve, options.endpointUrl === undefined ? 3000 : 100));
  }
}

async function report(api: SdkApi, stackName: string): Promise<number> {
  const stack = ((await api.call('cloudformation', 'DescribeStacks', { StackName: stackName })) as { Stacks?: JsonObject[] }).Stacks?.[0] ?? {};
  const outputs = Object.fromEntries(((stack['Outputs'] as JsonObject[] | undefined) ?? []).map((o) => [String(o['OutputKey']), String(o['OutputValue'])]));
  const status = String(stack['StackStatus']);
  process.stdout.write(`${JSON.stringify({ StackName: stackName, StackStatus: status, Outputs: outputs }, null, 2)}\n`);
  return COMPLETE.has(status) ? ExitCode.Success : ExitCode.ExecutionFailed;
}
