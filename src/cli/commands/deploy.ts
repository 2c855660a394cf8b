/**
 * `shellstep deploy`: creates or updates a CloudFormation stack through a change set, as `aws cloudformation
 * deploy` and the CDK do, against AWS (the normal credential chain) or a local endpoint (`--endpoint-url`). It
 * prints what the change set will do before executing it (or stops there with `--no-execute`), then follows the
 * stack's events live.
 */
import type { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { JsonObject } from '../../model/json.js';
import { ExitCode } from '../exit-codes.js';
import type { SdkApi } from '../live/api-caller.js';
import { keyValue } from '../options.js';
import { resolveFile, SHIPPED_TEMPLATES } from '../shipped.js';

interface DeployOptions {
  template: string;
  stackName?: string;
  parameter?: Record<string, string>;
  endpointUrl?: string;
  region?: string;
  /** commander's `--no-execute`. */
  execute: boolean;
  changeSetName?: string;
}

const COMPLETE = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE']);
const TERMINAL = /(_COMPLETE|_FAILED)$/;
/** The StatusReason texts of a change set that changes nothing (what `aws cloudformation deploy` checks, deployer.py). */
const NO_CHANGES = ["The submitted information didn't contain changes.", 'No updates are to be performed'];

export function registerDeploy(program: Command): void {
  program
    .command('deploy')
    .description('Create or update a CloudFormation stack through a change set, show the changes, and follow its events, on AWS or a local endpoint.')
    .requiredOption('--template <name|file>', `the template (JSON or YAML): a file, or a shipped one by name (${SHIPPED_TEMPLATES.map((t) => t.name).join(', ')})`)
    .option('--stack-name <name>', `the stack to create or update (default for a shipped template: ${SHIPPED_TEMPLATES.map((t) => t.stackName).join(', ')}; required for a file)`)
    .option('--parameter <key=value>', 'a template parameter (repeatable); others keep their previous value on update', keyValue)
    .option('--no-execute', 'create the change set and show it, without executing it')
    .option('--change-set-name <name>', 'the change set name (default: shellstep-deploy-<time>-<random>)')
    .option('--endpoint-url <url>', 'a local endpoint (shellstep serve); without it, AWS')
    .option('--region <region>', 'the AWS Region (default: your AWS configuration)')
    .addHelpText(
      'after',
      `
Acknowledges CAPABILITY_IAM and CAPABILITY_NAMED_IAM. The change set's summary and the stack events on stderr;
{StackName, StackStatus, Outputs} on stdout, or with --no-execute {StackName, ChangeSetName, ChangeSetId,
ChangeSetType, Changes}. A change set with no changes counts as success ("No changes to deploy") and is deleted.

Exit codes: 0 the stack is CREATE_COMPLETE or UPDATE_COMPLETE (or the change set was created, with --no-execute);
2 it ended otherwise (rolled back); 1 the request or the change set was refused (bad template, parameters or
credentials).

Examples:
  $ shellstep deploy --template runbooks
  $ shellstep deploy --template sample --parameter InstanceId=i-0123456789abcdef0 --endpoint-url http://127.0.0.1:4599 --no-execute
  $ shellstep deploy --template my-stack.yaml --stack-name my-stack --region eu-west-1`,
    )
    .action(async (options: DeployOptions) => {
      let template: { file: string; stackName: string };
      try {
        const shipped = SHIPPED_TEMPLATES.some((t) => t.name === options.template);
        if (options.stackName === undefined && !shipped) throw new Error(`--stack-name is required for a template file (shipped templates: ${SHIPPED_TEMPLATES.map((t) => t.name).join(', ')}).`);
        const resolved = resolveFile(options.template, SHIPPED_TEMPLATES, 'template');
        template = { file: resolved.file, stackName: options.stackName ?? resolved.stackName };
      } catch (error) {
        process.stderr.write(`deploy: ${(error as Error).message}\n`);
        process.exitCode = ExitCode.Failure;
        return;
      }
      const { SdkApi } = await import('../live/api-caller.js');
      let api: SdkApi;
      try {
        api = await SdkApi.open(
          {
            ...(options.endpointUrl === undefined ? {} : { endpointUrl: options.endpointUrl }),
            ...(options.region === undefined ? {} : { region: options.region }),
          },
          ['cloudformation'],
        );
      } catch (error) {
        process.stderr.write(`deploy: ${(error as Error).message}\n`);
        process.exitCode = ExitCode.Failure;
        return;
      }
      try {
        process.exitCode = await deploy(api, { ...options, ...template });
      } finally {
        api.close();
      }
    });
}

type Api = Pick<SdkApi, 'call'>;

const cfn = (api: Api, operation: string, input: JsonObject) => api.call('cloudformation', operation, input) as Promise<JsonObject>;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function deploy(api: Api, options: DeployOptions & { file: string; stackName: string }): Promise<number> {
  let body: string;
  try {
    body = readFileSync(options.file, 'utf8');
  } catch (error) {
    process.stderr.write(`deploy: cannot read ${options.file}: ${(error as Error).message}\n`);
    return ExitCode.Failure;
  }
  const pollMs = options.endpointUrl === undefined ? 3000 : 100;
  // Time to the millisecond and a random suffix: two deploys in the same second must not collide on one name.
  const changeSetName = options.changeSetName ?? `shellstep-deploy-${new Date().toISOString().replace(/\D/g, '').slice(0, 17)}-${randomBytes(2).toString('hex')}`;
  let changeSet: JsonObject;
  let seen: Set<string>;
  let exists = false;
  try {
    const stack = await cfn(api, 'DescribeStacks', { StackName: options.stackName }).then(
      (out) => (out['Stacks'] as JsonObject[] | undefined)?.[0],
      () => undefined,
    );
    // A stack in REVIEW_IN_PROGRESS has never been deployed: it takes a CREATE change set (awscli deployer.py).
    exists = stack !== undefined && stack['StackStatus'] !== 'REVIEW_IN_PROGRESS' && stack['StackStatus'] !== 'DELETE_COMPLETE';
    const given = options.parameter ?? {};
    const parameters: JsonObject[] = Object.entries(given).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }));
    if (exists) {
      // Parameters not given keep their value, when both the stack and the new template have them.
      const declared = ((await cfn(api, 'GetTemplateSummary', { TemplateBody: body }))['Parameters'] as JsonObject[] | undefined) ?? [];
      const previous = new Set(((stack?.['Parameters'] as JsonObject[] | undefined) ?? []).map((p) => String(p['ParameterKey'])));
      for (const p of declared) {
        const key = String(p['ParameterKey']);
        if (!Object.hasOwn(given, key) && previous.has(key)) parameters.push({ ParameterKey: key, UsePreviousValue: true });
      }
    }
    seen = new Set(exists ? (((await cfn(api, 'DescribeStackEvents', { StackName: options.stackName }))['StackEvents'] as JsonObject[] | undefined) ?? []).map((e) => String(e['EventId'])) : []);
    const created = await cfn(api, 'CreateChangeSet', {
      StackName: options.stackName,
      ChangeSetName: changeSetName,
      ChangeSetType: exists ? 'UPDATE' : 'CREATE',
      TemplateBody: body,
      Parameters: parameters,
      Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
      Description: 'Created by shellstep deploy',
    });
    changeSet = await settledChangeSet(api, String(created['Id']), pollMs);
  } catch (error) {
    process.stderr.write(`${(error as Error).name}: ${(error as Error).message}\n`);
    return ExitCode.Failure;
  }
  const id = String(changeSet['ChangeSetId']);
  if (changeSet['Status'] === 'FAILED') {
    const reason = String(changeSet['StatusReason'] ?? '');
    if (NO_CHANGES.some((text) => reason.includes(text))) {
      process.stderr.write(`No changes to deploy. Stack ${options.stackName} is up to date.\n`);
      // An empty change set is of no use to anyone; the CDK deletes them too.
      await cfn(api, 'DeleteChangeSet', { ChangeSetName: id }).catch(() => undefined);
      return report(api, options.stackName);
    }
    process.stderr.write(`The change set ${changeSetName} failed: ${reason}\n`);
    return ExitCode.Failure;
  }
  process.stderr.write(summary(options.stackName, changeSet));
  if (!options.execute) {
    const { ChangeSetName, ChangeSetId, Changes } = changeSet;
    process.stdout.write(`${JSON.stringify({ StackName: options.stackName, ChangeSetName, ChangeSetId, ChangeSetType: exists ? 'UPDATE' : 'CREATE', Changes }, null, 2)}\n`);
    const endpoint = options.endpointUrl === undefined ? '' : ` --endpoint-url ${options.endpointUrl}`;
    process.stderr.write(`Not executed. To execute it: aws${endpoint} cloudformation execute-change-set --change-set-name ${id}\n`);
    return ExitCode.Success;
  }
  try {
    await cfn(api, 'ExecuteChangeSet', { ChangeSetName: id });
  } catch (error) {
    process.stderr.write(`${(error as Error).name}: ${(error as Error).message}\n`);
    return ExitCode.Failure;
  }
  return follow(api, options.stackName, seen, pollMs);
}

