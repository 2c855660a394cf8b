/** Every generated artifact, by the path it is committed at. `shellstep synth` writes these. */
import { renderJson } from './render.js';
import { buildRunbook, RUNBOOK_NAMES } from './runbooks.js';
import { SEED_SAMPLE, sampleJsonata, sampleJsonPath } from './state-machines.js';
import { runbooksTemplate, sampleStackTemplate } from './templates.js';

export interface Artifact {
  /** Relative to the project root. */
  readonly path: string;
  readonly content: string;
}

export const RUNBOOKS_TEMPLATE_PATH = 'cloudformation/ssm-automation-documents.cfn.json';
export const SAMPLE_TEMPLATE_PATH = 'cloudformation/sample-state-machine.cfn.json';

export function artifacts(): Artifact[] {
  return [
    { path: RUNBOOKS_TEMPLATE_PATH, content: renderJson(runbooksTemplate()) },
    { path: SAMPLE_TEMPLATE_PATH, content: renderJson(sampleStackTemplate()) },
    { path: `runbooks/${RUNBOOK_NAMES.InstanceIds}.json`, content: renderJson(buildRunbook('InstanceIds')) },
    { path: `runbooks/${RUNBOOK_NAMES.Targets}.json`, content: renderJson(buildRunbook('Targets')) },
    { path: 'state-machines/run-shell-command.asl.json', content: renderJson(sampleJsonPath(SEED_SAMPLE)) },
    { path: 'state-machines/run-shell-command.jsonata.asl.json', content: renderJson(sampleJsonata(SEED_SAMPLE)) },
  ];
}
