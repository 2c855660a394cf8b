/**
 * The context object (`$$` in JSONPath, `$states.context` in JSONata):
 * `{Execution, StateMachine, State, Task?, Map?}` (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html).
 */
import type { JsonObject, JsonValue } from '../../model/json.js';

/** What the execution knows up front; `State`, `Task` and `Map` are added per state. */
export interface ExecutionContextBase {
  readonly Execution: JsonObject;
  readonly StateMachine: JsonObject;
}

export interface StateContext {
  readonly Name: string;
  readonly EnteredTime: string;
  /** Present for states that can retry (Task, Parallel, Map), as AWS shows it. */
  readonly RetryCount?: number;
}

export interface MapItemContext {
  readonly Index: number;
  readonly Value: JsonValue;
}

/** Builds the context object seen by one state. */
export function contextObject(
  base: ExecutionContextBase,
  state: StateContext,
  extra: { readonly taskToken?: string; readonly mapItem?: MapItemContext } = {},
): JsonObject {
  const context: JsonObject = {
    Execution: base.Execution,
    StateMachine: base.StateMachine,
    State: state.RetryCount === undefined
      ? { Name: state.Name, EnteredTime: state.EnteredTime }
      : { Name: state.Name, EnteredTime: state.EnteredTime, RetryCount: state.RetryCount },
  };
  if (extra.taskToken !== undefined) context['Task'] = { Token: extra.taskToken };
  if (extra.mapItem !== undefined) context['Map'] = { Item: { Index: extra.mapItem.Index, Value: extra.mapItem.Value } };
  return context;
}
