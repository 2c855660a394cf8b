/**
 * Where a request's template comes from (TemplateBody, or the stack's own with UsePreviousTemplate), read as
 * CloudFormation reads it: JSON or YAML with short-form tags, at most 51,200 characters, its format checked.
 */
import { isJsonObject, type JsonObject } from '../../model/json.js';
import { parseJsonOrYaml } from '../../validate/cfn-yaml.js';
import { validateTemplate } from '../../validate/template.js';
import { validationError } from './intrinsics.js';

/** The template members of CreateStack, UpdateStack, CreateChangeSet, ValidateTemplate and GetTemplateSummary. */
export interface TemplateSource {
  TemplateBody?: string;
  TemplateURL?: string;
  UsePreviousTemplate?: boolean;
}

// CloudFormation API Reference: TemplateBody "Minimum length of 1. Maximum length of 51,200."
const MAX_TEMPLATE_BODY = 51_200;
/**
 * How deep a template's values may nest. 51,200 characters can nest 25,000 levels, which overflows the call stack
 * of every recursive reader (validation, intrinsics, change sets); real templates, state machine definitions
 * included, stay far below this. AWS's own limit is UNCONFIRMED (docs/fidelity.md).
 */
const MAX_DEPTH = 256;

/** Whether a parsed value nests deeper than `limit`, measured without recursion. */
function tooDeep(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

/** The template of a request: TemplateBody, or for an update the stack's own (UsePreviousTemplate). */
export function templateFrom(input: TemplateSource, stack: { readonly template: JsonObject; readonly templateBody: string } | undefined): { template: JsonObject; body: string } {
  if (input.UsePreviousTemplate === true) {
    if (input.TemplateBody !== undefined || input.TemplateURL !== undefined) throw validationError('You cannot specify both usePreviousTemplate and Template Body/Template URL.');
    if (stack === undefined) throw validationError('UsePreviousTemplate can only be used to update an existing stack.');
    return { template: stack.template, body: stack.templateBody };
  }
  if (input.TemplateURL !== undefined) {
    if (input.TemplateBody !== undefined) throw validationError('Specify exactly one of TemplateBody or TemplateURL.');
    throw validationError('TemplateURL is not supported by the shellstep local engine: pass the template in TemplateBody.');
  }
  const body = input.TemplateBody;
  if (body === undefined) throw validationError('Either Template URL or Template Body must be specified.');
  if (body.length > MAX_TEMPLATE_BODY) {
    throw validationError(`1 validation error detected: Value at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to ${MAX_TEMPLATE_BODY}`);
  }
  let template: unknown;
  try {
    template = parseJsonOrYaml(body);
  } catch (error) {
    throw validationError(`Template format error: ${(error as Error).message}`);
  }
  if (!isJsonObject(template)) throw validationError('Template format error: the template must be a JSON or YAML object.');
  if (tooDeep(template, MAX_DEPTH)) throw validationError(`Template format error: values nest more than ${MAX_DEPTH} levels deep.`);
  return { template, body };
}

/** The template's structure, against the generated subset of the resource specification (never the whole database). */
export function checkFormat(template: JsonObject): void {
  const errors = validateTemplate(template, { embedded: false, spec: 'engine' }).filter((i) => i.severity !== 'warning');
  if (errors.length > 0) throw validationError(`Template format error: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`);
}

/** A logical id keeps its resource type across updates (AWS refuses the update otherwise). */
export function checkResourceTypes(before: JsonObject, after: JsonObject): void {
  const old = isJsonObject(before['Resources']) ? before['Resources'] : {};
  const now = isJsonObject(after['Resources']) ? after['Resources'] : {};
  const changed = Object.keys(now).filter((id) => Object.hasOwn(old, id) && isJsonObject(old[id]) && isJsonObject(now[id]) && (old[id] as JsonObject)['Type'] !== (now[id] as JsonObject)['Type']);
  if (changed.length > 0) {
    throw validationError(`Update of resource type is not permitted. The new template modifies resource type of the following resources: [${changed.join(', ')}]`);
  }
}
