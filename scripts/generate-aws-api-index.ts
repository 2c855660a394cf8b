/**
 * `npm run generate:aws-api-index` writes src/validate/generated/aws-api-index.ts: the AWS API models that
 * validation and the local engine read, taken at development time from botocore's data (the service models boto3
 * and the AWS CLI use, updated with every AWS release) instead of shipping the `aws-sdk` v2 package (100 MB, in
 * maintenance mode, and missing the APIs added since). For every service: its names, and each operation with its
 * top-level request members (required ones marked); for the services the local engine serves, the request shapes
 * too (types, members, required members, and the length, range, pattern and enum constraints), for the front-end
 * checks of src/validate/request-shape.ts and src/engine/states/api-constraints.ts.
 * test/validate/aws-api-index-generated.test.ts fails when the committed file differs from what this machine's
 * botocore produces (when it is the version the file was generated from).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

export const GENERATED_FILE = fileURLToPath(new URL('../src/validate/generated/aws-api-index.ts', import.meta.url));

/**
 * Services whose request shapes are indexed: those the local engine answers (src/engine/local-engine.ts,
 * src/server/local-endpoint.ts) and checks requests for. Add a service here when the engine starts serving it.
 */
export const SHAPED_SERVICES = ['cloudformation', 'ssm', 'stepfunctions', 'sts'] as const;

/**
 * Spellings of the `aws-sdk` v2 package that botocore's names do not give and that still name a live service, kept
 * so that definitions that used them keep validating.
 */
const LEGACY_ALIASES: Readonly<Record<string, string>> = { cloudwatchevents: 'events' };

export interface Botocore {
  readonly version: string;
  /** The `data` folder: `<service>/<api-version>/service-2.json[.gz]`. */
  readonly dataDir: string;
}

