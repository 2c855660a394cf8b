/** The contract of one Automation action: resolved inputs in, status and outputs back. */
import type { Clock } from '../../clock.js';
import type { AwsApi } from '../../aws-api.js';
import type { JsonObject, JsonValue } from '../../../model/json.js';
import type { RunbookStep } from '../../../model/runbook.js';
import type { FailureDetails } from '../../../model/ssm.js';
import type { RunCommandService } from '../../run-command/run-command-service.js';
import type { StopSignal } from '../../stop-signal.js';

/** Calls an SSM operation on the local SSM service (for `aws:executeAwsApi` with `Service: ssm`). */
export type LocalSsmCall = (operation: string, input: JsonObject) => Promise<JsonValue>;

/**
 * Authorizes an SSM call that an action makes with the automation's assumed role (`roleArn`, undefined when
 * the automation runs with the caller's permissions). Rejects with `AccessDeniedException`.
 */
export type SsmAuthorizer = (operation: string, input: JsonObject, roleArn: string | undefined) => Promise<void>;

export interface ActionContext {
  readonly step: RunbookStep;
  /** Inputs with every `{{ }}` resolved. */
  readonly inputs: JsonObject;
  /** Aborted when the step times out or the automation is cancelled; `signal.reason` says which. */
  readonly signal: StopSignal;
  readonly clock: Clock;
  readonly awsApi: AwsApi;
  readonly ssm: LocalSsmCall;
  readonly runCommand: RunCommandService;
  readonly roleArn?: string | undefined;
  /** IAM check for SSM calls made inside the service (SendCommand of aws:runCommand); absent: no check. */
  readonly authorizeSsm?: SsmAuthorizer | undefined;
  /** Records an output as soon as it is known, so that it survives a later failure or timeout. Callable unbound. */
  readonly setOutput: (name: string, value: JsonValue) => void;
}

export interface ActionResult {
  readonly status: 'Success' | 'Failed';
  /** The API response, for `outputs` selectors (aws:executeAwsApi). */
  readonly response?: JsonValue;
  /** Where `aws:branch` goes next; undefined → the next step in order. */
  readonly nextStep?: string;
  readonly responseCode?: string;
  readonly failureMessage?: string;
  readonly failureDetails?: FailureDetails;
}

export type ActionHandler = (context: ActionContext) => Promise<ActionResult>;

/** A failure the step reports as such (not an engine bug), with AWS's failure stage and type. */
export class StepFailure extends Error {
  override readonly name = 'StepFailure';
  constructor(
    message: string,
    readonly details: FailureDetails = { FailureStage: 'Invocation', FailureType: 'Action' },
  ) {
    super(message);
  }
}

/** Input validation failure (`FailureStage: InputValidation`). */
export function inputFailure(message: string): StepFailure {
  return new StepFailure(message, { FailureStage: 'InputValidation', FailureType: 'Verification' });
}

export function stringInput(inputs: JsonObject, name: string, required: true): string;
export function stringInput(inputs: JsonObject, name: string, required?: false): string | undefined;
export function stringInput(inputs: JsonObject, name: string, required = false): string | undefined {
  const value = inputs[name];
  if (value === undefined || value === null) {
    if (required) throw inputFailure(`Input ${name} is required.`);
    return undefined;
  }
  if (typeof value !== 'string') throw inputFailure(`Input ${name} must be a String; got ${JSON.stringify(value).slice(0, 80)}.`);
  return value;
}

/** Rejects inputs the action does not define (never silently ignored). */
export function checkKnownInputs(inputs: JsonObject, known: readonly string[], action: string): void {
  const unknown = Object.keys(inputs).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw inputFailure(`${action} does not support input(s) ${unknown.join(', ')}.`);
}
