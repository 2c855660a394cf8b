/**
 * Reads JSON or YAML, including CloudFormation's short-form intrinsic tags (`!Ref`, `!Sub`, `!GetAtt`…),
 * which become their long form (`{"Ref": …}`, `{"Fn::Sub": …}`) as CloudFormation itself treats them.
 */
import { parse, type ScalarTag, type CollectionTag } from 'yaml';

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

/** Parses JSON or YAML text. Throws a `SyntaxError`-like error with line information when unreadable. */
export function parseJsonOrYaml(text: string): unknown {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // Not strict JSON: fall through to YAML, which also reports a position.
    }
  }
  return parse(text, { customTags: CUSTOM_TAGS, uniqueKeys: true, strict: true }) as unknown;
}
