/** Signs requests to the console's routes as the page does: SigV4 with the pair its credentials route gives. */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

export interface PagePair {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
}

/** The pair a console page at `consoleUrl` reads. */
export async function consolePair(consoleUrl: string): Promise<PagePair> {
  return (await (await fetch(`${consoleUrl}credentials`)).json()) as PagePair;
}

/** A GET signed with SigV4 (signing name `shellstep`, as the console's client uses for its own routes). */
export async function signedGet(target: string, key: PagePair, signal?: AbortSignal): Promise<Response> {
  const url = new URL(target);
  const signer = new SignatureV4({ service: 'shellstep', region: key.region, credentials: key, sha256: Sha256 });
  const signed = await signer.sign({
    method: 'GET',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: { host: url.host },
  });
  // The Host header is fetch's own; the one signed is the same.
  const headers = Object.fromEntries(Object.entries(signed.headers).filter(([name]) => name !== 'host'));
  return fetch(url, { headers, ...(signal === undefined ? {} : { signal }) });
}
