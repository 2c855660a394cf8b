import { describe, expect, test } from 'vitest';
import { loadFixtureText } from '../../helpers/fixtures.js';
import { ssmRig } from '../../helpers/ssm.js';

const yaml = loadFixtureText('runbooks/step-timeout-sleep.yaml');
const json = JSON.stringify({ schemaVersion: '0.3', mainSteps: [{ name: 'S', action: 'aws:sleep', inputs: { Duration: 'PT1S' } }] });

describe('documents', () => {
  test('should create YAML and JSON Automation documents and describe them', async () => {
    const { ssm } = ssmRig();
    const created = await ssm.CreateDocument({ Name: 'FromYaml', Content: yaml, DocumentType: 'Automation', DocumentFormat: 'YAML' });
    expect(created.DocumentDescription).toMatchObject({ Name: 'FromYaml', DocumentVersion: '1', LatestVersion: '1', DefaultVersion: '1', DocumentType: 'Automation', SchemaVersion: '0.3', DocumentFormat: 'YAML', Status: 'Creating' });
    expect((await ssm.DescribeDocument({ Name: 'FromYaml' })).Document.Status).toBe('Active');
    await ssm.CreateDocument({ Name: 'FromJson', Content: json, DocumentType: 'Automation' });
    expect((await ssm.GetDocument({ Name: 'FromJson' })).Content).toBe(json);
    const names = (await ssm.ListDocuments()).DocumentIdentifiers.map((d) => d.Name);
    expect(names).toEqual(['AWS-RunPowerShellScript', 'AWS-RunShellScript', 'AWS-UpdateSSMAgent', 'FromJson', 'FromYaml']);
  });

  test('should version updates and resolve $LATEST and $DEFAULT', async () => {
    const { ssm } = ssmRig();
    await ssm.CreateDocument({ Name: 'Doc', Content: json, DocumentType: 'Automation' });
    const v2 = json.replace('PT1S', 'PT2S');
    expect((await ssm.UpdateDocument({ Name: 'Doc', Content: v2, DocumentVersion: '$LATEST' })).DocumentDescription).toMatchObject({ DocumentVersion: '2', LatestVersion: '2', DefaultVersion: '1' });
    expect((await ssm.GetDocument({ Name: 'Doc' })).DocumentVersion).toBe('1');
    expect((await ssm.GetDocument({ Name: 'Doc', DocumentVersion: '$LATEST' })).Content).toBe(v2);
    await ssm.UpdateDocumentDefaultVersion({ Name: 'Doc', DocumentVersion: '2' });
    expect((await ssm.DescribeDocument({ Name: 'Doc' })).Document).toMatchObject({ DocumentVersion: '2', DefaultVersion: '2' });
    await expect(ssm.UpdateDocument({ Name: 'Doc', Content: v2 })).rejects.toMatchObject({ name: 'DuplicateDocumentContent' });
    await expect(ssm.UpdateDocument({ Name: 'Doc', Content: json.replace('PT1S', 'PT3S'), DocumentVersion: '1' })).rejects.toMatchObject({ name: 'InvalidDocumentVersion' });
    await expect(ssm.DeleteDocument({ Name: 'Doc', DocumentVersion: '2' })).rejects.toMatchObject({ name: 'InvalidDocumentOperation' });
    await ssm.DeleteDocument({ Name: 'Doc', DocumentVersion: '1' });
    await ssm.DeleteDocument({ Name: 'Doc' });
    await expect(ssm.GetDocument({ Name: 'Doc' })).rejects.toMatchObject({ name: 'InvalidDocument' });
  });

  test('should reject content with validation errors as InvalidDocumentContent naming the unsupported action', async () => {
    const { ssm } = ssmRig();
    const error = await ssm.CreateDocument({ Name: 'Bad', Content: loadFixtureText('runbooks/unsupported-action.yaml'), DocumentType: 'Automation', DocumentFormat: 'YAML' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'InvalidDocumentContent' });
    expect((error as Error).message).toContain('ActionNotSupportedLocally');
    await expect(ssm.CreateDocument({ Name: 'Bad2', Content: '{not json', DocumentType: 'Automation' })).rejects.toMatchObject({ name: 'InvalidDocumentContent' });
  });

  test('should reject duplicates, reserved names, types it does not store and oversized content', async () => {
    const { ssm } = ssmRig();
    await ssm.CreateDocument({ Name: 'Doc', Content: json, DocumentType: 'Automation' });
    await expect(ssm.CreateDocument({ Name: 'Doc', Content: json, DocumentType: 'Automation' })).rejects.toMatchObject({ name: 'DocumentAlreadyExists' });
    await expect(ssm.CreateDocument({ Name: 'AWS-Mine', Content: json, DocumentType: 'Automation' })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(ssm.CreateDocument({ Name: 'Pol', Content: json, DocumentType: 'Policy' })).rejects.toMatchObject({ name: 'InvalidDocumentType' });
    // A runbook is not a Command document (the default type).
    await expect(ssm.CreateDocument({ Name: 'Cmd', Content: json })).rejects.toMatchObject({ name: 'InvalidDocumentContent' });
    const huge = JSON.stringify({ schemaVersion: '0.3', description: 'x'.repeat(70_000), mainSteps: [] });
    await expect(ssm.CreateDocument({ Name: 'Huge', Content: huge, DocumentType: 'Automation' })).rejects.toMatchObject({ name: 'MaxDocumentSizeExceeded' });
  });

  test('should show the AWS-owned Command documents read-only', async () => {
    const { ssm } = ssmRig();
    const doc = await ssm.DescribeDocument({ Name: 'AWS-RunShellScript' });
    expect(doc.Document).toMatchObject({ Owner: 'Amazon', DocumentType: 'Command', SchemaVersion: '1.2' });
    expect(doc.Document.Parameters.map((p) => [p.Name, p.DefaultValue])).toEqual([['commands', undefined], ['workingDirectory', ''], ['executionTimeout', '3600']]);
    expect(JSON.parse((await ssm.GetDocument({ Name: 'AWS-RunShellScript' })).Content).runtimeConfig['aws:runShellScript']).toBeDefined();
    await expect(ssm.DeleteDocument({ Name: 'AWS-RunShellScript' })).rejects.toMatchObject({ name: 'InvalidDocumentOperation' });
  });
});

const command = (description: string) =>
  JSON.stringify({
    schemaVersion: '2.2',
    description,
    parameters: { commands: { type: 'StringList', description: 'The commands to run.', minItems: 1 } },
    mainSteps: [{ action: 'aws:runShellScript', name: 'run', inputs: { runCommand: '{{ commands }}' } }],
  });

describe('Command documents', () => {
  test('should store Command documents (the default type) with versions, their parameters and platforms', async () => {
    const { ssm } = ssmRig();
    const created = await ssm.CreateDocument({ Name: 'RunMine', Content: command('v1') });
    expect(created.DocumentDescription).toMatchObject({
      DocumentType: 'Command',
      SchemaVersion: '2.2',
      Status: 'Creating',
      Owner: '123456789012',
      PlatformTypes: ['Linux', 'MacOS'],
      Parameters: [{ Name: 'commands', Type: 'StringList', Description: 'The commands to run.' }],
      Tags: [],
    });
    const updated = await ssm.UpdateDocument({ Name: 'RunMine', Content: command('v2'), DocumentVersion: '$LATEST' });
    expect(updated.DocumentDescription).toMatchObject({ Status: 'Updating', DocumentVersion: '2', LatestVersion: '2', DefaultVersion: '1', Description: 'v2' });
    expect((await ssm.DescribeDocument({ Name: 'RunMine' })).Document).toMatchObject({ Status: 'Active', Description: 'v1' });
    // SendCommand runs the default version unless told otherwise.
    expect(ssm.documents.resolveCommand('RunMine', undefined).version).toBe('1');
    expect(ssm.documents.resolveCommand('arn:aws:ssm:us-east-1:123456789012:document/RunMine', '$LATEST').version).toBe('2');
    expect(() => ssm.documents.resolveCommand('RunMine', '3')).toThrow(expect.objectContaining({ name: 'InvalidDocumentVersion' }));
  });

  test('should reject Command document content that does not follow the schema', async () => {
    const { ssm } = ssmRig();
    const bad: unknown[] = [
      { schemaVersion: '2.2', mainSteps: [] },
      { schemaVersion: '3.0', mainSteps: [{ action: 'aws:runShellScript', name: 'a', inputs: {} }] },
      { schemaVersion: '2.2', mainSteps: [{ action: 'aws:runNothing', name: 'a', inputs: {} }] },
      { schemaVersion: '2.2', mainSteps: [{ action: 'aws:runShellScript', name: 'a', inputs: {} }, { action: 'aws:runShellScript', name: 'a', inputs: {} }] },
      { schemaVersion: '2.0', mainSteps: [{ action: 'aws:runShellScript', name: 'a', inputs: {}, precondition: { StringEquals: ['platformType', 'Linux'] } }] },
      { schemaVersion: '1.2', mainSteps: [{ action: 'aws:runShellScript', name: 'a', inputs: {} }] },
      { schemaVersion: '2.2', runtimeConfig: { 'aws:runShellScript': { properties: [{}] } } },
      { schemaVersion: '2.2', mainSteps: [{ action: 'aws:runShellScript', name: 'a', inputs: { runCommand: 5 } }] },
      { schemaVersion: '2.2', parameters: { p: { type: 'Number' } }, mainSteps: [{ action: 'aws:runShellScript', name: 'a', inputs: {} }] },
      [],
    ];
    for (const content of bad) {
      await expect(ssm.CreateDocument({ Name: 'Bad', Content: JSON.stringify(content), DocumentType: 'Command' }), JSON.stringify(content)).rejects.toMatchObject({
        name: 'InvalidDocumentContent',
      });
    }
    await expect(ssm.CreateDocument({ Name: 'Bad', Content: command('x'), DocumentType: 'Command', DocumentFormat: 'TEXT' })).rejects.toMatchObject({ name: 'InvalidDocumentContent' });
    // An Automation runbook name in SendCommand, or a Command document in StartAutomationExecution, is refused by type.
    await ssm.CreateDocument({ Name: 'Runbook', Content: json, DocumentType: 'Automation' });
    expect(() => ssm.documents.resolveCommand('Runbook', undefined)).toThrow(expect.objectContaining({ name: 'InvalidDocument' }));
    await ssm.CreateDocument({ Name: 'Cmd', Content: command('x') });
    await expect(ssm.StartAutomationExecution({ DocumentName: 'Cmd' })).rejects.toMatchObject({ name: 'AutomationDefinitionNotFoundException' });
  });

  test('should return a document in the format asked for', async () => {
    const { ssm } = ssmRig();
    await ssm.CreateDocument({ Name: 'RunMine', Content: command('v1') });
    const yaml = await ssm.GetDocument({ Name: 'RunMine', DocumentFormat: 'YAML' });
    expect(yaml.DocumentFormat).toBe('YAML');
    expect(yaml.Content).toContain('schemaVersion: "2.2"');
    expect((await ssm.GetDocument({ Name: 'RunMine' })).Content).toBe(command('v1'));
  });
});

describe('document APIs', () => {
  test('should keep and return DisplayName', async () => {
    const { ssm } = ssmRig();
    const created = await ssm.CreateDocument({ Name: 'Shown', Content: json, DocumentType: 'Automation', DisplayName: 'Shown to people' });
    expect(created.DocumentDescription.DisplayName).toBe('Shown to people');
    expect((await ssm.DescribeDocument({ Name: 'Shown' })).Document.DisplayName).toBe('Shown to people');
    expect((await ssm.GetDocument({ Name: 'Shown' })).DisplayName).toBe('Shown to people');
    expect((await ssm.ListDocuments({ Filters: [{ Key: 'Name', Values: ['Shown'] }] })).DocumentIdentifiers[0]!.DisplayName).toBe('Shown to people');
    await ssm.UpdateDocument({ Name: 'Shown', Content: json.replace('PT1S', 'PT2S'), DisplayName: 'Renamed' });
    expect((await ssm.DescribeDocument({ Name: 'Shown' })).Document.DisplayName).toBe('Renamed');
    // Without one, none is returned (aws-cli describe-document example).
    await ssm.CreateDocument({ Name: 'Plain', Content: json, DocumentType: 'Automation' });
    expect((await ssm.DescribeDocument({ Name: 'Plain' })).Document).not.toHaveProperty('DisplayName');
    await expect(ssm.CreateDocument({ Name: 'Odd', Content: json, DocumentType: 'Automation', DisplayName: 'a<b>' })).rejects.toMatchObject({ name: 'ValidationException' });
  });

  test('should filter ListDocuments by tag, Owner, DocumentType, Name prefix and PlatformTypes', async () => {
    const { ssm } = ssmRig();
    await ssm.CreateDocument({ Name: 'TaggedRunbook', Content: json, DocumentType: 'Automation', Tags: [{ Key: 'DocUse', Value: 'Testing' }] });
    await ssm.CreateDocument({ Name: 'TaggedCommand', Content: command('x'), Tags: [{ Key: 'DocUse', Value: 'Prod' }] });
    await ssm.CreateDocument({ Name: 'Untagged', Content: command('y') });
    const names = async (input: Parameters<typeof ssm.ListDocuments>[0]) => (await ssm.ListDocuments(input)).DocumentIdentifiers.map((d) => d.Name);
    // A tag filter returns only documents with that tag: never the AWS-owned ones, which have none.
    expect(await names({ Filters: [{ Key: 'tag:DocUse', Values: ['Testing'] }] })).toEqual(['TaggedRunbook']);
    expect(await names({ Filters: [{ Key: 'tag:DocUse', Values: ['Testing', 'Prod'] }] })).toEqual(['TaggedCommand', 'TaggedRunbook']);
    expect(await names({ Filters: [{ Key: 'tag:DocUse', Values: [] }] })).toEqual(['TaggedCommand', 'TaggedRunbook']);
    expect(await names({ Filters: [{ Key: 'Owner', Values: ['Self'] }, { Key: 'tag:DocUse', Values: ['Testing'] }] })).toEqual(['TaggedRunbook']);
    expect(await names({ Filters: [{ Key: 'Owner', Values: ['Amazon'] }] })).toEqual(['AWS-RunPowerShellScript', 'AWS-RunShellScript', 'AWS-UpdateSSMAgent']);
    expect(await names({ Filters: [{ Key: 'Owner', Values: ['Self'] }] })).toEqual(['TaggedCommand', 'TaggedRunbook', 'Untagged']);
    expect(await names({ Filters: [{ Key: 'Owner', Values: ['Private'] }] })).toEqual([]);
    expect(await names({ Filters: [{ Key: 'Owner', Values: ['ThirdParty'] }] })).toEqual([]);
    expect((await names({ Filters: [{ Key: 'Owner', Values: ['All'] }] })).length).toBe(6);
    expect((await names({})).length).toBe(6);
    expect(await names({ Filters: [{ Key: 'DocumentType', Values: ['Automation'] }] })).toEqual(['TaggedRunbook']);
    expect(await names({ Filters: [{ Key: 'Name', Values: ['Tagged'] }] })).toEqual(['TaggedCommand', 'TaggedRunbook']);
    expect(await names({ Filters: [{ Key: 'PlatformTypes', Values: ['Windows'] }, { Key: 'Owner', Values: ['Self'] }] })).toEqual(['TaggedRunbook']);
    // The deprecated DocumentFilterList.
    expect(await names({ DocumentFilterList: [{ key: 'Owner', value: 'Self' }, { key: 'DocumentType', value: 'Command' }] })).toEqual(['TaggedCommand', 'Untagged']);
    // Paging.
    const first = await ssm.ListDocuments({ MaxResults: 4 });
    expect(first.DocumentIdentifiers).toHaveLength(4);
    expect((await ssm.ListDocuments({ MaxResults: 4, NextToken: first.NextToken! })).DocumentIdentifiers).toHaveLength(2);
  });

  test('should name bad ListDocuments filters as AWS does', async () => {
    const { ssm } = ssmRig();
    await expect(ssm.ListDocuments({ Filters: [{ Key: 'Colour', Values: ['red'] }] })).rejects.toMatchObject({ name: 'InvalidFilterKey' });
    await expect(ssm.ListDocuments({ Filters: [{ Key: 'tag:', Values: ['x'] }] })).rejects.toMatchObject({ name: 'InvalidFilterKey' });
    await expect(ssm.ListDocuments({ Filters: [{ Key: 'Owner', Values: ['Self', 'Amazon'] }] })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(ssm.ListDocuments({ Filters: [{ Key: 'Owner', Values: ['Nobody'] }] })).rejects.toMatchObject({ name: 'ValidationException' });
    const seven = Array.from({ length: 7 }, (_, i) => ({ Key: `tag:k${i}`, Values: ['v'] }));
    await expect(ssm.ListDocuments({ Filters: seven })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(ssm.ListDocuments({ NextToken: 'garbage!' })).rejects.toMatchObject({ name: 'InvalidNextToken' });
  });

  test('should share documents with accounts and describe who has them', async () => {
    const { ssm } = ssmRig();
    await ssm.CreateDocument({ Name: 'Shared', Content: command('x') });
    expect(await ssm.DescribeDocumentPermission({ Name: 'Shared', PermissionType: 'Share' })).toEqual({ AccountIds: [], AccountSharingInfoList: [] });
    await ssm.ModifyDocumentPermission({ Name: 'Shared', PermissionType: 'Share', AccountIdsToAdd: ['111122223333', 'All'] });
    await ssm.ModifyDocumentPermission({ Name: 'Shared', PermissionType: 'Share', AccountIdsToAdd: ['444455556666'], SharedDocumentVersion: '$LATEST' });
    expect(await ssm.DescribeDocumentPermission({ Name: 'Shared', PermissionType: 'Share' })).toEqual({
      AccountIds: ['111122223333', 'all', '444455556666'],
      AccountSharingInfoList: [
        { AccountId: '111122223333', SharedDocumentVersion: '$DEFAULT' },
        { AccountId: 'all', SharedDocumentVersion: '$DEFAULT' },
        { AccountId: '444455556666', SharedDocumentVersion: '$LATEST' },
      ],
    });
    // Shared with all: it is Public.
    expect((await ssm.ListDocuments({ Filters: [{ Key: 'Owner', Values: ['Public'] }] })).DocumentIdentifiers.map((d) => d.Name)).toEqual(['Shared']);
    // "You must stop sharing the document before you can delete it."
    await expect(ssm.DeleteDocument({ Name: 'Shared' })).rejects.toMatchObject({ name: 'InvalidDocumentOperation' });
    await ssm.ModifyDocumentPermission({ Name: 'Shared', PermissionType: 'Share', AccountIdsToRemove: ['111122223333', 'ALL', '444455556666'] });
    expect((await ssm.DescribeDocumentPermission({ Name: 'Shared', PermissionType: 'Share' })).AccountIds).toEqual([]);
    await ssm.DeleteDocument({ Name: 'Shared' });
  });

  test('should refuse bad permission requests by AWS error name', async () => {
    const { ssm } = ssmRig();
    await ssm.CreateDocument({ Name: 'Mine', Content: command('x') });
    const modify = (extra: object) => ssm.ModifyDocumentPermission({ Name: 'Mine', PermissionType: 'Share', ...extra });
    await expect(ssm.ModifyDocumentPermission({ Name: 'Mine', PermissionType: 'Own' })).rejects.toMatchObject({ name: 'InvalidPermissionType' });
    await expect(ssm.DescribeDocumentPermission({ Name: 'Mine', PermissionType: 'Own' })).rejects.toMatchObject({ name: 'InvalidPermissionType' });
    await expect(modify({ AccountIdsToAdd: ['12345'] })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(modify({ AccountIdsToAdd: ['111122223333'], SharedDocumentVersion: '2' })).rejects.toMatchObject({ name: 'ValidationException' });
    const many = Array.from({ length: 21 }, (_, i) => String(100000000000 + i));
    await expect(modify({ AccountIdsToAdd: many })).rejects.toMatchObject({ name: 'DocumentPermissionLimit' });
    await expect(ssm.ModifyDocumentPermission({ Name: 'Missing', PermissionType: 'Share', AccountIdsToAdd: ['111122223333'] })).rejects.toMatchObject({ name: 'InvalidDocument' });
    await expect(ssm.ModifyDocumentPermission({ Name: 'AWS-RunShellScript', PermissionType: 'Share', AccountIdsToAdd: ['111122223333'] })).rejects.toMatchObject({
      name: 'InvalidDocumentOperation',
    });
    // Up to 1,000 accounts, 20 a request.
    for (let i = 0; i < 50; i++) await modify({ AccountIdsToAdd: Array.from({ length: 20 }, (_, j) => String(200000000000 + i * 20 + j)) });
    await expect(modify({ AccountIdsToAdd: ['999999999999'] })).rejects.toMatchObject({ name: 'DocumentPermissionLimit' });
    const page = await ssm.DescribeDocumentPermission({ Name: 'Mine', PermissionType: 'Share', MaxResults: 200 });
    expect(page.AccountIds).toHaveLength(200);
    expect(page.NextToken).toBeDefined();
  });
});
