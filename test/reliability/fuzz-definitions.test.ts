/**
 * Fuzzing definitions (issue 7): ASL definitions (state-machines/*.asl.json and the conformance cases) and runbooks
 * (runbooks/*.json and the runbook fixtures) mutated from valid ones. `validateDocument` must never throw; what it
 * accepts without errors, the engines must run — CreateStateMachine + a bounded execution, CreateDocument + a bounded
 * automation — without an internal error (a TypeError surfacing as a cause, an automation "Internal error", an
 * InternalServerError, an unhandled rejection).
 *
 * Safety: the engine has no instances, so whatever a mutation turns into a command line can run nowhere.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { readFileSync, readdirSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { LocalEngine } from '../../src/engine/local-engine.js';
import { isServiceError } from '../../src/errors/service-error.js';
import { detectKind, isError, validateDocument } from '../../src/validate/index.js';
import { anyValue } from './arbitraries.js';
import { DriverClock } from './driver-clock.js';

const ROOT = new URL('../../', import.meta.url).pathname;

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

const ASL_SOURCES: { name: string; definition: unknown; input: string }[] = [
  ...readdirSync(`${ROOT}state-machines`)
    .filter((f) => f.endsWith('.asl.json'))
    .map((f) => ({ name: f, definition: readJson(`${ROOT}state-machines/${f}`), input: '{}' })),
  // Every 8th conformance case keeps the property fast while covering all state types and both query languages.
  ...readFileSync(`${ROOT}test/fixtures/conformance/asl/cases.jsonl`, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .filter((_, i) => i % 8 === 0)
    .map((l) => JSON.parse(l) as { id: string; definition: unknown; input?: unknown })
    .map((c) => ({ name: c.id, definition: c.definition, input: typeof c.input === 'string' ? c.input : JSON.stringify(c.input ?? {}) })),
];

const RUNBOOK_SOURCES: { name: string; runbook: unknown }[] = [
  ...readdirSync(`${ROOT}runbooks`)
    .filter((f) => f.endsWith('.json'))
    .map((f) => ({ name: f, runbook: readJson(`${ROOT}runbooks/${f}`) })),
  ...readdirSync(`${ROOT}test/fixtures/runbooks`).map((f) => ({ name: f, runbook: parseYaml(readFileSync(`${ROOT}test/fixtures/runbooks/${f}`, 'utf8')) as unknown })),
];

// ------------------------------------------------------------------------------------------------ mutation

type Path = (string | number)[];

function paths(value: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  if (prefix.length > 0) out.push(prefix);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...prefix, i], out));
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
  return out;
}

function strings(value: unknown, out = new Set<string>()): Set<string> {
  if (typeof value === 'string') out.add(value);
  else if (Array.isArray(value)) value.forEach((v) => strings(v, out));
  else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) (out.add(k), strings(v, out));
  return out;
}

interface Mutation {
  readonly pick: number;
  readonly how: 'delete' | 'replace' | 'null' | 'swap-string' | 'rename' | 'wrap' | 'duplicate';
  readonly value: unknown;
  readonly other: number;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  pick: fc.nat(),
  how: fc.constantFrom('delete', 'replace', 'null', 'swap-string', 'swap-string', 'rename', 'wrap', 'duplicate'),
  value: anyValue,
  other: fc.nat(),
});

/** Applies mutations to a deep copy; each one edits a random node: realistic (a value from elsewhere) or not. */
function mutate(doc: unknown, mutations: readonly Mutation[]): unknown {
  const copy = structuredClone(doc);
  for (const m of mutations) {
    const all = paths(copy);
    if (all.length === 0) break;
    const path = all[m.pick % all.length]!;
    const parent = path.slice(0, -1).reduce<unknown>((node, key) => (node as Record<string | number, unknown>)[key], copy) as Record<string | number, unknown> | unknown[];
    const key = path.at(-1)!;
    const pool = [...strings(copy)];
    const current = (parent as Record<string | number, unknown>)[key];
    switch (m.how) {
      case 'delete':
        if (Array.isArray(parent)) parent.splice(key as number, 1);
        else delete parent[key as string];
        break;
      case 'replace':
        (parent as Record<string | number, unknown>)[key] = m.value;
        break;
      case 'null':
        (parent as Record<string | number, unknown>)[key] = null;
        break;
      case 'swap-string':
        // A state name where a Type goes, a step name where an action goes: the mutations validators must catch.
        (parent as Record<string | number, unknown>)[key] = pool[m.other % pool.length] ?? '';
        break;
      case 'rename':
        if (!Array.isArray(parent)) {
          delete parent[key as string];
          parent[pool[m.other % pool.length] ?? 'x'] = current;
        }
        break;
      case 'wrap':
        (parent as Record<string | number, unknown>)[key] = [current];
        break;
      case 'duplicate': {
        const target = all[m.other % all.length]!;
        const targetParent = target.slice(0, -1).reduce<unknown>((node, k) => (node as Record<string | number, unknown>)[k], copy);
        if (typeof targetParent === 'object' && targetParent !== null) (targetParent as Record<string | number, unknown>)[target.at(-1)!] = structuredClone(current);
        break;
      }
    }
  }
  return copy;
}

