import { describe, expect, test } from 'vitest';
import { checkDefinitionInSlices, parseDefinitionInSlices, validateDefinitionResponse } from '../../../src/engine/states/definition-validation.js';
import { findJsonSyntaxError, jsonErrorLocation } from '../../../src/engine/states/json-parse-errors.js';
import { variableReferences } from '../../../src/engine/states/variable-references.js';
import { definitionDiagnostics, mapLabelProblem } from '../../../src/engine/states/definition-rules.js';

const pass = { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } };
const text = (value: unknown): string => JSON.stringify(value);

describe('definition checks', () => {
  test('should word JSON syntax errors as Jackson does, with its location', () => {
    expect(findJsonSyntaxError('not some json')?.message).toBe("Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')");
    expect(findJsonSyntaxError("{'not': 'json'")?.message).toBe("Unexpected character (''' (code 39)): was expecting double-quote to start field name");
    const error = findJsonSyntaxError('not a definition')!;
    expect(jsonErrorLocation('not a definition', error)).toBe('[Source: (String)"not a definition"; line: 1, column: 4]');
    expect(findJsonSyntaxError('{"a":1,}')?.message).toBe("Unexpected character ('}' (code 125)): was expecting double-quote to start field name");
    expect(findJsonSyntaxError('[1 2]')?.message).toBe("Unexpected character ('2' (code 50)): was expecting comma to separate Array entries");
    expect(findJsonSyntaxError('{"a":"\u0001"}')?.message).toBe('Illegal unquoted character ((CTRL-CHAR, code 1)): has to be escaped using backslash to be included in string value');
    expect(findJsonSyntaxError('{"a": [1, {"b": 2}]}')).toBeUndefined();
    // Hostile input: deep nesting and long snippets cost linear time and no stack.
    const deep = '['.repeat(200_000);
    expect(findJsonSyntaxError(deep)?.message).toMatch(/^Unexpected end-of-input: expected close marker for ARRAY \(start marker at \[Source: \(String\)"\[{500}"\[truncated 199500 chars\]; line: 1, column: 200000\]\)$/);
  });

  test('should apply AWS rules before the schema: required fields, query language, timestamps, credentials, paths, resources', async () => {
    expect(await validateDefinitionResponse('{}', 'STANDARD', undefined)).toEqual({
      result: 'FAIL',
      diagnostics: [{ severity: 'ERROR', code: 'SCHEMA_VALIDATION_FAILED', message: 'These fields are required: [States, StartAt]', location: '/' }],
      truncated: false,
    });
    expect((await validateDefinitionResponse('not a definition', 'STANDARD', undefined)).diagnostics[0]).toMatchObject({ code: 'INVALID_JSON_DESCRIPTION', location: '[Source: (String)"not a definition"; line: 1, column: 4]' });
    expect(await validateDefinitionResponse(text(pass), 'EXPRESS', undefined)).toEqual({ result: 'OK', diagnostics: [], truncated: false });
    const downgrade = { QueryLanguage: 'JSONata', StartAt: 'P', States: { P: { Type: 'Pass', QueryLanguage: 'JSONPath', End: true } } };
    expect((await checkDefinitionInSlices(text(downgrade), 'STANDARD')).diagnostics).toEqual([
      { code: 'SCHEMA_VALIDATION_FAILED', message: "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine", location: '/States/P' },
    ]);
    const wait = (ts: string, ql?: string) => ({ StartAt: 'W', States: { W: { Type: 'Wait', Timestamp: ts, End: true, ...(ql === undefined ? {} : { QueryLanguage: ql }) } } });
    expect((await checkDefinitionInSlices(text(wait('2016-12-05T25:29:29Z')), 'STANDARD')).diagnostics[0]?.message).toBe('String does not match RFC3339 timestamp');
    expect((await checkDefinitionInSlices(text(wait("{% '2016-03-14T01:59:00Z' %}")), 'STANDARD')).diagnostics[0]?.message).toBe('String does not match RFC3339 timestamp');
    expect((await checkDefinitionInSlices(text(wait("{% '2016-03-14T01:59:00Z' %}", 'JSONata')), 'STANDARD')).diagnostics).toEqual([]);
    const credentials = { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:sfn:listActivities', Credentials: {}, End: true } } };
    expect((await checkDefinitionInSlices(text(credentials), 'STANDARD')).diagnostics[0]).toEqual({ code: 'SCHEMA_VALIDATION_FAILED', message: "The field 'RoleArn' is required but was missing", location: '/States/T/Credentials' });
    const escape = { StartAt: 'P', States: { P: { Type: 'Pass', Parameters: { 'x.$': "States.Format('a \\\"b\\\"', 'c')" }, End: true } } };
    expect((await checkDefinitionInSlices(text(escape), 'STANDARD')).diagnostics[0]?.message).toBe("The value for the field 'x.$' must be a valid JSONPath or a valid intrinsic function call");
    const query = { StartAt: 'Q', States: { Q: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:query', End: true } } };
    expect((await checkDefinitionInSlices(text(query), 'STANDARD')).diagnostics[0]?.message).toBe(
      'The resource provided arn:aws:states:::dynamodb:query is not recognized. The value is not a valid resource ARN, or the resource is not available in this region.',
    );
    const sync = { StartAt: 'S', States: { S: { Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync:2', End: true } } };
    expect((await checkDefinitionInSlices(text(sync), 'STANDARD')).diagnostics).toEqual([]);
    expect((await checkDefinitionInSlices(text({ ...pass, States: { P: { Type: 'Pass', Parameters: { 'x.$': 'nope' }, End: true } } }), 'STANDARD')).diagnostics).toHaveLength(1);
  });

  test('should refuse a bad Distributed Map Label with the recorded message, for every character the rule names', async () => {
    const map = (label: string) => ({
      StartAt: 'M',
      States: { M: { Type: 'Map', Label: label, ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'I', States: { I: { Type: 'Pass', End: true } } }, End: true } },
    });
    const message = async (label: string): Promise<string> => {
      const body = text(map(label));
      try {
        await parseDefinitionInSlices(body);
        return 'accepted';
      } catch (error) {
        return (error as Error).message.replace(` in definition '${body}'.`, '');
      }
    };
    expect(await message('')).toBe("Error=ValueError Args=['Label cannot be empty']");
    expect(await message('x'.repeat(41))).toBe("Error=ValueError Args=['Label cannot exceed 40 characters']");
    expect(await message('label_ ')).toBe(`Error=ValueError Args=["Label contains invalid character: ' '"]`);
    expect(await message('label_"')).toBe(`Error=ValueError Args=['Label contains invalid character: \\'"\\'']`);
    expect(await message('label_\n')).toBe(`Error=ValueError Args=["Label contains invalid character: '\\\\n'"]`);
    expect(await message('label_\u0085')).toBe(`Error=ValueError Args=["Label contains invalid character: '\\\\x85'"]`);
    expect(await message('label_\\')).toBe(`Error=ValueError Args=["Label contains invalid character: '\\\\\\\\'"]`);
    expect(await message('label_?')).toBe(`Error=ValueError Args=["Label contains invalid character: '?'"]`);
    expect(await message('fine-label.1')).toBe('accepted');
  });
});

describe('variableReferences', () => {
  test('should list the variables each state reads, sorted, under its own name, for JSONPath and JSONata', () => {
    const definition = {
      StartAt: 'Setup',
      States: {
        Setup: { Type: 'Pass', Assign: { guess: 'g', answer: 'a' }, Next: 'Check' },
        Check: { Type: 'Choice', Choices: [{ Variable: '$guess', StringEqualsPath: '$answer', Next: 'Map' }], Default: 'Map' },
        Map: {
          Type: 'Map',
          ItemsPath: '$items',
          ItemSelector: { 'v.$': "States.Format('{} {}', $template, $$.Map.Item.Value)" },
          ItemProcessor: { StartAt: 'Inner', States: { Inner: { Type: 'Pass', Assign: { 'x.$': '$outer' }, End: true } } },
          Next: 'J',
        },
        J: { Type: 'Pass', QueryLanguage: 'JSONata', Output: '{% ($local := 1; $not($states.input.done) ? $count($list) : $local) %}', End: true },
      },
    };
    expect(variableReferences(definition as never)).toEqual({ Check: ['answer', 'guess'], Map: ['items', 'template'], Inner: ['outer'], J: ['list'] });
    expect(variableReferences(pass as never)).toBeUndefined();
  });
});

describe('hostile definitions', () => {
  test('should answer deep nesting in bounded time, without overflowing the stack', async () => {
    // Built as text: JSON.stringify itself recurses. JSON.parse does not.
    const deepText = `{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":${'{"a":'.repeat(50_000)}{"v.$":"$x"}${'}'.repeat(50_000)},"End":true}}}`;
    expect(() => variableReferences(JSON.parse(deepText) as never)).not.toThrow();
    // (The schema check behind these rules is src/validate's, which bounds depth itself.)
    expect(() => definitionDiagnostics(JSON.parse(deepText))).not.toThrow();
    const leaf = '{"StartAt":"L","States":{"L":{"Type":"Pass","End":true}}}';
    const branchText = `${'{"StartAt":"N","States":{"N":{"Type":"Parallel","End":true,"Branches":['.repeat(5_000)}${leaf}${']}}}'.repeat(5_000)}`;
    expect(() => variableReferences(JSON.parse(branchText) as never)).not.toThrow();
    expect(() => definitionDiagnostics(JSON.parse(branchText))).not.toThrow();
    expect(() => mapLabelProblem(JSON.parse(branchText))).not.toThrow();
  });
});
