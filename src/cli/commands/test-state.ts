/**
 * `shellstep test-state`: the Step Functions TestState API on the local engine, from files, without a server (for CI
 * scripts). Prints the TestState response (`{"status", "output"?, "error"?, "cause"?, "nextState"?,
 * "inspectionData"?}`) on stdout. Exit 0 when the state SUCCEEDED, 2 when it FAILED, is RETRIABLE or CAUGHT_ERROR,
 * 1 for unusable arguments or a request TestState refuses (its error on stderr).
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { isJsonObject } from '../../model/json.js';
import type { TestStateInput } from '../../engine/states/test-state/index.js';
import { ExitCode } from '../exit-codes.js';
import { collect, instanceSpec, keyValue, type InstanceSpec } from '../options.js';
import { resolveFile, SHIPPED_TEMPLATES } from '../shipped.js';

interface Options {
  readonly request?: string;
  readonly definition?: string;
  readonly stateName?: string;
  readonly input?: string;
  readonly inspectionLevel?: string;
  readonly roleArn?: string;
  readonly variables?: string;
  readonly context?: string;
  readonly mockResult?: string;
  readonly mockError?: string;
  readonly mockCause?: string;
  readonly fieldValidationMode?: string;
  readonly revealSecrets?: boolean;
  readonly retrierRetryCount?: number;
  readonly errorCausedByState?: string;
  readonly mapIterationFailureCount?: number;
  readonly mapItemReaderData?: string;
  readonly instance?: InstanceSpec[];
  readonly template?: string[];
  readonly parameter?: Record<string, string>;
  readonly clock: string;
}

function count(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`expected a whole number, got '${value}'`);
  return n;
}

export function registerTestState(program: Command): void {
  program
    .command('test-state')
    .description('Test one state of a definition with the Step Functions TestState API on the local engine (no server).')
    .option('--request <file>', 'a whole TestState request as JSON (as `aws stepfunctions test-state --cli-input-json` takes it); the options below override its members')
    .option('--definition <file>', 'the state, or a whole state machine (then --state-name picks the state; default its StartAt)')
    .option('--state-name <name>', 'the state to test in a whole state machine')
    .option('--input <json>', 'the state input (JSON, or file://PATH)')
    .option('--inspection-level <level>', 'INFO (default), DEBUG or TRACE')
    .option('--role-arn <arn>', 'the role a Task without a mock calls its service with')
    .option('--variables <json>', 'workflow variables visible to the state (a JSON object, or file://PATH)')
    .option('--context <json>', 'the whole context object $$ (with a mock only; JSON, or file://PATH)')
    .option('--mock-result <json>', "the mocked result of a Task, Map or Parallel (JSON, or file://PATH)")
    .option('--mock-error <error>', 'a mocked error instead (with --mock-cause)')
    .option('--mock-cause <cause>', "the mocked error's cause")
    .option('--field-validation-mode <mode>', "how a mocked Task result is checked against the API's model: STRICT (default), PRESENT or NONE")
    .option('--reveal-secrets', 'TestState revealSecrets (no effect locally)')
    .option('--retrier-retry-count <n>', 'retries the matching retrier has made already', count)
    .option('--error-caused-by-state <name>', 'the state inside the Map or Parallel that raised the mocked error')
    .option('--map-iteration-failure-count <n>', 'failed iterations of the mocked Map', count)
    .option('--map-item-reader-data <json>', 'the data an ItemReader would read (JSON, or file://PATH)')
    .option('--instance <id[:tag=value,...]>', "a local instance for Tasks that call Run Command: an i-/mi- id or 'auto' (repeatable)", instanceSpec)
    .option('--template <name|file>', 'deploy a CloudFormation template first (repeatable): a shipped one by name (runbooks, sample) or a file, as serve does', collect)
    .option('--parameter <key=value>', 'a template parameter (repeatable)', keyValue)
    .option('--clock <mode>', "'real' or 'fast' (jump over waits)", 'real')
    .addHelpText(
      'after',
      `
Prints the TestState response on stdout: {"status": "SUCCEEDED"|"FAILED"|"RETRIABLE"|"CAUGHT_ERROR", "output",
"error", "cause", "nextState", "inspectionData"} (output and inspection data are JSON text, as the API returns them).
A Task without a mock calls the local services for real (SSM on the --instance instances, Step Functions itself).

Exit codes: 0 SUCCEEDED; 2 FAILED, RETRIABLE or CAUGHT_ERROR; 1 unusable arguments or a refused request.

Examples:
  $ shellstep test-state --definition state.json --input '{"a":1}' --inspection-level DEBUG
  $ shellstep test-state --definition machine.asl.json --state-name Run --mock-result '{"CommandId":"c-1"}'
  $ shellstep test-state --definition send.json --role-arn arn:aws:iam::123456789012:role/r --instance i-0123456789abcdef0`,
    )
    .action(async (options: Options) => {
      process.exitCode = await testStateCommand(options);
    });
}

function usage(message: string): number {
  process.stderr.write(`test-state: ${message}\n`);
  return ExitCode.Failure;
}

/** A JSON option: inline text, or `file://PATH` as the AWS CLI takes it. */
function jsonText(option: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const text = value.startsWith('file://') ? readFileSync(value.slice('file://'.length), 'utf8') : value;
  try {
    JSON.parse(text);
  } catch (error) {
    throw new Error(`${option} is not valid JSON: ${(error as Error).message}`);
  }
  return text;
}

