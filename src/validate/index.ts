/**
 * `validate FILE`: detects what a file is (CloudFormation template, Automation runbook, Command document, or Step
 * Functions definition) and runs the matching validator.
 */
import { readFileSync } from 'node:fs';
import { isJsonObject } from '../model/json.js';
import { validateStateMachine } from './asl.js';
import { validateCommandDocument } from './command-document.js';
import { parseJsonOrYaml } from './cfn-yaml.js';
import { issue, type ValidationIssue } from './issue.js';
import { validateRunbook } from './runbook.js';
import { validateTemplate } from './template.js';

export type DocumentKind = 'template' | 'runbook' | 'command-document' | 'state-machine';

/** Schema versions only Command documents use (runbooks are 0.3). */
const COMMAND_SCHEMA_VERSIONS: ReadonlySet<unknown> = new Set(['1.2', '2.0', '2.2']);

export interface FileValidation {
  readonly file: string;
  /** Undefined when the file could not be read or its kind not recognised. */
  readonly kind?: DocumentKind;
  /** True when the file could not be read or parsed at all. */
  readonly unreadable: boolean;
  readonly issues: readonly ValidationIssue[];
}

/** Recognises a parsed document by the fields each kind must have. */
export function detectKind(value: unknown): DocumentKind | undefined {
  if (!isJsonObject(value)) return undefined;
  if ('Resources' in value || 'AWSTemplateFormatVersion' in value) return 'template';
  if ('runtimeConfig' in value || COMMAND_SCHEMA_VERSIONS.has(value['schemaVersion'])) return 'command-document';
  if ('mainSteps' in value || 'schemaVersion' in value) return 'runbook';
  if ('StartAt' in value || 'States' in value) return 'state-machine';
  return undefined;
}

export function validateDocument(value: unknown, kind: DocumentKind): ValidationIssue[] {
  switch (kind) {
    case 'template':
      return validateTemplate(value);
    case 'runbook':
      return validateRunbook(value);
    case 'command-document':
      return validateCommandDocument(value);
    case 'state-machine':
      return validateStateMachine(value);
  }
}

export function validateFile(file: string): FileValidation {
  let value: unknown;
  try {
    value = parseJsonOrYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    return { file, unreadable: true, issues: [issue('$', 'Unreadable', `Cannot read ${file}: ${reason}`)] };
  }
  const kind = detectKind(value);
  if (kind === undefined) {
    return {
      file,
      unreadable: false,
      issues: [
        issue(
          '$',
          'UnknownKind',
          'Not a CloudFormation template (Resources), an SSM document (schemaVersion with mainSteps or runtimeConfig) or a state machine definition (StartAt, States).',
        ),
      ],
    };
  }
  return { file, kind, unreadable: false, issues: validateDocument(value, kind) };
}

export function isError(i: ValidationIssue): boolean {
  return i.severity !== 'warning';
}
