/** The contract between the Run Command service and a document's plugin (the agent side). */
import type { Clock } from '../../clock.js';
import type { LocalInstance } from '../../instances/local-instance.js';
import type { CommandPluginStatus, InvocationStatusDetails } from '../../../model/ssm.js';

export interface PluginRunInput {
  readonly instance: LocalInstance;
  readonly commandId: string;
  readonly region: string;
  /** The command document's parameters after defaults, as the agent receives them. */
  readonly parameters: Readonly<Record<string, string | readonly string[]>>;
  /** `<agent dir>/orchestration/<commandId>/<plugin>` for this invocation (script and downloads live here). */
  readonly orchestrationDir: string;
  readonly clock: Clock;
  /** CancelCommand reaching the agent: it kills the process tree. */
  readonly cancel: AgentCancel;
}

/**
 * CancelCommand as the agent receives it. Not an AbortController: one with its signal costs ~0.8 KiB of heap, which
 * every invocation kept for its whole life; this is a flag and at most one listener (the one running plugin).
 */
export class AgentCancel {
  #requested = false;
  #listener: (() => void) | undefined;

  get requested(): boolean {
    return this.#requested;
  }

  /** Calls `listener` once the cancel arrives (at once if it has); returns what stops listening. */
  onCancel(listener: () => void): () => void {
    if (this.#requested) {
      listener();
      return noop;
    }
    this.#listener = listener;
    return () => {
      if (this.#listener === listener) this.#listener = undefined;
    };
  }

  cancel(): void {
    if (this.#requested) return;
    this.#requested = true;
    const listener = this.#listener;
    this.#listener = undefined;
    listener?.();
  }
}

const noop = (): void => undefined;

export interface PluginResult {
  readonly status: CommandPluginStatus;
  readonly statusDetails: InvocationStatusDetails;
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly startedAt: number;
  readonly endedAt: number;
}

export interface Plugin {
  /** Plugin name as `CommandPlugin.Name` shows it, e.g. `aws:runShellScript`. */
  readonly name: string;
  run(input: PluginRunInput): Promise<PluginResult>;
}
