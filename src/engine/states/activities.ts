/**
 * Activities: tasks that workers poll for with GetActivityTask and answer with SendTaskSuccess / SendTaskFailure /
 * SendTaskHeartbeat (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-activities.html). A Task state whose
 * Resource is an activity ARN queues a task; a poll hands the oldest queued task to the worker, or waits for one
 * "60 seconds. If no task is available within 60 seconds, the poll returns a taskToken with a null string"
 * (API_GetActivityTask.html).
 */
import type { Clock } from '../clock.js';
import { ServiceError } from '../../errors/service-error.js';
import { activityArn as makeActivityArn, expectArn, isValidName } from './arns.js';
import { activityDoesNotExist, invalidName } from './api-errors.js';
import { DEFAULT_ENCRYPTION, encryptionConfiguration, sameConfiguration, type EncryptionConfiguration } from './logging-configuration.js';

export interface ActivityRecord {
  readonly arn: string;
  readonly name: string;
  /** Epoch ms. */
  readonly creationDate: number;
  readonly encryption: EncryptionConfiguration;
}

/** A task queued for workers: the Task state that waits for it is told when a worker takes it. */
export interface ActivityTask {
  readonly taskToken: string;
  readonly input: string;
  /** Called when a worker takes the task (ActivityStarted), with the worker's name. */
  started(workerName: string | undefined): void;
}

/** "The maximum time the service holds on to the request before responding is 60 seconds." */
export const POLL_SECONDS = 60;
/** Pollers waiting on one activity at a time (ActivityWorkerLimitExceeded beyond; the quota is not published). */
export const MAX_POLLERS = 1000;

interface Poller {
  readonly workerName: string | undefined;
  resolve(task: ActivityTask | undefined): void;
}

interface Queue {
  readonly tasks: ActivityTask[];
  readonly pollers: Poller[];
}

export class Activities {
  readonly #records = new Map<string, ActivityRecord>();
  readonly #queues = new Map<string, Queue>();

  constructor(
    private readonly clock: Clock,
    private readonly region: string,
    private readonly accountId: string,
  ) {}

  /**
   * "CreateActivity is an idempotent API ... based on the activity name"; a different encryption configuration is
   * ActivityAlreadyExists ("Activity already exists. EncryptionConfiguration may not be updated.", API reference).
   */
  create(name: string, encryption: Partial<EncryptionConfiguration> | undefined): { record: ActivityRecord; created: boolean } {
    if (!isValidName(name)) throw invalidName(name);
    const config = encryption === undefined ? DEFAULT_ENCRYPTION : encryptionConfiguration(encryption);
    const arn = makeActivityArn(this.region, this.accountId, name);
    const existing = this.#records.get(arn);
    if (existing !== undefined) {
      if (encryption !== undefined && !sameConfiguration(existing.encryption, config)) {
        throw new ServiceError('ActivityAlreadyExists', `Activity already exists. EncryptionConfiguration may not be updated.`);
      }
      return { record: existing, created: false };
    }
    const record: ActivityRecord = { arn, name, creationDate: this.clock.now(), encryption: config };
    this.#records.set(arn, record);
    return { record, created: true };
  }

  /** Puts back an activity the store kept. */
  restore(record: ActivityRecord): void {
    this.#records.set(record.arn, record);
  }

  describe(arn: string): ActivityRecord {
    expectArn(arn, ['activity']);
    const record = this.#records.get(arn);
    if (record === undefined) throw activityDoesNotExist(arn);
    return record;
  }

  /** Deleting is idempotent (recorded: a second DeleteActivity succeeds); waiting workers get no task. */
  delete(arn: string): boolean {
    expectArn(arn, ['activity']);
    const existed = this.#records.delete(arn);
    const queue = this.#queues.get(arn);
    if (queue !== undefined) {
      for (const poller of queue.pollers.splice(0)) poller.resolve(undefined);
      if (queue.tasks.length === 0) this.#queues.delete(arn);
    }
    return existed;
  }

  list(): ActivityRecord[] {
    return [...this.#records.values()];
  }

  exists(arn: string): boolean {
    return this.#records.has(arn);
  }

  /** Queues a task for the activity's workers; returns the function that withdraws it (timeout, stop). */
  schedule(arn: string, task: ActivityTask): () => void {
    const queue = this.#queue(arn);
    const poller = queue.pollers.shift();
    if (poller !== undefined) {
      poller.resolve(task);
      return () => undefined;
    }
    queue.tasks.push(task);
    return () => {
      const at = queue.tasks.indexOf(task);
      if (at >= 0) queue.tasks.splice(at, 1);
      this.#dropIfIdle(arn, queue);
    };
  }

  /** GetActivityTask: the oldest queued task, or the next one scheduled within 60 seconds, or none. */
  async poll(arn: string, workerName: string | undefined): Promise<{ taskToken?: string; input?: string }> {
    expectArn(arn, ['activity']);
    if (!this.#records.has(arn)) throw activityDoesNotExist(arn);
    const queue = this.#queue(arn);
    const ready = queue.tasks.shift();
    if (ready !== undefined) return this.#hand(ready, workerName);
    if (queue.pollers.length >= MAX_POLLERS) {
      throw new ServiceError('ActivityWorkerLimitExceeded', 'The maximum number of workers concurrently polling for activity tasks has been reached.');
    }
    const task = await new Promise<ActivityTask | undefined>((resolve) => {
      let cancel: (() => void) | undefined;
      const poller: Poller = {
        workerName,
        resolve: (t) => {
          cancel?.();
          resolve(t);
        },
      };
      queue.pollers.push(poller);
      cancel = this.clock.setTimer(POLL_SECONDS * 1000, () => {
        const at = queue.pollers.indexOf(poller);
        if (at >= 0) queue.pollers.splice(at, 1);
        this.#dropIfIdle(arn, queue);
        resolve(undefined);
      });
    });
    return task === undefined ? {} : this.#hand(task, workerName);
  }

  #hand(task: ActivityTask, workerName: string | undefined): { taskToken: string; input: string } {
    task.started(workerName);
    return { taskToken: task.taskToken, input: task.input };
  }

  #queue(arn: string): Queue {
    let queue = this.#queues.get(arn);
    if (queue === undefined) {
      queue = { tasks: [], pollers: [] };
      this.#queues.set(arn, queue);
    }
    return queue;
  }

  #dropIfIdle(arn: string, queue: Queue): void {
    if (queue.tasks.length === 0 && queue.pollers.length === 0 && this.#queues.get(arn) === queue) this.#queues.delete(arn);
  }
}
