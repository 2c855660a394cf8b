/**
 * Validates a CloudFormation template: resource types and properties against the CloudFormation resource
 * specification (`@aws-cdk/aws-service-spec`, or for the local engine the part of it generated into
 * generated/engine-resource-spec.ts), intrinsic references, the runbooks inside `AWS::SSM::Document` and the
 * state machines inside `AWS::StepFunctions::StateMachine`, and the original sample's deployment defects
 * (D4–D8) as warnings.
 */
import { createRequire } from 'node:module';
import { isJsonObject, type JsonObject, type JsonValue } from '../model/json.js';
import { ENGINE_RESOURCE_TYPES, ENGINE_TYPE_DEFINITIONS, RESOURCE_TYPE_NAMES } from './generated/engine-resource-spec.js';
import { at, issue, type ValidationIssue } from './issue.js';
import { validateCommandDocument } from './command-document.js';
import { validateRunbook } from './runbook.js';
import { validateStateMachine } from './asl.js';

type SpecDatabase = ReturnType<typeof import('@aws-cdk/aws-service-spec').loadAwsServiceSpecSync>;
export interface SpecProperty {
  readonly type: SpecType;
  readonly required?: boolean;
}
/** A property's type, as the specification writes it; `ref` names a type definition of the same source. */
export type SpecType =
  | { readonly type: 'string'; readonly allowedValues?: readonly string[] }
  | { readonly type: 'number' | 'integer' | 'boolean' | 'json' | 'date-time' | 'null' | 'tag' }
  | { readonly type: 'array' | 'map'; readonly element: SpecType }
  | { readonly type: 'ref'; readonly reference: { readonly $ref: string } }
  | { readonly type: 'union'; readonly types: readonly SpecType[] };
// Maps, not records: a template property named `constructor` or `toString` is not found on Object.prototype.
interface SpecResource {
  readonly properties: ReadonlyMap<string, SpecProperty>;
  readonly attributes: readonly string[];
}
interface SpecTypeDefinition {
  readonly properties: ReadonlyMap<string, SpecProperty>;
}
/** What the template checks read from the CloudFormation resource specification. */
interface ResourceSpecSource {
  /** The type's properties and attributes, or undefined when this source cannot check the type. */
  resource(type: string): SpecResource | undefined;
  /** The type definition a `ref` property type names. */
  typeDefinition(ref: string): SpecTypeDefinition | undefined;
  /** Whether CloudFormation has this resource type (as opposed to a misspelt or invented one). */
  isResourceType(type: string): boolean;
}

let db: SpecDatabase | undefined;
let dbLoads = 0;
let idleTimer: NodeJS.Timeout | undefined;
/** How long the specification stays loaded after its last use. */
const SPEC_IDLE_MS = 5_000;

/**
 * The resource specification, loaded on first use (about 0.5 s, 120 MB) and dropped after a few idle seconds:
 * a burst of validations shares one load, and a long-running engine does not keep the memory, which would make
 * every `fork()` of a command slower. The package is required here, not imported, so that a process that never
 * asks for the full database (the local engine) does not load its code either.
 */
function spec(): SpecDatabase {
  if (db === undefined) {
    const { loadAwsServiceSpecSync } = createRequire(import.meta.url)('@aws-cdk/aws-service-spec') as typeof import('@aws-cdk/aws-service-spec');
    db = loadAwsServiceSpecSync();
    dbLoads++;
  }
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    db = undefined;
  }, SPEC_IDLE_MS).unref();
  return db;
}

/**
 * How many times this process has loaded the full specification database.
 * @internal For tests: the local engine must never load it.
 */
export function specDatabaseLoads(): number {
  return dbLoads;
}

type DbEntity = { readonly properties: Readonly<Record<string, SpecProperty>>; readonly attributes?: Readonly<Record<string, unknown>> };
// Maps built from the database's records, per entity: they go with the database when it is dropped.
const fromDb = new WeakMap<DbEntity, SpecResource>();
function dbEntry(entity: DbEntity): SpecResource {
  let entry = fromDb.get(entity);
  if (entry === undefined) {
    entry = { properties: new Map(Object.entries(entity.properties)), attributes: Object.keys(entity.attributes ?? {}) };
    fromDb.set(entity, entry);
  }
  return entry;
}

