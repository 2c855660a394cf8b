/**
 * `npm run generate:engine-spec` writes src/validate/generated/engine-resource-spec.ts: the part of the
 * CloudFormation resource specification (`@aws-cdk/aws-service-spec`) that template validation needs for the
 * resource types the local engine deploys (the keys of RESOURCE_PROVIDERS): their properties, attributes and
 * the type definitions their properties reference, which property changes replace the resource (for change sets)
 * and the primary identifier (for GetTemplateSummary), plus the names of all resource types. The engine validates
 * with it instead of loading the whole database (~0.5 s, ~120 MB, and a JSON.parse that leaves V8 without
 * shared object shapes for the rest of the process). test/validate/engine-resource-spec-generated.test.ts fails
 * when the committed file differs from what the installed database and RESOURCE_PROVIDERS produce.
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type { Property, PropertyType } from '@aws-cdk/service-spec-types';
import { RESOURCE_PROVIDERS } from '../src/engine/cloudformation/cloudformation-service.js';
import { isFreeFormResourceType, type SpecType } from '../src/validate/template.js';

export const GENERATED_FILE = fileURLToPath(new URL('../src/validate/generated/engine-resource-spec.ts', import.meta.url));

export function engineResourceSpecModule(): string {
  const db = loadAwsServiceSpecSync();
  const lookup = (type: string) => db.lookup('resource', 'cloudFormationType', 'equals', type);
  // Type definitions get names of their own (`AWS::IAM::Role.Policy`) instead of the database's numeric ids,
  // which change with every release of the package.
  const names = new Map<string, string>();
  const definitions: string[] = [];

  /** One line a property, in the database's order (template.ts reports missing properties in that order). */
  function properties(owner: string, props: Readonly<Record<string, Property>>): string {
    const lines = Object.entries(props).map(([name, p]) => `      ${JSON.stringify({ name, required: p.required === true, type: specType(owner, p.type) })},`);
    return `    properties: [\n${lines.join('\n')}\n    ],`;
  }

  /** The type with only what template.ts reads, its references renamed and their definitions collected. */
  function specType(owner: string, t: PropertyType): SpecType {
    switch (t.type) {
      case 'string':
        return t.allowedValues === undefined ? { type: t.type } : { type: t.type, allowedValues: t.allowedValues };
      case 'array':
      case 'map':
        return { type: t.type, element: specType(owner, t.element) };
      case 'union':
        return { type: t.type, types: t.types.map((u) => specType(owner, u)) };
      case 'ref': {
        const id = t.reference.$ref;
        let ref = names.get(id);
        if (ref === undefined) {
          const definition = db.get('typeDefinition', id);
          ref = `${owner}.${definition.name}`;
          if ([...names.values()].includes(ref)) throw new Error(`two type definitions named ${ref}`);
          names.set(id, ref);
          definitions.push(`  {\n    ref: ${JSON.stringify(ref)},\n${properties(owner, definition.properties)}\n  },`);
        }
        return { type: 'ref', reference: { $ref: ref } };
      }
      default:
        return { type: t.type };
    }
  }

  const supported = Object.keys(RESOURCE_PROVIDERS).sort();
  const resources: string[] = [];
  const missing: string[] = [];
  for (const type of supported) {
    const found = lookup(type);
    // template.ts's full source knows a type only when the database has exactly one entry for it.
    if (found.length !== 1) {
      // Else template validation would refuse, as an unknown type, a type the engine deploys.
      if (!isFreeFormResourceType(type)) throw new Error(`${type}, which the local engine deploys, is not in @aws-cdk/aws-service-spec`);
      missing.push(type);
      continue;
    }
    const resource = found[0]!;
    // Top-level properties only: a change set reports a change under the top-level property's name.
    const replacement = Object.fromEntries(
      Object.entries(resource.properties)
        .filter(([, p]) => p.causesReplacement === 'yes' || p.causesReplacement === 'maybe')
        .map(([name, p]) => [name, p.causesReplacement]),
    );
    resources.push(
      `  {\n    type: ${JSON.stringify(type)},\n    attributes: ${JSON.stringify(Object.keys(resource.attributes))},\n` +
        `    primaryIdentifier: ${JSON.stringify(resource.primaryIdentifier ?? [])},\n    replacement: ${JSON.stringify(replacement)},\n` +
        `${properties(type, resource.properties)}\n  },`,
    );
  }
  const allTypes = [...new Set(db.all('resource').map((r) => r.cloudFormationType))].filter((type) => lookup(type).length === 1).sort();
  const version = (createRequire(import.meta.url)('@aws-cdk/aws-service-spec/package.json') as { version: string }).version;
  return [
    `// Generated by scripts/generate-engine-resource-spec.ts (npm run generate:engine-spec) from`,
    `// @aws-cdk/aws-service-spec ${version} (Apache-2.0). Do not edit.`,
    "import type { SpecProperty } from '../template.js';",
    '',
    'type Property = SpecProperty & { readonly name: string };',
    '',
    `/**`,
    ` * The resource types the local engine deploys${missing.length === 0 ? '' : ` (${missing.join(', ')}: not in the database, properties free-form)`}.`,
    ` * \`replacement\`: the properties whose change replaces the resource ('yes') or may ('maybe'); the others update in place.`,
    ` */`,
    'export const ENGINE_RESOURCE_TYPES: readonly {',
    '  readonly type: string;',
    '  readonly attributes: readonly string[];',
    '  readonly primaryIdentifier: readonly string[];',
    "  readonly replacement: Readonly<Record<string, 'yes' | 'maybe'>>;",
    '  readonly properties: readonly Property[];',
    '}[] = [',
    ...resources,
    '];',
    '',
    '/** The type definitions their properties reference, directly or through each other. */',
    'export const ENGINE_TYPE_DEFINITIONS: readonly { readonly ref: string; readonly properties: readonly Property[] }[] = [',
    ...definitions,
    '];',
    '',
    '/** Every CloudFormation resource type in the database. */',
    'export const RESOURCE_TYPE_NAMES: readonly string[] = [',
    ...allTypes.map((type) => `  ${JSON.stringify(type)},`),
    '];',
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(GENERATED_FILE, engineResourceSpecModule());
  console.log(`wrote ${GENERATED_FILE}`);
}
