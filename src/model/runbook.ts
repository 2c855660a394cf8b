/**
 * SSM Automation document, schema 0.3, with AWS's field names verbatim.
 * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/documents-syntax-data-elements-parameters.html
 */
import type { JsonValue } from './json.js';

/** Parameter types an Automation document may declare (aws-semantics §1.2). */
export type RunbookParameterType = 'String' | 'StringList' | 'Integer' | 'Boolean' | 'StringMap' | 'MapList';

export interface RunbookParameter {
  readonly type: RunbookParameterType;
  readonly description?: string;
  readonly default?: JsonValue;
  readonly allowedValues?: readonly string[];
  readonly allowedPattern?: string;
  readonly displayType?: 'textfield' | 'textarea';
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly minChars?: number;
  readonly maxChars?: number;
}

/** `Abort` | `Continue` | `step:<name>` (aws-semantics §2). */
export type OnFailure = 'Abort' | 'Continue' | `step:${string}`;
/** `Abort` | `step:<name>`. */
export type OnCancel = 'Abort' | `step:${string}`;

export interface StepOutput {
  readonly Name: string;
  readonly Selector: string;
  readonly Type?: 'String' | 'Integer' | 'Boolean' | 'StringList' | 'StringMap' | 'MapList';
}

export interface RunbookStep {
  readonly name: string;
  readonly action: string;
  readonly description?: string;
  readonly inputs: { readonly [key: string]: JsonValue };
  readonly maxAttempts?: number;
  readonly timeoutSeconds?: number;
  readonly onFailure?: OnFailure;
  readonly onCancel?: OnCancel;
  readonly isCritical?: boolean;
  readonly isEnd?: boolean;
  readonly nextStep?: string;
  readonly outputs?: readonly StepOutput[];
}

export interface Runbook {
  readonly schemaVersion: '0.3';
  readonly description?: string;
  readonly assumeRole?: JsonValue;
  readonly parameters?: { readonly [name: string]: RunbookParameter };
  readonly mainSteps: readonly RunbookStep[];
  readonly outputs?: readonly string[];
}
