/**
 * Replays the AWS-recorded Step Functions API cases (`test/fixtures/conformance/sfn-api/dev.jsonl`) through the real
 * endpoint (`serve`'s, in-process on port 0) with the SDK v3 client, and compares every checked response as the
 * dataset's README prescribes: the case's transformers first, then codes and messages, or members one by one with
 * `<...>` wildcards, any 12-digit account for `111111111111`, and timestamps for `datetime`.
 *
 * Time: the engine runs on a fast-forwarding `VirtualClock` that the runner holds (time flows at real speed) while a
 * call is in flight, and that moves on one virtual second per poll of a wait (`until`), as a test polling AWS once a
 * second would see it. A 60 s `Wait` state thus costs 60 polls, not a minute, and a stop sent while it waits still
 * finds it waiting.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import * as sfn from '@aws-sdk/client-sfn';
import { VirtualClock } from '../../src/engine/clock.js';
import { LocalEngine } from '../../src/engine/local-engine.js';
import { ROLE_ARN_PATTERN } from '../../src/engine/iam/roles.js';
import { startLocalEndpoint } from '../../src/server/local-endpoint.js';
import type { LocalEndpoint } from '../../src/server/server.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface Expectation {
  readonly kind: 'error' | 'success';
  readonly key: string;
  readonly httpStatus?: number;
  readonly code?: string;
  readonly message?: string;
  readonly response?: Json;
  readonly select?: { path: (string | number)[]; own?: boolean; slice?: [number, number] };
  readonly value?: Json;
}

export type Until =
  | 'terminated'
  | 'succeeded'
  | 'started'
  | 'state_entered'
  | 'aborted'
  | { listed: string; status?: string; terminated?: boolean };

export interface Call {
  readonly op: string;
  readonly request: { [key: string]: Json };
  readonly paginate?: boolean;
  readonly until?: Until;
  readonly expect?: readonly Expectation[];
  readonly expectError?: boolean;
}

export interface Transformer {
  readonly regex?: string;
  readonly replacement: string;
  readonly literal?: boolean;
  readonly key?: string;
}

export interface ApiCase {
  readonly id: string;
  readonly calls: readonly Call[];
  readonly bindings: Readonly<Record<string, { call: number; path: (string | number)[]; template: string }>>;
  readonly transformers: readonly Transformer[];
  readonly uids: number;
  readonly tags: readonly string[];
  readonly operations: readonly string[];
}

export const CASES_FILE = fileURLToPath(new URL('../fixtures/conformance/sfn-api/dev.jsonl', import.meta.url));

export function loadApiCases(file = CASES_FILE): ApiCase[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as ApiCase);
}

/** Why a check failed: the response differs, the operation is not served, or the endpoint could not be reached. */
export type FailureKind = 'mismatch' | 'message-differs' | 'unknown-operation' | 'unreachable' | 'harness';

export interface CheckResult {
  readonly call: number;
  readonly op: string;
  readonly key: string;
  readonly failure?: { kind: FailureKind; detail: string };
}

export interface CaseResult {
  readonly id: string;
  readonly checks: readonly CheckResult[];
  /** A failure outside any check (a call without checks that could not run at all, a wait that never ended). */
  readonly error?: { kind: FailureKind; detail: string };
}

export function passed(result: CaseResult): boolean {
  return result.error === undefined && result.checks.every((c) => c.failure === undefined);
}

/** What one call returned: a response body, or an AWS error. */
type Outcome =
  | { ok: true; status: number; body: { [key: string]: unknown } }
  | { ok: false; status: number | undefined; code: string; message: string; network: boolean };

/** The endpoint and engine the cases run against (one for all of them, as cases never need an empty account). */
export class ApiHarness {
  readonly clock = new VirtualClock({ autoAdvance: true });
  readonly engine: LocalEngine;
  #endpoint: LocalEndpoint | undefined;
  #client: sfn.SFNClient | undefined;
  #release: (() => void) | undefined;

  constructor() {
    this.engine = new LocalEngine({ clock: this.clock });
  }

