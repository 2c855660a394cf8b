/**
 * A Command document as the agent runs it: its steps in order, each a plugin with its inputs, and the document's
 * parameters resolved for one SendCommand and replaced into those inputs as amazon-ssm-agent does
 * (`agent/framework/docparser/parameters/parameters.go` ReplaceParameters).
 *
 * Schema 1.2 (`runtimeConfig`) has one step per plugin, named after the plugin, whose `properties` may be a list run
 * in turn; schema 2.x (`mainSteps`) has named steps, in 2.2 with a precondition.
 */
import { ssmError } from '../../errors/ssm-errors.js';
import type { CommandDocumentContent, CommandDocumentParameter } from '../../model/command-document.js';
import { isJsonObject, type JsonValue } from '../../model/json.js';
import type { PlatformType } from '../../model/ssm.js';
import { platformsOf } from '../../validate/command-plugins.js';
import { resolveDocumentParameters } from '../documents/document-parameters.js';

/** The agent replaces only parameters whose names match `^[a-zA-Z0-9]+$` (parameters.go paramNameRegex). */
const REPLACEABLE_NAME = /^[a-zA-Z0-9]+$/;
const PLACEHOLDER = /\{\{\s*([a-zA-Z0-9]+)\s*\}\}/g;
const WHOLE_PLACEHOLDER = /^\{\{\s*([a-zA-Z0-9]+)\s*\}\}$/;
/** Parameter Store references (`{{ssm:name}}`, `{{ssm-secure:name}}`), which the service resolves on AWS. */
const PARAMETER_STORE_REFERENCE = /\{\{\s*ssm(-secure)?:/;

export interface CommandStepPlan {
  /** `CommandPlugin.Name` and GetCommandInvocation's `PluginName`: the step name (2.x) or the plugin name (1.2). */
  readonly name: string;
  /** The plugin, e.g. `aws:runShellScript`. */
  readonly plugin: string;
  /** Its orchestration folder: the name without colons (`aws:runShellScript` → `awsrunShellScript`), made once. */
  readonly folder: string;
  /** The step's inputs before parameters are replaced: an object, or (1.2) a list of property sets. */
  readonly inputs: JsonValue;
  readonly precondition?: Readonly<Record<string, readonly string[]>>;
}

export interface CommandDocument {
  readonly name: string;
  readonly schemaVersion: string;
  readonly description: string;
  readonly parameters: Readonly<Record<string, CommandDocumentParameter>>;
  readonly steps: readonly CommandStepPlan[];
  readonly platformTypes: readonly PlatformType[];
  /** The first step whose inputs refer to Parameter Store, found once per document. */
  readonly parameterStoreStep?: string;
}

/** Finds the Command document (and version) a SendCommand names: `InvalidDocument` / `InvalidDocumentVersion` otherwise. */
export type CommandDocumentResolver = (nameOrArn: string, version: string | undefined) => { doc: CommandDocument; version: string };

/** The runnable form of validated Command document content. */
export function commandDocument(name: string, content: CommandDocumentContent): CommandDocument {
  const steps: CommandStepPlan[] =
    content.mainSteps !== undefined
      ? content.mainSteps.map((s) => ({
          name: s.name,
          plugin: s.action,
          folder: stepFolder(s.name),
          inputs: s.inputs,
          ...(s.precondition === undefined ? {} : { precondition: s.precondition }),
        }))
      : Object.entries(content.runtimeConfig ?? {}).map(([plugin, entry]) => ({ name: plugin, plugin, folder: stepFolder(plugin), inputs: entry.properties }));
  const parameterStoreStep = steps.find((s) => PARAMETER_STORE_REFERENCE.test(JSON.stringify(s.inputs)))?.name;
  return {
    name,
    schemaVersion: content.schemaVersion,
    description: content.description ?? '',
    parameters: content.parameters ?? {},
    steps,
    platformTypes: platformsOf(steps.map((s) => s.plugin)),
    ...(parameterStoreStep === undefined ? {} : { parameterStoreStep }),
  };
}

/** A step name as a folder name: colons dropped as the agent does, and nothing that could leave the command's folder. */
function stepFolder(name: string): string {
  const folder = name.replaceAll(':', '').replace(/[^\w-]/g, '_');
  return folder === '' ? '_' : folder;
}

/**
 * SendCommand `Parameters` checked against the document and completed with defaults, as the service does before
 * delivery: unknown names, missing required values, types, allowedValues, allowedPattern, item and character
 * bounds are `InvalidParameters`.
 */
export function resolveCommandParameters(doc: CommandDocument, given: Readonly<Record<string, readonly string[]>>): Record<string, JsonValue> {
  return resolveDocumentParameters(doc.parameters, given, (message) => ssmError('InvalidParameters', message));
}

/**
 * `ReplaceParameters`: a string that is exactly `{{ name }}` becomes the parameter's value, whatever its type (a
 * StringList stays a list); inside a longer string each `{{ name }}` becomes the value's text (JSON for anything but
 * a string, and `$$` becomes `$`). Other text, unknown names included, is left as written.
 */
export function replaceParameters(value: JsonValue, parameters: Readonly<Record<string, JsonValue>>): JsonValue {
  if (typeof value === 'string') {
    const whole = WHOLE_PLACEHOLDER.exec(value);
    if (whole !== null && Object.hasOwn(parameters, whole[1]!)) return parameters[whole[1]!]!;
    if (!value.includes('{{')) return value;
    return value.replace(PLACEHOLDER, (text, name: string) => {
      if (!REPLACEABLE_NAME.test(name) || !Object.hasOwn(parameters, name)) return text;
      const v = parameters[name]!;
      return (typeof v === 'string' ? v : JSON.stringify(v)).replaceAll('$$', '$');
    });
  }
  if (Array.isArray(value)) return value.map((v) => replaceParameters(v, parameters));
  if (isJsonObject(value)) {
    // No prototype: an input named __proto__ (JSON.parse makes it an own member) stays an input.
    const out = Object.create(null) as Record<string, JsonValue>;
    for (const key of Object.keys(value)) out[key] = replaceParameters(value[key]!, parameters);
    return out;
  }
  return value;
}

/**
 * A Parameter Store reference in a step's inputs or in a parameter value. On AWS the service resolves it before
 * delivery; the local engine has no Parameter Store, so SendCommand refuses it by name (`InvalidParameters`) rather
 * than run the literal text.
 */
export function checkNoParameterStoreReference(doc: CommandDocument, given: Readonly<Record<string, readonly string[]>>): void {
  let where = doc.parameterStoreStep === undefined ? undefined : `Step ${doc.parameterStoreStep} of document ${doc.name}`;
  for (const name in given) {
    if (where === undefined && Object.hasOwn(given, name) && given[name]!.some((v) => typeof v === 'string' && PARAMETER_STORE_REFERENCE.test(v))) where = `Parameter ${name}`;
  }
  if (where !== undefined) throw ssmError('InvalidParameters', `${where} refers to Parameter Store ({{ssm:…}}), which the local engine does not have.`);
}
