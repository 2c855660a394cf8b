/**
 * The AWS query protocol, for the CloudFormation subset: form-encoded `Action=CreateStack&Version=…` requests
 * (lists as `Name.member.N`), XML responses `<ActionResponse><ActionResult>…` and XML errors
 * `<ErrorResponse><Error><Type/><Code/><Message/></Error>` (botocore's query parser reads these).
 */
import { randomUUID } from 'node:crypto';
import { isServiceError, ServiceError } from '../errors/service-error.js';
import { findSdkService } from '../validate/aws-sdk-models.js';
import type { QueryService, RequestContext } from './server.js';

const CLOUDFORMATION_NAMESPACE = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';


/** List members are numbered from 1; no CloudFormation list holds more than a few hundred (200 parameters, 200 resources to import). */
const MAX_MEMBER_INDEX = 1000;
/** Names that would reach Object.prototype through a plain object. */
const UNSAFE_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

function malformed(key: string): ServiceError {
  return new ServiceError('ValidationError', `Malformed query parameter name: ${key.length > 100 ? `${key.slice(0, 100)}…` : key}`);
}

/**
 * `Parameters.member.1.ParameterKey=A` → `{ Parameters: [{ ParameterKey: 'A' }] }`. A name that reaches into
 * Object.prototype, numbers a member out of range, or goes inside a plain value is refused: it could otherwise
 * pollute every object of the process, or make a sparse list of billions of holes.
 */
export function decodeQuery(params: URLSearchParams): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of params) {
    if (key === 'Action' || key === 'Version') continue;
    const parts = key.split('.');
    if (parts.some((part) => UNSAFE_NAMES.has(part))) throw malformed(key);
    let node: Record<string, unknown> | unknown[] = root;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      const last = i === parts.length - 1;
      if (part === 'member' && Array.isArray(node)) continue;
      const childIsList = parts[i + 1] === 'member';
      let slot: string | number = part;
      if (Array.isArray(node)) {
        if (!/^[1-9][0-9]{0,3}$/.test(part) || Number(part) > MAX_MEMBER_INDEX) throw malformed(key);
        slot = Number(part) - 1;
      }
      const holder = node as Record<string | number, unknown>;
      if (last) {
        holder[slot] = value;
        break;
      }
      const child = (holder[slot] ??= childIsList ? [] : {});
      if (typeof child !== 'object' || child === null) throw malformed(key);
      node = child as Record<string, unknown> | unknown[];
    }
  }
  return root;
}

function escape(text: string): string {
  return (
    text
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      // Characters XML 1.0 cannot carry at all (control characters, lone surrogates) would make the whole response
      // unreadable to the client's parser; they become U+FFFD. Carriage returns are kept, as a character reference.
      .replace(/\r/g, '&#13;')
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
  );
}

function toXml(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => `<member>${toXml(v)}</member>`).join('');
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `<${k}>${toXml(v)}</${k}>`)
      .join('');
  }
  return escape(String(value));
}

export type QueryOperation = (input: Record<string, unknown>, context: RequestContext) => Promise<unknown>;

export interface QueryServiceOptions {
  /** The XML namespace of responses. Default CloudFormation's. */
  readonly namespace?: string;
  /** The SigV4 signing name (credential scope service). Default `cloudformation`. */
  readonly signingName?: string;
  /** The API model (`sts`): an action it has but the table lacks is named as unsupported, not as unknown. */
  readonly model?: string;
}

/** A query-protocol service over a table of operations. */
export function queryService(operations: Readonly<Record<string, QueryOperation>>, options: QueryServiceOptions = {}): QueryService {
  const namespace = options.namespace ?? CLOUDFORMATION_NAMESPACE;
  return {
    signingName: options.signingName ?? 'cloudformation',
    async handle(params, context) {
      const action = params.get('Action') ?? '';
      const requestId = randomUUID();
      try {
        const operation = Object.hasOwn(operations, action) ? operations[action] : undefined;
        if (operation === undefined) {
          const real = options.model !== undefined && findSdkService(options.model)?.operations.has(action) === true;
          throw new ServiceError(
            'InvalidAction',
            real ? `${action} is a real operation that the shellstep local engine does not support.` : `The action ${action || '(none)'} is not valid for this web service.`,
          );
        }
        const result = await operation(decodeQuery(params), context);
        const body = `<${action}Response xmlns="${namespace}"><${action}Result>${toXml(result)}</${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
        return { status: 200, body };
      } catch (error) {
        return queryErrorResponse(error, requestId, namespace);
      }
    },
  };
}

/** Any thrown value as a query-protocol `<ErrorResponse>`; non-service errors become InternalFailure. */
export function queryErrorResponse(error: unknown, requestId: string = randomUUID(), namespace = CLOUDFORMATION_NAMESPACE): { status: number; body: string } {
  const shaped = isServiceError(error) ? error : new ServiceError('InternalFailure', (error as Error).message, { fault: 'server' });
  const type = shaped.$fault === 'client' ? 'Sender' : 'Receiver';
  const body = `<ErrorResponse xmlns="${namespace}"><Error><Type>${type}</Type><Code>${escape(shaped.name)}</Code><Message>${escape(shaped.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  return { status: shaped.httpStatusCode, body };
}
