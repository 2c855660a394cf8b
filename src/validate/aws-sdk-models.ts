/**
 * The AWS API models, used to check that a runbook's `aws:executeAwsApi` (boto3 names) or a state machine's
 * `arn:aws:states:::aws-sdk:<service>:<action>` (SDK names) calls an API that exists, with request members that
 * exist, and (for the services the local engine serves) to check request shapes as AWS's front end does. The
 * models are an index generated at development time from botocore's data (generated/aws-api-index.ts), parsed
 * one service at a time on first use.
 */
import { SERVICE_ALIASES, SERVICE_MODELS } from './generated/aws-api-index.js';

/** A shape of a request: types, required members and (for the services the engine serves) constraints. */
export interface SdkShape {
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
  readonly enum?: readonly string[];
  readonly type?: 'structure' | 'list' | 'map' | 'string' | 'integer' | 'long' | 'boolean' | 'timestamp' | 'blob' | 'float' | 'double' | 'document';
  /** A reference to a named shape of `SdkService.shapes`. */
  readonly shape?: string;
  readonly members?: Readonly<Record<string, SdkShape>>;
  readonly required?: readonly string[];
  readonly member?: SdkShape;
  readonly key?: SdkShape;
  readonly value?: SdkShape;
}

export interface SdkOperation {
  /** PascalCase, as in the API reference. */
  readonly name: string;
  /** The request shape, with `shape` references resolvable through `SdkService.shapes`; only for shaped services. */
  readonly input?: SdkShape;
  /** Top-level request member names, as the API spells them. */
  readonly members: readonly string[];
  readonly required: readonly string[];
}

export interface SdkService {
  /** The boto3 service name, e.g. `stepfunctions`. */
  readonly key: string;
  /** e.g. `SFN`. */
  readonly serviceId: string;
  readonly operations: ReadonlyMap<string, SdkOperation>;
  /** The named request shapes: only for the services the local engine serves (see the generator's SHAPED_SERVICES). */
  readonly shapes?: Readonly<Record<string, SdkShape>>;
}

/** One service as the index stores it. */
interface IndexedService {
  readonly serviceId: string;
  readonly operations: Record<string, string[]>;
  readonly inputs?: Record<string, string>;
  readonly shapes?: Record<
    string,
    { type: NonNullable<SdkShape['type']>; members?: Record<string, string>; required?: string[]; member?: string; key?: string; value?: string; min?: number; max?: number; pattern?: string; enum?: string[] }
  >;
}

// Maps, not records: a service or alias named `constructor` is not found on Object.prototype.
let models: Map<string, string> | undefined;
let aliases: Map<string, string> | undefined;
const loaded = new Map<string, SdkService>();

function parse(key: string, text: string): SdkService {
  const indexed = JSON.parse(text) as IndexedService;
  const shapes: Record<string, SdkShape> | undefined = indexed.shapes === undefined ? undefined : Object.create(null);
  if (indexed.shapes !== undefined && shapes !== undefined) {
    const ref = (name: string): SdkShape => ({ shape: name });
    for (const [name, s] of Object.entries(indexed.shapes)) {
      shapes[name] = {
        type: s.type,
        ...(s.members === undefined ? {} : { members: Object.fromEntries(Object.entries(s.members).map(([m, target]) => [m, ref(target)])) }),
        ...(s.required === undefined ? {} : { required: s.required }),
        ...(s.member === undefined ? {} : { member: ref(s.member) }),
        ...(s.key === undefined ? {} : { key: ref(s.key) }),
        ...(s.value === undefined ? {} : { value: ref(s.value) }),
        ...(s.min === undefined ? {} : { min: s.min }),
        ...(s.max === undefined ? {} : { max: s.max }),
        ...(s.pattern === undefined ? {} : { pattern: s.pattern }),
        ...(s.enum === undefined ? {} : { enum: s.enum }),
      };
    }
  }
  const operations = new Map<string, SdkOperation>();
  for (const [name, members] of Object.entries(indexed.operations)) {
    const input = indexed.inputs?.[name];
    operations.set(name, {
      name,
      members: members.map((m) => m.replace(/^!/, '')),
      required: members.filter((m) => m.startsWith('!')).map((m) => m.slice(1)),
      ...(shapes === undefined ? {} : { input: input === undefined ? { type: 'structure', members: {} } : { shape: input } }),
    });
  }
  return { key, serviceId: indexed.serviceId, operations, ...(shapes === undefined ? {} : { shapes }) };
}

/** Finds a service by any of its names (`stepfunctions`, `states`, `sfn`, `ssm`…), case-insensitively. */
export function findSdkService(name: string): SdkService | undefined {
  models ??= new Map(SERVICE_MODELS);
  aliases ??= new Map(SERVICE_ALIASES);
  const lower = name.toLowerCase();
  const key = models.has(lower) ? lower : aliases.get(lower);
  if (key === undefined) return undefined;
  let service = loaded.get(key);
  if (service === undefined) {
    service = parse(key, models.get(key)!);
    loaded.set(key, service);
  }
  return service;
}

/**
 * Operations by lower-case name, the first one of each name in model order: made once per service, since every
 * `aws-sdk:` Task call looks its camelCase action up.
 */
const lowerCaseOperations = new WeakMap<SdkService, ReadonlyMap<string, SdkOperation>>();

function byLowerCaseName(service: SdkService): ReadonlyMap<string, SdkOperation> {
  let index = lowerCaseOperations.get(service);
  if (index === undefined) {
    const operations = new Map<string, SdkOperation>();
    for (const op of service.operations.values()) {
      const name = op.name.toLowerCase();
      if (!operations.has(name)) operations.set(name, op);
    }
    index = operations;
    lowerCaseOperations.set(service, index);
  }
  return index;
}

/** Finds an operation by its PascalCase name, or its boto3 snake_case / SDK camelCase spelling. */
export function findSdkOperation(service: SdkService, api: string): SdkOperation | undefined {
  const exact = service.operations.get(api);
  if (exact !== undefined) return exact;
  return byLowerCaseName(service).get(api.replace(/_/g, '').toLowerCase());
}
