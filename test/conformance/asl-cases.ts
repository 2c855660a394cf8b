/**
 * Runs the AWS-recorded ASL conformance cases (`test/fixtures/conformance/asl/cases.jsonl`) through the interpreter
 * and compares status, error, output and cause as the dataset's README prescribes (placeholders as wildcards).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { VirtualClock } from '../../src/engine/clock.js';
import { randomIds } from '../../src/engine/ids.js';
import type { AwsApi } from '../../src/engine/aws-api.js';
import type { JsonObject, JsonValue } from '../../src/model/json.js';
import type { StateMachineDefinition } from '../../src/model/state-machine.js';
import { startExecution, type ExecutionResult } from '../../src/engine/states/execution.js';
import { TaskTokens } from '../../src/engine/states/task-tokens.js';
import { DEFAULT_INTEGRATIONS } from '../../src/engine/states/integrations/index.js';

export interface ConformanceCase {
  readonly id: string;
  readonly definition: StateMachineDefinition;
  readonly input: JsonValue;
  readonly context?: { Execution?: JsonObject; StateMachine?: JsonObject };
  readonly clock?: string;
  readonly recordedDate?: string;
  readonly stateMachineType: 'STANDARD' | 'EXPRESS';
  readonly expected: { status: string; output?: JsonValue; error?: string; cause?: string };
  readonly events?: readonly string[];
  readonly placeholders?: boolean;
  readonly placeholderTokens?: readonly string[];
  readonly notes?: readonly string[];
}

export const CASES_FILE = fileURLToPath(new URL('../fixtures/conformance/asl/cases.jsonl', import.meta.url));

export function loadCases(file = CASES_FILE): ConformanceCase[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as ConformanceCase);
}

/** Cases call no service; any call is a bug in the case or the interpreter. */
const noServices: AwsApi = {
  call: (service, operation) => Promise.reject(new Error(`conformance cases call no service (${service}.${operation})`)),
};

export interface CaseRun {
  readonly result: ExecutionResult;
  readonly events: readonly string[];
}

export async function runCase(c: ConformanceCase): Promise<CaseRun> {
  const start = c.clock !== undefined ? Date.parse(c.clock) : Date.parse('2024-07-15T13:00:19.000Z');
  const clock = new VirtualClock({ start, autoAdvance: true });
  const execution = startExecution({
    definition: c.definition,
    input: c.input,
    clock,
    ids: randomIds,
    awsApi: noServices,
    tokens: new TaskTokens(randomIds),
    integrations: DEFAULT_INTEGRATIONS,
    region: 'us-east-1',
    accountId: '111111111111',
    executionArn: 'arn:aws:states:us-east-1:111111111111:execution:machine:exec',
    executionName: 'exec',
    stateMachineArn: 'arn:aws:states:us-east-1:111111111111:stateMachine:machine',
    stateMachineName: 'machine',
    roleArn: 'snf_role_arn',
    express: c.stateMachineType === 'EXPRESS',
    // "started with StartSyncExecution (express)" in the case's notes.
    sync: c.notes?.some((n) => n.startsWith('started with StartSyncExecution')) === true,
    ...(c.context === undefined ? {} : { context: c.context }),
  });
  const result = await execution.result;
  return { result, events: execution.history.events.map((e) => e.type) };
}

const ISO8601 = /\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})/g;

/** The snapshot rewrites: ISO timestamps → `date`, non-ISO values of `*timestamp*` keys → `timestamp`. */
function rewrite(value: JsonValue | undefined): JsonValue | undefined {
  if (typeof value === 'string') return value.replace(ISO8601, 'date');
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => rewrite(v) as JsonValue);
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = /timestamp/i.test(k) && !(typeof v === 'string' && ISO8601.test(v)) ? 'timestamp' : (rewrite(v) as JsonValue);
    ISO8601.lastIndex = 0;
  }
  return out;
}

function canonical(value: JsonValue | undefined): string {
  if (value === undefined) return 'undefined';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  return `{${Object.keys(value)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
    .join(',')}}`;
}

function matches(expected: string, actual: string, tokens: readonly string[]): boolean {
  if (expected === actual) return true;
  if (tokens.length === 0) return false;
  const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const sorted = [...tokens].sort((a, b) => b.length - a.length);
  // A token that stood for a whole JSON string may stand for any JSON value (a test replaced a number by text).
  const quoted = sorted.map((t) => JSON.stringify(t));
  const all = [...quoted, ...sorted];
  const pattern = new RegExp(`(${all.map(escape).join('|')})`, 'g');
  const regex = expected
    .split(pattern)
    .map((part) => (all.includes(part) ? '[\\s\\S]*?' : escape(part)))
    .join('');
  return new RegExp(`^${regex}$`).test(actual);
}

/** Compares a run with the recorded result; returns the reason it differs, or undefined when it matches. */
export function compare(c: ConformanceCase, run: CaseRun): string | undefined {
  const { expected } = c;
  const actual = run.result;
  if (actual.status !== expected.status) return `status ${actual.status} (${actual.error ?? ''}: ${actual.cause ?? ''}), expected ${expected.status}`;
  if ((actual.error ?? null) !== (expected.error ?? null)) return `error ${JSON.stringify(actual.error)}, expected ${JSON.stringify(expected.error)}`;
  const tokens = c.placeholders === true ? (c.placeholderTokens ?? []) : [];
  if (expected.status === 'SUCCEEDED') {
    const want = canonical(expected.output);
    const got = canonical(rewrite(actual.output));
    if (!matches(want, got, tokens)) return `output ${got.slice(0, 400)}, expected ${want.slice(0, 400)}`;
  } else {
    const want = canonical(expected.cause ?? null);
    const got = canonical(rewrite(actual.cause ?? null));
    if (!matches(want, got, [...tokens, ...(expected.cause?.includes('<json-input:') ? ['<json-input:1>', '<json-input:2>'] : [])])) {
      return `cause ${got.slice(0, 400)}, expected ${want.slice(0, 400)}`;
    }
  }
  return undefined;
}

/** Secondary check: the history event types, when the case recorded them in real order. */
export function compareEvents(c: ConformanceCase & { eventsNormalizedBy?: string }, run: CaseRun): string | undefined {
  if (c.events === undefined || c.eventsNormalizedBy !== undefined) return undefined;
  const got = run.events.join(',');
  const want = c.events.join(',');
  return got === want ? undefined : `events ${got}, expected ${want}`;
}
