/**
 * `npm run generate:aws-api-outputs` writes src/validate/generated/aws-api-outputs.ts: the response shapes of every
 * operation of every AWS service, with the constraints TestState checks a mocked result against (types, required
 * members, length and value ranges, enum values), from botocore's service models. TestState's
 * `mock.fieldValidationMode` validates "mocked results against their respective API models" (API_MockInput.html),
 * for any service a Task may call, so every service is kept: about 10 MB of JSON, stored deflated and base64-encoded
 * per service (2 MB) and inflated one service at a time on first use.
 * test/validate/aws-api-outputs-generated.test.ts fails when the committed file differs from what this machine's
 * botocore produces (when it is the version the file was generated from).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateRawSync, gunzipSync } from 'node:zlib';
import type { OutputShape, ServiceOutputs } from '../src/validate/aws-api-outputs.js';

export const GENERATED_FILE = fileURLToPath(new URL('../src/validate/generated/aws-api-outputs.ts', import.meta.url));

export interface Botocore {
  readonly version: string;
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

interface BotocoreRef {
  readonly shape: string;
}
interface BotocoreShape {
  readonly type: string;
  readonly members?: Record<string, BotocoreRef>;
  readonly required?: readonly string[];
  readonly member?: BotocoreRef;
  readonly key?: BotocoreRef;
  readonly value?: BotocoreRef;
  readonly min?: number;
  readonly max?: number;
  readonly enum?: readonly string[];
  readonly payload?: string;
}
interface BotocoreModel {
  readonly operations: Record<string, { readonly output?: BotocoreRef }>;
  readonly shapes: Record<string, BotocoreShape>;
}

function readModel(serviceDir: string): BotocoreModel | undefined {
  const newest = readdirSync(serviceDir)
    .filter((v) => statSync(join(serviceDir, v)).isDirectory())
    .sort()
    .at(-1);
  if (newest === undefined) return undefined;
  const gz = join(serviceDir, newest, 'service-2.json.gz');
  if (existsSync(gz)) return JSON.parse(gunzipSync(readFileSync(gz)).toString('utf8')) as BotocoreModel;
  const plain = join(serviceDir, newest, 'service-2.json');
  return existsSync(plain) ? (JSON.parse(readFileSync(plain, 'utf8')) as BotocoreModel) : undefined;
}

const PRIMITIVES = new Set(['string', 'integer', 'long', 'float', 'double', 'boolean', 'timestamp', 'blob']);

/** A service's response shapes: a primitive without constraints is written as its type name, others as `#Name`. */
export function serviceOutputs(model: BotocoreModel): ServiceOutputs {
  const shapes: Record<string, OutputShape> = {};
  const ref = (name: string): string => {
    const s = model.shapes[name];
    if (s === undefined) throw new Error(`botocore model refers to a missing shape '${name}'`);
    if (PRIMITIVES.has(s.type) && s.min === undefined && s.max === undefined && (s.enum ?? []).length === 0) return s.type;
    visit(name, s);
    return `#${name}`;
  };
  const visit = (name: string, s: BotocoreShape): void => {
    if (Object.hasOwn(shapes, name)) return;
    const shape: { -readonly [K in keyof OutputShape]: OutputShape[K] } = { type: s.type as OutputShape['type'] };
    shapes[name] = shape;
    if (s.min !== undefined) shape.min = s.min;
    if (s.max !== undefined) shape.max = s.max;
    if (s.enum !== undefined && s.enum.length > 0) shape.enum = s.enum;
    if (s.members !== undefined) {
      shape.members = Object.fromEntries(Object.entries(s.members).map(([member, r]) => [member, ref(r.shape)]));
      if (s.required !== undefined && s.required.length > 0) shape.required = s.required;
      if (s.payload !== undefined) shape.payload = s.payload;
    }
    if (s.member !== undefined) shape.member = ref(s.member.shape);
    if (s.key !== undefined) shape.key = ref(s.key.shape);
    if (s.value !== undefined) shape.value = ref(s.value.shape);
  };
  const outputs: Record<string, string> = {};
  for (const [op, definition] of Object.entries(model.operations)) if (definition.output !== undefined) outputs[op] = ref(definition.output.shape);
  return { outputs, shapes };
}

export function awsApiOutputsModule(botocore: Botocore): string {
  const entries: string[] = [];
  for (const name of readdirSync(botocore.dataDir).sort()) {
    if (!statSync(join(botocore.dataDir, name)).isDirectory()) continue;
    const model = readModel(join(botocore.dataDir, name));
    if (model === undefined) continue;
    const text = JSON.stringify(serviceOutputs(model));
    entries.push(`  [${JSON.stringify(name)}, ${JSON.stringify(deflateRawSync(text, { level: 9 }).toString('base64'))}],`);
  }
  return [
    `// Generated by scripts/generate-aws-api-outputs.ts (npm run generate:aws-api-outputs) from the service models of`,
    `// botocore ${botocore.version} (Apache-2.0, Copyright Amazon.com, Inc. or its affiliates). Do not edit.`,
    '',
    `/** The botocore release the outputs were generated from. */`,
    `export const OUTPUTS_BOTOCORE_VERSION = ${JSON.stringify(botocore.version)};`,
    '',
    '/** Every service by its boto3 name, with its `ServiceOutputs` as deflated (raw), base64-encoded JSON text. */',
    'export const SERVICE_OUTPUTS: ReadonlyArray<readonly [string, string]> = [',
    ...entries,
    '];',
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const botocore = findBotocore();
  if (botocore === undefined) throw new Error('botocore is not installed for python3 (pip install botocore): it is the source of the API models');
  writeFileSync(GENERATED_FILE, awsApiOutputsModule(botocore));
  process.stdout.write(`wrote ${GENERATED_FILE} from botocore ${botocore.version}\n`);
}
