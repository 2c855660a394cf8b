/**
 * What `shellstep serve` sets up, at start and again after every reset: the engines of its regions (one factory, one
 * account, one clock), and in the default region its roles, instances and templates. Templates are read once, at start;
 * instances keep the ids they got at start, so scripts that printed them still find them after a reset.
 */
import { readFileSync } from 'node:fs';
import type { Clock } from '../../engine/clock.js';
import { LocalEngine, type LocalEngineOptions } from '../../engine/local-engine.js';
import { RegionalEngines } from '../../engine/regions/regional-engines.js';
import type { Store } from '../../engine/store/index.js';
import { isJsonObject } from '../../model/json.js';
import { parseJsonOrYaml } from '../../validate/cfn-yaml.js';
import type { InstanceSpec } from '../options.js';

export interface StartupOptions {
  readonly region: string;
  readonly accountId: string;
  readonly clock: 'real' | 'fast';
  readonly iam: boolean;
  readonly inheritAwsEnv: boolean;
  readonly roles: readonly string[];
  readonly instances: readonly InstanceSpec[];
  readonly templates: ReadonlyArray<{ readonly file: string; readonly stackName: string }>;
  readonly parameters: Readonly<Record<string, string>>;
  /** Progress lines (stderr). */
  readonly log: (line: string) => void;
  /** `--data-dir`'s store (each region keeps its records in its own scope) and the folder of its instances. */
  readonly store?: Store;
  readonly instancesDir?: string;
  readonly mockConfig?: LocalEngineOptions['mockConfig'];
}

export interface StartedWork {
  readonly instances: ReadonlyArray<{ InstanceId: string; Tags: Record<string, string>; RootDir: string }>;
  readonly stacks: ReadonlyArray<{ StackName: string; Outputs: Record<string, string> }>;
}

/** A startup step that failed, with the option or file it came from in its message. */
export class StartupError extends Error {}

/**
 * The engines, and the startup work to run once serve listens (`setup`, which resets run again). Throws StartupError
 * for a template that cannot be read; `setup` throws it for a role or template that fails.
 */
export function makeEngines(options: StartupOptions): { engines: RegionalEngines; setup: () => Promise<StartedWork> } {
  const templates = options.templates.map(({ file, stackName }) => {
    try {
      const body = readFileSync(file, 'utf8');
      const template = parseJsonOrYaml(body);
      const declared = isJsonObject(template) && isJsonObject(template['Parameters']) ? Object.keys(template['Parameters']) : [];
      const parameters = Object.fromEntries(Object.entries(options.parameters).filter(([k]) => declared.includes(k)));
      return { file, body, parameters, stackName };
    } catch (error) {
      throw new StartupError(`serve: ${file}: ${(error as Error).name}: ${(error as Error).message}`);
    }
  });

  // One clock for every region and every reset: time never runs backwards for a client.
  let clock: Clock | undefined;
  const instanceIds: string[] = [];
  let first: StartedWork | undefined;

  const work = async (engine: LocalEngine): Promise<StartedWork> => {
    try {
      for (const arn of options.roles) engine.roles.define(arn);
    } catch (error) {
      throw new StartupError(`--role: ${(error as Error).message}`);
    }
    const roleArn = (role: string) => (role.startsWith('arn:') ? role : `arn:${engine.partition}:iam::${engine.accountId}:role/${role}`);
    const instances = options.instances.map((spec, i) => {
      const instanceId = instanceIds[i] ?? spec.instanceId;
      const instance =
        // With --data-dir, an instance of an earlier run is already back: it is the same node.
        (instanceId === undefined ? undefined : engine.instances.get(instanceId)) ??
        engine.instances.add({
          tags: spec.tags,
          ...(instanceId === undefined ? {} : { instanceId }),
          ...(spec.role === undefined ? {} : { roleArn: roleArn(spec.role) }),
        });
      instanceIds[i] = instance.instanceId;
      return { InstanceId: instance.instanceId, Tags: instance.tags, RootDir: instance.rootDir };
    });
    const stacks: Array<{ StackName: string; Outputs: Record<string, string> }> = [];
    for (const template of templates) {
      try {
        const deployed = await engine.deploy(template.body, { stackName: template.stackName, parameters: template.parameters });
        stacks.push({ StackName: deployed.stackName, Outputs: { ...deployed.outputs } });
        if (first === undefined) options.log(`deployed ${template.file} as stack ${deployed.stackName}`);
      } catch (error) {
        throw new StartupError(`serve: ${template.file}: ${(error as Error).name}: ${(error as Error).message}`);
      }
    }
    first ??= { instances, stacks };
    return { instances, stacks };
  };

  const engines = RegionalEngines.create({
    defaultRegion: options.region,
    accountId: options.accountId,
    ...(options.store === undefined ? {} : { store: options.store }),
    create: (scope) => {
      const engine = new LocalEngine({
        ...scope,
        clock: clock ?? options.clock,
        enforceIam: options.iam,
        inheritAwsEnvironment: options.inheritAwsEnv,
        ...(options.instancesDir === undefined ? {} : { instancesDir: options.instancesDir }),
        ...(options.mockConfig === undefined ? {} : { mockConfig: options.mockConfig }),
      });
      clock ??= engine.clock;
      return engine;
    },
    setup: async (engine) => void (await work(engine)),
  });
  return { engines, setup: () => work(engines.default) };
}