// ------------------------------------------------------------------------------------------------ engine

/** Causes and messages that betray a bug in the engine rather than a rejected definition. */
const INTERNAL = /TypeError|ReferenceError|RangeError: Maximum call stack|Cannot read propert|is not a function|is not iterable|undefined is not|Internal error|InternalServerError/;

const clock = new DriverClock();
let engine: LocalEngine;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason);
};
const counts = { aslChecked: 0, aslAccepted: 0, aslRan: 0, aslCreateRejected: 0, runbooksChecked: 0, runbooksAccepted: 0, runbooksRan: 0, runbookCreateRejected: 0 };
let seq = 0;

beforeAll(() => {
  engine = new LocalEngine({ clock, enforceIam: false });
  process.on('unhandledRejection', onUnhandled);
});

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await engine.close();
  console.log(`definition fuzz: ${JSON.stringify(counts)}; cyclic definitions run: ${cyclic}`);
});

let cyclic = 0;

/** True when the top-level transitions (Next, Default, Choices[].Next, Catch[].Next) form a cycle. */
function hasCycle(definition: unknown): boolean {
  const states = (definition as { States?: unknown } | null)?.States;
  if (typeof states !== 'object' || states === null) return false;
  const next = (state: unknown): string[] => {
    if (typeof state !== 'object' || state === null) return [];
    const st = state as Record<string, unknown>;
    const targets: unknown[] = [st['Next'], st['Default']];
    for (const key of ['Choices', 'Catch']) if (Array.isArray(st[key])) for (const c of st[key]) targets.push((c as Record<string, unknown> | null)?.['Next']);
    return targets.filter((t): t is string => typeof t === 'string');
  };
  const graph = states as Record<string, unknown>;
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (name: string): boolean => {
    if (visiting.has(name)) return true;
    if (done.has(name) || !Object.hasOwn(graph, name)) return false;
    visiting.add(name);
    const found = next(graph[name]).some(visit);
    visiting.delete(name);
    done.add(name);
    return found;
  };
  return Object.keys(graph).some(visit);
}



function internal(text: string | undefined): boolean {
  return text !== undefined && INTERNAL.test(text);
}

/** Creates and runs an accepted definition for a bounded time; returns the internal errors seen. */
async function runStateMachine(definition: unknown, input: string): Promise<string[]> {
  let arn: string;
  try {
    arn = (await engine.sfn.CreateStateMachine({ name: `fuzz-${seq++}`, definition: JSON.stringify(definition), roleArn: 'arn:aws:iam::123456789012:role/fuzz' })).stateMachineArn;
  } catch (error) {
    if (!isServiceError(error) || internal(error.message)) return [`CreateStateMachine: ${String((error as Error).stack ?? error)}`];
    // `validate` accepted what CreateStateMachine rejects: counted and reported, not an internal error.
    counts.aslCreateRejected++;
    return [];
  }
  let executionArn: string;
  try {
    executionArn = (await engine.sfn.StartExecution({ stateMachineArn: arn, input })).executionArn;
  } catch (error) {
    return isServiceError(error) && !internal(error.message) ? [] : [`StartExecution: ${String((error as Error).stack ?? error)}`];
  }
  counts.aslRan++;
  const ended = async (): Promise<boolean> => (await engine.sfn.DescribeExecution({ executionArn })).status !== 'RUNNING';
  // Bounded: one virtual day (Wait states, timeouts), half a real second.
  await clock.drive(ended, { maxVirtualMs: 86_400_000, maxRealMs: 500 });
  if (!(await ended())) await engine.sfn.StopExecution({ executionArn });
  const d = await engine.sfn.DescribeExecution({ executionArn });
  return internal(d.cause) || internal(d.error) ? [`execution ${d.status} ${String(d.error)}: ${String(d.cause)}`] : [];
}