/** The whole `@aws-cdk/aws-service-spec` database: every resource type, fully checked. */
const FULL_SPEC: ResourceSpecSource = {
  resource(type) {
    const found = spec().lookup('resource', 'cloudFormationType', 'equals', type);
    return found.length === 1 ? dbEntry(found[0] as unknown as DbEntity) : undefined;
  },
  typeDefinition(ref) {
    return dbEntry(spec().get('typeDefinition', ref) as unknown as DbEntity);
  },
  isResourceType(type) {
    return this.resource(type) !== undefined;
  },
};

let engineSpec: ResourceSpecSource | undefined;

/**
 * The subset generated from the database for the resource types the local engine deploys (see
 * scripts/generate-engine-resource-spec.ts), plus the names of all resource types. Any other real type is
 * accepted without checking its properties or GetAtt attributes: the engine refuses such a template right after
 * validation ("Resource types not supported by the shellstep local engine"), so the full database would only
 * add issues to a template that fails anyway.
 */
function engineResourceSpec(): ResourceSpecSource {
  if (engineSpec !== undefined) return engineSpec;
  const entry = (e: { readonly properties: readonly (SpecProperty & { readonly name: string })[]; readonly attributes?: readonly string[] }) => ({
    properties: new Map(e.properties.map((p) => [p.name, p])),
    attributes: e.attributes ?? [],
  });
  const resources = new Map(ENGINE_RESOURCE_TYPES.map((r) => [r.type, entry(r)]));
  const definitions = new Map(ENGINE_TYPE_DEFINITIONS.map((d) => [d.ref, entry(d)]));
  const names = new Set(RESOURCE_TYPE_NAMES);
  engineSpec = {
    resource: (type) => resources.get(type),
    typeDefinition: (ref) => definitions.get(ref),
    isResourceType: (type) => names.has(type),
  };
  return engineSpec;
}

const TOP_LEVEL = new Set([
  'AWSTemplateFormatVersion',
  'Description',
  'Metadata',
  'Parameters',
  'Mappings',
  'Conditions',
  'Transform',
  'Resources',
  'Outputs',
  'Rules',
]);
const RESOURCE_KEYS = new Set([
  'Type',
  'Properties',
  'DependsOn',
  'Condition',
  'Metadata',
  'DeletionPolicy',
  'UpdateReplacePolicy',
  'UpdatePolicy',
  'CreationPolicy',
]);
// Pseudo parameters (CloudFormation User Guide, pseudo-parameter-reference).
const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

/**
 * Resource types CloudFormation accepts whose properties no specification describes: custom resources, and
 * `AWS::CDK::Metadata`, the analytics resource CDK adds to every stack unless analytics reporting is off
 * (aws-cdk-lib core/lib/private/metadata-resource.js). CloudFormation registers it in the regions aws-cdk-lib's
 * region-info marks `cdkMetadataResourceAvailable`, where CDK apps deploy it, but the resource specification
 * (`@aws-cdk/aws-service-spec`) does not list it.
 */
export function isFreeFormResourceType(type: string): boolean {
  return type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource' || type === 'AWS::CDK::Metadata';
}

/** `{"Ref": …}` or `{"Fn::…": …}`: a value CloudFormation computes, so it cannot be type-checked here. */
export function isIntrinsic(value: JsonValue | undefined): value is JsonObject {
  if (!isJsonObject(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0] === 'Condition' || keys[0]!.startsWith('Fn::'));
}

interface Context {
  readonly issues: ValidationIssue[];
  readonly parameters: ReadonlySet<string>;
  readonly resources: ReadonlyMap<string, string>;
  readonly conditions: ReadonlySet<string>;
  readonly embedded: boolean;
  readonly spec: ResourceSpecSource;
}

