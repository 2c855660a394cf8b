/**
 * `shellstep run-state-machine --definition FILE --input JSON [--clock fast|real] [--context JSON] [--now ISO]`:
 * runs one execution in-process and prints exactly one JSON object on stdout:
 * `{"status", "output"?, "error"?, "cause"?}`. Exit 0 when SUCCEEDED, 2 when the execution did not succeed,
 * 1 for unusable arguments or an invalid definition (issues on stderr).
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { RealClock, VirtualClock, type Clock } from '../../engine/clock.js';
import type { StopSignal } from '../../engine/stop-signal.js';
import type { AwsApi } from '../../engine/aws-api.js';
import { ServiceError } from '../../errors/service-error.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../../model/json.js';
import { StepFunctionsService } from '../../engine/states/service.js';
import { stepFunctionsHandlers } from '../../engine/states/api-handlers.js';
import { validateStateMachine } from '../../validate/asl.js';
import { ExitCode } from '../exit-codes.js';

interface Options {
  readonly definition?: string;
  readonly input?: string;
  readonly clock?: string;
  readonly context?: string;
  readonly now?: string;
}

/** The role the local execution reports as `$$.Execution.RoleArn` unless `--context` sets one. */
const LOCAL_ROLE_ARN = 'arn:aws:iam::123456789012:role/shellstep-local';

export function registerRunStateMachine(program: Command): void {
  program
    .command('run-state-machine')
    .description('Run one Step Functions execution of an ASL definition in-process (no server).')
    .requiredOption('--definition <file>', 'the state machine definition (ASL JSON)')
    .option('--input <json>', 'the execution input', '{}')
    .option('--clock <mode>', "'fast' skips waits and timeouts instantly; 'real' waits in real time", 'real')
    .option('--context <json>', 'values for $$.Execution / $$.StateMachine, e.g. {"Execution":{"Name":"x"}}')
    .option('--now <iso>', 'the execution start time (ISO-8601)')
    .addHelpText(
      'after',
      `
Prints one JSON object on stdout: {"status": "SUCCEEDED"|"FAILED"|"TIMED_OUT"|"ABORTED",
"output": <json, when SUCCEEDED>, "error": "...", "cause": "..."}; progress and issues go to stderr.
Task states can call Step Functions itself (arn:aws:states:::aws-sdk:sfn:*); other services are not wired here.

Exit codes: 0 SUCCEEDED; 2 the execution did not succeed; 1 unusable arguments or an invalid definition.

A definition that calls other services (the shipped run-shell-command ones call SSM) fails its Task here; run
those against the whole local engine: shellstep serve, then shellstep run --endpoint-url.

Examples:
  $ echo '{"StartAt":"Hello","States":{"Hello":{"Type":"Pass","Result":"world","End":true}}}' > hello.asl.json
  $ shellstep run-state-machine --definition hello.asl.json --input '{"a":1}'
  $ echo '{"StartAt":"Nap","States":{"Nap":{"Type":"Wait","Seconds":3600,"End":true}}}' > nap.asl.json
  $ shellstep run-state-machine --definition nap.asl.json --clock fast --now 2024-01-01T00:00:00Z`,
    )
    .action(async (options: Options) => {
      process.exitCode = await runStateMachineCommand(options);
    });
}

function usage(message: string): number {
  process.stderr.write(`run-state-machine: ${message}\n`);
  return ExitCode.Failure;
}

