/**
 * The engines behind one endpoint: one `LocalEngine` per region, made on the first request signed for it, all in one
 * account with one credential registry and one role registry (IAM is global to an account: a role a stack in
 * eu-west-1 creates is the same role in us-east-1). The default region's engine also gets the endpoint's startup work
 * (serve's instances, roles and templates), at start and after every reset.
 */
import { CredentialRegistry } from '../iam/credential-registry.js';
import { RoleRegistry } from '../iam/roles.js';
import type { LocalEngine } from '../local-engine.js';
import type { Store } from '../store/index.js';
import { DEFAULT_ACCOUNT_ID, DEFAULT_REGION, isRegionName, partitionOf } from './partitions.js';

/** What every engine of a set shares. */
export interface EngineScope {
  readonly region: string;
  readonly accountId: string;
  readonly credentials: CredentialRegistry;
  readonly roles: RoleRegistry;
  /** The set's store scoped to the region, when the set has one (`serve --data-dir`). */
  readonly store?: Store;
  /** The set's store scoped to the region's partition, for IAM (global to the account), when the set has one. */
  readonly iamStore?: Store;
}

/** The one factory: makes the engine of a region with the shared account, credentials and roles. */
export type EngineFactory = (scope: EngineScope) => LocalEngine;

export interface RegionalEnginesOptions {
  readonly create: EngineFactory;
  /** Default us-east-1: unsigned routes and the startup work use it. */
  readonly defaultRegion?: string;
  /** Default 123456789012. */
  readonly accountId?: string;
  /** Kept across resets (serve's `--credentials` keys, the console's key). Default: a new, empty one. */
  readonly credentials?: CredentialRegistry;
  /** The startup work, run on every fresh default-region engine: instances, roles, templates. */
  readonly setup?: (engine: LocalEngine) => Promise<void>;
  /** Most regions served at once; a request for one more is refused. Default 64 (AWS has about 40). */
  readonly maxRegions?: number;
  /** Where the engines keep their records, one scope per region; a reset empties it. Default: none (each engine's own memory). */
  readonly store?: Store;
}

export type EnginesState = 'running' | 'resetting' | 'failed' | 'closed';

/** No engine serves now (a reset is under way, or the last one failed): the endpoint answers 503, which SDKs retry. */
export class EnginesUnavailable extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'EnginesUnavailable';
  }
}

/** Why a request's region cannot be served: the endpoint answers it as AWS answers a badly scoped credential. */
export class RegionRefused extends Error {
  constructor(readonly region: string, reason: string) {
    super(reason);
    this.name = 'RegionRefused';
  }
}

export class RegionalEngines {
  readonly defaultRegion: string;
  readonly accountId: string;
  readonly credentials: CredentialRegistry;
  readonly #create: EngineFactory;
  readonly #setup: ((engine: LocalEngine) => Promise<void>) | undefined;
  readonly #maxRegions: number;
  readonly #store: Store | undefined;
  /** Why the last reset failed, until one succeeds. */
  #failure: Error | undefined;
  #roles = new RoleRegistry();
  #engines = new Map<string, LocalEngine>();
  /** The endpoint serving the set, and how to undo `serving` on each engine (its instances' keys). */
  #endpointUrl: string | undefined;
  readonly #detach = new Map<LocalEngine, () => void>();
  #state: EnginesState = 'running';
  #resets = 0;
  /** Resets run one after another; a reset asked for during another waits for it. */
  #queue: Promise<unknown> = Promise.resolve();
  /** A reset queued but not started yet: later requests join it, so a burst of resets makes one or two, not a queue. */
  #next: Promise<void> | undefined;

  private constructor(options: RegionalEnginesOptions) {
    this.defaultRegion = options.defaultRegion ?? DEFAULT_REGION;
    this.accountId = options.accountId ?? DEFAULT_ACCOUNT_ID;
    this.credentials = options.credentials ?? new CredentialRegistry();
    this.#create = options.create;
    this.#setup = options.setup;
    this.#maxRegions = options.maxRegions ?? 64;
    this.#store = options.store;
    if (!isRegionName(this.defaultRegion)) throw new Error(`'${this.defaultRegion}' is not a region name (such as us-east-1, eu-west-1 or cn-north-1).`);
  }

  /** Makes the set and its default-region engine, with the startup work done. */
  static async start(options: RegionalEnginesOptions): Promise<RegionalEngines> {
    const set = RegionalEngines.create(options);
    try {
      await set.setup();
    } catch (error) {
      await set.close();
      throw error;
    }
    return set;
  }

  /** Makes the set and its default-region engine without the startup work: `setup()` runs it (serve listens first). */
  static create(options: RegionalEnginesOptions): RegionalEngines {
    const set = new RegionalEngines(options);
    set.#engines.set(set.defaultRegion, set.#make(set.defaultRegion));
    return set;
  }

  /** Runs the startup work on the default region's engine (resets run it on each fresh one). */
  async setup(): Promise<void> {
    await this.#setup?.(this.default);
  }

