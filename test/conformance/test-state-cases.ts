/**
 * Replays the AWS-recorded TestState cases (`test/fixtures/conformance/test-state/dev.jsonl`) through the local
 * endpoint with the AWS SDK v3 client, and compares each response with the recorded one as the dataset's README
 * prescribes: the snapshot rewrites applied to the response (timestamps, literal rewrites, JSON texts parsed), and
 * placeholder tokens matched as wildcards (numbered ones consistently within a case).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SFNClient, TestStateCommand, type TestStateCommandInput, type TestStateCommandOutput } from '@aws-sdk/client-sfn';
import type { JsonObject } from '../../src/model/json.js';

export interface TestStateCase {
  readonly id: string;
  readonly request: JsonObject;
  readonly expected: JsonObject;
  readonly rawMembers?: readonly string[];
  readonly rewrites?: ReadonlyArray<readonly [string, string]>;
  readonly placeholders?: boolean;
  readonly placeholderTokens?: readonly string[];
}

export const CASES_FILE = fileURLToPath(new URL('../fixtures/conformance/test-state/dev.jsonl', import.meta.url));

export function loadCases(file = CASES_FILE): TestStateCase[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as TestStateCase);
}

/** The members the API takes as JSON text, by their path in the request (README, "Case format"). */
const JSON_TEXT_MEMBERS = ['definition', 'input', 'variables', 'context', 'mock.result', 'stateConfiguration.mapItemReaderData'];

/** The request as the SDK sends it: JSON-text members serialized back, unless the case sends them verbatim. */
export function requestOf(c: TestStateCase): TestStateCommandInput {
  const request = structuredClone(c.request) as Record<string, unknown>;
  for (const path of JSON_TEXT_MEMBERS) {
    if (c.rawMembers?.includes(path)) continue;
    const [head, tail] = path.split('.') as [string, string | undefined];
    const holder = tail === undefined ? request : (request[head] as Record<string, unknown> | undefined);
    const key = tail ?? head;
    if (holder !== undefined && holder[key] !== undefined) holder[key] = JSON.stringify(holder[key]);
  }
  return request as unknown as TestStateCommandInput;
}

export function clientFor(endpoint: string): SFNClient {
  // The API model gives TestState the `sync-` host prefix, which cannot be put in front of 127.0.0.1.
  return new SFNClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, disableHostPrefix: true, maxAttempts: 1 });
}

export type CaseResponse = { readonly ok: true; readonly output: TestStateCommandOutput } | { readonly ok: false; readonly error: Error & { $metadata?: { httpStatusCode?: number } } };

export async function runCase(client: SFNClient, c: TestStateCase): Promise<CaseResponse> {
  try {
    return { ok: true, output: await client.send(new TestStateCommand(requestOf(c))) };
  } catch (error) {
    return { ok: false, error: error as Error };
  }
}

/** The payload members of a response that are JSON text (README, step 3). */
const PAYLOADS = new Set([
  'output',
  'input',
  'afterInputPath',
  'afterParameters',
  'afterArguments',
  'result',
  'afterResultSelector',
  'afterResultPath',
  'variables',
  'afterItemsPath',
  'afterItemSelector',
  'afterItemBatcher',
  'afterItemsPointer',
]);

const ISO8601 = /\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:Z|[+-]\d{2}(?::?\d{2})?)/g;

/** The snapshot library's rewrites of one value: literal rewrites, ISO timestamps → `date`, JSON texts parsed. */
function rewrite(value: unknown, c: TestStateCase, key?: string): unknown {
  if (typeof value === 'string') {
    let text = value;
    for (const [literal, replacement] of c.rewrites ?? []) text = text.split(literal).join(replacement);
    if (key !== undefined && PAYLOADS.has(key)) return rewrite(JSON.parse(text), c);
    if (text.startsWith('{')) {
      try {
        return rewrite(JSON.parse(text), c);
      } catch {
        // Not JSON: compared as text.
      }
    }
    if (key !== undefined && /timestamp/i.test(key) && !new RegExp(`^${ISO8601.source}$`).test(text)) return 'timestamp';
    return text.replace(ISO8601, 'date');
  }
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => rewrite(item, c));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = rewrite(v, c, k);
  return out;
}

/** Matches recorded values against actual ones, with placeholder tokens as wildcards. */
class Matcher {
  readonly bindings = new Map<string, string>();
  readonly literal: Set<string>;
  readonly embedded: string[];

  constructor(tokens: readonly string[]) {
    this.literal = new Set(tokens.filter((t) => !t.startsWith('<') && t !== '111111111111'));
    this.embedded = tokens.filter((t) => t.startsWith('<')).sort((a, b) => b.length - a.length);
  }

