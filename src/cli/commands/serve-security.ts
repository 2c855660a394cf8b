/**
 * The security options of `shellstep serve`: signature verification from a credentials file, a non-loopback binding
 * (only with --allow-remote, and then only with verification), and the warnings that say what an exposed or root
 * endpoint gives away (docs/security.md).
 */
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { LocalEngine } from '../../engine/local-engine.js';
import { parseSharedCredentials, type AccessKey } from '../../engine/iam/credential-registry.js';

export interface SecurityOptions {
  readonly host: string;
  readonly allowRemote?: boolean;
  readonly allowHost?: readonly string[];
  readonly credentials?: string;
}

export interface ServeSecurity {
  readonly verify: boolean;
  readonly credentialsFile: string | undefined;
  /** The keys to register, read once the engine (its account) exists. */
  credentials(engine: LocalEngine): AccessKey[];
  /** Lines for stderr once the endpoint listens. */
  warnings(url: string): string[];
}

/** Loopback addresses and names (127.0.0.0/8, ::1, localhost): the only ones served without --allow-remote. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

/** Checks the combination; writes why to stderr and returns undefined when it is refused. */
export function serveSecurity(options: SecurityOptions): ServeSecurity | undefined {
  const credentialsFile = options.credentials ?? (process.env['SHELLSTEP_CREDENTIALS'] || undefined);
  const remote = !isLoopbackHost(options.host);
  if (remote && options.allowRemote !== true) {
    process.stderr.write(
      `--host ${options.host} is not a loopback address. The endpoint runs shell commands on this machine: bind it elsewhere only with --allow-remote and --credentials.\n`,
    );
    return undefined;
  }
  if (remote && credentialsFile === undefined) {
    process.stderr.write(`--allow-remote needs --credentials <file> (or SHELLSTEP_CREDENTIALS): a non-loopback endpoint verifies every request's signature.\n`);
    return undefined;
  }
  let text: string | undefined;
  if (credentialsFile !== undefined) {
    try {
      text = readFileSync(credentialsFile, 'utf8');
    } catch (error) {
      process.stderr.write(`Cannot read the credentials file ${credentialsFile}: ${(error as Error).message}\n`);
      return undefined;
    }
  }
  return {
    verify: text !== undefined,
    credentialsFile,
    credentials: (engine) => (text === undefined ? [] : parseSharedCredentials(text, { accountId: engine.accountId, partition: engine.partition })),
    warnings: (url) => {
      const lines: string[] = [];
      if (remote) {
        lines.push(
          `WARNING: ${url} is reachable from other machines. Anyone who can reach it and holds a key of ${credentialsFile} can run shell commands here as ${userInfo().username}, read their output, and change stacks, documents and state machines. There is no TLS: requests, command output and parameters cross the network in clear text (signatures are checked, secrets are never sent).`,
        );
        if (/^(0\.0\.0\.0|::|\[::\])$/.test(options.host) && (options.allowHost ?? []).length === 0) {
          lines.push(`Clients on other machines must reach it by a name or address given with --allow-host (their Host header); only loopback names are served now.`);
        }
      }
      if (process.getuid?.() === 0) {
        lines.push('WARNING: serve runs as root, so every command sent to a local instance runs as root on this machine. Run it as an ordinary user.');
      }
      return lines;
    },
  };
}
