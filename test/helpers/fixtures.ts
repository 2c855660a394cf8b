/** One loader for the shared fixtures folder, plus a recording fake of the `AwsApi` port. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { AwsApi, AwsCallContext, AwsServiceId } from '../../src/engine/aws-api.js';
import type { JsonObject, JsonValue } from '../../src/model/json.js';
import { ServiceError } from '../../src/errors/service-error.js';

export const FIXTURES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Absolute path of a fixture file. */
export function fixturePath(relative: string): string {
  return join(FIXTURES_DIR, relative);
}

/** Reads a fixture as text. */
export function loadFixtureText(relative: string): string {
  return readFileSync(fixturePath(relative), 'utf8');
}

/** Reads and parses a `.json`, `.yaml` or `.yml` fixture. */
export function loadFixture<T = JsonValue>(relative: string): T {
  const text = loadFixtureText(relative);
  return (relative.endsWith('.json') ? JSON.parse(text) : parseYaml(text)) as T;
}

export interface RecordedCall {
  readonly service: AwsServiceId;
  readonly operation: string;
  readonly input: JsonObject;
  readonly context: AwsCallContext | undefined;
  /** False when the call was answered with an error. */
  ok: boolean;
}

type Responder = (input: JsonObject) => JsonValue | Promise<JsonValue>;

/**
 * A fake `AwsApi` that records every call. Responses are programmed per `service:Operation`; an unprogrammed call
 * answers `{}`. `fail()` makes an operation reject with a named `ServiceError`.
 */
export class RecordingAwsApi implements AwsApi {
  readonly calls: RecordedCall[] = [];
  readonly #responders = new Map<string, Responder>();

  respond(service: string, operation: string, responder: Responder): this {
    this.#responders.set(`${service}:${operation}`, responder);
    return this;
  }

  fail(service: string, operation: string, name: string, message: string): this {
    return this.respond(service, operation, () => {
      throw new ServiceError(name, message);
    });
  }

  async call(service: AwsServiceId, operation: string, input: JsonObject, context?: AwsCallContext): Promise<JsonValue> {
    const record: RecordedCall = { service, operation, input: structuredClone(input), context, ok: false };
    this.calls.push(record);
    const responder = this.#responders.get(`${service}:${operation}`);
    const response = responder === undefined ? {} : await responder(input);
    record.ok = true;
    return response;
  }

  /** Calls to Step Functions task-callback operations. */
  get callbacks(): RecordedCall[] {
    return this.calls.filter((c) => c.service === 'sfn' && c.operation.startsWith('SendTask'));
  }

  /** Callbacks Step Functions accepted: the ones that actually completed the task token. */
  get completedCallbacks(): RecordedCall[] {
    return this.callbacks.filter((c) => c.ok);
  }
}

/** Polls `predicate` in real time (without moving any virtual clock) until it holds. */
export async function waitUntil(predicate: () => boolean | Promise<boolean>, what = 'condition', timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
