/**
 * A state machine's `loggingConfiguration`, `tracingConfiguration` and `encryptionConfiguration` as the API takes and
 * returns them. Logging: "destinations ... Limited to size 1. Required, if your log level is not set to OFF"
 * (API_LoggingConfiguration.html), refused with "Invalid Logging Configuration: Must specify exactly one Log
 * Destination." (recorded, on create and update); `destinations` is returned only when it was given (recorded:
 * `[]` when created with `destinations: []`, absent otherwise). The local engine writes no logs.
 */
import { ServiceError } from '../../errors/service-error.js';

export interface LogDestination {
  readonly cloudWatchLogsLogGroup?: { readonly logGroupArn?: string };
}

export interface LoggingConfiguration {
  readonly level: 'ALL' | 'ERROR' | 'FATAL' | 'OFF';
  readonly includeExecutionData: boolean;
  readonly destinations?: readonly LogDestination[];
}

export interface TracingConfiguration {
  readonly enabled: boolean;
}

export interface EncryptionConfiguration {
  readonly type: 'AWS_OWNED_KEY' | 'CUSTOMER_MANAGED_KMS_KEY';
  readonly kmsKeyId?: string;
  readonly kmsDataKeyReusePeriodSeconds?: number;
}

/** The configuration of a state machine created without one: level OFF, no execution data. */
export const DEFAULT_LOGGING: LoggingConfiguration = Object.freeze({ level: 'OFF', includeExecutionData: false });
export const DEFAULT_TRACING: TracingConfiguration = Object.freeze({ enabled: false });
/** "type: AWS_OWNED_KEY" is returned for every state machine and activity created without one (recorded since late 2024). */
export const DEFAULT_ENCRYPTION: EncryptionConfiguration = Object.freeze({ type: 'AWS_OWNED_KEY' });

/** Validates a requested logging configuration and fills in the defaults. */
export function loggingConfiguration(input: Partial<LoggingConfiguration> | undefined): LoggingConfiguration {
  if (input === undefined) return DEFAULT_LOGGING;
  const level = input.level ?? 'OFF';
  const destinations = input.destinations;
  if (destinations !== undefined && destinations.length > 1) throw invalidLogging('Must specify exactly one Log Destination.');
  if (level !== 'OFF' && (destinations === undefined || destinations.length !== 1)) throw invalidLogging('Must specify exactly one Log Destination.');
  const out: { level: LoggingConfiguration['level']; includeExecutionData: boolean; destinations?: readonly LogDestination[] } = {
    level,
    includeExecutionData: input.includeExecutionData ?? false,
  };
  if (destinations !== undefined) out.destinations = destinations.map((d) => ({ ...d }));
  return out;
}

export function tracingConfiguration(input: Partial<TracingConfiguration> | undefined): TracingConfiguration {
  return input === undefined ? DEFAULT_TRACING : { enabled: input.enabled ?? false };
}

export function encryptionConfiguration(input: Partial<EncryptionConfiguration> | undefined): EncryptionConfiguration {
  if (input === undefined) return DEFAULT_ENCRYPTION;
  const type = input.type ?? 'AWS_OWNED_KEY';
  // "if type is set to CUSTOMER_MANAGED_KMS_KEY, but kmsKeyId is null" (InvalidEncryptionConfiguration, API reference).
  if (type === 'CUSTOMER_MANAGED_KMS_KEY' && input.kmsKeyId === undefined) {
    throw new ServiceError('InvalidEncryptionConfiguration', 'Invalid Encryption Configuration: kmsKeyId must be provided when type is CUSTOMER_MANAGED_KMS_KEY.');
  }
  if (type === 'AWS_OWNED_KEY' && (input.kmsKeyId !== undefined || input.kmsDataKeyReusePeriodSeconds !== undefined)) {
    throw new ServiceError('InvalidEncryptionConfiguration', 'Invalid Encryption Configuration: kmsKeyId and kmsDataKeyReusePeriodSeconds apply only to CUSTOMER_MANAGED_KMS_KEY.');
  }
  const out: { type: EncryptionConfiguration['type']; kmsKeyId?: string; kmsDataKeyReusePeriodSeconds?: number } = { type };
  if (input.kmsKeyId !== undefined) out.kmsKeyId = input.kmsKeyId;
  if (type === 'CUSTOMER_MANAGED_KMS_KEY') out.kmsDataKeyReusePeriodSeconds = input.kmsDataKeyReusePeriodSeconds ?? 300;
  return out;
}

/** Whether two configurations are the same (for idempotent creates and revision changes). */
export function sameConfiguration(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'undefined';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const record = value as Record<string, unknown>;
  return `{${Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort()
    .map((k) => `${k}:${canonical(record[k])}`)
    .join(',')}}`;
}

function invalidLogging(detail: string): ServiceError {
  return new ServiceError('InvalidLoggingConfiguration', `Invalid Logging Configuration: ${detail}`);
}
