/**
 * One local managed node: an AWS-shaped id, tags, platform, ping status and its own root folder, plus the
 * state of its (simulated) SSM Agent that fault injection changes.
 * @see https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_InstanceInformation.html
 */
import type { InstanceInformation, InstanceResourceType, PingStatus, PlatformType } from '../../model/ssm.js';

/** Agent version the local agent reports; its run-script behaviour follows amazon-ssm-agent 3.3 (aws-semantics §6). */
export const LOCAL_AGENT_VERSION = '3.3.0.0-local';

export interface LocalInstanceInit {
  readonly instanceId: string;
  readonly resourceType: InstanceResourceType;
  readonly rootDir: string;
  readonly name: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly platformType: PlatformType;
  readonly pingStatus: PingStatus;
  readonly registrationDate: Date;
  readonly roleArn?: string | undefined;
}

export class LocalInstance {
  readonly instanceId: string;
  readonly resourceType: InstanceResourceType;
  /** The node's own folder: the default working directory of its commands. */
  readonly rootDir: string;
  readonly name: string;
  readonly platformType: PlatformType;
  readonly registrationDate: Date;
  /** The role of the node's instance profile, when one was given: its commands' credentials stand for it. */
  readonly roleArn: string | undefined;
  /**
   * What the agent adds to its commands' environment: the node's AWS configuration (region, config files, and while
   * an endpoint serves, `AWS_ENDPOINT_URL` and the role's keys). The local engine sets it; see docs/security.md.
   */
  environment: Readonly<Record<string, string>> = {};
  /** Commands keep the user's AWS variables (and get no AWS configuration of the node's). Default false. */
  inheritAwsEnvironment = false;
  tags: Record<string, string>;
  pingStatus: PingStatus;
  lastPingDateTime: Date;
  /** Extra ms between the service handing a command over and the agent receiving it (slow delivery fault). */
  deliveryDelayMs = 0;
  /**
   * Bumped each time the agent is killed. Work started by an earlier agent generation never reports back, so its
   * invocation stays `InProgress` until the delivery timeout, as with a lost agent on AWS (aws-semantics §6.4).
   */
  agentGeneration = 0;
  readonly #running = new Set<() => void>();

  constructor(init: LocalInstanceInit) {
    this.instanceId = init.instanceId;
    this.resourceType = init.resourceType;
    this.rootDir = init.rootDir;
    this.name = init.name;
    this.tags = { ...init.tags };
    this.platformType = init.platformType;
    this.pingStatus = init.pingStatus;
    this.registrationDate = init.registrationDate;
    this.lastPingDateTime = init.registrationDate;
    this.roleArn = init.roleArn;
  }

  /** True when the agent can receive commands and send results now. */
  get reachable(): boolean {
    return this.pingStatus === 'Online';
  }

  /** Registers a running plugin's kill function, so that killing the agent kills its work. Returns the untrack. */
  track(kill: () => void): () => void {
    this.#running.add(kill);
    return () => this.#running.delete(kill);
  }

  /** Kills every process the agent started (agent killed mid-command). */
  killRunning(): void {
    for (const kill of [...this.#running]) kill();
    this.#running.clear();
  }

  /** `DescribeInstanceInformation` view of this node. */
  describe(): InstanceInformation {
    return {
      InstanceId: this.instanceId,
      PingStatus: this.pingStatus,
      LastPingDateTime: this.lastPingDateTime,
      AgentVersion: LOCAL_AGENT_VERSION,
      IsLatestVersion: true,
      PlatformType: this.platformType,
      PlatformName: 'Local',
      PlatformVersion: process.version,
      ResourceType: this.resourceType,
      IPAddress: '127.0.0.1',
      ComputerName: this.name,
      ...(this.resourceType === 'ManagedInstance' ? { Name: this.name, RegistrationDate: this.registrationDate } : {}),
      // The node itself as the source of its information (API InstanceInformation SourceId / SourceType).
      SourceId: this.instanceId,
      SourceType: this.resourceType === 'ManagedInstance' ? 'AWS::SSM::ManagedInstance' : 'AWS::EC2::Instance',
    };
  }
}
