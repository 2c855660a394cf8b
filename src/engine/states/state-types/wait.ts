/**
 * The Wait state: waits `Seconds`/`SecondsPath` or until `Timestamp`/`TimestampPath`, on the injected clock.
 * https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html
 */
import type { JsonValue } from '../../../model/json.js';
import type { WaitState } from '../../../model/state-machine.js';
import { StatesQueryEvaluationError, StatesRuntimeError } from '../../../errors/states-errors.js';
import { applyPath } from '../io-processing.js';
import { NoSuchPathError, evaluatePath } from '../jsonpath.js';
import { evaluateAssign, evaluateJsonataField, evaluateOutput, pathScope } from '../query.js';
import type { StateHandler, StateOutcome, StateRun } from '../runtime.js';
import { parseTimestamp } from '../timestamps.js';
import { secondsParameter } from '../path-numbers.js';

/** AWS rejects delays that do not fit a signed 32-bit number of seconds ("Wait state delay is too long."). */
const MAX_WAIT_SECONDS = 2_147_483_647;

export const waitState: StateHandler<WaitState> = {
  enteredEvent: 'WaitStateEntered',
  exitedEvent: 'WaitStateExited',
  retries: false,
  async execute(run: StateRun<WaitState>, input: JsonValue): Promise<StateOutcome> {
    const state = run.state;
    const next = state.End === true ? undefined : state.Next;
    if (run.queryLanguage === 'JSONata') {
      const states = { input };
      if (state.Seconds !== undefined) {
        const seconds = await evaluateJsonataField(run, state.Seconds, 'Seconds', states);
        if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0) {
          throw new StatesQueryEvaluationError(`The Seconds field must be a non-negative integer but was: ${JSON.stringify(seconds)}`);
        }
        await wait(run, seconds * 1000);
      } else if (state.Timestamp !== undefined) {
        const text = await evaluateJsonataField(run, state.Timestamp, 'Timestamp', states);
        const at = parseTimestamp(text);
        if (at === undefined) {
          throw new StatesQueryEvaluationError(
            `The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: ${typeof text === 'string' ? text : JSON.stringify(text)}`,
          );
        }
        await waitUntil(run, at);
      }
      const assign = await evaluateAssign(run, state.Assign, input, states);
      const output = await evaluateOutput(run, state.Output, input, states);
      return assign === undefined ? { output, next } : { output, next, assign };
    }
    const effective = applyPath(state.InputPath, pathScope(run, input));
    run.runtime.inspector?.record('afterInputPath', effective);
    if (typeof state.Seconds === 'number') await wait(run, state.Seconds * 1000);
    else if (state.Timestamp !== undefined) {
      const at = parseTimestamp(state.Timestamp);
      if (at === undefined) throw new StatesRuntimeError(`The Timestamp field is not a valid ISO-8601 extended offset date-time: ${state.Timestamp}`);
      await waitUntil(run, at);
    } else if (state.SecondsPath !== undefined) {
      // Causes as recorded by AWS for SecondsPath (test_wait.py: -1, 1.5, -1.5); a numeric string is parsed.
      const value = secondsParameter(read(run, state.SecondsPath, effective, 'SecondsPath'), 'SecondsPath', state.SecondsPath);
      await wait(run, value * 1000);
    } else if (state.TimestampPath !== undefined) {
      const value = read(run, state.TimestampPath, effective, 'TimestampPath');
      const at = parseTimestamp(value);
      if (at === undefined) {
        throw new StatesRuntimeError(
          `The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: ${state.TimestampPath} == ${typeof value === 'string' ? value : JSON.stringify(value)}`,
        );
      }
      await waitUntil(run, at);
    }
    const assign = await evaluateAssign(run, state.Assign, effective, { input });
    const output = applyPath(state.OutputPath, pathScope(run, effective));
    return assign === undefined ? { output, next } : { output, next, assign };
  },
};

function read(run: StateRun, path: string, effective: JsonValue, field: 'SecondsPath' | 'TimestampPath'): JsonValue {
  try {
    return evaluatePath(path, pathScope(run, effective));
  } catch (error) {
    if (error instanceof NoSuchPathError) throw new StatesRuntimeError(`The ${field} parameter does not reference an input value: ${path}`);
    throw error;
  }
}

function waitUntil(run: StateRun, at: number): Promise<void> {
  return wait(run, at - run.runtime.clock.now());
}

function wait(run: StateRun, ms: number): Promise<void> {
  if (ms / 1000 > MAX_WAIT_SECONDS) throw new StatesRuntimeError('Wait state delay is too long.');
  return run.runtime.clock.sleep(Math.max(0, ms), run.frame.signal);
}
