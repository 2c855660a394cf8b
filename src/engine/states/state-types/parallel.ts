/**
 * The Parallel state: runs every branch on the same input and outputs the array of their outputs; the first
 * failing branch fails the state and stops the others.
 * https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html
 */
import type { JsonValue } from '../../../model/json.js';
import type { ParallelState } from '../../../model/state-machine.js';
import { StatesError } from '../../../errors/states-errors.js';
import { withRetryAndCatch } from '../error-handling.js';
import { applyPath, applyPayloadTemplate } from '../io-processing.js';
import { evaluateTemplate } from '../jsonata.js';
import { intrinsicEnv, jsonataScope, pathScope, resultOutcome } from '../query.js';
import type { StateHandler, StateOutcome, StateRun } from '../runtime.js';
import { childFrame, linkedController, runPool } from '../sub-workflows.js';
import { recordAborted, runWorkflow } from '../workflow.js';

export const parallelState: StateHandler<ParallelState> = {
  enteredEvent: 'ParallelStateEntered',
  exitedEvent: 'ParallelStateExited',
  retries: true,
  execute(run: StateRun<ParallelState>, input: JsonValue): Promise<StateOutcome> {
    return withRetryAndCatch(run, input, () => attempt(run, input), { failedEvent: 'ParallelStateFailed' });
  },
};

async function attempt(run: StateRun<ParallelState>, input: JsonValue): Promise<StateOutcome> {
  const state = run.state;
  const next = state.End === true ? undefined : state.Next;
  const mocked = run.runtime.mocks?.outcome(run);
  if (mocked !== undefined) {
    // TestState: the mock stands for the branches' work and its input processing (no afterInputPath is recorded).
    if ('error' in mocked) throw new StatesError(mocked.error, mocked.cause);
    return resultOutcome(run, state, input, mocked.result, next);
  }
  const jsonata = run.queryLanguage === 'JSONata';
  let branchInput: JsonValue;
  let effective = input;
  if (jsonata) branchInput = state.Arguments === undefined ? input : await evaluateTemplate(state.Arguments, jsonataScope(run, { input }), 'Arguments');
  else {
    effective = applyPath(state.InputPath, pathScope(run, input));
    branchInput = state.Parameters === undefined ? effective : applyPayloadTemplate(state.Parameters, pathScope(run, effective), intrinsicEnv(run));
  }
  const startedId = run.emit('ParallelStateStarted');
  const { controller, dispose } = linkedController(run.frame.signal);
  let result: JsonValue[];
  try {
    const frames = state.Branches.map((definition) => childFrame(run, { definition, signal: controller.signal, startEventId: startedId }));
    const { results, stopError } = await runPool(
      state.Branches.length,
      0,
      controller,
      (index) => runWorkflow(frames[index]!, branchInput),
      () => true,
    );
    if (stopError !== undefined) {
      for (const frame of frames) recordAborted(frame);
      throw stopError;
    }
    result = results as JsonValue[];
  } finally {
    dispose();
  }
  run.emit('ParallelStateSucceeded');
  return resultOutcome(run, state, input, result, next);
}
