/**
 * Fuzzing the budgets (issue 13): adversarial nesting in every document and payload a user sends, evil JSONata
 * expressions, and evil regular expressions. Every input ends in bounded time with an AWS-named error or a result,
 * never a RangeError or an exception the engine did not name; regular expressions match as JavaScript's do wherever
 * JavaScript's engine is safe to run. Bounded in count and time, so the suite stays fast.
 */
import fc from 'fast-check';
import jsonata from 'jsonata';
import { afterAll, describe, expect, test } from 'vitest';
import { LocalEngine } from '../../src/engine/local-engine.js';
import type { EvaluationBudgets } from '../../src/engine/states/evaluation-budgets.js';
import { evaluateExpression, type JsonataScope } from '../../src/engine/states/jsonata.js';
import { isServiceError } from '../../src/errors/service-error.js';
import { parseJsonOrYaml } from '../../src/validate/cfn-yaml.js';
import { validateStateMachine } from '../../src/validate/asl.js';

const engine = new LocalEngine({ clock: 'fast', enforceIam: false });
afterAll(() => engine.close());
const ROLE = 'arn:aws:iam::123456789012:role/fuzz';
let seq = 0;

/** A nesting of `depth` containers, objects or arrays as `shape` says, around `leaf`, as JSON text. */
function nestedText(depth: number, shape: readonly boolean[], leaf = '1'): string {
  let open = '';
  let close = '';
  for (let i = 0; i < depth; i++) {
    const object = shape[i % shape.length]!;
    open += object ? `{"k${i % 7}":` : '[';
    close = (object ? '}' : ']') + close;
  }
  return open + leaf + close;
}

const depth = fc.oneof(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 900, max: 1100 }), fc.integer({ min: 1100, max: 60_000 }));
const shape = fc.array(fc.boolean(), { minLength: 1, maxLength: 5 });

/** A JSONata value as an Output holds it: undefined array items dropped (jsonata.ts toJson). */
function asOutput(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== undefined).map(asOutput);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, asOutput(v)]));
  return value;
}

/** What no input may produce: an error without an AWS name, or the stack overflowing anywhere. */
function unnamed(error: unknown): string | undefined {
  if (isServiceError(error)) return /call stack|RangeError/.test(error.message) ? `${error.name}: ${error.message}` : undefined;
  return String((error as Error)?.stack ?? error);
}

