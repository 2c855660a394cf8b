/**
 * State machine revisions and versions: every change of a state machine's definition, role or configuration is a new
 * revision (with a new `revisionId`; the first one has none), and a version is an immutable snapshot of one revision,
 * numbered 1, 2, ... "monotonically increasing", never reused after a deletion (recorded)
 * (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-state-machine-version.html).
 */
import type { StateMachineDefinition } from '../../model/state-machine.js';
import type { EncryptionConfiguration, LoggingConfiguration, TracingConfiguration } from './logging-configuration.js';
import { sameConfiguration } from './logging-configuration.js';
import { conflict } from './api-errors.js';

/** One revision of a state machine: what an execution runs and what a version keeps. */
export interface Revision {
  readonly definitionText: string;
  readonly definition: StateMachineDefinition;
  readonly roleArn: string;
  readonly logging: LoggingConfiguration;
  readonly tracing: TracingConfiguration;
  readonly encryption: EncryptionConfiguration;
  /** Undefined for the first revision: "The first revision ID when you create the state machine is null." */
  readonly revisionId: string | undefined;
  /** Epoch ms when this revision became current (the creation date for the first). */
  readonly since: number;
}

export interface VersionRecord {
  readonly arn: string;
  readonly number: number;
  readonly revision: Revision;
  readonly description: string | undefined;
  /** Epoch ms. */
  readonly creationDate: number;
}

/** "You can publish up to 1000 versions for each state machine." */
export const MAX_VERSIONS = 1000;

/** The versions of one state machine. */
export class Versions {
  readonly #byNumber = new Map<number, VersionRecord>();
  #next = 1;

  constructor(private readonly machineArn: string) {}

  get(number: number): VersionRecord | undefined {
    return this.#byNumber.get(number);
  }

  /** Newest first: "sorted in descending order of the version creation time". */
  list(): VersionRecord[] {
    return [...this.#byNumber.values()].reverse();
  }

  /** The existing version of this exact revision (PublishStateMachineVersion is idempotent on it). */
  ofRevision(revision: Revision): VersionRecord | undefined {
    for (const version of this.#byNumber.values()) if (version.revision === revision) return version;
    return undefined;
  }

  /** Publishes `revision` unless a version of it exists. */
  publish(revision: Revision, description: string | undefined, now: number): VersionRecord {
    const existing = this.ofRevision(revision);
    if (existing !== undefined) return existing;
    if (this.#byNumber.size >= MAX_VERSIONS) throw conflict(`The maximum number of versions (${MAX_VERSIONS}) has been reached for '${this.machineArn}'.`);
    const number = this.#next++;
    const version: VersionRecord = { arn: `${this.machineArn}:${number}`, number, revision, description, creationDate: now };
    this.#byNumber.set(number, version);
    return version;
  }

  delete(number: number): void {
    this.#byNumber.delete(number);
  }

  /** The number the next version gets (numbers are never reused, so the store keeps it). */
  get nextNumber(): number {
    return this.#next;
  }

  /** Puts back versions the store kept, and the next number. */
  restore(versions: readonly VersionRecord[], next: number): void {
    // Oldest first, as they were published: list() shows them newest first.
    for (const version of [...versions].sort((a, b) => a.number - b.number)) this.#byNumber.set(version.number, version);
    this.#next = Math.max(next, this.#next);
  }
}

/** Whether a requested change leaves the revision as it is (UpdateStateMachine then keeps the revision id). */
export function sameRevision(a: Revision, b: Omit<Revision, 'revisionId' | 'since'>): boolean {
  return (
    a.definitionText === b.definitionText &&
    a.roleArn === b.roleArn &&
    sameConfiguration(a.logging, b.logging) &&
    sameConfiguration(a.tracing, b.tracing) &&
    sameConfiguration(a.encryption, b.encryption)
  );
}