  async start(): Promise<void> {
    this.#endpoint = await startLocalEndpoint(this.engine, { port: 0 });
    this.#client = new sfn.SFNClient({
      endpoint: this.#endpoint.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'conformance', secretAccessKey: 'conformance' },
      maxAttempts: 1,
      // StartSyncExecution's `sync-` host prefix cannot resolve for 127.0.0.1 (docs/feature-support.md).
      disableHostPrefix: true,
    });
    // Held while calls are in flight: time flows at real speed, and only waits move it on (see `#poll`).
    this.#release = this.clock.hold();
  }

  get accountId(): string {
    return this.engine.accountId;
  }

  async stop(): Promise<void> {
    this.#release?.();
    this.#client?.destroy();
    await this.#endpoint?.close();
    await this.engine.close();
  }

  /**
   * The one place where the cases' IAM roles are set up (`arn:aws:iam::<account>:role/sfnconf-role-<uid>`): the
   * recorded tests created each one in IAM, trusted by Step Functions, before using it, and the engine refuses a role
   * nobody defined as AWS does. Malformed ARNs stay undefined: the cases expect AWS's refusal of them.
   */
  prepareRoles(roleArns: readonly string[]): void {
    for (const arn of roleArns) {
      if (ROLE_ARN_PATTERN.test(arn) && this.engine.roles.get(arn) === undefined) this.engine.roles.define(arn);
    }
  }

  async send(op: string, request: { [key: string]: unknown }, paginate: boolean): Promise<Outcome> {
    const client = this.#client!;
    const Command = (sfn as unknown as Record<string, (new (input: unknown) => object) | undefined>)[`${op}Command`];
    if (Command === undefined) return { ok: false, status: undefined, code: 'UnknownOperationException', message: `the SDK has no ${op}Command`, network: false };
    try {
      if (paginate) return await this.#paginate(op, request);
      const response = (await client.send(new Command(request) as never)) as { [key: string]: unknown; $metadata: { httpStatusCode?: number } };
      const { $metadata, ...body } = response;
      return { ok: true, status: $metadata.httpStatusCode ?? 200, body };
    } catch (error) {
      return errorOutcome(error);
    }
  }

  /** Runs the SDK's paginator and merges the pages' lists, as boto3's `build_full_result()` does. */
  async #paginate(op: string, request: { [key: string]: unknown }): Promise<Outcome> {
    const paginate = (sfn as unknown as Record<string, (config: { client: sfn.SFNClient; pageSize?: number }, input: unknown) => AsyncIterable<{ [key: string]: unknown }>>)[`paginate${op}`];
    if (paginate === undefined) return { ok: false, status: undefined, code: 'HarnessError', message: `the SDK has no paginate${op}`, network: false };
    const { maxResults, ...rest } = request;
    const merged: { [key: string]: unknown } = {};
    // boto3's paginator takes maxResults as the page size (PaginationConfig.PageSize), not as a total.
    const config = typeof maxResults === 'number' ? { client: this.#client!, pageSize: maxResults } : { client: this.#client! };
    for await (const page of paginate(config, rest)) {
      for (const [key, value] of Object.entries(page)) {
        if (key === '$metadata' || key === 'nextToken') continue;
        if (Array.isArray(value)) merged[key] = [...((merged[key] as unknown[] | undefined) ?? []), ...value];
        else if (!(key in merged)) merged[key] = value;
      }
    }
    return { ok: true, status: 200, body: merged };
  }

  /** Polls `call` until its condition holds, moving the clock on one second between polls (at most ten minutes). */
  async poll(call: () => Promise<Outcome>, until: Until, accountFor: (s: string) => string): Promise<string | undefined> {
    let last = '';
    for (let i = 0; i < 600; i++) {
      const outcome = await call();
      if (outcome.ok) {
        if (holds(until, outcome.body, accountFor)) return undefined;
        last = JSON.stringify(outcome.body).slice(0, 300);
      } else {
        // A test's poller stops on an error too (for example an execution that does not exist).
        if (outcome.network) return `unreachable: ${outcome.message}`;
        return undefined;
      }
      await this.clock.advance(1000);
    }
    return `wait ${JSON.stringify(until)} never held; last response ${last}`;
  }
}

