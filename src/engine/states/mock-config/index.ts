/**
 * Step Functions Local's mock configuration file (`MockConfigFile.json`, `SFN_MOCK_CONFIG`): test cases that replace
 * Task states' service calls with mocked responses, selected by starting an execution on
 * `<stateMachineArn>#<TestCaseName>`. The file's structure, as AWS documented it:
 *
 *   { "StateMachines": { "<machine name>": { "TestCases": { "<test case>": { "<state name>": "<mocked response>" } } } },
 *     "MockedResponses": { "<mocked response>": { "0": { "Return": <result> }, "1-2": { "Throw": { "Error", "Cause" } } } } }
 *
 * "You specify the invocation number using individual integer strings, such as "0", "1", "2", and "3" or an inclusive
 * range of integers, such as "0-1", "2-3". When you mock a Task, you must specify a mocked response for every
 * invocation. … If you do not specify a mocked response, the state machine execution will fail." Invocations are
 * counted per state name across the execution (retries and Map iterations included), so they match the order the
 * state runs in. (https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-mock-cfg-file.html)
 */
import { readFileSync } from 'node:fs';
import type { JsonValue } from '../../../model/json.js';
import { isJsonObject } from '../../../model/json.js';
import type { StateMachineDefinition } from '../../../model/state-machine.js';
import { ServiceError } from '../../../errors/service-error.js';
import { StatesRuntimeError } from '../../../errors/states-errors.js';
import { at, issue, type ValidationIssue } from '../../../validate/issue.js';
import type { MockedOutcome, StateMocks, StateRun } from '../runtime.js';
import { childWorkflows } from '../sub-workflows.js';

/** One invocation range of a mocked response: invocations `from`..`to` (inclusive) return or throw `outcome`. */
interface ResponseRange {
  readonly from: number;
  readonly to: number;
  readonly outcome: MockedOutcome;
}

/** A loaded, valid mock configuration. */
export class MockConfig {
  private constructor(
    /** Where it came from, for messages (a file path, or `mock configuration`). */
    readonly source: string,
    readonly testCases: ReadonlyMap<string, ReadonlyMap<string, ReadonlyMap<string, string>>>,
    readonly responses: ReadonlyMap<string, readonly ResponseRange[]>,
  ) {}

  /** Parses and validates a configuration; throws `MockConfigError` listing every problem. */
  static parse(value: unknown, source = 'mock configuration'): MockConfig {
    const issues: ValidationIssue[] = [];
    const testCases = new Map<string, Map<string, Map<string, string>>>();
    const responses = new Map<string, ResponseRange[]>();
    if (!isJsonObject(value)) throw new MockConfigError(source, [issue('$', 'MockConfigNotObject', 'The mock configuration must be a JSON object.')]);
    for (const key of Object.keys(value)) {
      if (key !== 'StateMachines' && key !== 'MockedResponses') issues.push(issue(at('$', key), 'UnknownField', `Unknown field '${key}': the mock configuration has StateMachines and MockedResponses.`));
    }
    const mocked = value['MockedResponses'];
    if (mocked === undefined) issues.push(issue('$', 'MissingField', 'MockedResponses is required.'));
    else if (!isJsonObject(mocked)) issues.push(issue('$.MockedResponses', 'NotObject', 'MockedResponses must be an object of mocked responses.'));
    else for (const [name, response] of Object.entries(mocked)) responses.set(name, parseResponse(response, at('$.MockedResponses', name), issues));

    const machines = value['StateMachines'];
    if (machines === undefined) issues.push(issue('$', 'MissingField', 'StateMachines is required.'));
    else if (!isJsonObject(machines)) issues.push(issue('$.StateMachines', 'NotObject', 'StateMachines must be an object of state machines by name.'));
    else {
      for (const [machine, config] of Object.entries(machines)) {
        const path = at('$.StateMachines', machine);
        const cases = new Map<string, Map<string, string>>();
        testCases.set(machine, cases);
        if (!isJsonObject(config)) {
          issues.push(issue(path, 'NotObject', `State machine '${machine}' must be an object with TestCases.`));
          continue;
        }
        for (const key of Object.keys(config)) if (key !== 'TestCases') issues.push(issue(at(path, key), 'UnknownField', `Unknown field '${key}': a state machine has only TestCases.`));
        const tests = config['TestCases'];
        if (!isJsonObject(tests)) {
          issues.push(issue(at(path, 'TestCases'), tests === undefined ? 'MissingField' : 'NotObject', `State machine '${machine}' needs TestCases, an object of test cases.`));
          continue;
        }
        for (const [testCase, states] of Object.entries(tests)) {
          const casePath = at(at(path, 'TestCases'), testCase);
          const mapping = new Map<string, string>();
          cases.set(testCase, mapping);
          if (!isJsonObject(states)) {
            issues.push(issue(casePath, 'NotObject', `Test case '${testCase}' must map state names to mocked response names.`));
            continue;
          }
          for (const [state, response] of Object.entries(states)) {
            if (typeof response !== 'string') issues.push(issue(at(casePath, state), 'NotString', `State '${state}' must name a mocked response (a string).`));
            else if (isJsonObject(mocked) && !Object.hasOwn(mocked, response)) {
              issues.push(issue(at(casePath, state), 'UnknownMockedResponse', `State '${state}' uses mocked response '${response}', which MockedResponses does not define.`));
            } else mapping.set(state, response);
          }
        }
      }
    }
    if (issues.length > 0) throw new MockConfigError(source, issues);
    return new MockConfig(source, testCases, responses);
  }

