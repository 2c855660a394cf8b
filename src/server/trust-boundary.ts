/**
 * The endpoint's trust boundary: which requests it serves at all. `serve` runs shell commands on request, so a page in
 * the user's browser must not be able to reach it:
 * - Host: only loopback names and addresses, names allowed with `--allow-host`, and the address it is bound to. A
 *   DNS-rebinding page reaches 127.0.0.1 under its own name (`Host: attacker.example`) and is refused.
 * - Origin: none (every SDK, the AWS CLI, boto3), or an allowed one: by default only the endpoint's own origin, for a
 *   page `serve` itself serves. A cross-site form POST carries its page's origin and is refused.
 * - Authorization: every AWS API request carries a SigV4 `Authorization` header, as every SDK, the AWS CLI and boto3
 *   send; a browser cannot add one cross-origin without a preflight, which gets no CORS grant. With verification on,
 *   the signature is checked against the credential registry (`@smithy/signature-v4` computes it) and the request date
 *   must be within AWS's 5 minutes of now.
 * Refusals carry the error AWS gives, per protocol (docs/security.md lists them with their sources).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AccessKey, Principal } from '../engine/iam/credential-registry.js';
import { ServiceError } from '../errors/service-error.js';
import { BoundedCache } from '../engine/bounded-cache.js';

/** The AWS protocol a request speaks, which decides how a refusal is shaped. */
export type Protocol = 'json' | 'query';

/** The parsed SigV4 credential scope: `Credential=<AccessKeyId>/<date>/<region>/<service>/aws4_request`. */
export interface CredentialScope {
  readonly accessKeyId: string;
  /** YYYYMMDD. */
  readonly date: string;
  readonly region: string;
  readonly service: string;
}

/** Who sent a request that passed the boundary. */
export interface Caller {
  readonly scope: CredentialScope;
  /** The registered principal of the access key, when the registry knows it (verified or not). */
  readonly principal?: Principal;
  /** True when the signature was checked against the registry's secret. */
  readonly verified: boolean;
}

export interface CredentialLookup {
  get(accessKeyId: string): AccessKey | undefined;
}

export interface TrustBoundaryOptions {
  /** Host names allowed beside loopback (`--allow-host`): exact names, or `*.example.com` for its subdomains. */
  readonly allowHosts?: readonly string[];
  /** Origins allowed beside the endpoint's own (`--allow-origin`): `https://app.example:8443`, or `*` for any. */
  readonly allowOrigins?: readonly string[];
  /** Check signatures against `credentials` (`--credentials`; always on for a non-loopback binding). */
  readonly verifySignatures?: boolean;
  readonly credentials?: CredentialLookup;
  /** Wall-clock time for the 5-minute skew rule (the engine's clock may run fast). Default Date.now. */
  readonly now?: () => number;
}

// ------------------------------------------------------------------------------------------------ refusals

type RefusalKind = 'forbidden' | 'missing' | 'incomplete' | 'unknown-key' | 'bad-signature';

/**
 * AWS's errors per protocol. JSON (Coral) services answer 400 with `MissingAuthenticationTokenException`,
 * `IncompleteSignatureException`, `UnrecognizedClientException` and `InvalidSignatureException` (recorded from
 * DynamoDB and SSM in aws-sdk issue threads: "Status Code: 400; Error Code: UnrecognizedClientException"); query
 * services (STS, CloudFormation) answer `MissingAuthenticationToken` 403, `IncompleteSignature` 400,
 * `InvalidClientTokenId` 403 and `SignatureDoesNotMatch` 403 (the Common Errors page of each query API; recorded STS
 * bodies). Host and Origin refusals are the endpoint's own (AWS has no such check): `AccessDenied…`, 403.
 */
const CODES: Readonly<Record<RefusalKind, Readonly<Record<Protocol, readonly [string, number]>>>> = {
  forbidden: { json: ['AccessDeniedException', 403], query: ['AccessDenied', 403] },
  missing: { json: ['MissingAuthenticationTokenException', 400], query: ['MissingAuthenticationToken', 403] },
  incomplete: { json: ['IncompleteSignatureException', 400], query: ['IncompleteSignature', 400] },
  'unknown-key': { json: ['UnrecognizedClientException', 400], query: ['InvalidClientTokenId', 403] },
  'bad-signature': { json: ['InvalidSignatureException', 400], query: ['SignatureDoesNotMatch', 403] },
};