export interface TemplateValidationOptions {
  /**
   * Also validate the runbooks and state machines embedded in the template (default true). The local
   * CloudFormation service turns this off: the SSM and Step Functions services validate what they receive,
   * as on AWS.
   */
  readonly embedded?: boolean;
  /**
   * Where resource types, properties and attributes come from: `full` (default) loads the whole specification
   * database; `engine` uses the subset generated for the resource types the local engine deploys, so that a
   * long-running engine never loads the database (see `engineResourceSpec`).
   */
  readonly spec?: 'full' | 'engine';
}

/** Validates a parsed template. Returns all issues; an empty list means valid. */
export function validateTemplate(template: unknown, options: TemplateValidationOptions = {}): ValidationIssue[] {
  if (!isJsonObject(template)) return [issue('$', 'InvalidTemplate', 'A template must be a JSON or YAML object.')];
  const issues: ValidationIssue[] = [];
  for (const key of Object.keys(template)) {
    if (!TOP_LEVEL.has(key)) issues.push(issue(at('$', key), 'UnknownSection', `'${key}' is not a template section.`));
  }
  const resources = isJsonObject(template['Resources']) ? template['Resources'] : undefined;
  if (resources === undefined || Object.keys(resources).length === 0) {
    issues.push(issue('$.Resources', 'MissingResources', 'A template needs a Resources section with at least one resource.'));
  }
  const parameters = isJsonObject(template['Parameters']) ? template['Parameters'] : {};
  const context: Context = {
    issues,
    parameters: new Set(Object.keys(parameters)),
    resources: new Map(
      Object.entries(resources ?? {}).map(([id, r]) => [id, isJsonObject(r) && typeof r['Type'] === 'string' ? r['Type'] : '']),
    ),
    conditions: new Set(Object.keys(isJsonObject(template['Conditions']) ? template['Conditions'] : {})),
    embedded: options.embedded ?? true,
    spec: options.spec === 'engine' ? engineResourceSpec() : FULL_SPEC,
  };
  for (const [name, raw] of Object.entries(parameters)) parameterIssues(name, raw, context);
  for (const [id, raw] of Object.entries(resources ?? {})) resourceIssues(id, raw, context);
  if (isJsonObject(template['Outputs'])) {
    for (const [name, output] of Object.entries(template['Outputs'])) {
      const path = at('$.Outputs', name);
      if (!isJsonObject(output) || output['Value'] === undefined) {
        issues.push(issue(path, 'InvalidOutput', `Output '${name}' needs a Value.`));
        continue;
      }
      intrinsicIssues(output, path, context);
    }
  }
  if (isJsonObject(template['Conditions'])) intrinsicIssues(template['Conditions'], '$.Conditions', context);
  return issues;
}

const PARAMETER_TYPES = /^(String|Number|List<Number>|CommaDelimitedList|AWS::[A-Za-z0-9:]+|List<AWS::[A-Za-z0-9:]+>|AWS::SSM::Parameter::Value<.+>)$/;

function parameterIssues(name: string, raw: JsonValue, { issues }: Context): void {
  const path = at('$.Parameters', name);
  if (!isJsonObject(raw)) {
    issues.push(issue(path, 'InvalidParameter', `Parameter '${name}' must be an object.`));
    return;
  }
  if (typeof raw['Type'] !== 'string' || !PARAMETER_TYPES.test(raw['Type'])) {
    issues.push(issue(at(path, 'Type'), 'InvalidParameterType', `Parameter '${name}' needs a valid Type (String, Number, CommaDelimitedList, AWS::…).`));
  }
  const def = raw['Default'];
  if (typeof def === 'string' && typeof raw['AllowedPattern'] === 'string') {
    try {
      if (!new RegExp(raw['AllowedPattern']).test(def)) {
        issues.push(issue(at(path, 'Default'), 'DefaultNotAllowed', `Default ${JSON.stringify(def)} does not match AllowedPattern ${raw['AllowedPattern']}.`));
      }
    } catch (error) {
      issues.push(issue(at(path, 'AllowedPattern'), 'InvalidPattern', `AllowedPattern is not a valid regular expression: ${(error as Error).message}`));
    }
  }
  if (def !== undefined && Array.isArray(raw['AllowedValues']) && !raw['AllowedValues'].some((v) => String(v) === String(def))) {
    issues.push(issue(at(path, 'Default'), 'DefaultNotAllowed', `Default ${JSON.stringify(def)} is not one of AllowedValues.`));
  }
}

