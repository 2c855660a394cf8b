/**
 * Errors the local services return, named exactly as AWS names them, so that the AWS SDK turns the wire
 * `__type` back into its own error classes (aws-sdk-js-v3 `clients/client-ssm/src/models/errors.ts`).
 */
const BRAND = Symbol.for('shellstep.ServiceError');

export type Fault = 'client' | 'server';

export class ServiceError extends Error {
  /** The AWS error code, e.g. `InvalidInstanceId`. */
  override readonly name: string;
  readonly $fault: Fault;
  readonly httpStatusCode: number;

  constructor(name: string, message: string, options: { fault?: Fault; httpStatusCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = name;
    this.$fault = options.fault ?? 'client';
    this.httpStatusCode = options.httpStatusCode ?? (this.$fault === 'client' ? 400 : 500);
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** Works across module copies, unlike `instanceof`. */
export function isServiceError(value: unknown): value is ServiceError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