/** A refused request: the same refusal reads differently on the JSON and the query protocol. */
export class Refusal {
  constructor(
    readonly kind: RefusalKind,
    readonly message: string,
  ) {}

  toError(protocol: Protocol): ServiceError {
    const [code, status] = CODES[this.kind][protocol];
    return new ServiceError(code, this.message, { httpStatusCode: status });
  }
}

const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const INVALID_TOKEN = 'The security token included in the request is invalid.';

// ------------------------------------------------------------------------------------------------ Host and Origin

/** A Host header value that no URL could produce (userinfo, path, spaces) is never a host name. */
const HOST_CHARS = /^[A-Za-z0-9._~\-[\]:%]+$/;

/** The host name of a `Host` header or origin, canonical as a browser sends it (IPv4 dotted, IPv6 compressed), or undefined. */
function hostnameOf(authority: string): string | undefined {
  if (!HOST_CHARS.test(authority)) return undefined;
  try {
    const url = new URL(`http://${authority}/`);
    return url.hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

function isLoopbackName(hostname: string): boolean {
  if (hostname === 'localhost' || hostname.endsWith('.localhost')) return true; // RFC 6761 §6.3
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)) return true; // 127.0.0.0/8
  if (hostname === '[::1]') return true;
  // IPv4-mapped 127.0.0.0/8, as the URL parser writes it: [::ffff:7f00:1].
  return /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(hostname);
}

function isWildcardAddress(address: string): boolean {
  return address === '0.0.0.0' || address === '::' || address === '[::]';
}

function matchesAllowed(hostname: string, allowed: readonly string[]): boolean {
  for (const entry of allowed) {
    const name = entry.toLowerCase();
    if (name.startsWith('*.') ? hostname.endsWith(name.slice(1)) : hostname === name) return true;
  }
  return false;
}

// ------------------------------------------------------------------------------------------------ SigV4 form