function resourceIssues(id: string, raw: JsonValue, context: Context): void {
  const { issues } = context;
  const path = at('$.Resources', id);
  if (!isJsonObject(raw)) {
    issues.push(issue(path, 'InvalidResource', `Resource '${id}' must be an object.`));
    return;
  }
  for (const key of Object.keys(raw)) {
    if (!RESOURCE_KEYS.has(key)) issues.push(issue(at(path, key), 'UnknownResourceField', `'${key}' is not a resource attribute.`));
  }
  const type = raw['Type'];
  if (typeof type !== 'string') {
    issues.push(issue(at(path, 'Type'), 'MissingType', `Resource '${id}' needs a Type.`));
    return;
  }
  const properties = raw['Properties'] ?? {};
  intrinsicIssues(properties, at(path, 'Properties'), context);
  for (const dep of typeof raw['DependsOn'] === 'string' ? [raw['DependsOn']] : Array.isArray(raw['DependsOn']) ? raw['DependsOn'] : []) {
    if (typeof dep === 'string' && !context.resources.has(dep)) {
      issues.push(issue(at(path, 'DependsOn'), 'UnknownDependency', `DependsOn names '${dep}', which is not a resource in this template.`));
    }
  }
  if (isFreeFormResourceType(type)) return;
  const { spec } = context;
  if (!spec.isResourceType(type)) {
    issues.push(issue(at(path, 'Type'), 'UnknownResourceType', `'${type}' is not a CloudFormation resource type.`));
    return;
  }
  if (!isJsonObject(properties)) {
    if (!isIntrinsic(properties)) issues.push(issue(at(path, 'Properties'), 'InvalidProperties', 'Properties must be an object.'));
    return;
  }
  // Undefined only from the engine subset, for a type the engine then refuses by name.
  const resource = spec.resource(type);
  if (resource !== undefined) {
    for (const [name, prop] of resource.properties) {
      if (prop.required === true && !(name in properties)) {
        issues.push(issue(at(path, 'Properties'), 'MissingProperty', `${type} requires property '${name}'.`));
      }
    }
    for (const [name, value] of Object.entries(properties)) {
      const prop = resource.properties.get(name);
      if (prop === undefined) {
        issues.push(issue(at(at(path, 'Properties'), name), 'UnknownProperty', `${type} has no property '${name}'.`));
        continue;
      }
      typeIssues(value, prop.type, at(at(path, 'Properties'), name), issues, spec);
    }
  }
  serviceSpecificIssues(type, properties, path, issues, context.embedded);
}

function describe(t: SpecType): string {
  switch (t.type) {
    case 'array':
      return `a list of ${describe(t.element)}`;
    case 'map':
      return `a map of ${describe(t.element)}`;
    case 'ref':
      return 'an object';
    case 'union':
      return t.types.map(describe).join(' or ');
    case 'json':
      return 'JSON';
    case 'tag':
      return 'a tag {Key, Value}';
    default:
      return `a ${t.type}`;
  }
}

function matches(value: JsonValue, t: SpecType): boolean {
  if (isIntrinsic(value)) return true;
  switch (t.type) {
    case 'string':
      // CloudFormation turns numbers and booleans into strings for string properties.
      return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
    case 'number':
    case 'integer':
      return typeof value === 'number' || (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)));
    case 'boolean':
      return typeof value === 'boolean' || value === 'true' || value === 'false';
    case 'json':
      return isJsonObject(value) || Array.isArray(value) || typeof value === 'string';
    case 'date-time':
      return typeof value === 'string';
    case 'null':
      return value === null;
    case 'tag':
      return isJsonObject(value);
    case 'array':
      return Array.isArray(value);
    case 'map':
    case 'ref':
      return isJsonObject(value);
    case 'union':
      return t.types.some((u) => matches(value, u));
  }
}