/** The botocore python3 imports on this machine, or undefined when there is none. */
export function findBotocore(): Botocore | undefined {
  try {
    const out = execFileSync('python3', ['-c', 'import botocore, os; print(botocore.__version__); print(os.path.dirname(botocore.__file__))'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const [version, dir] = out.trim().split('\n');
    if (version === undefined || dir === undefined) return undefined;
    const dataDir = join(dir, 'data');
    return existsSync(dataDir) ? { version, dataDir } : undefined;
  } catch {
    return undefined;
  }
}

interface BotocoreShape {
  readonly type: string;
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
  readonly enum?: readonly string[];
  readonly members?: Record<string, { readonly shape: string }>;
  readonly required?: readonly string[];
  readonly member?: { readonly shape: string };
  readonly key?: { readonly shape: string };
  readonly value?: { readonly shape: string };
}
interface BotocoreModel {
  readonly metadata: { readonly serviceId: string; readonly endpointPrefix?: string; readonly signingName?: string };
  readonly operations: Record<string, { readonly input?: { readonly shape: string } }>;
  readonly shapes: Record<string, BotocoreShape>;
}

/** A shape as the index keeps it: members and list/map parts by shape name, and the constraints AWS checks. */
type IndexShape = {
  readonly type: string;
  members?: Record<string, string>;
  required?: readonly string[];
  member?: string;
  key?: string;
  value?: string;
  min?: number;
  max?: number;
  pattern?: string;
  enum?: readonly string[];
};

/** The newest API version's model of a service (as botocore stores it, whatever the index keeps of it). */
export function readModel<Model = BotocoreModel>(serviceDir: string): Model | undefined {
  const versions = readdirSync(serviceDir)
    .filter((v) => statSync(join(serviceDir, v)).isDirectory())
    .sort();
  const newest = versions.at(-1);
  if (newest === undefined) return undefined;
  const gz = join(serviceDir, newest, 'service-2.json.gz');
  if (existsSync(gz)) return JSON.parse(gunzipSync(readFileSync(gz)).toString('utf8')) as Model;
  const plain = join(serviceDir, newest, 'service-2.json');
  return existsSync(plain) ? (JSON.parse(readFileSync(plain, 'utf8')) as Model) : undefined;
}

/** The shapes reachable from the operations' requests, with only what request checks read. */
function requestShapes(model: BotocoreModel): Record<string, IndexShape> {
  const shapes: Record<string, IndexShape> = {};
  const visit = (name: string): void => {
    if (Object.hasOwn(shapes, name)) return;
    const s = model.shapes[name];
    if (s === undefined) throw new Error(`botocore model refers to a missing shape '${name}'`);
    const shape: IndexShape = { type: s.type };
    shapes[name] = shape;
    // Length, range, pattern and enum: AWS's front end checks them before the operation runs.
    for (const constraint of ['min', 'max', 'pattern', 'enum'] as const) if (s[constraint] !== undefined) Object.assign(shape, { [constraint]: s[constraint] });
    if (s.type === 'structure') {
      shape.members = Object.fromEntries(Object.entries(s.members ?? {}).map(([member, ref]) => [member, ref.shape]));
      if (s.required !== undefined && s.required.length > 0) shape.required = s.required;
      for (const ref of Object.values(s.members ?? {})) visit(ref.shape);
    } else if (s.type === 'list' && s.member !== undefined) {
      shape.member = s.member.shape;
      visit(s.member.shape);
    } else if (s.type === 'map' && s.key !== undefined && s.value !== undefined) {
      shape.key = s.key.shape;
      shape.value = s.value.shape;
      visit(s.key.shape);
      visit(s.value.shape);
    }
  };
  for (const op of Object.values(model.operations)) if (op.input !== undefined) visit(op.input.shape);
  return Object.fromEntries(Object.entries(shapes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** `CloudWatch Logs` → `cloudwatchlogs`, the name Step Functions' `aws-sdk:` resources and the SDKs' clients use. */
function compactServiceId(serviceId: string): string {
  return serviceId.replace(/[\s-]/g, '').toLowerCase();
}

export function awsApiIndexModule(botocore: Botocore): string {
  const services = readdirSync(botocore.dataDir)
    .filter((name) => statSync(join(botocore.dataDir, name)).isDirectory())
    .sort();
  const entries: string[] = [];
  // Tiers, so that a service's own name always wins over another service's endpoint prefix (elb and elbv2 share
  // `elasticloadbalancing`): boto3 names, then service ids, then endpoint prefixes and signing names.
  const tiers: Array<Array<[string, string]>> = [[], [], []];
  for (const name of services) {
    const model = readModel(join(botocore.dataDir, name));
    if (model === undefined) continue;
    const { serviceId, endpointPrefix, signingName } = model.metadata;
    tiers[0]!.push([name, name]);
    tiers[1]!.push([compactServiceId(serviceId), name], [serviceId.toLowerCase().replace(/\s+/g, '-'), name]);
    for (const alias of [endpointPrefix, signingName]) if (alias !== undefined) tiers[2]!.push([alias.toLowerCase(), name]);
    const operations: Record<string, string[]> = {};
    const inputs: Record<string, string> = {};
    for (const [op, definition] of Object.entries(model.operations)) {
      const input = definition.input === undefined ? undefined : model.shapes[definition.input.shape];
      const required = new Set(input?.required ?? []);
      operations[op] = Object.keys(input?.members ?? {}).map((member) => `${required.has(member) ? '!' : ''}${member}`);
      if (definition.input !== undefined) inputs[op] = definition.input.shape;
    }
    const shaped = (SHAPED_SERVICES as readonly string[]).includes(name);
    const service = { serviceId, operations, ...(shaped ? { inputs, shapes: requestShapes(model) } : {}) };
    entries.push(`  [${JSON.stringify(name)}, ${JSON.stringify(JSON.stringify(service))}],`);
  }
  for (const name of SHAPED_SERVICES) if (!services.includes(name)) throw new Error(`botocore has no service '${name}'`);
  const aliases = new Map<string, string>();
  for (const tier of tiers) for (const [alias, name] of tier) if (!aliases.has(alias)) aliases.set(alias, name);
  for (const [alias, name] of Object.entries(LEGACY_ALIASES)) if (services.includes(name) && !aliases.has(alias)) aliases.set(alias, name);
  const aliasList = [...aliases].filter(([alias, name]) => alias !== name).sort(([a], [b]) => (a < b ? -1 : 1));
  return [
    `// Generated by scripts/generate-aws-api-index.ts (npm run generate:aws-api-index) from the service models of`,
    `// botocore ${botocore.version} (Apache-2.0, Copyright Amazon.com, Inc. or its affiliates). Do not edit.`,
    '',
    `/** The botocore release the index was generated from. */`,
    `export const BOTOCORE_VERSION = ${JSON.stringify(botocore.version)};`,
    '',
    '/**',
    ' * Every service by its boto3 name, with its model as JSON text (parsed on first use): `serviceId`, `operations`',
    ' * (operation → top-level request members, `!` before a required one) and, for the services the local engine',
    ' * serves, `inputs` (operation → request shape) and `shapes` (the request shapes).',
    ' */',
    'export const SERVICE_MODELS: ReadonlyArray<readonly [string, string]> = [',
    ...entries,
    '];',
    '',
    '/** Other names of the services (service ids, endpoint prefixes, signing names), lower case, to boto3 names. */',
    'export const SERVICE_ALIASES: ReadonlyArray<readonly [string, string]> = [',
    ...aliasList.map(([alias, name]) => `  [${JSON.stringify(alias)}, ${JSON.stringify(name)}],`),
    '];',
    '',
  ].join('\n');
}

/** Writes a module generated from this machine's botocore: the generators' command. */
export function writeFromBotocore(file: string, generate: (botocore: Botocore) => string): void {
  const botocore = findBotocore();
  if (botocore === undefined) throw new Error('botocore is not installed for python3 (pip install botocore): it is the source of the API models');
  writeFileSync(file, generate(botocore));
  process.stdout.write(`wrote ${file} from botocore ${botocore.version}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) writeFromBotocore(GENERATED_FILE, awsApiIndexModule);
