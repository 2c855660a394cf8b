/**
 * The plugins a Command document may name, with the platforms each supports ("Command document plugin reference",
 * https://docs.aws.amazon.com/systems-manager/latest/userguide/documents-command-ssm-plugin-reference.html; the same
 * list as amazon-ssm-agent's `allPlugins`, `agent/framework/runpluginutil/runpluginutil.go`). A document's
 * `PlatformTypes` is the union of its plugins' platforms.
 */
import type { PlatformType } from '../model/ssm.js';

export const COMMAND_PLUGINS: Readonly<Record<string, readonly PlatformType[]>> = {
  'aws:applications': ['Windows'],
  'aws:cloudWatch': ['Windows'],
  'aws:configureDocker': ['Windows', 'Linux'],
  'aws:configurePackage': ['Windows', 'Linux', 'MacOS'],
  'aws:domainJoin': ['Windows', 'Linux'],
  'aws:downloadContent': ['Windows', 'Linux', 'MacOS'],
  'aws:psModule': ['Windows'],
  'aws:refreshAssociation': ['Windows', 'Linux', 'MacOS'],
  'aws:runDockerAction': ['Windows', 'Linux'],
  'aws:runDocument': ['Windows', 'Linux', 'MacOS'],
  'aws:runPowerShellScript': ['Windows', 'Linux'],
  'aws:runShellScript': ['Linux', 'MacOS'],
  'aws:softwareInventory': ['Windows', 'Linux', 'MacOS'],
  'aws:updateAgent': ['Windows'],
  'aws:updateSsmAgent': ['Windows', 'Linux', 'MacOS'],
};

/** Plugins whose documented inputs require `runCommand` (aws:runShellScript, aws:runPowerShellScript). */
export const SCRIPT_PLUGINS: readonly string[] = ['aws:runShellScript', 'aws:runPowerShellScript'];

const PLATFORM_ORDER: readonly PlatformType[] = ['Windows', 'Linux', 'MacOS'];

/** The platforms of a set of plugins, in AWS's order (Windows, Linux, MacOS). Unknown plugins add none. */
export function platformsOf(plugins: Iterable<string>): PlatformType[] {
  const found = new Set<PlatformType>();
  for (const plugin of plugins) for (const p of Object.hasOwn(COMMAND_PLUGINS, plugin) ? COMMAND_PLUGINS[plugin]! : []) found.add(p);
  return PLATFORM_ORDER.filter((p) => found.has(p));
}