function typeIssues(value: JsonValue, t: SpecType, path: string, issues: ValidationIssue[], spec: ResourceSpecSource): void {
  if (isIntrinsic(value)) return;
  if (!matches(value, t)) {
    issues.push(issue(path, 'WrongType', `Expected ${describe(t)}, got ${Array.isArray(value) ? 'a list' : value === null ? 'null' : typeof value}.`));
    return;
  }
  if (t.type === 'string' && t.allowedValues !== undefined && typeof value === 'string' && !t.allowedValues.includes(value)) {
    issues.push(issue(path, 'NotAllowedValue', `${JSON.stringify(value)} is not one of: ${t.allowedValues.join(', ')}.`));
  }
  if (t.type === 'array' && Array.isArray(value)) value.forEach((v, i) => typeIssues(v, t.element, at(path, i), issues, spec));
  if (t.type === 'map' && isJsonObject(value)) for (const [k, v] of Object.entries(value)) typeIssues(v, t.element, at(path, k), issues, spec);
  if (t.type === 'union') {
    const structured = t.types.find((u) => u.type !== 'string' && matches(value, u) && (u.type === 'ref' || u.type === 'array'));
    if (structured !== undefined) typeIssues(value, structured, path, issues, spec);
  }
  if (t.type === 'ref' && isJsonObject(value)) {
    const def = spec.typeDefinition(t.reference.$ref);
    if (def === undefined) return;
    for (const [name, prop] of def.properties) {
      if (prop.required === true && !(name in value)) issues.push(issue(path, 'MissingProperty', `Missing required property '${name}'.`));
    }
    for (const [name, v] of Object.entries(value)) {
      const prop = def.properties.get(name);
      if (prop === undefined) issues.push(issue(at(path, name), 'UnknownProperty', `Unknown property '${name}'.`));
      else typeIssues(v, prop.type, at(path, name), issues, spec);
    }
  }
}

/** Checks `Ref`, `Fn::GetAtt`, `Fn::Sub` and `Condition` references anywhere under `value`. */
function intrinsicIssues(value: JsonValue, path: string, context: Context): void {
  const { issues, parameters, resources } = context;
  const known = (name: string) => parameters.has(name) || resources.has(name) || PSEUDO_PARAMETERS.has(name);
  if (Array.isArray(value)) {
    value.forEach((v, i) => intrinsicIssues(v, at(path, i), context));
    return;
  }
  if (!isJsonObject(value)) return;
  if (isIntrinsic(value)) {
    const [fn, arg] = Object.entries(value)[0]!;
    if (fn === 'Ref' && typeof arg === 'string' && !known(arg)) {
      issues.push(issue(at(path, 'Ref'), 'UnknownReference', `Ref '${arg}' is not a parameter, resource or pseudo parameter.`));
    }
    if (fn === 'Fn::GetAtt') getAttIssues(arg, at(path, fn), context);
    if (fn === 'Fn::Sub') {
      const [text, vars] = Array.isArray(arg) ? [arg[0], arg[1]] : [arg, undefined];
      const local = new Set(isJsonObject(vars) ? Object.keys(vars) : []);
      if (typeof text === 'string') {
        for (const m of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
          const name = m[1]!.trim();
          const dot = name.indexOf('.');
          if (local.has(name)) continue;
          if (dot === -1 ? !known(name) : !resources.has(name.slice(0, dot))) {
            issues.push(issue(at(path, fn), 'UnknownReference', `Fn::Sub refers to '\${${name}}', which is not a parameter, resource, pseudo parameter or Sub variable.`));
          } else if (dot !== -1) {
            getAttIssues([name.slice(0, dot), name.slice(dot + 1)], at(path, fn), context);
          }
        }
      }
      if (isJsonObject(vars)) intrinsicIssues(vars, at(at(path, fn), 1), context);
      return;
    }
    if (fn === 'Condition' && typeof arg === 'string' && !context.conditions.has(arg)) {
      issues.push(issue(at(path, 'Condition'), 'UnknownCondition', `Condition '${arg}' is not defined in Conditions.`));
    }
    if (fn === 'Fn::If' && Array.isArray(arg) && typeof arg[0] === 'string' && !context.conditions.has(arg[0])) {
      issues.push(issue(at(path, fn), 'UnknownCondition', `Fn::If names condition '${arg[0]}', which is not defined in Conditions.`));
    }
    intrinsicIssues(arg, at(path, fn), context);
    return;
  }
  for (const [k, v] of Object.entries(value as JsonObject)) intrinsicIssues(v, at(path, k), context);
}

