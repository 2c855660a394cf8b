/**
 * Fuzzing the document APIs and Command documents of your own with hostile input: random content (near-valid Command
 * documents with odd steps, preconditions, parameters and placeholders), random SendCommand parameters against them,
 * random ListDocuments filters and sharing requests, through the engine's dispatch. Every call must end in a result or
 * an AWS-named client error, every command must end, and the engine must keep answering.
 */
import { afterAll, describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { isServiceError } from '../../src/errors/service-error.js';
import { LocalEngine } from '../../src/engine/local-engine.js';
import type { JsonObject, JsonValue } from '../../src/model/json.js';
import { waitUntil } from '../helpers/fixtures.js';

const engine = new LocalEngine({ clock: 'fast' });
const node = engine.instances.add();
afterAll(() => engine.close());

const AWS_ERROR_NAME = /^[A-Z][A-Za-z0-9]*$/;

async function call(operation: string, input: JsonObject): Promise<JsonValue | undefined> {
  try {
    return await engine.api.call('ssm', operation, input);
  } catch (error) {
    if (!isServiceError(error)) throw new Error(`${operation} threw a non-AWS error: ${String((error as Error)?.stack ?? error)}`, { cause: error });
    expect(error.name).toMatch(AWS_ERROR_NAME);
    expect(error.$fault).toBe('client');
    return undefined;
  }
}

const odd = fc.oneof(
  fc.constantFrom('', '{{ p }}', '{{p}}', '{{ ssm:/x }}', '{{ __proto__ }}', '$$', '../..', 'constructor', 'echo ok', 'exit 169', 'exit 168', 'exit 3', '💥', '\u0000'),
  fc.string({ maxLength: 12 }),
);
const value: fc.Arbitrary<JsonValue> = fc.letrec<{ v: JsonValue }>((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, odd, fc.integer(), fc.boolean(), fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(odd, tie('v'), { maxKeys: 3 })),
})).v;
const plugin = fc.constantFrom('aws:runShellScript', 'aws:runShellScript', 'aws:runPowerShellScript', 'aws:updateSsmAgent', 'aws:applications', 'aws:downloadContent');
const line = fc.constantFrom('echo {{ p }}', 'echo {{q}} $$', 'exit 169', 'exit 168', 'exit 3', 'true', 'echo "{{ ssm:/x }}"', 'echo {{ __proto__ }}', 'printf \'\\0\'');
const inputs = fc.record(
  {
    runCommand: fc.oneof(line, fc.array(line, { maxLength: 3 }), fc.constant('{{ p }}')),
    onFailure: fc.constantFrom('exit', 'successAndExit', 'x'),
    onSuccess: fc.constantFrom('exit', 'x'),
    finallyStep: fc.boolean(),
    timeoutSeconds: fc.constantFrom('5', '{{ q }}', 'x', 60),
    workingDirectory: fc.constantFrom('', '..', '/nonexistent', 'sub'),
  },
  { requiredKeys: ['runCommand'] },
);
const precondition = fc.record({ StringEquals: fc.constantFrom(['platformType', 'Linux'], ['platformType', 'Windows'], ['{{ p }}', 'a'], ['Linux', 'platformType']) });
const step = fc.record({ action: plugin, name: fc.constantFrom('a', 'b', 'c', '../x', 'a:b', 'constructor'), inputs, precondition }, { requiredKeys: ['action', 'name', 'inputs'] });
const parameter = fc.record(
  {
    type: fc.constantFrom('String', 'String', 'StringList', 'Integer', 'Boolean', 'StringMap', 'MapList'),
    default: fc.oneof(fc.constantFrom('a', '1', 'true', '{{ssm:/p}}'), fc.array(fc.constantFrom('a', 'b'), { maxLength: 2 }), fc.integer(), fc.boolean()),
    allowedValues: fc.array(fc.constantFrom('a', 'b', '1'), { maxLength: 2 }),
    allowedPattern: fc.constantFrom('^[a-z]+$', '.*', '^[0-9]+$'),
  },
  { requiredKeys: ['type'] },
);
/** Mostly valid 2.x documents, sometimes a 1.2 one, sometimes a hostile member anywhere. */
const document = fc.oneof(
  { weight: 6, arbitrary: fc.record({ schemaVersion: fc.constantFrom('2.2', '2.0'), parameters: fc.dictionary(fc.constantFrom('p', 'q', '__proto__', 'toString'), parameter, { maxKeys: 2 }), mainSteps: fc.uniqueArray(step, { minLength: 1, maxLength: 3, selector: (s) => s.name }) }) },
  { weight: 2, arbitrary: fc.record({ schemaVersion: fc.constant('1.2'), runtimeConfig: fc.dictionary(plugin, fc.record({ properties: fc.oneof(inputs, fc.array(inputs, { maxLength: 2 })) }), { minKeys: 1, maxKeys: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ schemaVersion: fc.constantFrom('2.2', '1.2', '9'), mainSteps: fc.array(fc.record({ action: plugin, name: odd, inputs: value, precondition: value }), { maxLength: 2 }), runtimeConfig: value }, { requiredKeys: [] }) },
);

let n = 0;
/** Documents the fuzzing got past CreateDocument: the property is not vacuous. */
let created = 0;

describe('document API fuzzing', () => {
  test('should answer random Command documents and SendCommands against them with results or AWS errors, and end every command', async () => {
    const commands: string[] = [];
    await fc.assert(
      fc.asyncProperty(document, fc.dictionary(fc.constantFrom('p', 'q', 'x', '__proto__'), fc.array(odd, { maxLength: 2 }), { maxKeys: 2 }), async (content, parameters) => {
        const name = `Fuzz${n++}`;
        const createdDocument = await call('CreateDocument', { Name: name, Content: JSON.stringify(content), DocumentType: 'Command' });
        if (createdDocument === undefined) return;
        created++;
        const sent = (await call('SendCommand', { DocumentName: name, InstanceIds: [node.instanceId], Parameters: parameters, TimeoutSeconds: 30 })) as { Command: { CommandId: string } } | undefined;
        if (sent !== undefined) commands.push(sent.Command.CommandId);
        await call('DescribeDocument', { Name: name });
      }),
      { numRuns: 150, seed: 19 },
    );
    await waitUntil(async () => {
      const { Commands } = (await engine.ssm.ListCommands({ MaxResults: 50 })) as { Commands: { Status: string }[] };
      return Commands.every((c) => ['Success', 'Failed', 'TimedOut', 'Cancelled'].includes(c.Status));
    }, 'every fuzzed command to end', 30_000);
    expect(created).toBeGreaterThan(30);
    expect(commands.length).toBeGreaterThan(10);
    for (const id of commands) {
      await call('ListCommandInvocations', { CommandId: id, Details: true });
      await call('GetCommandInvocation', { CommandId: id, InstanceId: node.instanceId });
    }
  }, 60_000);

  test('should answer random ListDocuments filters and sharing requests with results or AWS errors', async () => {
    await engine.ssm.CreateDocument({ Name: 'Shareable', Content: JSON.stringify({ schemaVersion: '2.2', mainSteps: [{ action: 'aws:runShellScript', name: 's', inputs: { runCommand: 'true' } }] }) });
    const key = fc.oneof(fc.constantFrom('Owner', 'Name', 'DocumentType', 'PlatformTypes', 'TargetType', 'tag:', 'tag:a', 'SearchKeyword'), fc.string({ maxLength: 8 }));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ Key: key, Values: fc.array(odd, { maxLength: 3 }) }), { maxLength: 8 }),
        fc.array(fc.record({ key: fc.constantFrom('Name', 'Owner', 'PlatformTypes', 'DocumentType'), value: odd }), { maxLength: 2 }),
        fc.array(fc.oneof(fc.constantFrom('all', 'All', '111122223333', '12'), odd), { maxLength: 3 }),
        fc.constantFrom('Share', 'share', ''),
        async (filters, legacy, accounts, type) => {
          await call('ListDocuments', { Filters: filters, ...(legacy.length > 0 ? { DocumentFilterList: legacy } : {}), MaxResults: 5 });
          await call('ModifyDocumentPermission', { Name: 'Shareable', PermissionType: type, AccountIdsToAdd: accounts });
          await call('DescribeDocumentPermission', { Name: 'Shareable', PermissionType: type });
          await call('ModifyDocumentPermission', { Name: 'Shareable', PermissionType: 'Share', AccountIdsToRemove: accounts });
        },
      ),
      { numRuns: 200, seed: 19 },
    );
    expect((await engine.ssm.ListDocuments({ Filters: [{ Key: 'Owner', Values: ['Amazon'] }] })).DocumentIdentifiers.length).toBe(3);
  }, 60_000);
});
