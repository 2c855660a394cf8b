/**
 * The AWS JSON 1.0 / 1.1 protocol: `POST /` with `X-Amz-Target: <prefix>.<Operation>` and a JSON body;
 * responses are JSON with timestamps as epoch seconds; errors are `{"__type", "message"}` with the
 * `X-Amzn-ErrorType` header (botocore/SDK v3 JSON protocol parsers read either).
 */
import { ServiceError, isServiceError } from '../errors/service-error.js';

export type JsonVersion = '1.0' | '1.1';

export interface ErrorBody {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Serializes a result: Dates become epoch seconds, as the JSON protocol requires for timestamps. */
export function serializeResult(result: unknown): string {
  return JSON.stringify(result ?? {}, function (this: Record<string, unknown>, key: string, value: unknown) {
    // A Date reaches the replacer as its toJSON string: only strings need the look at the original member.
    if (typeof value !== 'string') return value;
    const original = this[key];
    return original instanceof Date ? original.getTime() / 1000 : value;
  });
}

export function contentType(version: JsonVersion): string {
  return `application/x-amz-json-${version}`;
}

/** Shapes any thrown value as an AWS error response; non-service errors become InternalServerError. */
export function errorResponse(error: unknown, version: JsonVersion): ErrorBody {
  const shaped = isServiceError(error)
    ? error
    : new ServiceError('InternalServerError', error instanceof Error ? error.message : String(error), { fault: 'server' });
  return {
    status: shaped.httpStatusCode,
    headers: { 'content-type': contentType(version), 'x-amzn-errortype': shaped.name },
    body: JSON.stringify({ __type: shaped.name, message: shaped.message }),
  };
}

/** Parses `X-Amz-Target`: `AmazonSSM.SendCommand` → `{ prefix: 'AmazonSSM', operation: 'SendCommand' }`. */
export function parseTarget(target: string | undefined): { prefix: string; operation: string } | undefined {
  if (target === undefined) return undefined;
  const dot = target.lastIndexOf('.');
  if (dot <= 0 || dot === target.length - 1) return undefined;
  return { prefix: target.slice(0, dot), operation: target.slice(dot + 1) };
}