  /** Reads and validates a file (`serve --mock-config`, `SFN_MOCK_CONFIG`). */
  static load(path: string): MockConfig {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new MockConfigError(path, [issue('$', 'Unreadable', `Cannot read the mock configuration: ${(error as Error).message}`)]);
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new MockConfigError(path, [issue('$', 'InvalidJson', `The mock configuration is not valid JSON: ${(error as Error).message}`)]);
    }
    return MockConfig.parse(value, path);
  }

  /**
   * The mocks of one execution of `machine` started on `<arn>#<testCase>`: a ValidationException when the test case is
   * not defined, or when it mocks a state that is not a Task state of the definition (a typo would otherwise call
   * the real service silently).
   */
  mocksFor(machine: string, testCase: string, definition: StateMachineDefinition): StateMocks {
    const mapping = this.testCases.get(machine)?.get(testCase);
    if (mapping === undefined) {
      const known = [...(this.testCases.get(machine)?.keys() ?? [])];
      throw new ServiceError(
        'ValidationException',
        `Test case '${testCase}' is not defined for state machine '${machine}' in ${this.source}` +
          (known.length === 0 ? ` (it defines no test cases for '${machine}').` : ` (its test cases: ${known.join(', ')}).`),
      );
    }
    const tasks = taskStateNames(definition);
    const missing = [...mapping.keys()].filter((state) => !tasks.has(state));
    if (missing.length > 0) {
      throw new ServiceError('ValidationException', `Test case '${testCase}' of ${this.source} mocks ${missing.map((s) => `'${s}'`).join(', ')}, which the definition of '${machine}' has no Task state of that name for.`);
    }
    return new TestCaseMocks(this, testCase, mapping);
  }
}

