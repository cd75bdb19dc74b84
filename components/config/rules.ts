/**
 * Rules that read several fields at once: ParallelCluster's per-format limits, network and FSx choices,
 * and the roster (unique IAM users, usable and unique SSH usernames). Each rule adds problems with the
 * key path and the fix; resolution fills in every default and derived name.
 */
import type {
    ClusterSettings,
    ComputeResourceSettings,
    FsxSettingsConfig,
    NetworkSettings,
    OpsWorksSettings,
    QueueSettings,
    UserSettings,
} from "./model";
import { OPSWORKS_REGIONS } from "./opsworksRegions";
import {
    CLUSTER_NAME_MAX_LENGTH,
    CLUSTER_NAME_PATTERN,
    DEFAULT_SSH_ALLOWED_IPS,
    FSX_DEPLOYMENT_TYPES,
    LIMITS,
    OS_DEFAULT_USERS,
    FSX_THROUGHPUTS,
    QUEUE_NAME_PATTERN,
    fsxCapacityProblem,
    singleSubnetReason,
    sshAllowedIpsProblem,
    type ClusterFormat,
} from "./parallelClusterRules";
import { resolveDeployment } from "./deploymentRules";
import { checkAdvisories, checkImage, checkOperatingSystem, checkRootVolumes, resolveRelease } from "./releaseRules";
import type { RawQueue, RawSections } from "./schema";
import { iamUserNameOf, isIamUserArn } from "./schema";
import { RESERVED_USERNAMES, SSH_USERNAME_PATTERN, SSH_USERNAME_RULE, deriveSshUsername } from "./sshUsername";
import type { ProblemSink } from "./problems";

export function checkRegion(region: string, sink: ProblemSink): void {
    if (!OPSWORKS_REGIONS.includes(region)) {
        sink.report(
            "aws:region",
            `'${region}' never had OpsWorks Stacks, which this environment's users live in. ` +
                `Use one of: ${OPSWORKS_REGIONS.join(", ")}.`,
        );
    }
}

/**
 * The article's compute_resource names without the dot no ParallelCluster accepts (see QUEUE_NAME_PATTERN):
 * `c5n.18xlarge` becomes `c5n-18xl` in both formats.
 */
export function defaultComputeResourceName(instanceType: string): string {
    return instanceType.replace(/xlarge$/, "xl").replace(/\./g, "-");
}

/**
 * `computeSubnets`: how many compute subnets the network has (undefined when the network key is broken);
 * it decides which queues span them (QueueSettings.spansSubnets). Problems and warnings go to `sink`.
 */
