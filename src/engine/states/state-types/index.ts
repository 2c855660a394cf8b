/** The state-type registry: one handler per ASL `Type` (a missing type is a compile error). */
import type { StateType } from '../../../model/state-machine.js';
import type { StateHandler } from '../runtime.js';
import { choiceState } from './choice.js';
import { failState } from './fail.js';
import { mapState } from './map.js';
import { parallelState } from './parallel.js';
import { passState } from './pass.js';
import { succeedState } from './succeed.js';
import { taskState } from './task.js';
import { waitState } from './wait.js';

export const STATE_TYPES = {
  Pass: passState,
  Task: taskState,
  Choice: choiceState,
  Wait: waitState,
  Succeed: succeedState,
  Fail: failState,
  Parallel: parallelState,
  Map: mapState,
} satisfies Record<StateType, StateHandler<never>>;
