/**
 * The plugins the local agent runs, by name. A Command document may name any plugin of the plugin reference
 * (validate/command-plugins.ts); one missing here is known to AWS but cannot run locally, and its step fails with a
 * message that names it (run-plugins.ts).
 */
import type { Plugin } from './plugin.js';
import { runPowerShellScriptPlugin } from './run-powershell-script.js';
import { runShellScriptPlugin } from './run-shell-script.js';

export const PLUGINS: Readonly<Record<string, Plugin>> = Object.assign(Object.create(null) as Record<string, Plugin>, {
  [runShellScriptPlugin.name]: runShellScriptPlugin,
  [runPowerShellScriptPlugin.name]: runPowerShellScriptPlugin,
});

export type { Plugin, PluginResult, PluginRunInput } from './plugin.js';
