/**
 * TestState's `context`: a whole context object for the state under test. It must have the shape of the context
 * object (https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html): only its documented
 * members, and `Task` only for a state that has a task token. Messages as AWS words them (recorded).
 */
import type { JsonObject } from '../../../model/json.js';
import { isJsonObject } from '../../../model/json.js';
import type { State } from '../../../model/state-machine.js';
import { parseResource } from '../integrations/index.js';
import { ServiceError } from '../../../errors/service-error.js';

/** The members of each part of the context object (input-output-contextobject page, "Context object fields"). */
const MEMBERS: Readonly<Record<string, readonly string[] | undefined>> = {
  Execution: ['Id', 'Input', 'Name', 'RoleArn', 'StartTime', 'RedriveCount', 'RedriveTime'],
  State: ['EnteredTime', 'Name', 'RetryCount'],
  StateMachine: ['Id', 'Name'],
  Task: ['Token'],
  Map: ['Item'],
};

export function validateContext(text: string, state: State): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // UNCONFIRMED message (docs/fidelity.md).
    throw invalid('The Context object must be valid JSON.');
  }
  if (!isJsonObject(value)) throw invalid('The Context object must be a JSON object.');
  for (const [part, members] of Object.entries(value)) {
    const allowed = Object.hasOwn(MEMBERS, part) ? MEMBERS[part] : undefined;
    if (allowed === undefined) throw invalid(`Field '${part}' is not allowed`);
    const body = members;
    if (!isJsonObject(body)) throw invalid(`Field '${part}' must be an object`);
    for (const member of Object.keys(body)) if (!allowed.includes(member)) throw invalid(`Field '${member}' is not allowed`);
  }
  if ('Task' in value && !hasTaskToken(state)) {
    throw invalid("Context object contains 'Task' when state is not a Task state with a '.sync' or '.waitForTaskToken' service integration pattern");
  }
  return value;
}

function hasTaskToken(state: State): boolean {
  if (state.Type !== 'Task') return false;
  const pattern = parseResource(state.Resource)?.pattern;
  return pattern === 'RUN_JOB' || pattern === 'WAIT_FOR_TASK_TOKEN';
}

function invalid(detail: string): ServiceError {
  return new ServiceError('ValidationException', `Invalid Context object provided: ${detail}`);
}
