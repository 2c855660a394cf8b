/**
 * The Fail state: stops the workflow with an Error and a Cause (static, `ErrorPath`/`CausePath`, or JSONata).
 * https://docs.aws.amazon.com/step-functions/latest/dg/state-fail.html
 */
import type { JsonValue } from '../../../model/json.js';
import type { FailState } from '../../../model/state-machine.js';
import { StatesError, StatesRuntimeError } from '../../../errors/states-errors.js';
import { evaluateDynamic } from '../io-processing.js';
import { evaluateJsonataField, intrinsicEnv, pathScope } from '../query.js';
import type { StateHandler, StateOutcome, StateRun } from '../runtime.js';

export const failState: StateHandler<FailState> = {
  enteredEvent: 'FailStateEntered',
  exitedEvent: undefined,
  retries: false,
  async execute(run: StateRun<FailState>, input: JsonValue): Promise<StateOutcome> {
    const state = run.state;
    let error: JsonValue | undefined = state.Error;
    let cause: JsonValue | undefined = state.Cause;
    if (run.queryLanguage === 'JSONata') {
      if (error !== undefined) error = await evaluateJsonataField(run, error, 'Error', { input });
      if (cause !== undefined) cause = await evaluateJsonataField(run, cause, 'Cause', { input });
    } else {
      // ErrorPath/CausePath take a path or an intrinsic function (state-fail page).
      const scope = pathScope(run, input);
      if (state.ErrorPath !== undefined) error = evaluateDynamic(state.ErrorPath, 'ErrorPath', scope, intrinsicEnv(run));
      if (state.CausePath !== undefined) cause = evaluateDynamic(state.CausePath, 'CausePath', scope, intrinsicEnv(run));
    }
    if (error !== undefined && typeof error !== 'string') {
      throw new StatesRuntimeError(`The Error field of the Fail state '${run.name}' must be a string but was: ${JSON.stringify(error)}`);
    }
    if (cause !== undefined && typeof cause !== 'string') {
      throw new StatesRuntimeError(`The Cause field of the Fail state '${run.name}' must be a string but was: ${JSON.stringify(cause)}`);
    }
    throw new FailStateError(error, cause);
  },
};

/** The failure a Fail state raises; `error` may be absent (then the execution reports no error). */
export class FailStateError extends StatesError {
  readonly hasError: boolean;
  constructor(error: string | undefined, cause: string | undefined) {
    super(error ?? '', cause);
    this.hasError = error !== undefined;
  }
}
