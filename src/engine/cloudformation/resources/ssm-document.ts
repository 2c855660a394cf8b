/**
 * AWS::SSM::Document, created through the local SSM service's CreateDocument. `UpdateMethod: NewVersion`
 * updates in place and promotes the new version to default; `Replace` (the default) needs replacement, which
 * a custom `Name` forbids (aws-semantics §9, D6).
 */
import { isJsonObject, type JsonObject } from '../../../model/json.js';
import { validationError } from '../intrinsics.js';
import { generatedName, replacement, type ProviderContext, type ResourceProvider } from './provider.js';

function content(properties: JsonObject): { Content: string; DocumentFormat: string } {
  const format = typeof properties['DocumentFormat'] === 'string' ? properties['DocumentFormat'] : 'JSON';
  const value = properties['Content'];
  if (typeof value === 'string') return { Content: value, DocumentFormat: format };
  if (isJsonObject(value) || Array.isArray(value)) return { Content: JSON.stringify(value), DocumentFormat: format === 'YAML' ? 'JSON' : format };
  throw validationError('Content is required and must be an object or a string.');
}

function documentRequest(name: string, properties: JsonObject): JsonObject {
  const request: JsonObject = { Name: name, ...content(properties) };
  for (const key of ['DocumentType', 'TargetType', 'VersionName', 'Requires', 'Attachments', 'Tags']) {
    if (properties[key] !== undefined) request[key] = properties[key]!;
  }
  return request;
}

export const ssmDocument: ResourceProvider = {
  async create(properties, context: ProviderContext) {
    const name = typeof properties['Name'] === 'string' ? properties['Name'] : generatedName(context, 128);
    await context.api.call('ssm', 'CreateDocument', documentRequest(name, properties));
    return { physicalId: name, attributes: {} };
  },
  async update(current, properties, previous, context) {
    const updatable = properties['UpdateMethod'] === 'NewVersion';
    const createOnly = ['Name', 'DocumentType'].some((k) => JSON.stringify(properties[k]) !== JSON.stringify(previous[k]));
    if (!updatable || createOnly) replacement('Name', properties, previous);
    const request = documentRequest(current.physicalId, properties);
    delete request['DocumentType'];
    delete request['Tags'];
    const updated = (await context.api.call('ssm', 'UpdateDocument', { ...request, DocumentVersion: '$LATEST' })) as JsonObject;
    const description = isJsonObject(updated['DocumentDescription']) ? updated['DocumentDescription'] : {};
    const version = description['DocumentVersion'];
    if (typeof version === 'string') {
      await context.api.call('ssm', 'UpdateDocumentDefaultVersion', { Name: current.physicalId, DocumentVersion: version });
    }
    return current;
  },
  async delete(current, _properties, context) {
    await context.api.call('ssm', 'DeleteDocument', { Name: current.physicalId });
  },
};