export function resolveCluster(raw: RawSections["cluster"], computeSubnets: number | undefined, sink: ProblemSink): ClusterSettings {
    const format = raw.format;
    const limits = LIMITS[format];
    const createsFileSystem = raw.fsx !== undefined && raw.fsx.fileSystemId === undefined;
    if (!CLUSTER_NAME_PATTERN.test(raw.name) || raw.name.length > CLUSTER_NAME_MAX_LENGTH) {
        sink.report(
            "cluster.name",
            `'${raw.name}' is not a valid cluster name: letters, digits and '-', starting with a letter, ` +
                `at most ${CLUSTER_NAME_MAX_LENGTH} characters.`,
        );
    }
    if (raw.renamedFrom !== undefined && (!CLUSTER_NAME_PATTERN.test(raw.renamedFrom) || raw.renamedFrom === raw.name)) {
        sink.report(
            "cluster.renamedFrom",
            `'${raw.renamedFrom}' must be the cluster's previous name (a valid cluster name other than cluster.name). Set it to the name you renamed from, or remove it.`,
        );
    }
    // Every v3 rule that depends on the release reads its row (releases.ts); v2 has one set of rules.
    const release = resolveRelease(raw, sink);
    checkOperatingSystem(raw.os, release, format, sink);
    checkImage(raw, sink);
    checkRootVolumes(raw, release, sink);
    checkAdvisories(release, sink);
    const sshAllowedIps = raw.sshAllowedIps ?? DEFAULT_SSH_ALLOWED_IPS;
    const sshProblem = sshAllowedIpsProblem(sshAllowedIps, format);
    if (sshProblem) {
        sink.report("cluster.sshAllowedIps", `'${sshAllowedIps}' ${sshProblem}.`);
    }
    if (raw.queues.length > limits.queues) {
        sink.report("cluster.queues", `${format} allows at most ${limits.queues} queues; ${raw.queues.length} are listed. Merge or remove queues.`);
    }
    const resourceCount = raw.queues.reduce((sum, queue) => sum + (queue?.computeResources.length ?? 0), 0);
    if (resourceCount > limits.computeResourcesPerCluster) {
        // MaxCountValidator, "ComputeResources per Cluster" (constants.MAX_NUMBER_OF_COMPUTE_RESOURCES_PER_CLUSTER).
        sink.report(
            "cluster.queues",
            `${format} allows at most ${limits.computeResourcesPerCluster} compute resources in the whole cluster; ` +
                `the queues list ${resourceCount}. Remove compute resources or give one resource a higher maxCount.`,
        );
    }
    const queueNames = new Map<string, number>();
    const queues = raw.queues.map((queue, q): QueueSettings | undefined => {
        if (queue === undefined) {
            return undefined;
        }
        const path = `cluster.queues[${q}]`;
        checkName(`${path}.name`, queue.name, "queue", QUEUE_NAME_PATTERN, limits.nameMaxLength, sink);
        const first = queueNames.get(queue.name);
        if (first !== undefined) {
            sink.report(`${path}.name`, `queue '${queue.name}' is already cluster.queues[${first}]. Queue names must be unique.`);
        } else {
            queueNames.set(queue.name, q);
        }
        if (queue.computeResources.length > limits.computeResourcesPerQueue) {
            sink.report(
                `${path}.computeResources`,
                `${format} allows at most ${limits.computeResourcesPerQueue} compute resources per queue; ` +
                    `${queue.computeResources.length} are listed. Split the queue.`,
            );
        }
        if (queue.efa && queue.placementGroup === undefined) {
            sink.report(`${path}.placementGroup`, "EFA needs a placement group: set placementGroup: DYNAMIC (or an existing group's name), or set efa: false.");
        }
        const spansSubnets = format === "v3" && (computeSubnets ?? 1) > 1 && singleSubnetReason(queue, createsFileSystem) === undefined;
        return { ...queue, computeResources: resolveComputeResources(queue.computeResources, format, path, sink), spansSubnets };
    });
    if (format === "v2") {
        checkV2ComputeResourceNamesAcrossQueues(queues, sink);
    }
    return {
        name: raw.name,
        ...(raw.renamedFrom === undefined ? {} : { renamedFrom: raw.renamedFrom }),
        format,
        os: raw.os,
        ...(raw.customAmi === undefined ? {} : { customAmi: raw.customAmi }),
        keyName: raw.keyName,
        sshAllowedIps,
        headNode: raw.headNode,
        computeRootVolumeSize: raw.computeRootVolumeSize,
        queues: queues.filter((queue) => queue !== undefined),
        fsx: raw.fsx === undefined ? undefined : resolveFsx(raw.fsx, format, sink),
        ...resolveDeployment(raw, release, sink),
    };
}

/** v2 declares each [compute_resource NAME] once for the whole cluster, so names cannot repeat across queues. */
function checkV2ComputeResourceNamesAcrossQueues(queues: readonly (QueueSettings | undefined)[], sink: ProblemSink): void {
    const owners = new Map<string, string>();
    queues.forEach((queue, q) =>
        queue?.computeResources.forEach((resource, r) => {
            const path = `cluster.queues[${q}].computeResources[${r}]`;
            const owner = owners.get(resource.name);
            if (owner !== undefined && !owner.startsWith(`cluster.queues[${q}]`)) {
                sink.report(
                    `${path}.name`,
                    `'${resource.name}' is already the name of ${owner}; v2 compute_resource sections are cluster-wide. Set a unique ${path}.name.`,
                );
            }
            owners.set(resource.name, owners.get(resource.name) ?? path);
        }),
    );
}

