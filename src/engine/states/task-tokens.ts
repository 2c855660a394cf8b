/**
 * Task tokens for the `.waitForTaskToken` pattern and the SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat
 * API validation (https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html).
 */
import { createHash } from 'node:crypto';
import type { JsonValue } from '../../model/json.js';
import { ServiceError } from '../../errors/service-error.js';
import { StatesError } from '../../errors/states-errors.js';
import type { IdGenerator } from '../ids.js';
import { NestingTooDeepError, parseJson } from '../../validate/nesting.js';

/**
 * Default token length. SSM limits each runbook parameter value to 512 characters (aws-semantics §7.4) and the
 * shellstep runbooks receive the token as one, so the default is the largest length that still fits.
 */
export const DEFAULT_TASK_TOKEN_LENGTH = 512;

/** API limits: taskToken 1..2048, output <= 262,144, error <= 256, cause <= 32,768 (API_SendTask*.html). */
export const MAX_TASK_TOKEN_LENGTH = 2048;
export const MAX_OUTPUT_LENGTH = 262_144;
export const MAX_ERROR_LENGTH = 256;
export const MAX_CAUSE_LENGTH = 32_768;

/** Tokens of closed tasks remembered to answer `TaskTimedOut` rather than `TaskDoesNotExist`. */
const CLOSED_MEMORY = 100_000;

const PREFIX = 'AQ';
const ALPHABET = /^[A-Za-z0-9+/=_-]+$/;

/** What a waiting Task receives when its token is completed. */
export type TokenOutcome = { readonly ok: true; readonly output: JsonValue } | { readonly ok: false; readonly error: StatesError };

export interface TaskWaiter {
  settle(outcome: TokenOutcome): void;
  heartbeat(): void;
  /** The ARN of the state machine whose Task waits: the resource IAM checks SendTask* against. */
  readonly stateMachineArn?: string;
}

/** Issues tokens and routes SendTask* calls to the Task that waits on them. */
export class TaskTokens {
  readonly #waiting = new Map<string, TaskWaiter>();
  readonly #closed = new Set<string>();
  /** Unique part of each token → its state machine ARN, kept as long as the token is remembered. */
  readonly #owners = new Map<string, string>();

  constructor(
    private readonly ids: IdGenerator,
    readonly length: number = DEFAULT_TASK_TOKEN_LENGTH,
  ) {
    if (!Number.isInteger(length) || length < 48 || length > MAX_TASK_TOKEN_LENGTH) {
      throw new RangeError(`taskTokenLength must be an integer between 48 and ${MAX_TASK_TOKEN_LENGTH}, got ${length}`);
    }
  }

  /** A new opaque, unique token: a prefix, a unique id, filler, and a checksum so forged tokens are `InvalidToken`. */
  issue(): string {
    const id = this.ids.uuid().replace(/-/g, '');
    const head = PREFIX + id;
    // The filler in one extendable-output hash of the id: as deterministic as a chain of SHA-256 hashes, which took a
    // dozen hash objects per token.
    const fillerLength = Math.max(0, this.length - 8 - head.length);
    const filler = createHash('shake256', { outputLength: Math.ceil((fillerLength * 3) / 4) }).update(id).digest('base64url');
    const body = (head + filler).slice(0, this.length - 8);
    return body + checksum(body);
  }

  /** Registers a waiting task; returns the function that unregisters it (and marks the token closed). */
  wait(token: string, waiter: TaskWaiter): () => void {
    this.#waiting.set(token, waiter);
    if (waiter.stateMachineArn !== undefined) this.#owners.set(closedKey(token), waiter.stateMachineArn);
    return () => this.close(token);
  }

  /** Marks a token closed (task finished, timed out or aborted). */
  close(token: string): void {
    this.#waiting.delete(token);
    if (this.#closed.size >= CLOSED_MEMORY) {
      const oldest = this.#closed.values().next().value;
      if (oldest !== undefined) {
        this.#closed.delete(oldest);
        this.#owners.delete(oldest);
      }
    }
    this.#closed.add(closedKey(token));
  }

  /**
   * The state machine a token belongs to, while the token is waiting or remembered as closed. AWS names that ARN
   * as the resource of SendTask* in AccessDenied messages, and policies scoped to it work (aws-semantics §8.1).
   */
  stateMachineArnOf(token: string): string | undefined {
    return typeof token === 'string' && token.length > 8 ? this.#owners.get(closedKey(token)) : undefined;
  }

