/**
 * The Pass state: passes its input (or `Result`, or `Parameters`) to its output.
 * https://docs.aws.amazon.com/step-functions/latest/dg/state-pass.html
 */
import type { JsonValue } from '../../../model/json.js';
import type { PassState } from '../../../model/state-machine.js';
import { applyPath, applyPayloadTemplate, applyResultPath } from '../io-processing.js';
import { evaluateAssign, evaluateOutput, intrinsicEnv, pathScope } from '../query.js';
import type { StateHandler, StateOutcome, StateRun } from '../runtime.js';

export const passState: StateHandler<PassState> = {
  enteredEvent: 'PassStateEntered',
  exitedEvent: 'PassStateExited',
  retries: false,
  async execute(run: StateRun<PassState>, input: JsonValue): Promise<StateOutcome> {
    const state = run.state;
    const next = state.End === true ? undefined : state.Next;
    if (run.queryLanguage === 'JSONata') {
      const states = { input };
      const assign = await evaluateAssign(run, state.Assign, input, states);
      const output = await evaluateOutput(run, state.Output, input, states);
      return assign === undefined ? { output, next } : { output, next, assign };
    }
    const effective = applyPath(state.InputPath, pathScope(run, input));
    const parameters = state.Parameters === undefined ? effective : applyPayloadTemplate(state.Parameters, pathScope(run, effective), intrinsicEnv(run));
    // "Result (Optional): refers to the output of a virtual task that is passed on to the next state."
    const result = state.Result === undefined ? parameters : state.Result;
    const inspector = run.runtime.inspector;
    if (inspector !== undefined) {
      // TestState reports InputPath and Parameters only for a Pass without Result, and the Result as `result` (recorded).
      if (state.Result === undefined) {
        inspector.record('afterInputPath', effective);
        inspector.record('afterParameters', parameters);
      } else inspector.record('result', result);
    }
    const assign = await evaluateAssign(run, state.Assign, result, { input });
    const combined = applyResultPath(state.ResultPath, input, result);
    inspector?.record('afterResultSelector', result);
    inspector?.record('afterResultPath', combined);
    const output = applyPath(state.OutputPath, pathScope(run, combined));
    return assign === undefined ? { output, next } : { output, next, assign };
  },
};
