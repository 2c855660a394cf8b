/**
 * The response shapes of the AWS APIs, with their constraints (types, required members, length and value ranges,
 * enum values): what TestState checks a mocked Task result against. Generated at development time from botocore's
 * models (generated/aws-api-outputs.ts), inflated one service at a time on first use.
 */
import { inflateRawSync } from 'node:zlib';

/** A shape as botocore models it, with only what result validation reads. References are `#Name` or a primitive type. */
export interface OutputShape {
  readonly type: 'structure' | 'list' | 'map' | 'string' | 'integer' | 'long' | 'float' | 'double' | 'boolean' | 'timestamp' | 'blob' | 'document' | 'union';
  readonly members?: Readonly<Record<string, string>>;
  readonly required?: readonly string[];
  /** The member that is the HTTP payload of the response (a Lambda Invoke's `Payload`). */
  readonly payload?: string;
  readonly member?: string;
  readonly key?: string;
  readonly value?: string;
  readonly min?: number;
  readonly max?: number;
  readonly enum?: readonly string[];
}

/** One service's operations (operation → output shape reference) and named shapes. */
export interface ServiceOutputs {
  readonly outputs: Readonly<Record<string, string>>;
  readonly shapes: Readonly<Record<string, OutputShape>>;
}

/** An operation's response: its shape and a way to resolve the references in it. */
export interface OutputModel {
  readonly shape: OutputShape;
  resolve(reference: string): OutputShape;
}

let encoded: Map<string, string> | undefined;
const inflated = new Map<string, ServiceOutputs>();

async function serviceOutputs(service: string): Promise<ServiceOutputs | undefined> {
  const cached = inflated.get(service);
  if (cached !== undefined) return cached;
  // Loaded on first use: 2 MB of encoded models that only TestState's mock validation reads.
  encoded ??= new Map((await import('./generated/aws-api-outputs.js')).SERVICE_OUTPUTS);
  const data = encoded.get(service);
  if (data === undefined) return undefined;
  const outputs = JSON.parse(inflateRawSync(Buffer.from(data, 'base64')).toString('utf8')) as ServiceOutputs;
  inflated.set(service, outputs);
  return outputs;
}

/** The response model of `operation` of `service` (its boto3 name), or undefined when either is unknown. */
export async function outputModel(service: string, operation: string): Promise<OutputModel | undefined> {
  const outputs = await serviceOutputs(service);
  if (outputs === undefined || !Object.hasOwn(outputs.outputs, operation)) return undefined;
  const resolve = (reference: string): OutputShape =>
    reference.startsWith('#') ? (outputs.shapes[reference.slice(1)] ?? { type: 'document' }) : { type: reference as OutputShape['type'] };
  return { shape: resolve(outputs.outputs[operation]!), resolve };
}