  /** SendTaskSuccess. */
  sendTaskSuccess(input: { taskToken?: unknown; output?: unknown }): void {
    const token = this.#validateToken(input.taskToken);
    if (typeof input.output !== 'string') throw validation('output', 'Member must not be null');
    if (Buffer.byteLength(input.output, 'utf8') > MAX_OUTPUT_LENGTH) {
      throw validation('output', `Member must have length less than or equal to ${MAX_OUTPUT_LENGTH}`);
    }
    let output: JsonValue;
    try {
      output = parseJson(input.output) as JsonValue;
    } catch (error) {
      if (error instanceof NestingTooDeepError) throw new ServiceError('InvalidOutput', `Invalid Output: '${error.message}'`);
      throw new ServiceError('InvalidOutput', 'Invalid Output: the output is not valid JSON.');
    }
    this.#waiter(token).settle({ ok: true, output });
  }

  /** SendTaskFailure: `error` becomes the name that Retry/Catch match. */
  sendTaskFailure(input: { taskToken?: unknown; error?: unknown; cause?: unknown }): void {
    const token = this.#validateToken(input.taskToken);
    if (input.error !== undefined && input.error !== null) {
      if (typeof input.error !== 'string') throw validation('error', 'Member must be a string');
      if (input.error.length > MAX_ERROR_LENGTH) throw validation('error', `Member must have length less than or equal to ${MAX_ERROR_LENGTH}`);
    }
    if (input.cause !== undefined && input.cause !== null) {
      if (typeof input.cause !== 'string') throw validation('cause', 'Member must be a string');
      if (input.cause.length > MAX_CAUSE_LENGTH) throw validation('cause', `Member must have length less than or equal to ${MAX_CAUSE_LENGTH}`);
    }
    const error = typeof input.error === 'string' ? input.error : '';
    const cause = typeof input.cause === 'string' ? input.cause : undefined;
    // Absent members reach Catch as null, not "" (recorded by AWS in its callback suite).
    const failure = Object.assign(new StatesError(error, cause, 'TaskFailed'), { absentAsNull: true });
    this.#waiter(token).settle({ ok: false, error: failure });
  }

  /** SendTaskHeartbeat: resets the heartbeat clock; records no history event. */
  sendTaskHeartbeat(input: { taskToken?: unknown }): void {
    const token = this.#validateToken(input.taskToken);
    this.#waiter(token).heartbeat();
  }

  /** Number of tasks waiting for a callback. */
  get waitingCount(): number {
    return this.#waiting.size;
  }

  #validateToken(token: unknown): string {
    if (typeof token !== 'string') throw validation('taskToken', 'Member must not be null');
    if (token.length < 1 || token.length > MAX_TASK_TOKEN_LENGTH) {
      throw validation('taskToken', `Member must have length less than or equal to ${MAX_TASK_TOKEN_LENGTH}`);
    }
    if (!ALPHABET.test(token) || token.length < 48 || !token.startsWith(PREFIX) || checksum(token.slice(0, -8)) !== token.slice(-8)) {
      // Recorded: "Invalid Token: 'Invalid token'" (SendTaskSuccess/SendTaskFailure with a made-up token).
      throw new ServiceError('InvalidToken', "Invalid Token: 'Invalid token'");
    }
    return token;
  }

  #waiter(token: string): TaskWaiter {
    const waiter = this.#waiting.get(token);
    if (waiter !== undefined) return waiter;
    if (this.#closed.has(closedKey(token))) {
      // Wording from the API reference of TaskTimedOut.
      throw new ServiceError('TaskTimedOut', 'Task Timed Out: The task token has either expired or the task associated with the token has already been closed.');
    }
    throw new ServiceError('TaskDoesNotExist', 'Task Does Not Exist: the task token does not belong to any task.');
  }
}

/** Closed tokens are remembered by their unique part (prefix + id), not all 512 characters. */
function closedKey(token: string): string {
  return token.slice(0, PREFIX.length + 32);
}

function checksum(body: string): string {
  return createHash('sha256').update(body).digest('base64url').slice(0, 8);
}

/** A Smithy constraint violation, worded as AWS words them. */
function validation(member: string, constraint: string): ServiceError {
  return new ServiceError('ValidationException', `1 validation error detected: Value at '${member}' failed to satisfy constraint: ${constraint}`);
}
