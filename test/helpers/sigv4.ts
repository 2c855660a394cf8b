/**
 * SigV4 for tests that send raw HTTP: a header in SigV4 form (enough for an endpoint that does not verify
 * signatures), or a real signature computed with `@smithy/signature-v4`, as the SDKs sign.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '../../src/server/trust-boundary.js';

/** `Authorization` and `X-Amz-Date` in SigV4 form, signed with nothing real: an unverified endpoint accepts them. */
export function sigv4FormHeaders(service = 'ssm', accessKeyId = 'AKIDEXAMPLE', region = 'us-east-1'): Record<string, string> {
  const date = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  return {
    authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/${date.slice(0, 8)}/${region}/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
    'x-amz-date': date,
  };
}

export interface SigningKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** The headers of a POST to `url` signed for real, as the AWS SDK signs them (host, content-type, x-amz-*). */
export async function signedHeaders(
  url: string,
  headers: Record<string, string>,
  body: string,
  key: SigningKey,
  options: { service?: string; region?: string; date?: Date } = {},
): Promise<Record<string, string>> {
  const target = new URL(url);
  const signer = new SignatureV4({ service: options.service ?? 'ssm', region: options.region ?? 'us-east-1', credentials: key, sha256: Sha256 });
  const signed = await signer.sign(
    { method: 'POST', protocol: 'http:', hostname: target.hostname, port: Number(target.port), path: target.pathname, query: {}, headers: { ...headers, host: target.host }, body },
    options.date === undefined ? {} : { signingDate: options.date },
  );
  return signed.headers as Record<string, string>;
}
