/**
 * ParallelCluster's own configuration rules, per format. Kept as data so the schema, the renderers and the
 * docs read the same facts. Each rule names the ParallelCluster code it mirrors (aws/aws-parallelcluster:
 * 3.x `cli/src/pcluster/...` on develop, October 2024; 2.x `cli/src/pcluster/config/...` at tag v2.11.9).
 */
export type ClusterFormat = "v2" | "v3";

/**
 * 2.x operating systems (`base_os`, tag v2.11.9). ParallelCluster 3's, which change with every few
 * releases, are in the release table (releases.ts).
 */
export const V2_OPERATING_SYSTEMS: readonly string[] = ["alinux2", "ubuntu1804", "ubuntu2004", "centos7"];

/** Default login user of each OS image: never an SSH username for a cluster user. */
export const OS_DEFAULT_USERS: Record<string, string> = {
    alinux2: "ec2-user",
    alinux2023: "ec2-user",
    centos7: "centos",
    ubuntu1804: "ubuntu",
    ubuntu2004: "ubuntu",
    ubuntu2204: "ubuntu",
    ubuntu2404: "ubuntu",
    rhel8: "ec2-user",
    rhel9: "ec2-user",
    rocky8: "rocky",
    rocky9: "rocky",
};

/**
 * v3: MaxCountValidator with constants.MAX_NUMBER_OF_QUEUES, MAX_COMPUTE_RESOURCES_PER_QUEUE and
 * MAX_NUMBER_OF_COMPUTE_RESOURCES_PER_CLUSTER (SlurmScheduling and SlurmQueue._register_validators).
 * v2: at most 5 queues of at most 3 compute resources, so 15 per cluster.
 */
export const LIMITS: Record<
    ClusterFormat,
    { queues: number; computeResourcesPerQueue: number; computeResourcesPerCluster: number; nameMaxLength: number }
> = {
    v2: { queues: 5, computeResourcesPerQueue: 3, computeResourcesPerCluster: 15, nameMaxLength: 30 },
    v3: { queues: 50, computeResourcesPerQueue: 50, computeResourcesPerCluster: 50, nameMaxLength: 25 },
};

/**
 * Queue and compute-resource names, both formats: lowercase, start with a letter, never `default`. 2.x
 * section labels (param_types._validate_section_label, `^[a-zA-Z][a-zA-Z0-9-\\_]{0,29}$`, since 2.9.0)
 * take no dot, so the article's `[compute_resource c5n.18xl]` is refused by every multi-queue 2.x release.
 */
export const QUEUE_NAME_PATTERN = /^[a-z][a-z0-9-]*$/;

/** v3 cluster names; v2 names follow the same shape (they become CloudFormation stack names). */
export const CLUSTER_NAME_PATTERN = /^[a-zA-Z][a-zA-Z0-9-]*$/;
export const CLUSTER_NAME_MAX_LENGTH = 60;

/** 2.x root volumes (`master_root_volume_size`, `compute_root_volume_size`): at least the 35 GB of its AMIs (PR #2429). 3.x's minimum is each release's (releases.ts). */
export const V2_MIN_ROOT_VOLUME_GIB = 35;

/**
 * Where SSH may come from when the config does not say: ParallelCluster's own default (constants.CIDR_ALL_IPS
 * for HeadNodeSsh.allowed_ips in 3.x, `ssh_from` in 2.x), so leaving the key out changes nothing on a
 * running cluster. The advisory policy discouraged-ssh-open-to-world reports it.
 */
export const DEFAULT_SSH_ALLOWED_IPS = "0.0.0.0/0";

