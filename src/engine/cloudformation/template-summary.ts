/**
 * What CloudFormation reads out of a template without deploying it: the capabilities it needs (CreateStack,
 * UpdateStack and CreateChangeSet refuse without them), and the answers of ValidateTemplate and GetTemplateSummary
 * (CloudFormation API Reference, ValidateTemplate and GetTemplateSummary).
 */
import { ServiceError } from '../../errors/service-error.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../../model/json.js';
import { ENGINE_RESOURCE_TYPES } from '../../validate/generated/engine-resource-spec.js';

/**
 * The IAM resource types that need a capability, each with the property that names the resource: naming it needs
 * CAPABILITY_NAMED_IAM, otherwise CAPABILITY_IAM is enough (CloudFormation User Guide, "Acknowledging IAM resources
 * in CloudFormation templates").
 */
const IAM_TYPES: ReadonlyMap<string, string | undefined> = new Map([
  ['AWS::IAM::AccessKey', undefined],
  ['AWS::IAM::Group', 'GroupName'],
  ['AWS::IAM::InstanceProfile', 'InstanceProfileName'],
  ['AWS::IAM::ManagedPolicy', 'ManagedPolicyName'],
  ['AWS::IAM::Policy', undefined],
  ['AWS::IAM::Role', 'RoleName'],
  ['AWS::IAM::User', 'UserName'],
  ['AWS::IAM::UserToGroupAddition', undefined],
]);

export interface RequiredCapability {
  readonly capability: 'CAPABILITY_IAM' | 'CAPABILITY_NAMED_IAM';
  /** "The following resource(s) require capabilities: [AWS::IAM::Role]" (GetTemplateSummary's CapabilitiesReason). */
  readonly reason: string;
}

function resourcesOf(template: JsonObject): Array<[string, JsonObject]> {
  const resources = isJsonObject(template['Resources']) ? template['Resources'] : {};
  return Object.entries(resources).filter((entry): entry is [string, JsonObject] => isJsonObject(entry[1]));
}

/** The capability a template's IAM resources need, whatever their conditions say; undefined when none. */
export function requiredCapability(template: JsonObject): RequiredCapability | undefined {
  let named = false;
  const types: string[] = [];
  for (const [, resource] of resourcesOf(template)) {
    const type = String(resource['Type']);
    if (!IAM_TYPES.has(type)) continue;
    if (!types.includes(type)) types.push(type);
    const nameProperty = IAM_TYPES.get(type);
    const properties = isJsonObject(resource['Properties']) ? resource['Properties'] : {};
    if (nameProperty !== undefined && properties[nameProperty] !== undefined) named = true;
  }
  if (types.length === 0) return undefined;
  return { capability: named ? 'CAPABILITY_NAMED_IAM' : 'CAPABILITY_IAM', reason: `The following resource(s) require capabilities: [${types.join(', ')}]` };
}

/** Refuses a template whose IAM resources the caller did not acknowledge, with CloudFormation's error. */
export function checkCapabilities(template: JsonObject, capabilities: readonly string[]): void {
  const needed = requiredCapability(template);
  if (needed === undefined || capabilities.includes(needed.capability)) return;
  // CAPABILITY_NAMED_IAM also acknowledges unnamed IAM resources.
  if (needed.capability === 'CAPABILITY_IAM' && capabilities.includes('CAPABILITY_NAMED_IAM')) return;
  throw new ServiceError('InsufficientCapabilitiesException', `Requires capabilities : [${needed.capability}]`);
}

function declaredTransforms(template: JsonObject): string[] {
  const transform = template['Transform'];
  if (typeof transform === 'string') return [transform];
  if (Array.isArray(transform)) return transform.filter((t): t is string => typeof t === 'string');
  return [];
}

function parameterDeclarations(template: JsonObject): Array<[string, JsonObject]> {
  const parameters = isJsonObject(template['Parameters']) ? template['Parameters'] : {};
  return Object.entries(parameters).filter((entry): entry is [string, JsonObject] => isJsonObject(entry[1]));
}

