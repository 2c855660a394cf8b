/**
 * TestState: runs one state of a definition through the interpreter's own state modules, once, and reports its
 * status, output, error, next state and (DEBUG, TRACE) the data after each processing step. A `mock` stands for the
 * state's work (a Task's service call, a Map's iterations, a Parallel's branches); without one a Task calls the
 * local services for real, under `roleArn`.
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html
 */
import type { JsonValue } from '../../../model/json.js';
import type { State } from '../../../model/state-machine.js';
import { StatesError, isStatesError } from '../../../errors/states-errors.js';
import { Stopper } from '../../stop-signal.js';
import { stateMachineArn } from '../arns.js';
import { ExecutionHistory } from '../history.js';
import type { ExecutionParams } from '../execution.js';
import type { ExecutionRuntime, Frame, MockedOutcome, StateMocks, StateOutcome } from '../runtime.js';
import { Variables } from '../variables.js';
import { runStandaloneState } from '../workflow.js';
import { Inspection, type InspectionData } from './inspection.js';
import { validateMockResult } from './mock-result.js';
import { readerItems } from './reader-data.js';
import { TESTED_STATE_NAME, planTestState, type TestStateInput, type TestStatePlan } from './request.js';
import { failureStatus, type TestExecutionStatus } from './status.js';

export type { TestStateInput } from './request.js';
export type { InspectionData, InspectionErrorDetails } from './inspection.js';
export type { TestExecutionStatus } from './status.js';

/** `TestStateOutput` as the API defines it. */
export interface TestStateOutput {
  status: TestExecutionStatus;
  output?: string;
  error?: string;
  cause?: string;
  nextState?: string;
  inspectionData?: InspectionData;
}

/** What a TestState run uses of the Step Functions service: what an execution uses of it. */
export type TestStateServices = Pick<ExecutionParams, 'clock' | 'ids' | 'awsApi' | 'tokens' | 'integrations' | 'region' | 'accountId'>;

/** "The TestState API can run for up to five minutes. If the execution of a state exceeds this duration, it fails with the States.Timeout error." */
export const TEST_STATE_MAX_SECONDS = 5 * 60;

/** Runs a TestState request; rejects with the ServiceError AWS answers for a request it refuses. */
export async function testState(request: TestStateInput, services: TestStateServices): Promise<TestStateOutput> {
  const plan = planTestState(request);
  const { state } = plan;
  if (plan.mock?.kind === 'result' && state.Type === 'Task') await validateMockResult(state.Resource, plan.mock.result, plan.mock.fieldValidationMode);
  const items = plan.mapItemReaderData === undefined || state.Type !== 'Map' ? undefined : readerItems(plan.mapItemReaderData, state);

  const inspection = plan.inspectionLevel === 'INFO' ? undefined : new Inspection(plan.input);
  const stopper = new Stopper();
  const frame = testFrame(plan, services, stopper, inspection, items);
  // Retry and Catch are TestState's to report, not to act on: the state runs once without them.
  const { run, settled } = runStandaloneState(frame, TESTED_STATE_NAME, withoutErrorHandling(state), plan.input);
  const cancelTimeout = services.clock.setTimer(TEST_STATE_MAX_SECONDS * 1000, () => stopper.stop(new StatesError('States.Timeout')));
  let result: TestStateOutput;
  try {
    const outcome = await settled;
    result = succeeded(outcome);
  } catch (thrown) {
    const error = failure(thrown, stopper);
    const status = await failureStatus(run, state, plan.input, error, plan.retrierRetryCount);
    result = { status: status.status };
    if (error.name !== '') result.error = error.name;
    if (error.cause !== undefined) result.cause = error.cause;
    if (status.caught !== undefined) {
      if (status.caught.assign !== undefined) frame.variables.assign(status.caught.assign);
      Object.assign(result, succeeded(status.caught), { status: status.status });
    }
    inspection?.recordErrorDetails(status.errorDetails);
  } finally {
    cancelTimeout();
  }
  if (inspection !== undefined) {
    inspection.recordVariables(frame.variables.all());
    result.inspectionData = inspection.data;
  }
  return result;
}

function succeeded(outcome: StateOutcome): TestStateOutput {
  const result: TestStateOutput = { status: 'SUCCEEDED', output: JSON.stringify(outcome.output) };
  if (outcome.next !== undefined) result.nextState = outcome.next;
  return result;
}

/** The error the state raised, as TestState reports it: without the state-location prefix of executions (recorded). */
function failure(thrown: unknown, stopper: Stopper): StatesError {
  if (stopper.aborted) return stopper.reason as StatesError;
  if (!isStatesError(thrown)) throw thrown;
  return thrown.unlocated ?? thrown;
}

function withoutErrorHandling(state: State): State {
  if (!('Retry' in state) && !('Catch' in state)) return state;
  const { Retry: _retry, Catch: _catch, ...rest } = state as State & { Retry?: unknown; Catch?: unknown };
  return rest as State;
}

/**
 * The one-state workflow the state runs in: an Express execution of its own, as AWS runs TestState (recorded
 * context: `arn:aws:states:<region>:<account>:express:<machine>:<execution>`, no RedriveCount), that records no history.
 */
function testFrame(plan: TestStatePlan, services: TestStateServices, stopper: Stopper, inspection: Inspection | undefined, items: JsonValue[] | undefined): Frame {
  const { clock, ids, region, accountId } = services;
  const machineName = ids.uuid();
  const executionName = ids.uuid();
  const machineArn = stateMachineArn(region, accountId, machineName);
  const executionArn = `arn:aws:states:${region}:${accountId}:express:${machineName}:${executionName}`;
  const mocks: StateMocks = {
    outcome: (run) => (run.frame === frame ? mockedOutcome(plan) : undefined),
    readerItems: (run) => (run.frame === frame ? items : undefined),
  };
  const runtime: ExecutionRuntime = {
    clock,
    ids,
    awsApi: services.awsApi,
    tokens: services.tokens,
    integrations: services.integrations,
    // No activity queue: "TestState only supports ... Activity tasks ... when a mock is specified" (API_TestState).
    activities: undefined,
    history: new ExecutionHistory(clock),
    region,
    accountId,
    executionArn,
    stateMachineArn: machineArn,
    roleArn: plan.roleArn,
    express: true,
    base: {
      Execution: { Id: executionArn, Input: plan.input, Name: executionName, RoleArn: plan.roleArn ?? null, StartTime: new Date(clock.now()).toISOString() },
      StateMachine: { Id: machineArn, Name: machineName },
    },
    signal: stopper,
    mocks,
    ...(inspection === undefined ? {} : { inspector: inspection }),
    ...(plan.context === undefined ? {} : { contextOverride: plan.context }),
  };
  const variables = new Variables();
  if (Object.keys(plan.variables).length > 0) variables.assign(plan.variables);
  const frame: Frame = {
    runtime,
    definition: { StartAt: TESTED_STATE_NAME, States: { [TESTED_STATE_NAME]: plan.state } },
    queryLanguage: plan.queryLanguage,
    variables,
    recordEvents: false,
    signal: stopper,
    lastEventId: 0,
  };
  return frame;
}

function mockedOutcome(plan: TestStatePlan): MockedOutcome | undefined {
  const mock = plan.mock;
  if (mock === undefined) return undefined;
  if (mock.kind === 'error') return mock.cause === undefined ? { error: mock.error } : { error: mock.error, cause: mock.cause };
  return plan.mapIterationFailureCount === undefined ? { result: mock.result } : { result: mock.result, failedIterations: plan.mapIterationFailureCount };
}