function getAttIssues(arg: JsonValue, path: string, { issues, resources, spec }: Context): void {
  const parts = typeof arg === 'string' ? [arg.slice(0, arg.indexOf('.')), arg.slice(arg.indexOf('.') + 1)] : Array.isArray(arg) ? arg : [];
  const [resource, attribute] = parts;
  if (typeof resource !== 'string' || typeof attribute !== 'string') {
    if (!isIntrinsic(attribute)) issues.push(issue(path, 'InvalidGetAtt', 'Fn::GetAtt needs [LogicalId, Attribute].'));
    return;
  }
  const type = resources.get(resource);
  if (type === undefined) {
    issues.push(issue(path, 'UnknownReference', `Fn::GetAtt names resource '${resource}', which is not in this template.`));
    return;
  }
  // No check when the source does not know the type (as for properties, above).
  const resourceType = spec.resource(type);
  if (resourceType !== undefined && !resourceType.attributes.includes(attribute)) {
    issues.push(issue(path, 'UnknownAttribute', `${type} has no attribute '${attribute}' (it has: ${resourceType.attributes.join(', ')}).`));
  }
}

/**
 * Replaces intrinsic functions by placeholder strings so that embedded runbooks and state machines can be
 * validated as the service will see them after CloudFormation resolves the template.
 */
function resolvedForValidation(value: JsonValue): JsonValue {
  if (isIntrinsic(value)) {
    const [fn, arg] = Object.entries(value)[0]!;
    if (fn === 'Fn::GetAtt' && Array.isArray(arg) && arg[1] === 'Arn') return 'arn:aws:iam::123456789012:role/resolved-by-cloudformation';
    return `resolved-${fn.replace('::', '-')}`;
  }
  if (Array.isArray(value)) return value.map(resolvedForValidation);
  if (isJsonObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolvedForValidation(v)]));
  return value;
}

