/**
 * `aws:runPowerShellScript`, the plugin of `AWS-RunPowerShellScript`: `_script.ps1` run with `pwsh` on Linux
 * (amazon-ssm-agent `agent/plugins/runscript/runpowershellscript.go`). Without `pwsh` on the PATH the invocation
 * fails as `Failed` / `Invalid Platform` (an unsupported platform does not count against MaxErrors, §6.3).
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Plugin } from './plugin.js';
import { runScript } from './run-script.js';

/** True when `pwsh` is an executable on the PATH. */
export function isPwshInstalled(path = process.env['PATH'] ?? ''): boolean {
  return path.split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, 'pwsh'), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export const runPowerShellScriptPlugin: Plugin = {
  name: 'aws:runPowerShellScript',
  run: async (input) => {
    if (!isPwshInstalled()) {
      const now = input.clock.now();
      return {
        status: 'Failed',
        statusDetails: 'Invalid Platform',
        exitCode: -1,
        stdout: '',
        stderr: `PowerShell (pwsh) is not installed on local instance ${input.instance.instanceId}; aws:runPowerShellScript cannot run on this platform.`,
        startedAt: now,
        endedAt: now,
      };
    }
    return runScript(input, {
      scriptName: '_script.ps1',
      command: 'pwsh',
      args: (script) => ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-File', script],
    });
  },
};