function errorOutcome(error: unknown): Outcome {
  const e = error as { name?: string; message?: string; code?: string; $metadata?: { httpStatusCode?: number }; $response?: unknown };
  const network = e.$metadata?.httpStatusCode === undefined && (e.code === 'ECONNREFUSED' || e.code === 'ECONNRESET' || /ECONN|ENOTFOUND|EAI_AGAIN|socket hang up/.test(String(e.message)));
  return { ok: false, status: e.$metadata?.httpStatusCode, code: e.name ?? 'Error', message: e.message ?? String(error), network };
}

const TERMINAL_EVENTS = ['ExecutionSucceeded', 'ExecutionFailed', 'ExecutionAborted', 'ExecutionTimedOut'];

function holds(until: Until, body: { [key: string]: unknown }, resolve: (s: string) => string): boolean {
  const events = (body['events'] as { type?: string }[] | undefined) ?? [];
  const lastType = events.at(-1)?.type;
  if (until === 'terminated') return lastType !== undefined && TERMINAL_EVENTS.includes(lastType);
  if (until === 'succeeded') return lastType === 'ExecutionSucceeded';
  if (until === 'started') return events.some((e) => e.type === 'ExecutionStarted');
  if (until === 'state_entered') return events.some((e) => e.type?.endsWith('StateEntered') === true);
  if (until === 'aborted') return body['status'] === 'ABORTED';
  const arn = resolve(until.listed);
  const listed = ((body['executions'] as { executionArn?: string; status?: string }[] | undefined) ?? []).find((e) => e.executionArn === arn);
  if (listed === undefined) return false;
  return until.status !== undefined ? listed.status === until.status : listed.status !== 'RUNNING';
}

// ------------------------------------------------------------------ placeholders

class Placeholders {
  readonly uids: string[] = [];
  readonly gens = new Map<number, string>();

  constructor(
    count: number,
    readonly account: string,
  ) {
    // A fresh short uid per N, as the tests' short_uid() (8 hex characters).
    for (let i = 0; i <= count + 1; i++) this.uids.push(randomBytes(4).toString('hex'));
  }

  /** Resolves `${uid:N}`, `${account}` and the `${gen:N}` values learned so far; unknown gens stay as written. */
  resolve(text: string): string {
    return text.replace(/\$\{(uid|account|gen)(?::(\d+))?(?::(-?\d+))?\}/g, (whole, kind: string, n?: string, cut?: string) => {
      if (kind === 'account') return this.account;
      if (kind === 'uid') return this.uids[Number(n)] ?? whole;
      const value = this.gens.get(Number(n));
      if (value === undefined) return whole;
      return cut === undefined ? value : value.slice(0, Number(cut));
    });
  }

  resolvable(text: string): boolean {
    return !/\$\{gen:/.test(this.resolve(text));
  }

  deep<T>(value: T): T {
    if (typeof value === 'string') return this.resolve(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.deep(v)) as T;
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.deep(v)])) as T;
    }
    return value;
  }

  /** Learns `${gen:N}` values from a response string matched against its binding's template. */
  learn(template: string, actual: string): void {
    const parts = template.split(/(\$\{gen:\d+\})/);
    const names: number[] = [];
    const pattern = parts
      .map((part) => {
        const gen = /^\$\{gen:(\d+)\}$/.exec(part);
        if (gen === null) return escapeRegex(this.resolve(part));
        const known = this.gens.get(Number(gen[1]));
        if (known !== undefined) return escapeRegex(known);
        names.push(Number(gen[1]));
        return '(.+?)';
      })
      .join('');
    const match = new RegExp(`^${pattern}$`).exec(actual);
    if (match === null) return;
    names.forEach((n, i) => this.gens.set(n, match[i + 1]!));
  }
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ------------------------------------------------------------------ comparison