/** Creates and runs an accepted runbook for a bounded time; returns the internal errors seen. */
async function runRunbook(runbook: unknown): Promise<string[]> {
  const name = `fuzz-runbook-${seq++}`;
  try {
    await engine.ssm.CreateDocument({ Name: name, Content: JSON.stringify(runbook), DocumentType: 'Automation', DocumentFormat: 'JSON' });
  } catch (error) {
    if (!isServiceError(error) || internal(error.message)) return [`CreateDocument: ${String((error as Error).stack ?? error)}`];
    counts.runbookCreateRejected++;
    return [];
  }
  // A value for every required parameter, of the declared type's shape.
  const declared = (runbook as { parameters?: Record<string, { type?: string; default?: unknown }> }).parameters ?? {};
  const parameters: Record<string, string[]> = {};
  for (const [key, p] of Object.entries(typeof declared === 'object' && declared !== null ? declared : {})) {
    if (typeof p !== 'object' || p === null || p.default !== undefined) continue;
    parameters[key] = p.type === 'StringList' ? ['true'] : p.type === 'MapList' ? ['{"Key":"tag:Env","Values":["none"]}'] : p.type === 'Integer' ? ['60'] : p.type === 'Boolean' ? ['false'] : ['i-0123456789abcdef0'];
  }
  let id: string;
  try {
    id = (await engine.ssm.StartAutomationExecution({ DocumentName: name, Parameters: parameters })).AutomationExecutionId;
  } catch (error) {
    return isServiceError(error) && !internal(error.message) ? [] : [`StartAutomationExecution: ${String((error as Error).stack ?? error)}`];
  }
  counts.runbooksRan++;
  const terminal = async (): Promise<boolean> => ['Success', 'Failed', 'Cancelled', 'TimedOut'].includes((await engine.ssm.GetAutomationExecution({ AutomationExecutionId: id })).AutomationExecution.AutomationExecutionStatus);
  await clock.drive(terminal, { maxVirtualMs: 86_400_000, maxRealMs: 500 });
  if (!(await terminal())) await engine.ssm.StopAutomationExecution({ AutomationExecutionId: id }).catch(() => undefined);
  const a = (await engine.ssm.GetAutomationExecution({ AutomationExecutionId: id })).AutomationExecution;
  const messages = [a.FailureMessage, ...a.StepExecutions.map((s) => s.FailureMessage)];
  return messages.filter(internal).map((m) => `automation ${a.AutomationExecutionStatus}: ${String(m)}`);
}

describe('definition fuzzing', () => {
  test('should fail a looping execution at the 25,000-event history quota while the event loop keeps running', async () => {
    // Found by this fuzzer: a Pass/Choice loop used to run in microtasks only, starving the process until it ran out
    // of memory. AWS fails an execution whose history reaches 25,000 events (aws-semantics §7.2).
    const looping = new LocalEngine({ clock: 'fast', enforceIam: false });
    const definition = {
      StartAt: 'Check',
      States: {
        Check: { Type: 'Choice', Choices: [{ Variable: '$.stop', IsPresent: true, Next: 'Done' }], Default: 'Again' },
        Again: { Type: 'Pass', Next: 'Check' },
        Done: { Type: 'Succeed' },
      },
    };
    const { stateMachineArn } = await looping.sfn.CreateStateMachine({ name: 'loop', definition: JSON.stringify(definition), roleArn: 'arn:aws:iam::123456789012:role/fuzz' });
    const { executionArn } = await looping.sfn.StartExecution({ stateMachineArn, input: '{}' });
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const result = await looping.sfn.waitForExecution(executionArn);
    clearInterval(timer);
    await looping.close();
    expect(result.status).toBe('FAILED');
    expect(result.cause).toContain('25000');
    expect(ticks).toBeGreaterThan(0);
  });

  test('should never throw in validate and run what it accepts without an internal error when ASL definitions are mutated', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ASL_SOURCES), fc.array(mutation, { minLength: 1, maxLength: 3 }), async (source, mutations) => {
        const definition = mutate(source.definition, mutations);
        counts.aslChecked++;
        let issues: ReturnType<typeof validateDocument>;
        try {
          detectKind(definition);
          issues = validateDocument(definition, 'state-machine');
        } catch (error) {
          throw new Error(`validate threw on a mutation of ${source.name}: ${String((error as Error).stack ?? error)}`);
        }
        if (issues.some(isError)) return;
        counts.aslAccepted++;
        // A looping execution must yield to the event loop, or this bounded run would never regain control.
        if (hasCycle(definition)) cyclic++;
        const problems = await runStateMachine(definition, source.input);
        expect(problems).toEqual([]);
      }),
      { numRuns: 1000, interruptAfterTimeLimit: 9_000 },
    );
    expect(unhandled).toEqual([]);
  });

  test('should never throw in validate and run what it accepts without an internal error when runbooks are mutated', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...RUNBOOK_SOURCES), fc.array(mutation, { minLength: 1, maxLength: 3 }), async (source, mutations) => {
        const runbook = mutate(source.runbook, mutations);
        counts.runbooksChecked++;
        let issues: ReturnType<typeof validateDocument>;
        try {
          detectKind(runbook);
          issues = validateDocument(runbook, 'runbook');
        } catch (error) {
          throw new Error(`validate threw on a mutation of ${source.name}: ${String((error as Error).stack ?? error)}`);
        }
        if (issues.some(isError)) return;
        counts.runbooksAccepted++;
        const invalidBefore = clock.invalidTimers;
        const problems = await runRunbook(runbook);
        // A NaN delay would make the engine's virtual time NaN (every later Date invalid).
        if (clock.invalidTimers > invalidBefore) problems.push(`the engine set ${clock.invalidTimers - invalidBefore} timer(s) of NaN ms`);
        expect(problems).toEqual([]);
      }),
      { numRuns: 1000, interruptAfterTimeLimit: 9_000 },
    );
    expect(unhandled).toEqual([]);
  });
});
