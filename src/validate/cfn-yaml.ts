/**
 * Reads JSON or YAML, including CloudFormation's short-form intrinsic tags (`!Ref`, `!Sub`, `!GetAtt`…),
 * which become their long form (`{"Ref": …}`, `{"Fn::Sub": …}`) as CloudFormation itself treats them.
 */
import type * as Yaml from 'yaml';
import type { ScalarTag, CollectionTag } from 'yaml';
import { lazyRequire } from '../model/lazy-require.js';
import { MAX_DOCUMENT_NESTING, NestingTooDeepError, parseJson } from './nesting.js';

/** `yaml`'s ~60 CommonJS files, loaded when a first YAML text is read or written. */
const yaml = lazyRequire<typeof Yaml>('yaml');

const FUNCTIONS = [
  'Base64',
  'Cidr',
  'FindInMap',
  'GetAtt',
  'GetAZs',
  'ImportValue',
  'Join',
  'Select',
  'Split',
  'Sub',
  'Transform',
  'And',
  'Equals',
  'If',
  'Not',
  'Or',
  'Length',
  'ToJsonString',
];

function longForm(name: string): string {
  return name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
}

function tagsFor(name: string): Array<ScalarTag | CollectionTag> {
  const key = longForm(name);
  const scalar: ScalarTag = {
    tag: `!${name}`,
    // `!GetAtt Resource.Attribute` is the dotted short form of `["Resource", "Attribute"]`.
    resolve: (value: string) => {
      if (name === 'GetAtt') {
        const dot = value.indexOf('.');
        return { [key]: dot === -1 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
      }
      return { [key]: value };
    },
  };
  const seq: CollectionTag = {
    tag: `!${name}`,
    collection: 'seq',
    resolve: (value) => ({ [key]: value.toJSON() }),
  };
  const map: CollectionTag = {
    tag: `!${name}`,
    collection: 'map',
    resolve: (value) => ({ [key]: value.toJSON() }),
  };
  return [scalar, seq, map];
}

const CUSTOM_TAGS = ['Ref', 'Condition', ...FUNCTIONS].flatMap(tagsFor);

/**
 * Parses JSON or YAML text. Throws a `SyntaxError`-like error with line information when unreadable, and a
 * NestingTooDeepError for a document nested more than `limit` levels (templates and runbooks: 300).
 */
export function parseJsonOrYaml(text: string, limit = MAX_DOCUMENT_NESTING): unknown {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return parseJson(text, limit);
    } catch (error) {
      if (error instanceof NestingTooDeepError) throw error;
      // Not strict JSON: fall through to YAML, which also reports a position.
    }
  }
  return parseYaml(text, { customTags: CUSTOM_TAGS, uniqueKeys: true, strict: true }, limit);
}

/**
 * `yaml`'s `parse`, after checking the nesting on its concrete syntax tree, which `yaml` builds without
 * recursion. Its composer recurses: ~800 levels overflow the stack, and after such an overflow the next parse in
 * the process could abort it (V8 ran out of memory compiling a regular expression).
 */
export function parseYaml(text: string, options: Parameters<typeof Yaml.parse>[2], limit = MAX_DOCUMENT_NESTING): unknown {
  if (yamlNestingExceeds(text, limit)) throw new NestingTooDeepError(limit);
  return yaml().parse(text, options) as unknown;
}

/** YAML text of a value (SSM's GetDocument in `DocumentFormat: YAML`). */
export function stringifyYaml(value: unknown): string {
  return yaml().stringify(value);
}

interface CstNode {
  readonly type?: string;
  readonly items?: readonly { readonly key?: unknown; readonly value?: unknown }[];
  readonly value?: unknown;
}

/** Whether a YAML text has collections (block or flow) nested more than `limit` levels, in any of its documents. */
export function yamlNestingExceeds(text: string, limit: number): boolean {
  const stack: { node: CstNode; depth: number }[] = [];
  for (const token of new (yaml().Parser)().parse(text)) {
    stack.push({ node: token as CstNode, depth: 0 });
    while (stack.length > 0) {
      const { node, depth } = stack.pop()!;
      if (node.items !== undefined) {
        if (depth + 1 > limit) return true;
        for (const item of node.items) {
          for (const child of [item.key, item.value]) if (child !== null && typeof child === 'object') stack.push({ node: child as CstNode, depth: depth + 1 });
        }
      } else if (node.value !== null && typeof node.value === 'object') {
        stack.push({ node: node.value as CstNode, depth });
      }
    }
  }
  return false;
}