/** Parses the actual strings that the recording holds parsed (definitions, inputs, outputs, event details). */
function parseLike(expected: unknown, actual: unknown): unknown {
  if (typeof actual === 'string' && expected !== null && typeof expected === 'object') {
    try {
      return parseLike(expected, JSON.parse(actual));
    } catch {
      return actual;
    }
  }
  if (Array.isArray(expected) && Array.isArray(actual)) return actual.map((a, i) => parseLike(expected[i], a));
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected) && actual !== null && typeof actual === 'object' && !Array.isArray(actual) && !(actual instanceof Date)) {
    return Object.fromEntries(Object.entries(actual).map(([k, v]) => [k, parseLike((expected as Record<string, unknown>)[k], v)]));
  }
  return actual;
}

/** Applies the case's transformers, in order, to every string of a response. */
function transform(value: unknown, transformers: readonly Transformer[], placeholders: Placeholders): unknown {
  let out = value;
  for (const t of transformers) {
    if (t.key !== undefined) {
      const found: string[] = [];
      out = replaceKey(out, t.key, t.replacement, found);
      for (const text of found) out = mapStrings(out, (s) => s.split(text).join(t.replacement));
      continue;
    }
    if (t.regex === undefined) continue;
    if (t.literal === false) {
      const regex = new RegExp(t.regex, 'g');
      out = mapStrings(out, (s) => s.replace(regex, () => t.replacement));
      continue;
    }
    if (!placeholders.resolvable(t.regex)) continue;
    const literal = placeholders.resolve(t.regex);
    if (literal === '') continue;
    out = mapStrings(out, (s) => s.split(literal).join(t.replacement));
  }
  return out;
}

function mapStrings(value: unknown, fn: (s: string) => string): unknown {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, fn));
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, fn)]));
  }
  return value;
}

function replaceKey(value: unknown, key: string, replacement: string, found: string[]): unknown {
  if (Array.isArray(value)) return value.map((v) => replaceKey(v, key, replacement, found));
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => {
        if (k === key && typeof v === 'string') {
          found.push(v);
          return [k, replacement];
        }
        return [k, replaceKey(v, key, replacement, found)];
      }),
    );
  }
  return value;
}

