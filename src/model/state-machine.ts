/**
 * Amazon States Language definition types, with the field names of the specification verbatim
 * (https://states-language.net/spec.html, https://docs.aws.amazon.com/step-functions/latest/dg/concepts-amazon-states-language.html).
 * Types only: parsing and validation live in `src/validate/asl.ts`, execution in `src/engine/states/`.
 */
import type { JsonObject, JsonValue } from './json.js';

export type QueryLanguage = 'JSONPath' | 'JSONata';

export type StateType = 'Pass' | 'Task' | 'Choice' | 'Wait' | 'Succeed' | 'Fail' | 'Parallel' | 'Map';

/** A top-level machine, a Parallel branch or a Map item processor. */
export interface StateMachineDefinition {
  readonly Comment?: string;
  readonly StartAt: string;
  readonly States: Readonly<Record<string, State>>;
  readonly QueryLanguage?: QueryLanguage;
  readonly TimeoutSeconds?: number;
  readonly Version?: string;
}

export interface Retrier {
  readonly ErrorEquals: readonly string[];
  readonly IntervalSeconds?: number;
  readonly MaxAttempts?: number;
  readonly BackoffRate?: number;
  readonly MaxDelaySeconds?: number;
  readonly JitterStrategy?: 'FULL' | 'NONE';
  readonly Comment?: string;
}

export interface Catcher {
  readonly ErrorEquals: readonly string[];
  readonly Next: string;
  readonly ResultPath?: string | null;
  readonly Output?: JsonValue;
  readonly Assign?: JsonObject;
  readonly Comment?: string;
}

/** Fields shared by every state type. */
export interface StateBase {
  readonly Type: StateType;
  readonly Comment?: string;
  readonly QueryLanguage?: QueryLanguage;
  readonly Next?: string;
  readonly End?: boolean;
  readonly InputPath?: string | null;
  readonly OutputPath?: string | null;
  readonly Output?: JsonValue;
  readonly Assign?: JsonObject;
}

export interface PassState extends StateBase {
  readonly Type: 'Pass';
  readonly Result?: JsonValue;
  readonly ResultPath?: string | null;
  readonly Parameters?: JsonValue;
}

export interface TaskState extends StateBase {
  readonly Type: 'Task';
  readonly Resource: string;
  readonly Parameters?: JsonValue;
  readonly Arguments?: JsonValue;
  readonly ResultSelector?: JsonValue;
  readonly ResultPath?: string | null;
  readonly Retry?: readonly Retrier[];
  readonly Catch?: readonly Catcher[];
  readonly TimeoutSeconds?: number | string;
  readonly TimeoutSecondsPath?: string;
  readonly HeartbeatSeconds?: number | string;
  readonly HeartbeatSecondsPath?: string;
  readonly Credentials?: JsonObject;
}

/** A Choice rule: JSONPath comparison (Variable + operator, And/Or/Not) or JSONata `Condition`. */
export interface ChoiceRule {
  readonly Next?: string;
  readonly Variable?: string;
  readonly And?: readonly ChoiceRule[];
  readonly Or?: readonly ChoiceRule[];
  readonly Not?: ChoiceRule;
  readonly Condition?: string | boolean;
  readonly Assign?: JsonObject;
  readonly Output?: JsonValue;
  readonly Comment?: string;
  readonly [operator: string]: unknown;
}

export interface ChoiceState extends StateBase {
  readonly Type: 'Choice';
  readonly Choices: readonly ChoiceRule[];
  readonly Default?: string;
}

export interface WaitState extends StateBase {
  readonly Type: 'Wait';
  readonly Seconds?: number | string;
  readonly SecondsPath?: string;
  readonly Timestamp?: string;
  readonly TimestampPath?: string;
}

export interface SucceedState extends StateBase {
  readonly Type: 'Succeed';
}

export interface FailState extends StateBase {
  readonly Type: 'Fail';
  readonly Error?: string;
  readonly ErrorPath?: string;
  readonly Cause?: string;
  readonly CausePath?: string;
}

export interface ParallelState extends StateBase {
  readonly Type: 'Parallel';
  readonly Branches: readonly StateMachineDefinition[];
  readonly Parameters?: JsonValue;
  readonly Arguments?: JsonValue;
  readonly ResultSelector?: JsonValue;
  readonly ResultPath?: string | null;
  readonly Retry?: readonly Retrier[];
  readonly Catch?: readonly Catcher[];
}

export interface ProcessorConfig {
  readonly Mode?: 'INLINE' | 'DISTRIBUTED';
  readonly ExecutionType?: 'STANDARD' | 'EXPRESS';
}

export interface ItemProcessor extends StateMachineDefinition {
  readonly ProcessorConfig?: ProcessorConfig;
}

export interface MapState extends StateBase {
  readonly Type: 'Map';
  readonly ItemProcessor?: ItemProcessor;
  /** Legacy name of ItemProcessor. */
  readonly Iterator?: ItemProcessor;
  readonly ItemsPath?: string;
  readonly Items?: JsonValue;
  readonly ItemSelector?: JsonValue;
  /** Legacy name of ItemSelector. */
  readonly Parameters?: JsonValue;
  readonly ItemReader?: JsonObject;
  readonly ItemBatcher?: JsonObject;
  readonly ResultWriter?: JsonObject;
  readonly MaxConcurrency?: number | string;
  readonly MaxConcurrencyPath?: string;
  readonly ToleratedFailureCount?: number | string;
  readonly ToleratedFailureCountPath?: string;
  readonly ToleratedFailurePercentage?: number | string;
  readonly ToleratedFailurePercentagePath?: string;
  readonly Label?: string;
  readonly ResultSelector?: JsonValue;
  readonly ResultPath?: string | null;
  readonly Retry?: readonly Retrier[];
  readonly Catch?: readonly Catcher[];
}

export type State =
  | PassState
  | TaskState
  | ChoiceState
  | WaitState
  | SucceedState
  | FailState
  | ParallelState
  | MapState;