/** What ParallelCluster accepts for SSH sources: an IPv4 CIDR (both formats) or, in 3.x, a prefix list (common_schema.is_cidr_or_prefix_list). */
export function sshAllowedIpsProblem(value: string, format: ClusterFormat): string | undefined {
    if (/^pl-[a-zA-Z0-9]+$/.test(value)) {
        return format === "v3" ? undefined : "a prefix list is a v3 setting; v2's ssh_from takes an IPv4 CIDR block such as 203.0.113.0/24";
    }
    const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
    const octets = match ? match.slice(1, 5).map(Number) : [];
    const prefix = match ? Number(match[5]) : -1;
    if (!match || octets.some((octet) => octet > 255) || prefix > 32) {
        return "must be an IPv4 CIDR block such as 203.0.113.0/24 (your office or VPN range)" + (format === "v3" ? " or a prefix list id such as pl-0123456789abcdef0" : "");
    }
    const address = octets.reduce((sum, octet) => sum * 256 + octet, 0);
    const mask = prefix === 0 ? 0 : 2 ** 32 - 2 ** (32 - prefix);
    const network = address - (address % 2 ** (32 - prefix));
    if (address !== network && mask !== 0) {
        const dotted = [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256).join(".");
        return `has host bits set; the block is ${dotted}/${prefix}`;
    }
    return undefined;
}

export const FSX_DEPLOYMENT_TYPES: Record<ClusterFormat, readonly string[]> = {
    v2: ["SCRATCH_1", "SCRATCH_2", "PERSISTENT_1"],
    v3: ["SCRATCH_1", "SCRATCH_2", "PERSISTENT_1", "PERSISTENT_2"],
};

/**
 * Per-unit throughput (MB/s/TiB) each persistent SSD deployment type requires; the SCRATCH types take none.
 * Mirrors FsxPersistentOptionsValidator (required for PERSISTENT_*, forbidden otherwise) and
 * FsxStorageTypeOptionsValidator with constants.FSX_SSD_THROUGHPUT.
 */
export const FSX_THROUGHPUTS: Readonly<Record<string, readonly number[]>> = {
    PERSISTENT_1: [50, 100, 200],
    PERSISTENT_2: [125, 250, 500, 1000],
};

/**
 * FSx for Lustre capacity rule (FsxStorageCapacityValidator): SCRATCH_1 takes 1200, 2400 or a multiple of 3600 GiB; the SSD types take
 * 1200 or a multiple of 2400 GiB. Returns the rule in words when `capacity` breaks it.
 */
export function fsxCapacityProblem(deploymentType: string, capacity: number): string | undefined {
    if (deploymentType === "SCRATCH_1") {
        return capacity === 1200 || capacity === 2400 || capacity % 3600 === 0
            ? undefined
            : "SCRATCH_1 takes 1200, 2400 or a multiple of 3600 GiB";
    }
    return capacity === 1200 || capacity % 2400 === 0
        ? undefined
        : `${deploymentType} takes 1200 or a multiple of 2400 GiB`;
}

/**
 * Why a v3 queue must stay in one compute subnet, or undefined when it may span every compute subnet (one
 * per zone, in the `Instances` form: SingleInstanceTypeSubnetValidator refuses `InstanceType` across
 * subnets). ParallelCluster refuses across zones: EFA (EfaMultiAzValidator), a placement group
 * (MultiAzPlacementGroupValidator), and any queue at all when it creates the FSx file system itself
 * (ManagedFsxMultiAzValidator counts the subnets of every queue together).
 */
export function singleSubnetReason(
    queue: { readonly efa: boolean; readonly placementGroup?: string },
    createsFileSystem: boolean,
): string | undefined {
    if (queue.efa) {
        return "EFA cannot span zones";
    }
    if (queue.placementGroup !== undefined) {
        return "a placement group cannot span zones";
    }
    return createsFileSystem ? "ParallelCluster creates the FSx file system in one subnet and then refuses queues across subnets" : undefined;
}

/** Ids ParallelCluster accepts for an existing FSx file system. */
export const FSX_FILE_SYSTEM_ID_PATTERN = /^fs-[0-9a-f]{8,17}$/;

/** `SlurmSettings.QueueUpdateStrategy` (3.2+): what running compute nodes undergo in an update. */
export const QUEUE_UPDATE_STRATEGIES = ["COMPUTE_FLEET_STOP", "DRAIN", "TERMINATE"] as const;
export type QueueUpdateStrategy = (typeof QUEUE_UPDATE_STRATEGIES)[number];
