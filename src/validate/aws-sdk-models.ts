/**
 * The AWS SDK's service models, used to check that a runbook's `aws:executeAwsApi` (boto3 names) or a state
 * machine's `arn:aws:states:::aws-sdk:<service>:<action>` (SDK names) calls an API that exists, with
 * request members that exist. The models come from the `aws-sdk` v2 package's `apis/` folder (JSON data only;
 * the v2 runtime is never loaded).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** A shape of the SDK model (`aws-sdk` v2 `*.min.json`): types and required members, no length limits. */
export interface SdkShape {
  readonly type?: 'structure' | 'list' | 'map' | 'string' | 'integer' | 'long' | 'boolean' | 'timestamp' | 'blob' | 'float' | 'double';
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
  /** The request shape, with `shape` references resolvable through `SdkService.shapes`. */
  readonly input: SdkShape;
  /** Top-level request member names, as the API spells them. */
  readonly members: readonly string[];
  readonly required: readonly string[];
}

export interface SdkService {
  /** The aws-sdk metadata key, e.g. `stepfunctions`. */
  readonly key: string;
  /** e.g. `SFN`. */
  readonly serviceId: string;
  readonly operations: ReadonlyMap<string, SdkOperation>;
  readonly shapes: Readonly<Record<string, SdkShape>>;
}

interface MetadataEntry {
  readonly name: string;
  readonly prefix?: string;
}
interface ApiModel {
  readonly metadata: { readonly serviceId?: string; readonly endpointPrefix?: string };
  readonly operations: Record<string, { input?: SdkShape & { members?: Record<string, SdkShape>; required?: string[] } }>;
  readonly shapes?: Record<string, SdkShape>;
}

let apisDir: string | undefined;
let aliases: Map<string, string> | undefined;
const loaded = new Map<string, SdkService>();

function apis(): string {
  apisDir ??= join(dirname(createRequire(import.meta.url).resolve('aws-sdk/package.json')), 'apis');
  return apisDir;
}

/** Every spelling callers use for a service, mapped to the metadata key. */
function serviceAliases(): Map<string, string> {
  if (aliases !== undefined) return aliases;
  const metadata = JSON.parse(readFileSync(join(apis(), 'metadata.json'), 'utf8')) as Record<string, MetadataEntry>;
  aliases = new Map();
  for (const [key, entry] of Object.entries(metadata)) {
    const names = [key, entry.prefix ?? key, entry.name.toLowerCase()];
    for (const name of names) if (!aliases.has(name)) aliases.set(name, key);
  }
  // boto3 namespaces and SDK v3 client ids that differ from every v2 spelling.
  for (const [alias, key] of [
    ['sfn', 'stepfunctions'],
    ['logs', 'cloudwatchlogs'],
    ['events', 'cloudwatchevents'],
    ['elbv2', 'elbv2'],
    ['elb', 'elb'],
  ] as const) {
    if (metadata[key] !== undefined) aliases.set(alias, key);
  }
  return aliases;
}

let files: string[] | undefined;

/** The newest model file of a service, e.g. `ssm-2014-11-06.min.json`. */
function modelFile(prefix: string): string | undefined {
  files ??= readdirSync(apis());
  const pattern = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-\\d{4}-\\d{2}-\\d{2}\\.min\\.json$`);
  return files.filter((f) => pattern.test(f)).sort().at(-1);
}

/** Finds a service by any of its names (`stepfunctions`, `states`, `sfn`, `ssm`…), case-insensitively. */
export function findSdkService(name: string): SdkService | undefined {
  const key = serviceAliases().get(name.toLowerCase());
  if (key === undefined) return undefined;
  const cached = loaded.get(key);
  if (cached !== undefined) return cached;
  const metadata = JSON.parse(readFileSync(join(apis(), 'metadata.json'), 'utf8')) as Record<string, MetadataEntry>;
  const file = modelFile(metadata[key]?.prefix ?? key);
  if (file === undefined) return undefined;
  const model = JSON.parse(readFileSync(join(apis(), file), 'utf8')) as ApiModel;
  const operations = new Map<string, SdkOperation>();
  for (const [opName, op] of Object.entries(model.operations)) {
    operations.set(opName, {
      name: opName,
      input: op.input ?? { type: 'structure', members: {} },
      members: Object.keys(op.input?.members ?? {}),
      required: op.input?.required ?? [],
    });
  }
  const service: SdkService = { key, serviceId: model.metadata.serviceId ?? key, operations, shapes: model.shapes ?? {} };
  loaded.set(key, service);
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
