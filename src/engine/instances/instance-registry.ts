/**
 * The registry of local managed nodes, and the fault-injection switches tests and the CLI use: take a node offline
 * (before or during a command), slow its delivery, kill its agent mid-command, make it unknown.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../clock.js';
import { RealClock } from '../clock.js';
import type { IdGenerator } from '../ids.js';
import { randomIds } from '../ids.js';
import type { InstanceResourceType, PingStatus } from '../../model/ssm.js';
import { LocalInstance } from './local-instance.js';
import { memoryStore, type Store } from '../store/index.js';

/** The store's kind for managed nodes. */
const INSTANCE_KIND = 'ssm.instance';

/** `(^i-(\w{8}|\w{17})$)|(^mi-\w{17}$)` (SendCommand `InstanceId` pattern, aws-semantics §3.1). */
export const INSTANCE_ID_PATTERN = /^(i-(\w{8}|\w{17})|mi-\w{17})$/;

export interface InstanceRegistryOptions {
  /**
   * Folder under which each node gets `<instanceId>/` as its root. Default: a fresh temp folder, removed with its
   * content by `close()`, or when the process exits.
   */
  readonly baseDir?: string;
  readonly clock?: Clock;
  readonly ids?: IdGenerator;
  /** Called with each node as it is added, before it can run anything (the local engine sets its environment). */
  readonly configure?: (instance: LocalInstance) => void;
  /** Where the nodes are kept (default: nowhere but here). */
  readonly store?: Store;
}

export interface AddInstanceOptions {
  /** `ec2` → `i-` + 17 hex (EC2Instance); `managed` → `mi-` + 17 hex (hybrid ManagedInstance). Default `ec2`. */
  readonly kind?: 'ec2' | 'managed';
  /** A fixed id (must match the AWS pattern). */
  readonly instanceId?: string;
  readonly name?: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly pingStatus?: PingStatus;
  /**
   * The role of the node's instance profile (an IAM role ARN). While an endpoint serves, the node's commands get keys
   * that stand for a session of this role, and their calls are checked against its policies. Default: the local
   * engine's default instance role (docs/security.md).
   */
  readonly roleArn?: string;
  /** When the node registered (a restored node keeps its own). Default: now. */
  readonly registrationDate?: Date;
}

export type InstanceEvent = { readonly type: 'reachable' | 'unreachable' | 'agent-killed' | 'removed'; readonly instanceId: string };

/**
 * Temp folders made by registries, removed again as the process exits: an engine never closed, or a script start the
 * process helper had queued that recreated its folder after `close()`.
 */
const temporaryFolders = new Set<string>();
let exitHook = false;

function removeFolder(dir: string): void {
  try {
    // A killed command may still be writing in its folder for a moment: retry on ENOTEMPTY and the like.
    rmSync(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 20 });
  } catch {
    // Left behind: nothing more to do than the OS's own temp cleaning.
  }
}

export class InstanceRegistry {
  readonly baseDir: string;
  /** Whether `baseDir` is a temp folder this registry made (and so removes), not one the user named. */
  readonly #temporary: boolean;
  readonly #clock: Clock;
  readonly #ids: IdGenerator;
  readonly #configure: ((instance: LocalInstance) => void) | undefined;
  readonly #instances = new Map<string, LocalInstance>();
  readonly #listeners = new Set<(event: InstanceEvent) => void>();
  readonly #store: Store;

  constructor(options: InstanceRegistryOptions = {}) {
    this.#temporary = options.baseDir === undefined;
    this.baseDir = options.baseDir ?? mkdtempSync(join(tmpdir(), 'shellstep-instances-'));
    mkdirSync(this.baseDir, { recursive: true });
    if (this.#temporary) {
      temporaryFolders.add(this.baseDir);
      if (!exitHook) {
        exitHook = true;
        process.once('exit', () => {
          for (const dir of temporaryFolders) removeFolder(dir);
        });
      }
    }
    this.#clock = options.clock ?? new RealClock();
    this.#ids = options.ids ?? randomIds;
    this.#configure = options.configure;
    this.#store = options.store ?? memoryStore();
  }