  match(expected: unknown, actual: unknown, path: string): string | undefined {
    if (typeof expected === 'string' && this.literal.has(expected)) return undefined;
    if (typeof expected === 'string' && this.embedded.includes(expected) && typeof actual !== 'string' && actual !== undefined) return undefined;
    if (typeof expected === 'string') return typeof actual === 'string' && this.text(expected, actual) ? undefined : `${path}: ${show(actual)}, expected ${show(expected)}`;
    if (typeof expected === 'number') return typeof actual === 'number' && actual === expected ? undefined : `${path}: ${show(actual)}, expected ${expected}`;
    if (expected === null || typeof expected !== 'object') return expected === actual ? undefined : `${path}: ${show(actual)}, expected ${show(expected)}`;
    if (typeof actual === 'string') {
      try {
        actual = JSON.parse(actual);
      } catch {
        return `${path}: ${show(actual)}, expected ${show(expected)}`;
      }
    }
    if (Array.isArray(expected)) {
      if (!Array.isArray(actual) || actual.length !== expected.length) return `${path}: ${show(actual)}, expected ${show(expected)}`;
      for (let i = 0; i < expected.length; i++) {
        const reason = this.match(expected[i], actual[i], `${path}[${i}]`);
        if (reason !== undefined) return reason;
      }
      return undefined;
    }
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return `${path}: ${show(actual)}, expected ${show(expected)}`;
    const want = Object.entries(expected as Record<string, unknown>).filter(([, v]) => v !== undefined);
    const got = Object.entries(actual as Record<string, unknown>).filter(([, v]) => v !== undefined);
    const extra = got.map(([k]) => k).filter((k) => !want.some(([w]) => w === k));
    if (extra.length > 0) return `${path}: unexpected ${extra.join(', ')} (${show(actual)})`;
    for (const [key, value] of want) {
      const reason = this.match(value, (actual as Record<string, unknown>)[key], `${path}.${key}`);
      if (reason !== undefined) return reason;
    }
    return undefined;
  }

  /** A string with `<token>` wildcards and the placeholder account id; numbered tokens bind once per case. */
  text(expected: string, actual: string): boolean {
    if (expected === actual) return true;
    const names: string[] = [];
    let pattern = '';
    let rest = expected;
    while (rest.length > 0) {
      const token = this.embedded.find((t) => rest.startsWith(t));
      if (token !== undefined) {
        names.push(token);
        pattern += '([\\s\\S]*?)';
        rest = rest.slice(token.length);
      } else if (rest.startsWith('111111111111')) {
        pattern += '\\d{12}';
        rest = rest.slice(12);
      } else {
        pattern += rest[0]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        rest = rest.slice(1);
      }
    }
    const found = new RegExp(`^${pattern}$`).exec(actual);
    if (found === null) return false;
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      if (!/:\d+>$/.test(name)) continue;
      const bound = this.bindings.get(name);
      if (bound !== undefined && bound !== found[i + 1]) return false;
      this.bindings.set(name, found[i + 1]!);
    }
    return true;
  }
}

function show(value: unknown): string {
  return (JSON.stringify(value) ?? 'undefined').slice(0, 300);
}

/** Compares a response with the recorded one; returns why it differs, or undefined when it matches. */
export function compare(c: TestStateCase, response: CaseResponse): string | undefined {
  const exception = c.expected['exception'] as { code: string; message: string; httpStatus?: number } | undefined;
  if (exception !== undefined) {
    if (response.ok) return `answered ${show(response.output.status)} ${show(response.output.error ?? '')}, expected ${exception.code}`;
    const { error } = response;
    if (error.name !== exception.code) return `error ${error.name}: ${error.message}, expected ${exception.code}: ${exception.message}`;
    if (error.message !== exception.message) return `message ${show(error.message)}, expected ${show(exception.message)}`;
    const status = error.$metadata?.httpStatusCode;
    if (exception.httpStatus !== undefined && status !== exception.httpStatus) return `HTTP status ${status}, expected ${exception.httpStatus}`;
    return undefined;
  }
  if (!response.ok) return `${describe(response.error)}, expected a result`;
  const { $metadata: _metadata, ...output } = response.output;
  const actual = rewrite(output, c);
  const matcher = new Matcher(c.placeholders === true || c.placeholderTokens !== undefined ? (c.placeholderTokens ?? []) : []);
  return matcher.match(c.expected, actual, 'response');
}

/** Whether the endpoint answered, refused the operation, or could not be reached (README, "Running"). */
function describe(error: Error): string {
  if (error.name === 'UnknownOperationException') return `the endpoint does not know the operation (${error.message})`;
  if ((error as { code?: string }).code === 'ECONNREFUSED') return `the endpoint could not be reached (${error.message})`;
  return `error ${error.name}: ${error.message}`;
}