export function resolveComputeResources(
    raw: RawQueue["computeResources"],
    format: ClusterFormat,
    queuePath: string,
    sink: ProblemSink,
): ComputeResourceSettings[] {
    const names = new Map<string, number>();
    const types = new Map<string, number>();
    return raw.map((resource, r) => {
        const path = `${queuePath}.computeResources[${r}]`;
        const name = resource.name ?? defaultComputeResourceName(resource.instanceType);
        checkName(`${path}.name`, name, "compute resource", QUEUE_NAME_PATTERN, LIMITS[format].nameMaxLength, sink, resource.name === undefined);
        if (names.has(name)) {
            sink.report(`${path}.name`, `compute resource '${name}' is already ${queuePath}.computeResources[${names.get(name)}]. Give each a unique name.`);
        }
        names.set(name, r);
        if (format === "v2" && types.has(resource.instanceType)) {
            sink.report(
                `${path}.instanceType`,
                `${resource.instanceType} is already ${queuePath}.computeResources[${types.get(resource.instanceType)}]; ` +
                    "v2 needs distinct instance types within a queue. Raise that resource's maxCount instead.",
            );
        }
        types.set(resource.instanceType, r);
        if (resource.minCount > resource.maxCount) {
            sink.report(`${path}.minCount`, `minCount (${resource.minCount}) is above maxCount (${resource.maxCount}). Lower minCount or raise maxCount.`);
        }
        return { name, instanceType: resource.instanceType, minCount: resource.minCount, maxCount: resource.maxCount };
    });
}

export function checkName(
    path: string,
    name: string,
    what: string,
    pattern: RegExp,
    maxLength: number,
    sink: ProblemSink,
    derived = false,
): void {
    const origin = derived ? ` (derived from the instance type; set ${path} to choose one)` : "";
    if (!pattern.test(name) || name.length > maxLength) {
        sink.report(path, `'${name}'${origin} is not a valid ${what} name: lowercase letters, digits and '-', starting with a letter, at most ${maxLength} characters.`);
    } else if (name === "default") {
        sink.report(path, `'default' is reserved by ParallelCluster; choose another ${what} name.`);
    }
}

function resolveFsx(raw: NonNullable<RawSections["cluster"]["fsx"]>, format: ClusterFormat, sink: ProblemSink): FsxSettingsConfig {
    const path = "cluster.fsx";
    if (raw.fileSystemId !== undefined) {
        for (const key of ["storageCapacity", "deploymentType", "perUnitStorageThroughput"] as const) {
            if (raw[key] !== undefined) {
                sink.report(`${path}.${key}`, "an existing file system (fileSystemId) takes no creation settings. Remove this key, or remove fileSystemId to create one.");
            }
        }
        return { mode: "existing", name: raw.name, mountDir: raw.mountDir, fileSystemId: raw.fileSystemId };
    }
    const deploymentType = raw.deploymentType ?? "SCRATCH_2";
    const storageCapacity = raw.storageCapacity ?? 1200;
    if (!FSX_DEPLOYMENT_TYPES[format].includes(deploymentType)) {
        sink.report(`${path}.deploymentType`, `'${deploymentType}' is not a ${format} FSx deployment type. Use one of: ${FSX_DEPLOYMENT_TYPES[format].join(", ")}.`);
    } else {
        const problem = fsxCapacityProblem(deploymentType, storageCapacity);
        if (problem) {
            sink.report(`${path}.storageCapacity`, `${storageCapacity} GiB is not a valid capacity: ${problem}.`);
        }
    }
    // The throughput rule only means something once the deployment type is valid (reported above otherwise).
    const throughputProblem = FSX_DEPLOYMENT_TYPES[format].includes(deploymentType) ? fsxThroughputProblem(deploymentType, raw.perUnitStorageThroughput) : undefined;
    if (throughputProblem) {
        sink.report(`${path}.perUnitStorageThroughput`, throughputProblem);
    }
    return {
        mode: "create",
        name: raw.name,
        mountDir: raw.mountDir,
        storageCapacity,
        deploymentType,
        ...(raw.perUnitStorageThroughput === undefined ? {} : { perUnitStorageThroughput: raw.perUnitStorageThroughput }),
    };
}