describe('budget fuzzing', () => {
  test('should answer deeply nested definitions, inputs, outputs and templates with AWS errors or results, never an overflow', async () => {
    await fc.assert(
      fc.asyncProperty(depth, shape, fc.constantFrom('definition', 'input', 'output', 'template', 'yaml', 'runbook'), async (n, s, where) => {
        const deep = nestedText(n, s);
        const problems: string[] = [];
        const attempt = async (what: string, call: () => Promise<unknown>): Promise<void> => {
          try {
            await call();
          } catch (error) {
            const bad = unnamed(error);
            if (bad !== undefined) problems.push(`${what}: ${bad}`);
          }
        };
        if (where === 'definition') {
          await attempt('CreateStateMachine', () =>
            engine.sfn.CreateStateMachine({ name: `deep-${seq++}`, definition: `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true,"Result":${deep}}}}`, roleArn: ROLE }),
          );
        } else if (where === 'input' || where === 'output') {
          const definition = { StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'v.$': where === 'input' ? '$' : 'States.StringToJson($.s)' }, End: true } } };
          const { stateMachineArn } = await engine.sfn.CreateStateMachine({ name: `deep-${seq++}`, definition: JSON.stringify(definition), roleArn: ROLE });
          await attempt('StartExecution', async () => {
            const input = where === 'input' ? deep : JSON.stringify({ s: deep });
            const { executionArn } = await engine.sfn.StartExecution({ stateMachineArn, input });
            const result = await engine.sfn.waitForExecution(executionArn);
            if (result.status !== 'SUCCEEDED' && !/^States\.(Runtime|IntrinsicFailure|DataLimitExceeded)$/.test(String(result.error))) problems.push(`execution ${result.status} ${String(result.error)}`);
            if (/call stack|RangeError/.test(String(result.cause))) problems.push(`execution cause: ${String(result.cause)}`);
          });
        } else if (where === 'template' || where === 'yaml') {
          const body = where === 'template' ? `{"Resources":{"R":{"Type":"AWS::SSM::Parameter","Properties":{"Value":${deep}}}}}` : `Resources:\n  R:\n    Type: AWS::SSM::Parameter\n    Properties:\n      Value: ${deep}\n`;
          try {
            parseJsonOrYaml(body);
          } catch (error) {
            if (!(error instanceof SyntaxError) && !/YAML|Nesting/.test((error as Error).name)) problems.push(`parse: ${String(error)}`);
          }
          await attempt('deploy', () => engine.deploy(body, { stackName: `deep-${seq++}` }));
        } else {
          await attempt('CreateDocument', () =>
            engine.ssm.CreateDocument({ Name: `deep-${seq++}`, DocumentType: 'Automation', DocumentFormat: 'JSON', Content: `{"schemaVersion":"0.3","mainSteps":[{"name":"s","action":"aws:sleep","inputs":{"Duration":"PT1S","X":${deep}}}]}` }),
          );
        }
        expect(problems).toEqual([]);
      }),
      { numRuns: 60, seed: 13_2, interruptAfterTimeLimit: 8_000 },
    );
  });

  test('should validate nested Parallel and Map definitions of any depth in bounded time, with an answer', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 120 }), fc.array(fc.constantFrom('Parallel', 'Map'), { minLength: 1, maxLength: 3 }), (levels, kinds) => {
        let inner: object = { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } };
        for (let i = 0; i < levels; i++) {
          const kind = kinds[i % kinds.length];
          inner = { StartAt: `S${i}`, States: { [`S${i}`]: kind === 'Parallel' ? { Type: 'Parallel', Branches: [inner], End: true } : { Type: 'Map', ItemProcessor: inner, End: true } } };
        }
        const issues = validateStateMachine(inner);
        // Within 300 levels of JSON the definition is valid; past them, the one nesting issue.
        expect(issues.every((i) => i.code === 'INVALID_JSON_DESCRIPTION') || issues.length === 0).toBe(true);
      }),
      { numRuns: 40, seed: 13_1, interruptAfterTimeLimit: 6_000 },
    );
  });

  const budgets: EvaluationBudgets = { timeMs: 150, depth: 2_000, sequence: 100_000, stringLength: 1_000_000 };
  const scope = (input: unknown): JsonataScope => ({ states: { input: input as never, context: {} }, variables: {}, now: () => 0, uuid: () => 'u', budgets });

  const evilExpression = fc.oneof(
    fc.integer({ min: 1, max: 1_000_000 }).map((n) => `($f := function($n){ $n = 0 ? 0 : 1 + $f($n-1) }; $f(${n}))`),
    fc.constant('($f := function($n){ $f($n+1) }; $f(0))'),
    fc.integer({ min: 1, max: 10_000_000 }).map((n) => `$count([1..${n}])`),
    fc.integer({ min: 1, max: 1_000_000_000 }).map((n) => `$length($pad("x", ${n}))`),
    fc.integer({ min: 1, max: 40 }).map((n) => `$length($reduce([1..${n}], function($a, $i){ $a & $a }, "ab"))`),
    fc.integer({ min: 1, max: 200_000 }).map((n) => `$count($distinct([1..${n}].($ % 97)))`),
    fc.integer({ min: 1, max: 5_000 }).map((n) => `$count($sort([1..${n}], function($a, $b){ $a < $b }))`),
    fc.integer({ min: 1, max: 3_000 }).map((n) => `${'('.repeat(n)}1${')'.repeat(n)}`),
    fc.integer({ min: 1, max: 5_000 }).map((n) => `($f := function($n){ $n = 0 ? {} : {"a": $f($n - 1)} }; $f(${n}))`),
  );

  test('should end every evil JSONata expression in bounded time with a result or States.QueryEvaluationError', async () => {
    await fc.assert(
      fc.asyncProperty(evilExpression, async (expression) => {
        // Bounded by the budgets: an expression that escaped them would hold this test until vitest's timeout.
        try {
          await evaluateExpression(`{% ${expression} %}`, scope({}), 'Output');
        } catch (error) {
          expect((error as Error).name).toBe('States.QueryEvaluationError');
        }
      }),
      { numRuns: 40, seed: 13_3, interruptAfterTimeLimit: 10_000 },
    );
  });

  /**
   * Patterns with nested and overlapping quantifiers, the shapes that backtrack exponentially. Inner parts never
   * match the empty string: where a repeated group can, engines legitimately differ (JavaScript refuses an empty
   * iteration, RE2 and Java accept it).
   */
  const atom = fc.constantFrom('a', 'b', '.', '[ab]', '\\w', '(a|aa)', '(?:ab|a)', '(aa|a)');
  const quantifier = fc.constantFrom('', '+', '{1,3}', '+?', '{2}');
  const evilRegex = fc
    .array(fc.tuple(atom, quantifier), { minLength: 1, maxLength: 4 })
    .chain((parts) => fc.tuple(fc.constant(parts.map(([a, q]) => a + q).join('')), fc.constantFrom('+', '*', '{2,}'), fc.constantFrom('', '$', 'c')))
    .map(([body, outer, tail]) => `(${body})${outer}${tail}`);

  test('should match evil regular expressions in linear time, as JavaScript matches them where that is safe', async () => {
    await fc.assert(
      fc.asyncProperty(evilRegex, fc.stringMatching(/^[ab]{0,12}c?$/), fc.integer({ min: 0, max: 20_000 }), async (pattern, short, long) => {
        // Matches and their positions; captures inside empty iterations differ by design (RE2 and Java keep them,
        // JavaScript resets them), so they are not compared.
        const expression = `$match($states.input.s, /${pattern}/).{"m": match, "i": index}`;
        // On short strings JavaScript's backtracking engine is safe, and the answers must agree.
        const native = await jsonata(expression)
          .evaluate({ s: short }, { states: { input: { s: short } } })
          .then(
            (value: unknown) => ({ value: asOutput(value) }),
            (error: { code?: string }) => ({ code: error.code }),
          );
        const linear = await evaluateExpression(`{% ${expression} %}`, scope({ s: short }), 'Output', true).then(
          (value) => ({ value }),
          (error: { cause?: string }) => ({ code: /threw an error during evaluation\. (\w+):/.exec(error.cause ?? '')?.[1] }),
        );
        expect(linear).toEqual(native);
        // On long ones only the linear engine is: it must answer at all.
        const text = `${'a'.repeat(long)}!`;
        await evaluateExpression(`{% $count($match($states.input.s, /${pattern}/)) %}`, scope({ s: text }), 'Output', true).catch((error: unknown) => {
          expect((error as Error).name).toBe('States.QueryEvaluationError');
        });
      }),
      { numRuns: 80, seed: 13_4, interruptAfterTimeLimit: 8_000 },
    );
  });
});