const WILDCARD = /<[A-Za-z_][^<>\s'"]*>/g;

/** An expected string as a regex: `<...>` is any non-empty run, `111111111111` any 12-digit account. */
function textMatches(expected: string, actual: string): boolean {
  if (expected === actual) return true;
  const pieces: string[] = [];
  let last = 0;
  for (const m of expected.matchAll(WILDCARD)) {
    pieces.push(escapeRegex(expected.slice(last, m.index)).replace(/111111111111/g, '\\d{12}'), '[\\s\\S]+?');
    last = m.index + m[0].length;
  }
  pieces.push(escapeRegex(expected.slice(last)).replace(/111111111111/g, '\\d{12}'));
  return new RegExp(`^${pieces.join('')}$`).test(actual);
}

function isTimestamp(value: unknown): boolean {
  return value instanceof Date || typeof value === 'number' || (typeof value === 'string' && !Number.isNaN(Date.parse(value)));
}

/**
 * Replacements of `JsonpathTransformer`s that the tests registered but the dataset's extractor did not keep
 * (LocalStack's test code: `JsonpathTransformer("$..creationDate", "creation-date", replace_reference=False)` and
 * the like): the recorded value at such a key stands for any value.
 */
const LOST_JSONPATH_REPLACEMENTS: Readonly<Record<string, string>> = {
  creationDate: 'creation-date',
  startDate: 'start-date',
  StartDate: 'start-date',
  stopDate: 'stop-date',
  StopDate: 'stop-date',
  // The `sfn_snapshot` fixture's own (LocalStack's TransformerUtility.stepfunctions_api()).
  Date: 'date',
  RequestId: 'RequestId',
  'X-Amzn-Trace-Id': 'X-Amzn-Trace-Id',
  'x-amz-crc32': 'x-amz-crc32',
  'x-amzn-RequestId': 'x-amzn-RequestId',
  'x-amzn-requestid': 'x-amzn-requestid',
};

/** Compares member by member; returns where and how the actual value differs, or undefined. */
export function difference(expected: unknown, actual: unknown, path = '$', key = ''): string | undefined {
  if (expected === 'datetime') return actual instanceof Date ? undefined : `${path}: expected a timestamp, got ${show(actual)}`;
  if (LOST_JSONPATH_REPLACEMENTS[key] !== undefined && expected === LOST_JSONPATH_REPLACEMENTS[key]) return actual === undefined ? `${path}: missing` : undefined;
  // The snapshot library replaced the value of every key containing "timestamp" by "timestamp" (a path too).
  if (expected === 'timestamp' && /timestamp/i.test(key)) return actual === undefined ? `${path}: missing` : undefined;
  if (expected === 'date' || expected === 'timestamp') return isTimestamp(actual) ? undefined : `${path}: expected a timestamp, got ${show(actual)}`;
  if (typeof expected === 'string') {
    if (typeof actual !== 'string') return `${path}: expected ${show(expected)}, got ${show(actual)}`;
    return textMatches(expected, actual) ? undefined : `${path}: expected ${show(expected)}, got ${show(actual)}`;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path}: expected a list, got ${show(actual)}`;
    if (expected.length !== actual.length) return `${path}: expected ${expected.length} items, got ${actual.length}: ${show(actual)}`;
    for (let i = 0; i < expected.length; i++) {
      const d = difference(expected[i], actual[i], `${path}[${i}]`, key);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual) || actual instanceof Date) return `${path}: expected an object, got ${show(actual)}`;
    const e = expected as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    for (const member of Object.keys(e)) {
      if (!(member in a) || a[member] === undefined) return `${path}.${member}: missing (expected ${show(e[member])})`;
    }
    for (const member of Object.keys(a)) {
      if (a[member] !== undefined && !(member in e)) return `${path}.${member}: unexpected member ${show(a[member])}`;
    }
    for (const member of Object.keys(e)) {
      const d = difference(e[member], a[member], `${path}.${member}`, member);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  return expected === actual ? undefined : `${path}: expected ${show(expected)}, got ${show(actual)}`;
}

function show(value: unknown): string {
  const text = value instanceof Date ? `Date(${value.toISOString()})` : JSON.stringify(value);
  return text === undefined ? 'undefined' : text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function at(value: unknown, path: readonly (string | number)[]): unknown {
  let v = value;
  for (const p of path) v = v === null || typeof v !== 'object' ? undefined : (v as Record<string | number, unknown>)[p];
  return v;
}

function check(expectation: Expectation, outcome: Outcome, c: ApiCase, placeholders: Placeholders): { kind: FailureKind; detail: string } | undefined {
  if (!outcome.ok) {
    if (outcome.network) return { kind: 'unreachable', detail: outcome.message };
    if (outcome.code === 'UnknownOperationException') return { kind: 'unknown-operation', detail: outcome.message };
  }
  if (expectation.kind === 'error') {
    if (outcome.ok) return { kind: 'mismatch', detail: `expected ${expectation.code}, got success ${show(outcome.body)}` };
    if (outcome.code !== expectation.code) return { kind: 'mismatch', detail: `expected ${expectation.code}: ${expectation.message}; got ${outcome.code}: ${outcome.message}` };
    if (expectation.httpStatus !== undefined && outcome.status !== expectation.httpStatus) return { kind: 'mismatch', detail: `HTTP ${outcome.status}, expected ${expectation.httpStatus}` };
    const message = transform(outcome.message, c.transformers, placeholders) as string;
    if (!textMatches(expectation.message ?? '', message)) return { kind: 'message-differs', detail: `expected '${expectation.message}'; got '${message}'` };
    return undefined;
  }
  if (!outcome.ok) return { kind: 'mismatch', detail: `expected success; got ${outcome.code}: ${outcome.message}` };
  if (expectation.httpStatus !== undefined && outcome.status !== expectation.httpStatus) return { kind: 'mismatch', detail: `HTTP ${outcome.status}, expected ${expectation.httpStatus}` };
  let actual: unknown = outcome.body;
  let expected: unknown = expectation.response;
  if (expectation.select !== undefined) {
    let selected = at(actual, expectation.select.path);
    if (expectation.select.own === true && Array.isArray(selected)) {
      selected = selected.filter((item) => placeholders.uids.some((uid) => JSON.stringify(item).includes(uid)));
    }
    if (expectation.select.slice !== undefined && Array.isArray(selected)) selected = selected.slice(...expectation.select.slice);
    actual = selected;
    expected = expectation.value;
  }
  const shaped = transform(parseLike(expected, actual), c.transformers, placeholders);
  const d = difference(expected, shaped);
  return d === undefined ? undefined : { kind: 'mismatch', detail: d };
}

/** Runs every call of a case in order and checks each snapshotted response. */
export async function runApiCase(harness: ApiHarness, c: ApiCase): Promise<CaseResult> {
  const placeholders = new Placeholders(c.uids, harness.accountId);
  const checks: CheckResult[] = [];
  const roleArns = new Set<string>();
  for (const call of c.calls) {
    const role = call.request['roleArn'];
    if (typeof role === 'string') roleArns.add(placeholders.resolve(role));
  }
  harness.prepareRoles([...roleArns]);
  for (let i = 0; i < c.calls.length; i++) {
    const call = c.calls[i]!;
    const request = placeholders.deep(call.request) as { [key: string]: unknown };
    const send = (): Promise<Outcome> => harness.send(call.op, request, call.paginate === true);
    if (call.until !== undefined) {
      const failed = await harness.poll(send, call.until, (s) => placeholders.resolve(s));
      if (failed !== undefined) return abandon(c, i, checks, { kind: failed.startsWith('unreachable') ? 'unreachable' : 'mismatch', detail: `call ${i} ${call.op}: ${failed}` });
    }
    const outcome = await send();
    if (outcome.ok) {
      for (const binding of Object.values(c.bindings)) {
        if (binding.call !== i) continue;
        const value = at(outcome.body, binding.path);
        if (typeof value === 'string') placeholders.learn(binding.template, value);
      }
    }
    for (const expectation of call.expect ?? []) {
      checks.push({ call: i, op: call.op, key: expectation.key, ...optionalFailure(check(expectation, outcome, c, placeholders)) });
    }
    if (!outcome.ok && (outcome.network || outcome.code === 'UnknownOperationException') && call.expect === undefined && call.expectError !== true) {
      return abandon(c, i + 1, checks, { kind: outcome.network ? 'unreachable' : 'unknown-operation', detail: `call ${i} ${call.op}: ${outcome.message}` });
    }
  }
  return { id: c.id, checks };
}

/** Ends a case early: the checks of the calls not run fail with the reason the case stopped. */
function abandon(c: ApiCase, from: number, checks: CheckResult[], error: { kind: FailureKind; detail: string }): CaseResult {
  for (let i = from; i < c.calls.length; i++) {
    const call = c.calls[i]!;
    for (const expectation of call.expect ?? []) checks.push({ call: i, op: call.op, key: expectation.key, failure: { kind: error.kind, detail: 'not reached' } });
  }
  return { id: c.id, checks, error };
}

function optionalFailure(failure: { kind: FailureKind; detail: string } | undefined): { failure?: { kind: FailureKind; detail: string } } {
  return failure === undefined ? {} : { failure };
}

/** One line per failed check (or the case's own failure). */
export function describeFailures(result: CaseResult): string[] {
  const lines: string[] = [];
  if (result.error !== undefined) lines.push(`[${result.error.kind}] ${result.error.detail}`);
  for (const c of result.checks) if (c.failure !== undefined && c.failure.detail !== 'not reached') lines.push(`[${c.failure.kind}] call ${c.call} ${c.op} (${c.key}): ${c.failure.detail}`);
  return lines;
}
