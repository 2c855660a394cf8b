/**
 * SSM Command document content, schema 1.2 (`runtimeConfig`) and 2.0 / 2.2 (`mainSteps`), with AWS's field names
 * verbatim.
 * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/documents-syntax-data-elements-parameters.html
 * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/documents-command-ssm-plugin-reference.html
 */
import type { JsonValue } from './json.js';
import type { RunbookParameter } from './runbook.js';

/** Schema versions a Command document may use ("Documents of type Command can use schema version 1.2, 2.0, and 2.2"). */
export type CommandSchemaVersion = '1.2' | '2.0' | '2.2';

/** A Command document parameter: the same definition as an Automation document's. */
export type CommandDocumentParameter = RunbookParameter;

/** One step of a 2.x document: a plugin (`action`), its name, inputs and (2.2) precondition. */
export interface CommandStep {
  readonly action: string;
  readonly name: string;
  readonly inputs: { readonly [key: string]: JsonValue };
  /** `{"StringEquals": ["platformType", "Linux"]}` (schema 2.2 only). */
  readonly precondition?: { readonly [operator: string]: readonly string[] };
}

/** A schema 1.2 plugin entry: `properties` is one property set or a list of them, run in turn. */
export interface RuntimeConfigEntry {
  readonly properties: JsonValue;
}

export interface CommandDocumentContent {
  readonly schemaVersion: CommandSchemaVersion;
  readonly description?: string;
  readonly parameters?: { readonly [name: string]: CommandDocumentParameter };
  readonly mainSteps?: readonly CommandStep[];
  readonly runtimeConfig?: { readonly [plugin: string]: RuntimeConfigEntry };
}
