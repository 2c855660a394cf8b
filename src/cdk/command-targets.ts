/**
 * Which managed nodes a {@link RunShellCommand} runs on: instance ids (runbook `SfnRunCommandByInstanceIds`)
 * or Run Command targets such as tags (runbook `SfnRunCommandByTargets`), fixed in the app or read from the
 * state input.
 * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/send-commands-multiple.html
 */
import { Token } from 'aws-cdk-lib';
import type { TargetMode } from '../definitions/runbooks.js';
import { ShellStepValidationError } from './errors.js';
import { MAX_LIST_ITEMS, MAX_VALUE_LENGTH } from './private/parameter-values.js';

/** One Run Command target: `{"Key": "tag:Environment", "Values": ["dev"]}`. */
export interface CommandTarget {
  /**
   * `tag:<tag-key>`, `tag-key`, `InstanceIds`, `resource-groups:Name` or `resource-groups:ResourceTypeFilters`.
   * @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_Target.html
   */
  readonly key: string;
  /**
   * The values the key must match (1..50).
   * @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_Target.html
   */
  readonly values: readonly string[];
}

/** SendCommand's limits: InstanceIds 0..50, Targets 0..5 (SSM API reference); the runbooks require ≥ 1. */
export const MAX_INSTANCE_IDS = 50;
export const MAX_TARGETS = 5;
const MAX_TARGET_KEY_LENGTH = 163;
const INSTANCE_ID_PATTERN = /^(i-([0-9a-f]{8}|[0-9a-f]{17})|mi-[0-9a-f]{17})$/;

type Source =
  | { readonly kind: 'static'; readonly values: readonly string[] }
  | { readonly kind: 'input'; readonly pathOrExpression: string };

export class CommandTargets {
  /**
   * Run on these nodes (1..50 ids, `i-…` or `mi-…`).
   * @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_SendCommand.html#systemsmanager-SendCommand-request-InstanceIds
   */
  static instanceIds(ids: readonly string[]): CommandTargets {
    if (!Token.isUnresolved(ids)) {
      if (ids.length === 0) {
        throw new ShellStepValidationError(
          'CommandTargets.instanceIds() needs at least one instance id; to select nodes by tag use CommandTargets.tag() or CommandTargets.targets().',
        );
      }
      if (ids.length > MAX_INSTANCE_IDS) {
        throw new ShellStepValidationError(
          `CommandTargets.instanceIds() takes at most ${MAX_INSTANCE_IDS} instance ids (SendCommand's limit); got ${ids.length}. Select more nodes with CommandTargets.tag() or CommandTargets.targets().`,
        );
      }
      for (const id of ids) {
        if (!Token.isUnresolved(id) && !INSTANCE_ID_PATTERN.test(id)) {
          throw new ShellStepValidationError(`'${id}' is not an instance id: expected i- followed by 8 or 17 hex digits, or mi- followed by 17.`);
        }
      }
    }
    return new CommandTargets('InstanceIds', { kind: 'static', values: [...ids] });
  }

  /**
   * Run on the nodes listed in the state input: a JSONPath (`$.instanceIds`) for JSONPath states, or a JSONata
   * expression (`{% $states.input.instanceIds %}`) for JSONata states. The value must be a list of ids.
   */
  static instanceIdsFromInput(pathOrExpression: string): CommandTargets {
    return new CommandTargets('InstanceIds', { kind: 'input', pathOrExpression });
  }

  /**
   * Run on the nodes that match these targets (1..5), e.g. `[{ key: 'tag:Environment', values: ['dev'] }]`.
   * @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_SendCommand.html#systemsmanager-SendCommand-request-Targets
   */
  static targets(targets: readonly CommandTarget[]): CommandTargets {
    if (targets.length === 0) {
      throw new ShellStepValidationError('CommandTargets.targets() needs at least one target, e.g. { key: "tag:Environment", values: ["dev"] }.');
    }
    if (targets.length > MAX_TARGETS) {
      throw new ShellStepValidationError(
        `CommandTargets.targets() takes at most ${MAX_TARGETS} targets (SendCommand's limit); got ${targets.length}. Combine values under one key instead.`,
      );
    }
    // The runbook's Targets parameter is a MapList: StartAutomationExecution takes each map as one JSON
    // string (docs/runbooks.md, "What the design assumes").
    const values = targets.map((target) => {
      if (target.key.length === 0 || target.key.length > MAX_TARGET_KEY_LENGTH) {
        throw new ShellStepValidationError(`A target key must be 1..${MAX_TARGET_KEY_LENGTH} characters, e.g. "tag:Environment"; got '${target.key}'.`);
      }
      if (target.values.length === 0 || target.values.length > MAX_LIST_ITEMS) {
        throw new ShellStepValidationError(
          `Target '${target.key}' needs 1..${MAX_LIST_ITEMS} values; got ${target.values.length}.`,
        );
      }
      const json = JSON.stringify({ Key: target.key, Values: target.values });
      if (json.length > MAX_VALUE_LENGTH) {
        throw new ShellStepValidationError(
          `Target '${target.key}' is ${json.length} characters as JSON; an automation parameter value holds at most ${MAX_VALUE_LENGTH}.`,
        );
      }
      return json;
    });
    return new CommandTargets('Targets', { kind: 'static', values });
  }

  /** Run on the nodes tagged `key` with one of `values`: `targets([{ key: 'tag:<key>', values }])`. */
  static tag(key: string, ...values: string[]): CommandTargets {
    return CommandTargets.targets([{ key: `tag:${key}`, values }]);
  }

  /**
   * Run on the targets in the state input, a JSONPath or a JSONata expression (see {@link instanceIdsFromInput}).
   * The value must be a list of JSON strings, one per target, as the runbook's MapList parameter takes them:
   * `["{\"Key\":\"tag:Environment\",\"Values\":[\"dev\"]}"]`.
   */
  static targetsFromInput(pathOrExpression: string): CommandTargets {
    return new CommandTargets('Targets', { kind: 'input', pathOrExpression });
  }

  private constructor(
    /** Which runbook runs the command, and the name of its target parameter. */
    readonly mode: TargetMode,
    /** @internal */
    readonly _source: Source,
  ) {}
}