export function resolveNetwork(raw: RawSections["network"], sink: ProblemSink): NetworkSettings {
    if (raw.create && raw.existing) {
        sink.report("network", "give either network.create or network.existing, not both.");
    }
    if (raw.existing) {
        const { vpcId, headNodeSubnetId, computeSubnetIds } = raw.existing;
        const seen = new Set<string>();
        computeSubnetIds.forEach((id, i) => {
            if (seen.has(id)) {
                sink.report(`network.existing.computeSubnetIds[${i}]`, `${id} is listed twice. List each subnet once.`);
            }
            seen.add(id);
        });
        return { mode: "existing", vpcId, headNodeSubnetId, computeSubnetIds };
    }
    return { mode: "create", cidrBlock: raw.create?.cidrBlock ?? "10.0.0.0/16", availabilityZones: raw.create?.availabilityZones ?? 2 };
}

/** How many compute subnets the network has: one per zone when created, as listed when adopted. */
export function computeSubnetCount(network: NetworkSettings): number {
    return network.mode === "create" ? network.availabilityZones : network.computeSubnetIds.length;
}

/**
 * Rules that tie the cluster to the network. v2 has one compute_subnet_id: listing more subnets would
 * leave all but the first unused. (v3 queues that cannot span zones use the first subnet, with a created
 * or an existing network alike: see singleSubnetReason.)
 */
export function checkClusterNetwork(cluster: ClusterSettings, network: NetworkSettings, sink: ProblemSink): void {
    if (cluster.format === "v2" && network.mode === "existing" && network.computeSubnetIds.length > 1) {
        sink.report("network.existing.computeSubnetIds", "v2 takes a single compute subnet (compute_subnet_id). List one subnet, or use format: v3.");
    }
}

export function resolveOpsWorks(raw: RawSections["opsworks"], clusterName: string | undefined, sink: ProblemSink): OpsWorksSettings {
    if (raw.stackName !== undefined && raw.existingStackId !== undefined) {
        sink.report("opsworks", "give either opsworks.stackName (create a stack) or opsworks.existingStackId (adopt one), not both.");
    }
    if (raw.existingStackId !== undefined) {
        return { mode: "existing", stackId: raw.existingStackId, maxAttempts: raw.maxAttempts };
    }
    return { mode: "create", stackName: raw.stackName ?? `${clusterName ?? "pcluster"}-users`, maxAttempts: raw.maxAttempts };
}

