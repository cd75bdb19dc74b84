/**
 * The validated environment: what the components build from. Independent of Pulumi and of OpsWorks'
 * wire shapes; every default is resolved and every derived name is filled in.
 */
import type { ClusterFormat, QueueUpdateStrategy } from "./parallelClusterRules";

export type AccessState = "allowed" | "blocked" | "revoked";

export interface ComputeResourceSettings {
    readonly name: string;
    readonly instanceType: string;
    readonly minCount: number;
    readonly maxCount: number;
}

export interface QueueSettings {
    readonly name: string;
    readonly computeResources: readonly ComputeResourceSettings[];
    readonly efa: boolean;
    /** `DYNAMIC` or an existing placement group's name; undefined for none. */
    readonly placementGroup?: string;
    readonly disableHyperthreading: boolean;
    readonly capacityType: "ondemand" | "spot";
    /**
     * v3: the queue spans every compute subnet (one per zone) in the `Instances` form; false: it runs in the
     * first compute subnet (EFA, a placement group, a file system ParallelCluster creates, one subnet, v2).
     */
    readonly spansSubnets: boolean;
}

export type FsxSettingsConfig =
    | {
          readonly mode: "create";
          readonly name: string;
          readonly mountDir: string;
          readonly storageCapacity: number;
          readonly deploymentType: string;
          readonly perUnitStorageThroughput?: number;
      }
    | { readonly mode: "existing"; readonly name: string; readonly mountDir: string; readonly fileSystemId: string };

/** A login node pool (v3, ParallelCluster 3.11+ here): where users land instead of the head node. */
export interface LoginNodePoolSettings {
    readonly name: string;
    readonly instanceType: string;
    /** Nodes in the pool, behind one load balancer. */
    readonly count: number;
    /** The pool's own EC2 key pair, only when the config gives one (ParallelCluster 3.15 refuses it). */
    readonly keyName?: string;
}

/** Whether and how `pulumi up` owns the cluster through ParallelCluster's CloudFormation custom resource (v3). */
export interface DeploymentSettings {
    readonly deploy: boolean;
    /** The ParallelCluster release whose provider template (and Lambda) creates and updates the cluster. */
    readonly parallelClusterVersion: string;
    /** An existing provider stack's ServiceToken (a Lambda ARN); undefined: the program creates the provider stack. */
    readonly serviceToken?: string;
    /**
     * Set when the provider stack the program creates needs the workaround of known issue
     * aws/aws-parallelcluster#7491 (login nodes on 3.7.0-3.15.1): the policy it adds to the stack's
     * AdditionalIamPolicies (components/cluster/providerTemplate.ts).
     */
    readonly loginNodesListenerFix?: true;
    /** The same for known issue #7331 (HeadNodeAlarm tagging on 3.8.0-3.15.1). */
    readonly headNodeAlarmTaggingFix?: true;
    /**
     * Why ParallelCluster can no longer create a cluster on this release (known issue #7287), with the fix:
     * the program refuses to create the cluster, and only warns when this stack created it before.
     */
    readonly creationBlocked?: string;
}

export interface ClusterSettings {
    readonly name: string;
    /** The name before an announced rename: resources named after it are aliased to the new name. */
    readonly renamedFrom?: string;
    readonly format: ClusterFormat;
    readonly os: string;
    /** The nodes' image (`Image.CustomAmi`); undefined: ParallelCluster's official AMI for `os`. */
    readonly customAmi?: string;
    readonly keyName: string;
    /**
     * Where SSH to the head node may come from (v3 `HeadNode.Ssh.AllowedIps`, v2 `ssh_from`): a CIDR block or
     * a prefix list id. Login nodes take the same value (ParallelCluster defaults a pool's AllowedIps to it).
     */
    readonly sshAllowedIps: string;
    /** ParallelCluster's head node; undefined on AWS PCS, which has none (its Slurm controller is AWS's). */
    readonly headNode?: { readonly instanceType: string; readonly rootVolumeSize?: number };
    readonly computeRootVolumeSize?: number;
    readonly queues: readonly QueueSettings[];
    readonly fsx?: FsxSettingsConfig;
    /** v3 `Scheduling.SlurmSettings.QueueUpdateStrategy`: what running compute nodes undergo in an update. */
    readonly queueUpdateStrategy: QueueUpdateStrategy;
    /** v3 login node pools; empty for none. */
    readonly loginNodes: readonly LoginNodePoolSettings[];
    readonly deployment: DeploymentSettings;
}

export type NetworkSettings =
    | { readonly mode: "create"; readonly cidrBlock: string; readonly availabilityZones: number }
    | {
          readonly mode: "existing";
          readonly vpcId: string;
          readonly headNodeSubnetId: string;
          readonly computeSubnetIds: readonly string[];
      };

export type OpsWorksSettings =
    | { readonly mode: "create"; readonly stackName: string; readonly maxAttempts: number }
    | { readonly mode: "existing"; readonly stackId: string; readonly maxAttempts: number };

/** A project group of the roster backend: a POSIX group on every node. */
export interface GroupSettings {
    readonly name: string;
    /** Explicit GID; undefined: allocated once and kept. */
    readonly gid?: number;
}

