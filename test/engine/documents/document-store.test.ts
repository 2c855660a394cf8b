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