  /**
   * Registers the nodes the store kept, at start. Their agents are new: they come back `Online`, knowing nothing of
   * work an earlier process started (docs/fidelity.md, Persistence).
   */
  restore(): void {
    for (const { value } of this.#store.records(INSTANCE_KIND)) {
      const saved = value as { InstanceId: string; Name: string; Tags: Record<string, string>; RegistrationDate: number; RoleArn?: string };
      if (this.#instances.has(saved.InstanceId)) continue;
      this.add({
        instanceId: saved.InstanceId,
        name: saved.Name,
        tags: saved.Tags,
        registrationDate: new Date(saved.RegistrationDate),
        ...(saved.RoleArn === undefined ? {} : { roleArn: saved.RoleArn }),
      });
    }
  }

  #save(instance: LocalInstance): void {
    this.#store.put(INSTANCE_KIND, instance.instanceId, () => ({
      InstanceId: instance.instanceId,
      Name: instance.name,
      Tags: instance.tags,
      PingStatus: instance.pingStatus,
      RegistrationDate: instance.registrationDate.getTime(),
      ...(instance.roleArn === undefined ? {} : { RoleArn: instance.roleArn }),
    }));
  }

  /** Registers a node and creates its root folder. */
  add(options: AddInstanceOptions = {}): LocalInstance {
    const kind = options.kind ?? 'ec2';
    const instanceId = options.instanceId ?? `${kind === 'ec2' ? 'i-' : 'mi-'}${this.#ids.hex(17)}`;
    if (!INSTANCE_ID_PATTERN.test(instanceId)) throw new Error(`Instance id '${instanceId}' does not match ${INSTANCE_ID_PATTERN}`);
    if (this.#instances.has(instanceId)) throw new Error(`Instance '${instanceId}' is already registered`);
    const resourceType: InstanceResourceType = instanceId.startsWith('mi-') ? 'ManagedInstance' : 'EC2Instance';
    const rootDir = join(this.baseDir, instanceId);
    mkdirSync(rootDir, { recursive: true });
    const instance = new LocalInstance({
      instanceId,
      resourceType,
      rootDir,
      name: options.name ?? instanceId,
      tags: options.tags ?? {},
      platformType: 'Linux',
      pingStatus: options.pingStatus ?? 'Online',
      registrationDate: options.registrationDate ?? new Date(this.#clock.now()),
      roleArn: options.roleArn,
    });
    this.#configure?.(instance);
    this.#instances.set(instanceId, instance);
    this.#save(instance);
    return instance;
  }

  /** The node, or undefined when unknown (never registered, or removed by `forget`). */
  get(instanceId: string): LocalInstance | undefined {
    return this.#instances.get(instanceId);
  }

  list(): LocalInstance[] {
    return [...this.#instances.values()];
  }

  /** Subscribes to reachability changes; returns the unsubscribe function. */
  subscribe(listener: (event: InstanceEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  // ------------------------------------------------------------ fault injection

  /** The agent stops talking to the service (`ConnectionLost`); running processes keep running. */
  goOffline(instanceId: string): void {
    this.setPingStatus(instanceId, 'ConnectionLost');
  }

  /** The agent talks again: pending deliveries and buffered results go through. */
  goOnline(instanceId: string): void {
    this.setPingStatus(instanceId, 'Online');
  }

  setPingStatus(instanceId: string, status: PingStatus): void {
    const instance = this.#require(instanceId);
    const was = instance.reachable;
    instance.pingStatus = status;
    if (status === 'Online') instance.lastPingDateTime = new Date(this.#clock.now());
    this.#save(instance);
    this.#save(instance);
    if (was !== instance.reachable) this.#emit({ type: instance.reachable ? 'reachable' : 'unreachable', instanceId });
  }

  /** Every delivery to this node takes `ms` longer (slow delivery). */
  setDeliveryDelay(instanceId: string, ms: number): void {
    this.#require(instanceId).deliveryDelayMs = ms;
  }

  /**
   * Kills the agent mid-command: its processes die, no result is ever reported for work it had started, and the
   * node shows `ConnectionLost`. `restartAgent` brings a fresh agent that knows nothing of that work.
   */
  killAgent(instanceId: string): void {
    const instance = this.#require(instanceId);
    instance.agentGeneration++;
    instance.killRunning();
    this.#emit({ type: 'agent-killed', instanceId });
    this.setPingStatus(instanceId, 'ConnectionLost');
  }

  restartAgent(instanceId: string): void {
    this.goOnline(instanceId);
  }

  /** Makes the node unknown to SSM (deregistered): later SendCommand calls get `InvalidInstanceId`. */
  forget(instanceId: string): void {
    this.#require(instanceId);
    this.#instances.delete(instanceId);
    this.#store.delete(INSTANCE_KIND, instanceId);
    this.#emit({ type: 'removed', instanceId });
  }

  /** Removes the temp folder this registry made (the nodes' folders and the agents'); a named folder stays. */
  close(): void {
    if (this.#temporary) removeFolder(this.baseDir);
  }

  #require(instanceId: string): LocalInstance {
    const instance = this.#instances.get(instanceId);
    if (instance === undefined) throw new Error(`Unknown local instance '${instanceId}'`);
    return instance;
  }

  #emit(event: InstanceEvent): void {
    for (const listener of [...this.#listeners]) listener(event);
  }
}