/** Waits until the change set is worked out; returns it with all its changes (DescribeChangeSet pages them). */
async function settledChangeSet(api: Api, id: string, pollMs: number): Promise<JsonObject> {
  for (;;) {
    const described = await cfn(api, 'DescribeChangeSet', { ChangeSetName: id });
    const status = String(described['Status']);
    if (status !== 'CREATE_PENDING' && status !== 'CREATE_IN_PROGRESS') {
      const changes = [...((described['Changes'] as JsonObject[] | undefined) ?? [])];
      for (let token = described['NextToken']; typeof token === 'string'; ) {
        const next = await cfn(api, 'DescribeChangeSet', { ChangeSetName: id, NextToken: token });
        changes.push(...((next['Changes'] as JsonObject[] | undefined) ?? []));
        token = next['NextToken'];
      }
      return { ...described, Changes: changes };
    }
    await sleep(pollMs);
  }
}

const ACTION_MARK: Readonly<Record<string, string>> = { Add: '+', Modify: '~', Remove: '-' };

const DYNAMIC = 'its value is known only when executed';

/** What caused a change to a property, in words. */
function cause(detail: JsonObject): string {
  const entity = String(detail['CausingEntity'] ?? '');
  switch (detail['ChangeSource']) {
    case 'ParameterReference':
      return `parameter ${entity}`;
    case 'ResourceReference':
      return `resource ${entity} is replaced`;
    case 'ResourceAttribute':
      return detail['Evaluation'] === 'Dynamic' ? `${entity} may change` : `${entity} changes`;
    default:
      return detail['Evaluation'] === 'Dynamic' ? DYNAMIC : 'changed in the template';
  }
}

