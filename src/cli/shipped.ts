/**
 * The files the package ships (templates, runbooks, sample state machines), by short names, so that commands find
 * them wherever the package is installed: `--template runbooks` instead of a path into node_modules.
 */
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from 'commander';
import { RUNBOOKS_TEMPLATE_PATH, SAMPLE_TEMPLATE_PATH } from '../definitions/artifacts.js';

/** The package's root folder (holding package.json), from dist/cli/ or src/cli/ alike. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface ShippedFile {
  readonly name: string;
  /** Relative to the package root. */
  readonly path: string;
  /** For templates: the stack name the other shipped files expect (the sample imports from `shellstep-runbooks`). */
  readonly stackName?: string;
}

export const SHIPPED_TEMPLATES: readonly ShippedFile[] = [
  { name: 'runbooks', path: RUNBOOKS_TEMPLATE_PATH, stackName: 'shellstep-runbooks' },
  { name: 'sample', path: SAMPLE_TEMPLATE_PATH, stackName: 'shellstep-sample' },
];

export const SHIPPED_STATE_MACHINES: readonly ShippedFile[] = [
  { name: 'run-shell-command', path: 'state-machines/run-shell-command.asl.json' },
  { name: 'run-shell-command.jsonata', path: 'state-machines/run-shell-command.jsonata.asl.json' },
];

export const SHIPPED_RUNBOOKS: readonly ShippedFile[] = [
  { name: 'SfnRunCommandByInstanceIds', path: 'runbooks/SfnRunCommandByInstanceIds.json' },
  { name: 'SfnRunCommandByTargets', path: 'runbooks/SfnRunCommandByTargets.json' },
];

export interface ResolvedFile {
  /** A path to read. */
  readonly file: string;
  /** The stack name to deploy a template as. */
  readonly stackName: string;
}

/** A stack name from a template file name: `my-app.cfn.json` → `my-app`. */
export function stackNameFor(file: string): string {
  const name = basename(file).replace(/\.(cfn\.)?(json|ya?ml|template)$/i, '').replace(/[^-a-zA-Z0-9]/g, '-');
  return /^[a-zA-Z]/.test(name) ? name : `stack-${name}`;
}

/**
 * A file argument: an existing path, else the name of a shipped file. A shipped template (by name, or a copy under
 * its file name) deploys as the stack the other shipped templates expect; any other template as its file name.
 */
export function resolveFile(arg: string, shipped: readonly ShippedFile[], what: string): ResolvedFile {
  const byFileName = shipped.find((s) => basename(s.path) === basename(arg));
  if (isFile(arg)) return { file: arg, stackName: byFileName?.stackName ?? stackNameFor(arg) };
  const byName = shipped.find((s) => s.name === arg);
  if (byName !== undefined) return { file: `${PACKAGE_ROOT}${byName.path}`, stackName: byName.stackName ?? stackNameFor(byName.path) };
  throw new InvalidArgumentError(`No file '${arg}', and no shipped ${what} of that name (${shipped.map((s) => s.name).join(', ')}).`);
}

export function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() === true;
}

/** Every shipped file, for `validate` names. */
export const SHIPPED_FILES: readonly ShippedFile[] = [...SHIPPED_TEMPLATES, ...SHIPPED_RUNBOOKS, ...SHIPPED_STATE_MACHINES];