/** CloudFormation writes numbers and booleans of a template as the strings a parameter value is. */
function text(value: JsonValue | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.map(String).join(',');
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function isNoEcho(declaration: JsonObject): boolean {
  return declaration['NoEcho'] === true || declaration['NoEcho'] === 'true';
}

/** The output of ValidateTemplate (empty capability and transform lists are left out, as AWS leaves them out). */
export function validateTemplateOutput(template: JsonObject): JsonObject {
  const out: JsonObject = {
    Parameters: parameterDeclarations(template).map(([key, declaration]) => {
      const defaultValue = text(declaration['Default']);
      return {
        ParameterKey: key,
        ...(defaultValue === undefined ? {} : { DefaultValue: defaultValue }),
        NoEcho: isNoEcho(declaration),
        ...(typeof declaration['Description'] === 'string' ? { Description: declaration['Description'] } : {}),
      };
    }),
  };
  if (typeof template['Description'] === 'string') out['Description'] = template['Description'];
  const capability = requiredCapability(template);
  if (capability !== undefined) {
    out['Capabilities'] = [capability.capability];
    out['CapabilitiesReason'] = capability.reason;
  }
  const transforms = declaredTransforms(template);
  if (transforms.length > 0) out['DeclaredTransforms'] = transforms;
  return out;
}

/**
 * The properties that identify a resource for import, from the resource specification's primary identifier; only
 * those the template can set (a read-only identifier such as a state machine's Arn is not listed, as AWS leaves
 * out an SNS topic's TopicArn). Types outside the engine's subset of the specification get none.
 */
function resourceIdentifiers(type: string): string[] {
  const spec = ENGINE_RESOURCE_TYPES.find((r) => r.type === type);
  if (spec === undefined) return [];
  return spec.primaryIdentifier.filter((name) => spec.properties.some((p) => p.name === name));
}

/** The output of GetTemplateSummary for a template. */
export function templateSummaryOutput(template: JsonObject): JsonObject {
  const out: JsonObject = {
    Parameters: parameterDeclarations(template).map(([key, declaration]) => {
      const defaultValue = text(declaration['Default']);
      const allowed = Array.isArray(declaration['AllowedValues']) ? declaration['AllowedValues'].map((v) => text(v) ?? '') : undefined;
      return {
        ParameterKey: key,
        ...(defaultValue === undefined ? {} : { DefaultValue: defaultValue }),
        ParameterType: typeof declaration['Type'] === 'string' ? declaration['Type'] : 'String',
        NoEcho: isNoEcho(declaration),
        ...(typeof declaration['Description'] === 'string' ? { Description: declaration['Description'] } : {}),
        ParameterConstraints: allowed === undefined ? {} : { AllowedValues: allowed },
      };
    }),
  };
  if (typeof template['Description'] === 'string') out['Description'] = template['Description'];
  const capability = requiredCapability(template);
  if (capability !== undefined) {
    out['Capabilities'] = [capability.capability];
    out['CapabilitiesReason'] = capability.reason;
  }
  const byType = new Map<string, string[]>();
  for (const [id, resource] of resourcesOf(template)) {
    const type = String(resource['Type']);
    byType.set(type, [...(byType.get(type) ?? []), id]);
  }
  out['ResourceTypes'] = [...byType.keys()];
  out['Version'] = typeof template['AWSTemplateFormatVersion'] === 'string' ? template['AWSTemplateFormatVersion'] : '2010-09-09';
  if (template['Metadata'] !== undefined) out['Metadata'] = JSON.stringify(template['Metadata']);
  const transforms = declaredTransforms(template);
  if (transforms.length > 0) out['DeclaredTransforms'] = transforms;
  out['ResourceIdentifierSummaries'] = [...byType].map(([type, ids]) => {
    const identifiers = resourceIdentifiers(type);
    return { ResourceType: type, LogicalResourceIds: ids, ...(identifiers.length === 0 ? {} : { ResourceIdentifiers: identifiers }) };
  });
  return out;
}
