/**
 * The AWS-owned Command documents the local engine runs, with their parameters as AWS publishes them
 * (aws-semantics §6.1; aws-cli `examples/ssm/get-document.rst`). Any other document name is `InvalidDocument`.
 */
import { ssmError } from '../../errors/ssm-errors.js';
import { BoundedCache } from '../bounded-cache.js';
import type { PlatformType } from '../../model/ssm.js';
import type { Plugin } from './plugins/plugin.js';
import { runPowerShellScriptPlugin } from './plugins/run-powershell-script.js';
import { runShellScriptPlugin } from './plugins/run-shell-script.js';

export interface CommandDocumentParameter {
  readonly type: 'String' | 'StringList';
  readonly description: string;
  readonly default?: string;
  readonly minItems?: number;
  readonly maxChars?: number;
  readonly allowedPattern?: string;
  readonly displayType?: 'textarea';
}

export interface CommandDocument {
  readonly name: string;
  readonly plugin: Plugin;
  readonly platformTypes: readonly PlatformType[];
  readonly description: string;
  readonly parameters: Readonly<Record<string, CommandDocumentParameter>>;
  readonly createdDate: Date;
}

/** `executionTimeout` allowedPattern, 1..172800 (AWS-RunShellScript, current version). */
const EXECUTION_TIMEOUT_PATTERN = '([1-9][0-9]{0,4})|(1[0-6][0-9]{4})|(17[0-1][0-9]{3})|(172[0-7][0-9]{2})|(172800)';

const SCRIPT_PARAMETERS = {
  commands: {
    type: 'StringList',
    description: '(Required) Specify a shell script or a command to run.',
    minItems: 1,
    displayType: 'textarea',
  },
  workingDirectory: {
    type: 'String',
    default: '',
    description: '(Optional) The path to the working directory on your instance.',
    maxChars: 4096,
  },
  executionTimeout: {
    type: 'String',
    default: '3600',
    description:
      '(Optional) The time in seconds for a command to complete before it is considered to have failed. Default is 3600 (1 hour). Maximum is 172800 (48 hours).',
    allowedPattern: EXECUTION_TIMEOUT_PATTERN,
  },
} as const satisfies Record<string, CommandDocumentParameter>;

/** Registry of supported Command documents, keyed by name. */
// No prototype: a document named `constructor` or `toString` is simply not one of these.
export const COMMAND_DOCUMENTS: Readonly<Record<string, CommandDocument>> = Object.assign(Object.create(null) as Record<string, CommandDocument>, {
  'AWS-RunShellScript': {
    name: 'AWS-RunShellScript',
    plugin: runShellScriptPlugin,
    platformTypes: ['Linux', 'MacOS'],
    description: 'Run a shell script or specify the commands to run.',
    parameters: SCRIPT_PARAMETERS,
    createdDate: new Date('2017-08-31T00:00:00Z'),
  },
  'AWS-RunPowerShellScript': {
    name: 'AWS-RunPowerShellScript',
    plugin: runPowerShellScriptPlugin,
    platformTypes: ['Windows', 'Linux'],
    description: 'Run a PowerShell script or specify the paths to scripts to run.',
    parameters: SCRIPT_PARAMETERS,
    createdDate: new Date('2017-08-31T00:00:00Z'),
  },
});

/** The document's content as GetDocument returns it (schema 1.2). */
export function commandDocumentContent(doc: CommandDocument): string {
  const parameters = Object.fromEntries(Object.entries(doc.parameters).map(([k, p]) => [k, { ...p }]));
  return JSON.stringify(
    {
      schemaVersion: '1.2',
      description: doc.description,
      parameters,
      runtimeConfig: {
        [doc.plugin.name]: {
          properties: [
            {
              id: '0.' + doc.plugin.name,
              runCommand: '{{ commands }}',
              workingDirectory: '{{ workingDirectory }}',
              timeoutSeconds: '{{ executionTimeout }}',
            },
          ],
        },
      },
    },
    null,
    2,
  );
}