function buildRequest(options: Options): TestStateInput {
  let base: Record<string, unknown> = {};
  if (options.request !== undefined) {
    const parsed: unknown = JSON.parse(readFileSync(options.request.replace(/^file:\/\//, ''), 'utf8'));
    if (!isJsonObject(parsed)) throw new Error(`${options.request} must hold a JSON object (a TestState request)`);
    base = parsed;
  }
  const request: Record<string, unknown> = { ...base };
  if (options.definition !== undefined) request['definition'] = readFileSync(options.definition, 'utf8');
  const set = (member: string, value: unknown): void => {
    if (value !== undefined) request[member] = value;
  };
  set('stateName', options.stateName);
  set('input', jsonText('--input', options.input));
  set('inspectionLevel', options.inspectionLevel);
  set('roleArn', options.roleArn);
  set('variables', jsonText('--variables', options.variables));
  set('context', jsonText('--context', options.context));
  if (options.revealSecrets === true) request['revealSecrets'] = true;
  const mock: Record<string, unknown> = isJsonObject(base['mock'] ?? null) ? { ...(base['mock'] as object) } : {};
  const result = jsonText('--mock-result', options.mockResult);
  if (result !== undefined) mock['result'] = result;
  if (options.mockError !== undefined || options.mockCause !== undefined) {
    mock['errorOutput'] = { ...(options.mockError === undefined ? {} : { error: options.mockError }), ...(options.mockCause === undefined ? {} : { cause: options.mockCause }) };
  }
  if (options.fieldValidationMode !== undefined) mock['fieldValidationMode'] = options.fieldValidationMode;
  if (Object.keys(mock).length > 0) request['mock'] = mock;
  const config: Record<string, unknown> = isJsonObject(base['stateConfiguration'] ?? null) ? { ...(base['stateConfiguration'] as object) } : {};
  if (options.retrierRetryCount !== undefined) config['retrierRetryCount'] = options.retrierRetryCount;
  if (options.errorCausedByState !== undefined) config['errorCausedByState'] = options.errorCausedByState;
  if (options.mapIterationFailureCount !== undefined) config['mapIterationFailureCount'] = options.mapIterationFailureCount;
  const readerData = jsonText('--map-item-reader-data', options.mapItemReaderData);
  if (readerData !== undefined) config['mapItemReaderData'] = readerData;
  if (Object.keys(config).length > 0) request['stateConfiguration'] = config;
  if (typeof request['definition'] !== 'string') throw new Error('--definition (or a request with a definition) is required');
  return request as TestStateInput;
}

async function testStateCommand(options: Options): Promise<number> {
  if (options.clock !== 'real' && options.clock !== 'fast') return usage(`--clock must be 'real' or 'fast', not '${options.clock}'`);
  let request: TestStateInput;
  try {
    request = buildRequest(options);
  } catch (error) {
    return usage((error as Error).message);
  }
  const { LocalEngine } = await import('../../engine/local-engine.js');
  const { ROLE_ARN_PATTERN } = await import('../../engine/iam/roles.js');
  const engine = new LocalEngine({ clock: options.clock });
  try {
    for (const spec of options.instance ?? []) engine.instances.add({ tags: spec.tags, ...(spec.instanceId === undefined ? {} : { instanceId: spec.instanceId }) });
    for (const template of options.template ?? []) {
      const { file, stackName } = resolveFile(template, SHIPPED_TEMPLATES, 'template');
      await engine.deploy(readFileSync(file, 'utf8'), { stackName, parameters: options.parameter ?? {} });
    }
    // The engine is this command's own: a --role-arn that no --template defines is defined for it, every action
    // allowed (as serve --role does), since nothing else could create it.
    const role = request.roleArn;
    if (role !== undefined && ROLE_ARN_PATTERN.test(role) && engine.roles.get(role) === undefined) engine.roles.define(role);
    const response = await engine.sfn.TestState(request);
    process.stdout.write(`${JSON.stringify(response, null, 2)}\n`);
    return response.status === 'SUCCEEDED' ? ExitCode.Success : ExitCode.ExecutionFailed;
  } catch (error) {
    return usage(`${(error as Error).name}: ${(error as Error).message}`);
  } finally {
    await engine.close();
  }
}