/** The problems of a bad mock configuration, each with its JSON path. */
export class MockConfigError extends Error {
  constructor(
    readonly source: string,
    readonly issues: readonly ValidationIssue[],
  ) {
    super(`${source} is not a valid mock configuration:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
    this.name = 'MockConfigError';
  }
}

/** Invocation ranges: `"0"`, `"12"`, `"0-2"` (inclusive), non-negative integers without signs or spaces. */
const RANGE = /^(0|[1-9]\d*)(?:-(0|[1-9]\d*))?$/;

function parseResponse(value: JsonValue, path: string, issues: ValidationIssue[]): ResponseRange[] {
  const ranges: ResponseRange[] = [];
  if (!isJsonObject(value)) {
    issues.push(issue(path, 'NotObject', 'A mocked response must be an object of invocation numbers or ranges ("0", "1-2").'));
    return ranges;
  }
  for (const [key, body] of Object.entries(value)) {
    const rangePath = at(path, key);
    const match = RANGE.exec(key);
    if (match === null) {
      issues.push(issue(rangePath, 'InvalidInvocationRange', `'${key}' is not an invocation number or inclusive range such as "0" or "1-2".`));
      continue;
    }
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (to < from) {
      issues.push(issue(rangePath, 'InvalidInvocationRange', `The range '${key}' ends before it starts.`));
      continue;
    }
    const overlap = ranges.find((r) => from <= r.to && r.from <= to);
    if (overlap !== undefined) issues.push(issue(rangePath, 'OverlappingInvocations', `Invocations ${key} overlap another range of the same mocked response.`));
    const outcome = parseOutcome(body, rangePath, issues);
    if (outcome !== undefined) ranges.push({ from, to, outcome });
  }
  return ranges.sort((a, b) => a.from - b.from);
}

/** "A response must contain a single field named Return or Throw"; Throw has "an Error and Cause fields with string values". */
function parseOutcome(body: JsonValue, path: string, issues: ValidationIssue[]): MockedOutcome | undefined {
  if (!isJsonObject(body)) {
    issues.push(issue(path, 'NotObject', 'An invocation must be an object with a single field, Return or Throw.'));
    return undefined;
  }
  const keys = Object.keys(body);
  if (keys.length !== 1 || (keys[0] !== 'Return' && keys[0] !== 'Throw')) {
    issues.push(issue(path, 'ReturnOrThrow', `An invocation must have a single field, Return or Throw (found: ${keys.length === 0 ? 'none' : keys.join(', ')}).`));
    return undefined;
  }
  if (keys[0] === 'Return') return { result: body['Return'] ?? null };
  const thrown = body['Throw'];
  const throwPath = at(path, 'Throw');
  if (!isJsonObject(thrown)) {
    issues.push(issue(throwPath, 'NotObject', 'Throw must be an object with Error and Cause strings.'));
    return undefined;
  }
  let valid = true;
  for (const field of ['Error', 'Cause']) {
    if (typeof thrown[field] !== 'string') {
      issues.push(issue(at(throwPath, field), 'NotString', `Throw needs ${field}, a string.`));
      valid = false;
    }
  }
  for (const key of Object.keys(thrown)) {
    if (key !== 'Error' && key !== 'Cause') {
      issues.push(issue(at(throwPath, key), 'UnknownField', `Unknown field '${key}': Throw has Error and Cause.`));
      valid = false;
    }
  }
  return valid ? { error: thrown['Error'] as string, cause: thrown['Cause'] as string } : undefined;
}

/** Every Task state name of a definition, its Parallel branches and Map processors included. */
function taskStateNames(definition: StateMachineDefinition, names = new Set<string>()): Set<string> {
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type === 'Task') names.add(name);
    for (const child of childWorkflows(state)) taskStateNames(child, names);
  }
  return names;
}

/** The mocks of one execution: each mocked Task state's invocations counted from 0. */
class TestCaseMocks implements StateMocks {
  readonly #invocations = new Map<string, number>();

  constructor(
    readonly config: MockConfig,
    readonly testCase: string,
    readonly mapping: ReadonlyMap<string, string>,
  ) {}

  outcome(run: StateRun): MockedOutcome | undefined {
    if (run.state.Type !== 'Task') return undefined;
    const response = this.mapping.get(run.name);
    if (response === undefined) return undefined;
    const invocation = this.#invocations.get(run.name) ?? 0;
    this.#invocations.set(run.name, invocation + 1);
    const range = this.config.responses.get(response)?.find((r) => invocation >= r.from && invocation <= r.to);
    if (range === undefined) {
      // "If you do not specify a mocked response for a specific retry attempt … the state machine execution will fail."
      throw new StatesRuntimeError(`The mocked response '${response}' of test case '${this.testCase}' has no response for invocation ${invocation} of state '${run.name}'.`);
    }
    return range.outcome;
  }
}