/** Users in config order; a user whose own schema failed stays `undefined` so later paths keep their index. */
export function resolveUsers(
    raw: RawSections["users"],
    os: string | undefined,
    sink: ProblemSink,
    /** roster.instanceConnect when the roster backend is chosen; false otherwise. */
    instanceConnect = false,
): (UserSettings | undefined)[] {
    const byIamName = new Map<string, number>();
    const bySshName = new Map<string, number>();
    const osDefaultUser = os === undefined ? undefined : OS_DEFAULT_USERS[os];
    const users = raw.map((user, i): UserSettings | undefined => {
        if (user === undefined) {
            return undefined;
        }
        const path = `users[${i}]`;
        const iamUserName = iamUserNameOf(user.iamUser);
        const isArn = isIamUserArn(user.iamUser);
        if (isArn && user.create) {
            sink.report(`${path}.create`, "an ARN names a user that already exists; give the plain user name to create it, or set create: false.");
        }
        const firstIam = byIamName.get(iamUserName);
        if (firstIam !== undefined) {
            sink.report(`${path}.iamUser`, `IAM user '${iamUserName}' is already users[${firstIam}]. List each user once.`);
        } else {
            byIamName.set(iamUserName, i);
        }
        const sshUsername = user.sshUsername ?? deriveSshUsername(iamUserName);
        const problem = sshUsernameProblem(sshUsername, osDefaultUser);
        if (problem) {
            const origin = user.sshUsername === undefined ? ` (OpsWorks derives it from IAM user '${iamUserName}')` : "";
            const suggestion = suggestUsername(sshUsername);
            const fix = suggestion ? ` Set ${path}.sshUsername, for example to '${suggestion}'.` : ` Set ${path}.sshUsername.`;
            sink.report(`${path}.sshUsername`, `'${sshUsername}'${origin} ${problem}.${fix}`);
        }
        const firstSsh = bySshName.get(sshUsername);
        if (firstSsh !== undefined) {
            sink.report(`${path}.sshUsername`, `'${sshUsername}' is already the SSH username of users[${firstSsh}]. Set a unique ${path}.sshUsername.`);
        } else {
            bySshName.set(sshUsername, i);
        }
        if (user.sshPublicKey !== undefined && user.sshPublicKeys !== undefined) {
            sink.report(`${path}.sshPublicKeys`, "give either sshPublicKey (one key) or sshPublicKeys (a list), not both. Move the key into sshPublicKeys and remove sshPublicKey.");
        }
        return {
            iamUserName,
            ...(isArn ? { iamUserArn: user.iamUser } : {}),
            create: user.create,
            sshPublicKeys: user.sshPublicKeys ?? (user.sshPublicKey === undefined ? [] : [{ key: user.sshPublicKey }]),
            ...(user.expires === undefined ? {} : { expires: user.expires }),
            instanceConnect: instanceConnect && user.instanceConnect !== false,
            sshUsername,
            sudo: user.sudo,
            access: user.access,
            ...(user.uid === undefined ? {} : { uid: user.uid }),
            groups: user.groups ?? [],
        };
    });
    return users;
}

function sshUsernameProblem(name: string, osDefaultUser: string | undefined): string | undefined {
    if (!SSH_USERNAME_PATTERN.test(name)) {
        return `is not a valid Linux login (${SSH_USERNAME_RULE})`;
    }
    if (name === osDefaultUser) {
        return "is the OS image's default user, which the administrators' EC2 key pair logs in as";
    }
    if (RESERVED_USERNAMES.has(name)) {
        return "is a system or service account on the cluster nodes";
    }
    return undefined;
}

/** FsxPersistentOptionsValidator and FsxStorageTypeOptionsValidator (constants.FSX_SSD_THROUGHPUT). */
function fsxThroughputProblem(deploymentType: string, throughput: number | undefined): string | undefined {
    const throughputs = FSX_THROUGHPUTS[deploymentType];
    if (throughputs === undefined) {
        return throughput === undefined ? undefined : `only the PERSISTENT types take a throughput; remove it for ${deploymentType}.`;
    }
    if (throughput !== undefined && throughputs.includes(throughput)) {
        return undefined;
    }
    const given = throughput === undefined ? "" : ` (not ${throughput})`;
    return `${deploymentType} needs a throughput of ${orList(throughputs)} MB/s per TiB of storage${given}. Set one of these values.`;
}

/** `125, 250, 500 or 1000`. */
function orList(values: readonly number[]): string {
    return values.length < 2 ? values.join("") : `${values.slice(0, -1).join(", ")} or ${values[values.length - 1]}`;
}

function suggestUsername(name: string): string | undefined {
    const candidate = name.toLowerCase().replace(/[^a-z0-9_-]/g, "").replace(/^[^a-z_]+/, "").slice(0, 32);
    if (candidate === "" || candidate === name || RESERVED_USERNAMES.has(candidate)) {
        return undefined;
    }
    return candidate;
}
