/**
 * TestState's `inspectionData`: the state's raw input and the data after each processing step, as the state
 * modules report them through `StateInspector`. INFO returns none of it; DEBUG and TRACE return it all (TRACE would
 * add the HTTP request and response of an HTTP Task, which the local engine does not run).
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_InspectionData.html
 */
import type { JsonValue } from '../../../model/json.js';
import type { InspectionStep, StateInspector } from '../runtime.js';

/** `InspectionErrorDetails`: which Retry or Catch handled the error, and the backoff a retry would wait. */
export interface InspectionErrorDetails {
  catchIndex?: number;
  retryIndex?: number;
  retryBackoffIntervalSeconds?: number;
}

/** `InspectionData`: payloads as JSON text, the Map figures as numbers. */
export interface InspectionData {
  input?: string;
  afterArguments?: string;
  afterInputPath?: string;
  afterParameters?: string;
  result?: string;
  afterResultSelector?: string;
  afterResultPath?: string;
  variables?: string;
  errorDetails?: InspectionErrorDetails;
  afterItemsPath?: string;
  afterItemSelector?: string;
  afterItemBatcher?: string;
  afterItemsPointer?: string;
  toleratedFailureCount?: number;
  toleratedFailurePercentage?: number;
  maxConcurrency?: number;
}

/** The steps whose value is a number in the API (InspectionMaxConcurrency, InspectionToleratedFailure*). */
const NUMERIC: ReadonlySet<InspectionStep> = new Set(['maxConcurrency', 'toleratedFailureCount', 'toleratedFailurePercentage']);

export class Inspection implements StateInspector {
  readonly data: InspectionData;

  constructor(input: JsonValue) {
    this.data = { input: JSON.stringify(input) };
  }

  record(step: InspectionStep, value: JsonValue): void {
    const data = this.data as Record<string, unknown>;
    data[step] = NUMERIC.has(step) ? value : JSON.stringify(value);
  }

  /** The variables after the state ran: those given with the request and those the state assigned (when any). */
  recordVariables(variables: Readonly<Record<string, JsonValue>>): void {
    if (Object.keys(variables).length > 0) this.data.variables = JSON.stringify(variables);
  }

  recordErrorDetails(details: InspectionErrorDetails | undefined): void {
    if (details !== undefined) this.data.errorDetails = details;
  }
}