const RECREATION: Readonly<Record<string, string>> = { Always: ', requires replacement', Conditionally: ', may require replacement' };

/** The change set as a few lines a person reads before executing it. */
export function summary(stackName: string, changeSet: JsonObject): string {
  const changes = ((changeSet['Changes'] as JsonObject[] | undefined) ?? []).map((c) => (c['ResourceChange'] ?? {}) as JsonObject);
  const count = (action: string) => changes.filter((c) => c['Action'] === action).length;
  const replaced = changes.filter((c) => c['Replacement'] === 'True').length;
  const lines = [
    `Change set ${String(changeSet['ChangeSetName'])} for stack ${stackName}: ${count('Add')} to add, ${count('Modify')} to modify (${replaced} replaced), ${count('Remove')} to remove`,
  ];
  const idWidth = Math.max(0, ...changes.map((c) => String(c['LogicalResourceId']).length));
  const typeWidth = Math.max(0, ...changes.map((c) => String(c['ResourceType']).length));
  for (const c of changes) {
    const action = String(c['Action']);
    const replacement = action === 'Modify' ? `  replacement: ${String(c['Replacement'])}` : '';
    lines.push(`  ${ACTION_MARK[action] ?? '?'} ${action.padEnd(6)} ${String(c['LogicalResourceId']).padEnd(idWidth)}  ${String(c['ResourceType']).padEnd(replacement === '' ? 0 : typeWidth)}${replacement}`.trimEnd());
    // One line per property (or Metadata), with everything that changes it.
    const byTarget = new Map<string, { causes: string[]; recreation: string }>();
    for (const d of (c['Details'] as JsonObject[] | undefined) ?? []) {
      const target = (d['Target'] ?? {}) as JsonObject;
      const name = target['Attribute'] === 'Properties' ? String(target['Name']) : String(target['Attribute']);
      const entry = byTarget.get(name) ?? { causes: [], recreation: RECREATION[String(target['RequiresRecreation'])] ?? '' };
      const text = cause(d);
      if (!entry.causes.includes(text)) entry.causes.push(text);
      byTarget.set(name, entry);
    }
    for (const [name, { causes, recreation }] of byTarget) {
      // "known only when executed" adds nothing next to the reference that makes it so.
      const shown = causes.length > 1 ? causes.filter((text) => text !== DYNAMIC) : causes;
      lines.push(`      ${name}: ${shown.join('; ')}${recreation}`);
    }
  }
  if (changes.length === 0) lines.push('  (no resource changes: outputs, parameters or other template sections only)');
  return `${lines.join('\n')}\n`;
}

/** Prints the stack's new events as they come, until it settles; then reports it. */
async function follow(api: Api, stackName: string, seen: Set<string>, pollMs: number): Promise<number> {
  for (;;) {
    const events = ((await cfn(api, 'DescribeStackEvents', { StackName: stackName }))['StackEvents'] as JsonObject[] | undefined) ?? [];
    const fresh = events.filter((e) => !seen.has(String(e['EventId']))).reverse();
    for (const e of fresh) {
      seen.add(String(e['EventId']));
      const reason = typeof e['ResourceStatusReason'] === 'string' ? ` — ${e['ResourceStatusReason']}` : '';
      process.stderr.write(`${String(e['Timestamp'])}  ${String(e['ResourceStatus']).padEnd(22)} ${String(e['ResourceType']).padEnd(34)} ${String(e['LogicalResourceId'])}${reason}\n`);
    }
    const stack = ((await cfn(api, 'DescribeStacks', { StackName: stackName }))['Stacks'] as JsonObject[] | undefined)?.[0];
    const status = String(stack?.['StackStatus'] ?? '');
    if (TERMINAL.test(status) && !status.endsWith('_IN_PROGRESS')) return report(api, stackName);
    await sleep(pollMs);
  }
}

async function report(api: Api, stackName: string): Promise<number> {
  const stack = ((await cfn(api, 'DescribeStacks', { StackName: stackName }))['Stacks'] as JsonObject[] | undefined)?.[0] ?? {};
  const outputs = Object.fromEntries(((stack['Outputs'] as JsonObject[] | undefined) ?? []).map((o) => [String(o['OutputKey']), String(o['OutputValue'])]));
  const status = String(stack['StackStatus']);
  process.stdout.write(`${JSON.stringify({ StackName: stackName, StackStatus: status, Outputs: outputs }, null, 2)}\n`);
  return COMPLETE.has(status) ? ExitCode.Success : ExitCode.ExecutionFailed;
}