function serviceSpecificIssues(type: string, properties: JsonObject, path: string, issues: ValidationIssue[], embedded: boolean): void {
  const props = at(path, 'Properties');
  if (type === 'AWS::SSM::Document') {
    if (embedded && properties['DocumentType'] === 'Automation' && properties['Content'] !== undefined && !isIntrinsic(properties['Content'])) {
      issues.push(...validateRunbook(resolvedForValidation(properties['Content']), { basePath: at(props, 'Content') }));
      const target = properties['TargetType'];
      // TargetType /AWS::EC2::Host is the Dedicated Host type, not an instance (D4; aws-semantics §9).
      if (typeof target === 'string' && target !== '/' && !target.startsWith('/AWS::EC2::Instance')) {
        issues.push(issue(at(props, 'TargetType'), 'UnexpectedTargetType', `TargetType '${target}' is not /AWS::EC2::Instance: the runbook would be registered for a different resource type.`, 'warning'));
      }
    }
    // DocumentType defaults to Command (CreateDocument).
    const type = properties['DocumentType'] ?? 'Command';
    if (embedded && type === 'Command' && isJsonObject(properties['Content'])) {
      issues.push(...validateCommandDocument(resolvedForValidation(properties['Content']), at(props, 'Content')));
    }
    if (properties['Name'] !== undefined && properties['UpdateMethod'] !== 'NewVersion') {
      // "CloudFormation cannot update a stack when a custom-named resource requires replacing" (D6).
      issues.push(issue(at(props, 'Name'), 'NamedDocumentReplace', 'A named document with UpdateMethod Replace (the default) cannot be updated: every content change needs replacement, which a custom name forbids. Set UpdateMethod: NewVersion.', 'warning'));
    }
  }
  if (type === 'AWS::IAM::Role') {
    if (properties['RoleName'] !== undefined) {
      issues.push(issue(at(props, 'RoleName'), 'NamedRole', 'A fixed RoleName makes a second stack in the account fail, needs CAPABILITY_NAMED_IAM and blocks replacement; let CloudFormation name the role (D5).', 'warning'));
    }
    trustIssues(properties['AssumeRolePolicyDocument'], at(props, 'AssumeRolePolicyDocument'), issues);
    const policies = Array.isArray(properties['Policies']) ? properties['Policies'] : [];
    policies.forEach((p, i) => {
      if (isJsonObject(p)) policyIssues(p['PolicyDocument'], at(at(at(props, 'Policies'), i), 'PolicyDocument'), issues);
    });
  }
  if (type === 'AWS::IAM::Policy' || type === 'AWS::IAM::ManagedPolicy') policyIssues(properties['PolicyDocument'], at(props, 'PolicyDocument'), issues);
  if (type === 'AWS::StepFunctions::StateMachine') {
    const definition = properties['Definition'];
    if (embedded && definition !== undefined && isJsonObject(definition) && !isIntrinsic(definition)) {
      for (const i of validateStateMachine(resolvedForValidation(definition))) {
        issues.push({ ...i, path: i.path.replace(/^\$/, at(props, 'Definition')) });
      }
    }
  }
}

function statements(document: JsonValue | undefined): JsonObject[] {
  if (!isJsonObject(document)) return [];
  const s = document['Statement'];
  return (Array.isArray(s) ? s : [s]).filter(isJsonObject);
}

function list(value: JsonValue | undefined): JsonValue[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function trustIssues(document: JsonValue | undefined, path: string, issues: ValidationIssue[]): void {
  statements(document).forEach((statement, i) => {
    const principal = statement['Principal'];
    const services = isJsonObject(principal) ? list(principal['Service']) : [];
    const condition = statement['Condition'];
    const conditionText = JSON.stringify(condition ?? {});
    if (services.includes('ssm.amazonaws.com') && !/aws:SourceAccount|aws:SourceArn/i.test(conditionText)) {
      // Confused-deputy protection (automation-setup-iam; D7).
      issues.push(issue(at(at(path, 'Statement'), i), 'TrustWithoutSourceAccount', 'The trust policy lets ssm.amazonaws.com assume the role for any account; add an aws:SourceAccount (or aws:SourceArn) condition.', 'warning'));
    }
  });
}

function policyIssues(document: JsonValue | undefined, path: string, issues: ValidationIssue[]): void {
  statements(document).forEach((statement, i) => {
    const spath = at(at(path, 'Statement'), i);
    const actions = list(statement['Action']).filter((a): a is string => typeof a === 'string');
    const resources = list(statement['Resource']);
    for (const [j, resource] of resources.entries()) {
      const text = typeof resource === 'string' ? resource : isJsonObject(resource) && typeof resource['Fn::Sub'] === 'string' ? resource['Fn::Sub'] : '';
      if (text.startsWith('arn:aws:')) {
        issues.push(issue(at(at(spath, 'Resource'), j), 'HardCodedPartition', `'${text}' hard-codes the aws partition; use arn:\${AWS::Partition}: so the template works in China and GovCloud (D7).`, 'warning'));
      }
    }
    if (statement['Effect'] === 'Allow' && actions.includes('ssm:StartAutomationExecution') && resources.includes('*')) {
      issues.push(issue(spath, 'WildcardStartAutomation', 'ssm:StartAutomationExecution on "*" lets the role start any runbook; scope it to the automation-definition ARNs it needs (D8).', 'warning'));
    }
  });
}