/** Looks a document up by name or ARN (`arn:aws:ssm:<region>::document/AWS-RunShellScript`). */
export function findCommandDocument(nameOrArn: string): CommandDocument {
  const name = nameOrArn.startsWith('arn:') ? nameOrArn.slice(nameOrArn.lastIndexOf('/') + 1) : nameOrArn;
  const doc = COMMAND_DOCUMENTS[name];
  if (doc === undefined) {
    throw ssmError(
      'InvalidDocument',
      `Document ${nameOrArn} is not supported by the local Run Command engine (supported: ${Object.keys(COMMAND_DOCUMENTS).join(', ')}).`,
    );
  }
  return doc;
}

/**
 * Checks SendCommand `Parameters` against the document and fills defaults, as the service does before delivery:
 * unknown names, missing required values, a String given several values, `minItems`, `maxChars` and
 * `allowedPattern` (whole-value match) are `InvalidParameters`.
 */
export function resolveCommandParameters(
  doc: CommandDocument,
  given: Readonly<Record<string, readonly string[]>>,
): Record<string, string | string[]> {
  // for-in with own-key checks and indexed loops: no key/entry arrays or closures on every SendCommand.
  const resolved: Record<string, string | string[]> = {};
  for (const name in given) {
    if (Object.hasOwn(given, name) && !Object.hasOwn(doc.parameters, name)) {
      throw ssmError('InvalidParameters', `Parameter "${name}" is not defined in document ${doc.name}.`);
    }
  }
  for (const name in doc.parameters) {
    const spec = doc.parameters[name]!;
    const values = given[name];
    if (values === undefined) {
      if (spec.default === undefined) throw ssmError('InvalidParameters', `Parameter "${name}" is required by document ${doc.name}.`);
      resolved[name] = spec.default;
      continue;
    }
    if (!Array.isArray(values) || !allStrings(values)) {
      throw ssmError('InvalidParameters', `Parameter "${name}" must be a list of strings.`);
    }
    if (spec.type === 'String') {
      if (values.length !== 1) throw ssmError('InvalidParameters', `Parameter "${name}" is a String and takes exactly one value.`);
      const value = values[0]!;
      if (spec.maxChars !== undefined && value.length > spec.maxChars) {
        throw ssmError('InvalidParameters', `Parameter "${name}" is longer than ${spec.maxChars} characters.`);
      }
      if (spec.allowedPattern !== undefined && !allowedPatternRegex(spec.allowedPattern).test(value)) {
        throw ssmError('InvalidParameters', `Parameter "${name}" value "${value}" does not match pattern ${spec.allowedPattern}.`);
      }
      resolved[name] = value;
    } else {
      if (spec.minItems !== undefined && values.length < spec.minItems) {
        throw ssmError('InvalidParameters', `Parameter "${name}" needs at least ${spec.minItems} item(s).`);
      }
      resolved[name] = [...values];
    }
  }
  return resolved;
}

function allStrings(values: readonly unknown[]): boolean {
  // Holes pass, as they did with some().
  for (let i = 0; i < values.length; i++) if (typeof values[i] !== 'string' && i in values) return false;
  return true;
}

export const MAX_CACHED_PATTERNS = 1000;
const allowedPatterns = new BoundedCache(MAX_CACHED_PATTERNS, (pattern: string) => new RegExp(`^(?:${pattern})$`));

/**
 * The compiled regex of a document parameter's allowedPattern, Command or Automation: every SendCommand and every
 * execution of a runbook checks the same few patterns. Bounded, since runbooks are user input. The whole value must
 * match (Java `matches()` semantics; UNCONFIRMED, docs/fidelity.md).
 */
export function allowedPatternRegex(pattern: string): RegExp {
  return allowedPatterns.get(pattern);
}

/** The number of compiled allowedPattern regexes cached (for tests). */
export function cachedPatternCount(): number {
  return allowedPatterns.size;
}