interface ParsedAuthorization {
  readonly scope: CredentialScope;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
/** `X-Amz-Date`: ISO 8601 basic format, as SigV4 requires. */
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
/** AWS refuses requests signed more than 5 minutes from its clock ("Signature expired: … (… - 5 min.)"). */
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function amzDate(text: string | undefined): Date | undefined {
  const m = text === undefined ? null : AMZ_DATE.exec(text);
  if (m === null) return undefined;
  const date = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function basic(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/**
 * Parses `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…` the way AWS checks its form, with AWS's
 * IncompleteSignature messages ("Authorization header requires 'Credential' parameter. …", "'x' not a valid
 * key=value pair (missing equal-sign) in Authorization header: '…'", quoted in aws-sdk issue threads).
 */
export function parseAuthorization(value: string, hasDate: boolean): ParsedAuthorization | Refusal {
  const missing = (found: Record<string, string>): Refusal => {
    const problems = ['Credential', 'Signature', 'SignedHeaders'].filter((k) => found[k] === undefined).map((k) => `Authorization header requires '${k}' parameter.`);
    if (!hasDate) problems.push("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
    return new Refusal('incomplete', `${problems.join(' ')} Authorization=${value}`);
  };
  const space = value.indexOf(' ');
  const algorithm = space < 0 ? value : value.slice(0, space);
  if (algorithm !== ALGORITHM) return missing({});
  const found: Record<string, string> = {};
  for (const raw of value.slice(space + 1).split(',')) {
    const part = raw.trim();
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq < 0) return new Refusal('incomplete', `'${part}' not a valid key=value pair (missing equal-sign) in Authorization header: '${value}'.`);
    found[part.slice(0, eq)] = part.slice(eq + 1);
  }
  const credential = found['Credential'];
  const signedHeaders = found['SignedHeaders'];
  const signature = found['Signature'];
  if (credential === undefined || signedHeaders === undefined || signature === undefined || !hasDate) return missing(found);
  const parts = credential.split('/');
  if (parts.length !== 5 || parts.some((p) => p === '')) {
    return new Refusal('incomplete', `Credential should be scoped with a valid terminator: 'aws4_request', not '${parts.at(-1) ?? ''}'. Authorization=${value}`);
  }
  const [accessKeyId, date, region, service, terminator] = parts as [string, string, string, string, string];
  if (terminator !== 'aws4_request') return new Refusal('incomplete', `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'.`);
  if (!/^\d{8}$/.test(date)) return new Refusal('incomplete', `Credential should be scoped to a valid date, not '${date}'. Authorization=${value}`);
  if (!/^[0-9a-f]{64}$/.test(signature)) return new Refusal('incomplete', `Signature must be 64 lower-case hexadecimal characters. Authorization=${value}`);
  const names = signedHeaders.split(';');
  if (names.some((n) => n === '' || n !== n.toLowerCase())) {
    return new Refusal('incomplete', `SignedHeaders must be lower-case header names separated by ';', not '${signedHeaders}'. Authorization=${value}`);
  }
  return { scope: { accessKeyId, date, region, service }, signedHeaders: names, signature };
}

// ------------------------------------------------------------------------------------------------ verification

type SourceData = string | ArrayBuffer | ArrayBufferView;

function bytes(data: SourceData): string | Uint8Array {
  if (typeof data === 'string') return data;
  return ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
}

/** The node:crypto SHA-256 (HMAC when given a key) in the shape `@smithy/signature-v4` takes. */
export class Sha256 {
  readonly #hash: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
  constructor(secret?: SourceData) {
    this.#hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.#hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return this.#hash.digest();
  }
}

export interface SignedRequest {
  readonly method: string;
  /** Path and query as received (`/`, `/?a=b`). */
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

/** Recomputes the signature of `request` with `key` and compares it with the one sent. */
async function signatureMatches(request: SignedRequest, parsed: ParsedAuthorization, key: AccessKey, date: Date): Promise<boolean> {
  const url = new URL(request.url, 'http://signed');
  const headers: Record<string, string> = {};
  for (const name of parsed.signedHeaders) {
    const value = request.headers[name];
    if (value === undefined) return false;
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of url.searchParams) {
    const known = query[name];
    query[name] = known === undefined ? value : [...(Array.isArray(known) ? known : [known]), value];
  }
  // A signed payload hash must be the body's: the signature covers the header, not the bytes.
  const declared = headers['x-amz-content-sha256'];
  if (declared !== undefined && declared !== createHash('sha256').update(request.body).digest('hex')) return false;
  const token = headers['x-amz-security-token'];
  // Loaded on the first signature to verify: most endpoints verify none, and it costs serve's start ~40 ms.
  const { SignatureV4 } = await import('@smithy/signature-v4');
  const signer = new SignatureV4({
    service: parsed.scope.service,
    region: parsed.scope.region,
    credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey, ...(token === undefined ? {} : { sessionToken: token }) },
    sha256: Sha256,
    // The canonical request is the client's: only the headers it signed, no checksum header added.
    applyChecksum: false,
  });
  const signed = await signer.sign(
    { method: request.method, protocol: 'http:', hostname: url.hostname, path: url.pathname, query, headers, body: request.body },
    { signingDate: date, signableHeaders: new Set(parsed.signedHeaders) },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers['authorization'] ?? ''))?.[1];
  return expected !== undefined && timingSafeEqual(Buffer.from(expected), Buffer.from(parsed.signature));
}

// ------------------------------------------------------------------------------------------------ the boundary

export class TrustBoundary {
  readonly #allowHosts: readonly string[];
  readonly #allowOrigins: readonly string[];
  readonly verifySignatures: boolean;
  readonly #credentials: CredentialLookup | undefined;
  readonly #now: () => number;
  #port = 0;
  #boundAddress: string | undefined;
  /**
   * Host header → served or not. Every request asks, and a client sends the same Host on every request, while
   * deriving it parses a URL; at most 256 values are kept, so a client sending ever new ones only misses.
   */
  #hostVerdicts = this.#newHostVerdicts();

  constructor(options: TrustBoundaryOptions = {}) {
    this.#allowHosts = options.allowHosts ?? [];
    this.#allowOrigins = options.allowOrigins ?? [];
    this.verifySignatures = options.verifySignatures ?? false;
    this.#credentials = options.credentials;
    this.#now = options.now ?? Date.now;
    if (this.verifySignatures && this.#credentials === undefined) throw new Error('Signature verification needs a credential registry.');
  }

  /** The listening port and address, once known: the endpoint's own origin uses the port. */
  listening(port: number, address: string): void {
    this.#port = port;
    // A literal address the server is bound to cannot be rebound by DNS: clients on the network use it as Host.
    this.#boundAddress = isWildcardAddress(address) ? undefined : (hostnameOf(address.includes(':') && !address.startsWith('[') ? `[${address}]` : address) ?? undefined);
    // Verdicts made before the bound address was known would be stale.
    this.#hostVerdicts = this.#newHostVerdicts();
  }

  #newHostVerdicts(): BoundedCache<string, boolean> {
    return new BoundedCache(256, (host: string) => {
      const hostname = hostnameOf(host);
      return hostname !== undefined && this.#hostAllowed(hostname);
    });
  }

  #hostAllowed(hostname: string): boolean {
    return isLoopbackName(hostname) || hostname === this.#boundAddress || matchesAllowed(hostname, this.#allowHosts);
  }

  /** Host and Origin, checked for every request (AWS APIs and the endpoint's own routes). */
  checkHostAndOrigin(req: IncomingMessage): Refusal | undefined {
    const host = header(req, 'host');
    if (host === undefined || !this.#hostVerdicts.get(host)) {
      return new Refusal(
        'forbidden',
        `Host '${host ?? ''}' is not served: this endpoint answers only loopback names (localhost, 127.0.0.1, [::1]) and names allowed with --allow-host (a foreign Host is what a DNS-rebinding page sends).`,
      );
    }
    const origin = header(req, 'origin');
    if (origin !== undefined && !this.#originAllowed(origin)) {
      return new Refusal(
        'forbidden',
        `Origin '${origin}' is not allowed: this endpoint accepts requests without an Origin (SDKs, the AWS CLI, boto3) and from its own pages; allow others with --allow-origin.`,
      );
    }
    return undefined;
  }

  #originAllowed(origin: string): boolean {
    if (this.#allowOrigins.includes('*') || this.#allowOrigins.includes(origin)) return true;
    // The endpoint's own origin, `http://<a name it serves>:<its port>`, for a page `serve` served.
    const m = /^http:\/\/([^/?#@]+)$/.exec(origin);
    if (m === null) return false;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    return url.port === String(this.#port) && this.#hostAllowed(url.hostname.toLowerCase());
  }

  /**
   * The `Authorization` check for an AWS API request (or an authenticated route): its SigV4 form always, its signature
   * and date when verification is on. `expectedService` is the signing name the request's API uses (`ssm`, `states`).
   */
  async authenticate(request: SignedRequest, expectedService?: string): Promise<Caller | Refusal> {
    const value = request.headers['authorization'];
    const authorization = Array.isArray(value) ? value[0] : value;
    const amz = request.headers['x-amz-date'];
    const dateText = Array.isArray(amz) ? amz[0] : amz;
    const hasDate = dateText !== undefined || request.headers['date'] !== undefined;
    if (authorization === undefined || authorization === '') return new Refusal('missing', 'Request is missing Authentication Token');
    const parsed = parseAuthorization(authorization, hasDate);
    if (parsed instanceof Refusal) return parsed;
    const key = this.#credentials?.get(parsed.scope.accessKeyId);
    if (!this.verifySignatures) return { scope: parsed.scope, ...(key === undefined ? {} : { principal: key.principal }), verified: false };

    if (key === undefined) return new Refusal('unknown-key', INVALID_TOKEN);
    const token = request.headers['x-amz-security-token'];
    if ((Array.isArray(token) ? token[0] : token) !== key.sessionToken) return new Refusal('unknown-key', INVALID_TOKEN);
    const date = amzDate(dateText);
    if (date === undefined) {
      return new Refusal('incomplete', `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header (X-Amz-Date in ISO 8601 basic format, such as 20150830T123600Z). Authorization=${authorization}`);
    }
    const now = this.#now();
    const signed = date.getTime();
    if (signed < now - MAX_CLOCK_SKEW_MS) {
      return new Refusal('bad-signature', `Signature expired: ${basic(signed)} is now earlier than ${basic(now - MAX_CLOCK_SKEW_MS)} (${basic(now)} - 5 min.)`);
    }
    if (signed > now + MAX_CLOCK_SKEW_MS) {
      return new Refusal('bad-signature', `Signature not yet current: ${basic(signed)} is still later than ${basic(now + MAX_CLOCK_SKEW_MS)} (${basic(now)} + 5 min.)`);
    }
    const day = dateText!.slice(0, 8);
    if (parsed.scope.date !== day) {
      return new Refusal('bad-signature', `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${parsed.scope.date}' != '${day}', from '${dateText}'.`);
    }
    if (expectedService !== undefined && parsed.scope.service !== expectedService) {
      return new Refusal('bad-signature', `Credential should be scoped to correct service: '${expectedService}'.`);
    }
    if (!parsed.signedHeaders.includes('host')) return new Refusal('bad-signature', "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
    if (!(await signatureMatches(request, parsed, key, date))) return new Refusal('bad-signature', SIGNATURE_MISMATCH);
    return { scope: parsed.scope, principal: key.principal, verified: true };
  }
}
