/**
 * The Succeed state: ends the workflow (or branch, or iteration) successfully.
 * https://docs.aws.amazon.com/step-functions/latest/dg/state-succeed.html
 */
import type { JsonValue } from '../../../model/json.js';
import type { SucceedState } from '../../../model/state-machine.js';
import { applyPath } from '../io-processing.js';
import { evaluateAssign, evaluateOutput, pathScope } from '../query.js';
import type { StateHandler, StateOutcome, StateRun } from '../runtime.js';

export const succeedState: StateHandler<SucceedState> = {
  enteredEvent: 'SucceedStateEntered',
  exitedEvent: 'SucceedStateExited',
  retries: false,
  async execute(run: StateRun<SucceedState>, input: JsonValue): Promise<StateOutcome> {
    const state = run.state;
    if (run.queryLanguage === 'JSONata') {
      const assign = await evaluateAssign(run, state.Assign, input, { input });
      const output = await evaluateOutput(run, state.Output, input, { input });
      return assign === undefined ? { output, next: undefined } : { output, next: undefined, assign };
    }
    const effective = applyPath(state.InputPath, pathScope(run, input));
    run.runtime.inspector?.record('afterInputPath', effective);
    const output = applyPath(state.OutputPath, pathScope(run, effective));
    return { output, next: undefined };
  },
};