  /**
   * A set around an engine made elsewhere (tests, programs that build their own): it is the default region's engine;
   * other regions get engines with its clock, ids, account and IAM setting. A reset gives empty engines.
   */
  static around(engine: LocalEngine, create?: EngineFactory): RegionalEngines {
    const set = new RegionalEngines({
      defaultRegion: engine.region,
      accountId: engine.accountId,
      credentials: engine.credentials,
      create: create ?? ((scope) => engine.sibling(scope)),
    });
    set.#roles = engine.roles;
    set.#engines.set(engine.region, engine);
    return set;
  }

  get state(): EnginesState {
    return this.#state;
  }

  /** How many resets have completed. */
  get resets(): number {
    return this.#resets;
  }

  /** The default region's engine; EnginesUnavailable while a reset is under way or after one failed. */
  get default(): LocalEngine {
    return this.for(this.defaultRegion);
  }

  /** The engines made so far, the default region's first. */
  list(): LocalEngine[] {
    return [...this.#engines.values()];
  }

  /** The engine of `region`, made now if this is its first request. Throws RegionRefused for a name that is no region. */
  for(region: string): LocalEngine {
    if (this.#state === 'resetting') throw new EnginesUnavailable('The endpoint is resetting; retry.');
    if (this.#failure !== undefined) throw new EnginesUnavailable(`The last reset failed (${this.#failure.message}); POST /_shellstep/reset again.`);
    const known = this.#engines.get(region);
    if (known !== undefined) return known;
    if (this.#state === 'closed') throw new EnginesUnavailable('The endpoint is shutting down.');
    // AWS's wording for a credential scoped to a region its endpoint does not serve (SigV4 error, recorded in SDK issues).
    if (!isRegionName(region)) throw new RegionRefused(region, `Credential should be scoped to a valid region, not '${region}'. `);
    if (this.#engines.size >= this.#maxRegions) {
      throw new RegionRefused(region, `Credential should be scoped to a valid region, not '${region}'. This endpoint already serves ${this.#maxRegions} regions, its limit.`);
    }
    const engine = this.#make(region);
    this.#engines.set(region, engine);
    if (this.#endpointUrl !== undefined) this.#detach.set(engine, engine.serving(this.#endpointUrl));
    return engine;
  }

  /** An endpoint serves the set at `url` (every engine's instances point at it); the returned function undoes it. */
  serving(url: string): () => void {
    this.#endpointUrl = url;
    for (const engine of this.#engines.values()) if (!this.#detach.has(engine)) this.#detach.set(engine, engine.serving(url));
    return () => {
      if (this.#endpointUrl !== url) return;
      this.#endpointUrl = undefined;
      for (const undo of this.#detach.values()) undo();
      this.#detach.clear();
    };
  }

  /**
   * Fresh engines: the old ones are closed (which ends their executions and their instances' processes), the store is
   * emptied, and a new default-region engine gets the startup work again; no other region, roles as at start. Requests
   * meanwhile get EnginesUnavailable (503, retried by the SDKs), so none lands in an engine that is going away.
   */
  reset(): Promise<void> {
    if (this.#next !== undefined) return this.#next;
    const next = this.#queue.then(() => {
      this.#next = undefined;
      return this.#reset();
    });
    this.#next = next;
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #reset(): Promise<void> {
    if (this.#state === 'closed') throw new Error('The endpoint is shutting down.');
    this.#state = 'resetting';
    try {
      const old = this.#engines;
      this.#engines = new Map();
      await Promise.all([...old.values()].map((e) => this.#retire(e)));
      // Emptied after the old engines closed; the scopes they hold write nothing from then on (Store.clear), so what
      // they record while stopping does not outlive the reset. The fresh engines take new scopes.
      this.#store?.flush();
      this.#store?.clear();
      this.#roles = new RoleRegistry();
      const engine = await this.#fresh();
      this.#engines = new Map([[this.defaultRegion, engine]]);
      if (this.#endpointUrl !== undefined) this.#detach.set(engine, engine.serving(this.#endpointUrl));
      this.#failure = undefined;
      this.#resets++;
    } catch (error) {
      this.#failure = error as Error;
      throw error;
    } finally {
      if (this.#state === 'resetting') this.#state = this.#failure === undefined ? 'running' : 'failed';
    }
  }

  /** Closes every engine (the endpoint is stopping). */
  async close(): Promise<void> {
    this.#state = 'closed';
    await Promise.all([...this.#engines.values()].map((e) => this.#retire(e)));
  }

  /** An engine of `region` through the factory, with the shared registries and its region's scope of the store. */
  #make(region: string): LocalEngine {
    const scope: EngineScope = { region, accountId: this.accountId, credentials: this.credentials, roles: this.#roles };
    if (this.#store === undefined) return this.#create(scope);
    return this.#create({ ...scope, store: this.#store.scope(region), iamStore: this.#store.scope(`iam-${partitionOf(region)}`) });
  }

  async #fresh(): Promise<LocalEngine> {
    const engine = this.#make(this.defaultRegion);
    try {
      await this.#setup?.(engine);
    } catch (error) {
      await engine.close();
      throw error;
    }
    return engine;
  }

  async #retire(engine: LocalEngine): Promise<void> {
    this.#detach.get(engine)?.();
    this.#detach.delete(engine);
    await engine.close();
  }
}
