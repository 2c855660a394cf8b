/**
 * Child workflows of Parallel branches and Map iterations: their frames (variable scope, event chain, abort
 * signal) and the bounded-concurrency runner that fails fast and aborts siblings.
 */
import type { State, StateMachineDefinition } from '../../model/state-machine.js';
import type { StopSignal } from '../stop-signal.js';
import type { MapItemContext } from './context-object.js';
import type { Frame, StateRun } from './runtime.js';
import { Variables } from './variables.js';

/** The workflows nested in a state: a Parallel's branches, a Map's item processor. */
export function childWorkflows(state: State): readonly StateMachineDefinition[] {
  if (state.Type === 'Parallel') return state.Branches;
  if (state.Type === 'Map') {
    const processor = state.ItemProcessor ?? state.Iterator;
    return processor === undefined ? [] : [processor];
  }
  return [];
}

/** The abort reason given to siblings of a failed branch or iteration; never reported as a failure itself. */
export class SiblingFailed extends Error {
  constructor() {
    super('A sibling branch or iteration failed.');
  }
}

export interface ChildFrameOptions {
  readonly definition: StateMachineDefinition;
  readonly signal: StopSignal;
  readonly startEventId: number;
  readonly mapItem?: MapItemContext;
  /** Distributed Map children see no outer variables and are not recorded in the parent history. */
  readonly isolated?: boolean;
}

export function childFrame(run: StateRun, options: ChildFrameOptions): Frame {
  const parent = run.frame;
  const frame: Frame = {
    runtime: parent.runtime,
    definition: options.definition,
    queryLanguage: options.definition.QueryLanguage ?? parent.queryLanguage,
    variables: options.isolated === true ? new Variables() : new Variables(parent.variables),
    recordEvents: options.isolated === true ? false : parent.recordEvents,
    signal: options.signal,
    lastEventId: options.startEventId,
  };
  return options.mapItem === undefined ? frame : { ...frame, mapItem: options.mapItem };
}

/** A controller aborted when `parent` aborts; `dispose` unlinks it. */
export function linkedController(parent: StopSignal): { controller: AbortController; dispose: () => void } {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(parent.reason);
  if (parent.aborted) controller.abort(parent.reason);
  else parent.addEventListener('abort', onAbort, { once: true });
  return { controller, dispose: () => parent.removeEventListener('abort', onAbort) };
}

/**
 * Runs `count` jobs with at most `concurrency` at a time (0 = all at once). `job` resolves to a value or rejects;
 * `onError` decides whether an error stops the run (returns true) — then the remaining jobs are not started and
 * running ones are aborted through `controller`.
 */
export async function runPool<T>(
  count: number,
  concurrency: number,
  controller: AbortController,
  job: (index: number) => Promise<T>,
  onError: (index: number, error: unknown) => boolean,
): Promise<{ results: (T | undefined)[]; stopError: unknown }> {
  const results = new Array<T | undefined>(count);
  let nextIndex = 0;
  let stopError: unknown;
  let stopped = false;
  const worker = async (): Promise<void> => {
    while (!stopped && nextIndex < count) {
      const index = nextIndex++;
      try {
        results[index] = await job(index);
      } catch (error) {
        if (stopped) continue;
        if (onError(index, error)) {
          stopped = true;
          stopError = error;
          controller.abort(new SiblingFailed());
        }
      }
    }
  };
  const workers = Math.max(1, concurrency === 0 ? count : Math.min(concurrency, count));
  await Promise.all(Array.from({ length: Math.min(workers, Math.max(count, 1)) }, worker));
  return { results, stopError };
}