async function runStateMachineCommand(options: Options): Promise<number> {
  if (options.definition === undefined) return usage('--definition is required');
  let definitionText: string;
  try {
    definitionText = readFileSync(options.definition, 'utf8');
  } catch (error) {
    return usage(`cannot read ${options.definition}: ${error instanceof Error ? error.message : String(error)}`);
  }
  let definition: unknown;
  try {
    definition = JSON.parse(definitionText);
  } catch (error) {
    return usage(`${options.definition} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const issues = validateStateMachine(definition);
  for (const i of issues) process.stderr.write(`${options.definition}: ${i.path}: ${i.severity ?? 'error'} ${i.code}: ${i.message}\n`);
  if (issues.some((i) => i.severity !== 'warning')) return ExitCode.Failure;

  const inputText = options.input ?? '{}';
  try {
    JSON.parse(inputText);
  } catch {
    return usage(`--input is not valid JSON: ${inputText}`);
  }
  let context: { Execution?: JsonObject; StateMachine?: JsonObject } | undefined;
  if (options.context !== undefined) {
    let parsed: JsonValue;
    try {
      parsed = JSON.parse(options.context) as JsonValue;
    } catch {
      return usage(`--context is not valid JSON: ${options.context}`);
    }
    if (!isJsonObject(parsed)) return usage('--context must be a JSON object');
    context = {};
    if (isJsonObject(parsed['Execution'] ?? null)) context.Execution = parsed['Execution'] as JsonObject;
    if (isJsonObject(parsed['StateMachine'] ?? null)) context.StateMachine = parsed['StateMachine'] as JsonObject;
  }
  let start: number | undefined;
  if (options.now !== undefined) {
    start = Date.parse(options.now);
    if (Number.isNaN(start)) return usage(`--now is not an ISO-8601 time: ${options.now}`);
  }
  const mode = options.clock ?? 'real';
  if (mode !== 'fast' && mode !== 'real') return usage(`--clock must be 'fast' or 'real', not '${mode}'`);
  const clock: Clock =
    mode === 'fast' ? new VirtualClock({ start: start ?? Date.now(), autoAdvance: true }) : start === undefined ? new RealClock() : new OffsetClock(start - Date.now());

  // Task states reach Step Functions itself through this port; other services are not available in-process.
  let sfn: ReturnType<typeof stepFunctionsHandlers> = {};
  /** Calls no service here answers, for the hint on stderr (stdout stays the one result object). */
  const unavailable = new Set<string>();
  const awsApi: AwsApi = {
    call: async (serviceId, operation, input, callContext) => {
      const handler = serviceId === 'sfn' ? sfn[operation] : undefined;
      if (handler === undefined && serviceId !== 'sfn') unavailable.add(`${serviceId}:${operation}`);
      if (handler === undefined) throw new ServiceError('UnknownOperationException', `run-state-machine has no local service for ${serviceId}:${operation}`);
      return handler(input, callContext ?? {});
    },
  };
  const service = new StepFunctionsService({ clock, awsApi });
  sfn = stepFunctionsHandlers(service);
  try {
    const { stateMachineArn } = await service.CreateStateMachine({
      name: 'run-state-machine',
      definition: definitionText,
      roleArn: typeof context?.Execution?.['RoleArn'] === 'string' && /^arn:/.test(context.Execution['RoleArn']) ? context.Execution['RoleArn'] : LOCAL_ROLE_ARN,
    });
    const { executionArn } = await service.StartExecution({ stateMachineArn, input: inputText }, context === undefined ? {} : { context });
    const result = await service.waitForExecution(executionArn);
    const out: Record<string, unknown> = { status: result.status };
    if (result.status === 'SUCCEEDED') out['output'] = result.output ?? null;
    if (result.error !== undefined) out['error'] = result.error;
    if (result.cause !== undefined) out['cause'] = result.cause;
    process.stdout.write(`${JSON.stringify(out)}\n`);
    if (unavailable.size > 0) {
      process.stderr.write(
        `run-state-machine: the definition calls ${[...unavailable].join(', ')}, which this command does not provide (only Step Functions itself); run it with shellstep serve and shellstep run --endpoint-url.\n`,
      );
    }
    return result.status === 'SUCCEEDED' ? ExitCode.Success : ExitCode.ExecutionFailed;
  } catch (error) {
    return usage(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  }
}

/** Real time shifted by a fixed offset, for `--now` with `--clock real`. */
class OffsetClock implements Clock {
  readonly #real = new RealClock();
  constructor(private readonly offset: number) {}
  now(): number {
    return Date.now() + this.offset;
  }
  setTimer(ms: number, fn: () => void): () => void {
    return this.#real.setTimer(ms, fn);
  }
  sleep(ms: number, signal?: StopSignal): Promise<void> {
    return this.#real.sleep(ms, signal);
  }
  hold(): () => void {
    return () => undefined;
  }
}