/** The roster backend's settings (pcluster-access:roster). */
export interface RosterSettings {
    /** Seconds between two syncs of the node agent (a multiple of 60, 60 to 3600). */
    readonly syncIntervalSeconds: number;
    /** Numbers handed out to users (UID and own group's GID) and project groups (GID), inclusive. */
    readonly uidRange: { readonly first: number; readonly last: number };
    readonly groups: readonly GroupSettings[];
    /** EC2 Instance Connect: an IAM grant per allowed user, and the nodes keep its key command working. */
    readonly instanceConnect: boolean;
    /** Which KMS key signs the roster (1, 2, ...): a new version is a new key, delivered to nodes as they are created. */
    readonly signingKeyVersion: number;
    /** IAM role or user ARNs the signing key lets sign; empty: the identity running `pulumi up`. */
    readonly signers: readonly string[];
    /** Seconds `pulumi up` waits after a roster write for every running node to report it; 0: no wait. */
    readonly awaitNodes: number;
    /** A block or revoke that has not reached every running node within awaitNodes fails `pulumi up`. */
    readonly awaitNodesStrict: boolean;
    /** On a block or revoke, SSM Run Command asks every node to sync at once. */
    readonly nudge: boolean;
}

/**
 * Which backend delivers the roster to the nodes, with that backend's settings. `pool` is the roster
 * backend of a stack that subscribes to a pool stack (`{backend: roster, pool: REF}` in the config): its
 * users, groups and signing key are the pool's.
 */
export type AccessSettings =
    | { readonly backend: "roster"; readonly roster: RosterSettings }
    | { readonly backend: "pool"; readonly pool: string }
    | { readonly backend: "opsworks"; readonly opsworks: OpsWorksSettings };

/** One cluster a pool serves: where it is and who may log in there, with sudo. */
export interface PoolClusterSettings {
    /** The subscribing stack's cluster.name. */
    readonly name: string;
    readonly region: string;
    /** Undefined: the pool's account. */
    readonly account?: string;
    /** IAM user names allowed to log in (listed, or members of a listed group), in the pool's user order. */
    readonly allowed: readonly string[];
    /** IAM user names with sudo there (a subset of allowed). */
    readonly sudo: readonly string[];
}

/** A pool stack's config: the users, groups and signing key every subscribed cluster shares. */
export interface PoolConfig {
    readonly region: string;
    readonly roster: RosterSettings;
    readonly users: readonly UserSettings[];
    readonly clusters: readonly PoolClusterSettings[];
}

/**
 * One cluster user: an IAM user, their SSH username and key, sudo and access state. The roster backend
 * gives them a UID and project groups; the OpsWorks backend a profile and a permission on its stack.
 */
export interface UserSettings {
    /** The IAM user name: the stable key of the roster (resource names derive from it). */
    readonly iamUserName: string;
    /** Set when the config gave an ARN: no lookup is needed. */
    readonly iamUserArn?: string;
    readonly create: boolean;
    /** Normalized public key lines, 1 to 10 (the OpsWorks backend takes exactly one). */
    readonly sshPublicKeys: readonly SshKeySettings[];
    /** Roster backend: no access from 00:00 UTC on this day (YYYY-MM-DD); undefined: no end. */
    readonly expires?: string;
    /** Roster backend: EC2 Instance Connect is on for the roster and this user did not opt out. */
    readonly instanceConnect: boolean;
    readonly sshUsername: string;
    readonly sudo: boolean;
    readonly access: AccessState;
    /** Roster backend: explicit UID; undefined: allocated once and kept. */
    readonly uid?: number;
    /** Roster backend: names of the project groups the user belongs to. */
    readonly groups: readonly string[];
}

/** One of a user's SSH keys. */
export interface SshKeySettings {
    /** Normalized public key line (`TYPE BASE64 [comment]`). */
    readonly key: string;
    /** sshd refuses the key from 00:00 UTC on this day (YYYY-MM-DD); undefined: no end. */
    readonly expires?: string;
}

/** Where users' home directories live on AWS PCS, which has no head node to serve them: mounted at /home by every node. */
export type PcsHomesSettings =
    | { readonly mode: "create" }
    | { readonly mode: "efs"; readonly fileSystemId: string }
    | { readonly mode: "fsx-lustre"; readonly dnsName: string; readonly mountName: string };

/** The AWS PCS cluster (pcluster-access:pcs), present only with cluster.service pcs. */
export interface PcsSettings {
    /** Slurm major version of the PCS cluster (AWS::PCS::Cluster Scheduler.Version). */
    readonly slurmVersion: string;
    readonly size: "SMALL" | "MEDIUM" | "LARGE";
    /** Every node group's AMI; undefined: AWS's newest PCS sample AMI for slurmVersion and architecture. */
    readonly amiId?: string;
    readonly architecture: "x86_64" | "arm64";
    /** The login node group (min = max = count). */
    readonly loginNodes: { readonly instanceType: string; readonly count: number };
    readonly homes: PcsHomesSettings;
}

export interface EnvironmentConfig {
    readonly region: string;
    readonly cluster: ClusterSettings;
    /** Set when cluster.service is pcs: the cluster is an AWS PCS cluster, not ParallelCluster's. */
    readonly pcs?: PcsSettings;
    readonly network: NetworkSettings;
    readonly access: AccessSettings;
    readonly users: readonly UserSettings[];
}

/** One config problem: the key path (`users[2].sshPublicKey`) and what to do about it. */
export interface ConfigProblem {
    readonly path: string;
    readonly message: string;
}
