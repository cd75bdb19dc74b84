/**
 * The rules that depend on the ParallelCluster release (v3): the release itself, its OS values, its AMIs'
 * root volume, its login node pools and the known issues that hit this program, each read from the
 * release's row (releases.ts). They hold with or without cluster.deploy: a cluster created with one's own
 * `pcluster` targets a release too. Refusals name the key, the release and the fix; what only deserves
 * attention (an end-of-life OS, a deprecated key, a patch newer than the table) is a warning.
 */
import type { RawSections } from "./schema";
import {
    DEFAULT_RELEASE,
    LOGIN_NODES_KEY_ISSUE,
    LOGIN_NODES_LISTENER_ISSUE,
    OS_END_OF_LIFE,
    RELEASES,
    lookupRelease,
    operatingSystemHistory,
    releaseMinor,
    type ParallelClusterRelease,
} from "./releases";
import { V2_MIN_ROOT_VOLUME_GIB, V2_OPERATING_SYSTEMS } from "./parallelClusterRules";
import type { ProblemSink } from "./problems";

/** The first release of the table with custom actions on login nodes (3.11.0). */
const LOGIN_CUSTOM_ACTIONS_FROM = RELEASES.find((release) => release.loginNodes?.customActions)?.version;
/** The first release of the table, the first with the CloudFormation custom resource. */
const CUSTOM_RESOURCE_FROM = RELEASES[0].version;

/**
 * The release a config targets, resolved once (resolveRelease): every release and deployment rule reads
 * this one result, so the default and the row are worked out in one place.
 */
export interface TargetRelease {
    /** cluster.parallelClusterVersion, or DEFAULT_RELEASE when unset (what the deployment records, v2 included). */
    readonly version: string;
    /** Its row (releases.ts); undefined for v2 (one set of rules) or when the version was refused, and then no release rule runs. */
    readonly row?: ParallelClusterRelease;
}

/** cluster.parallelClusterVersion (the default when unset) and, for v3, its row, or no row after reporting why there is none. */
export function resolveRelease(raw: RawSections["cluster"], sink: ProblemSink): TargetRelease {
    const version = raw.parallelClusterVersion ?? DEFAULT_RELEASE;
    return raw.format === "v3" ? { version, row: releaseRow(raw, version, sink) } : { version };
}

function releaseRow(raw: RawSections["cluster"], version: string, sink: ProblemSink): ParallelClusterRelease | undefined {
    const path = "cluster.parallelClusterVersion";
    const minor = releaseMinor(version);
    if (raw.deploy === true && minor !== undefined && minor < Number(CUSTOM_RESOURCE_FROM.split(".")[1])) {
        sink.report(
            path,
            `${version} has no CloudFormation custom resource (it ships from ${CUSTOM_RESOURCE_FROM}), which cluster.deploy needs. ` +
                `Use ${CUSTOM_RESOURCE_FROM} or later (default ${DEFAULT_RELEASE}), or set cluster.deploy: false to render the configuration only.`,
        );
        return undefined;
    }
    const found = lookupRelease(version);
    if (!found.ok) {
        sink.report(path, found.problem);
        return undefined;
    }
    if (found.newerPatch) {
        sink.warn(
            path,
            `${version} is newer than the newest 3.${minor} release this program knows (${found.release.version}): it is planned with ${found.release.version}'s rules. ` +
                `Check its release notes (https://github.com/aws/aws-parallelcluster/releases/tag/v${version}), then add its row to components/config/releases.ts.`,
        );
    }
    return found.release;
}

/** `Image.Os` (v3: the release's values) or `base_os` (v2). */
export function checkOperatingSystem(os: string, { version, row: release }: TargetRelease, format: "v2" | "v3", sink: ProblemSink): void {
    if (format === "v2") {
        if (!V2_OPERATING_SYSTEMS.includes(os)) {
            const hint = RELEASES.some((row) => row.operatingSystems.includes(os)) ? ` ('${os}' is a v3 value)` : "";
            sink.report("cluster.os", `'${os}' is not an OS of ParallelCluster v2${hint}. Use one of: ${V2_OPERATING_SYSTEMS.join(", ")}.`);
        }
        return;
    }
    if (release === undefined) {
        return;
    }
    if (!release.operatingSystems.includes(os)) {
        const history = operatingSystemHistory(os, release);
        const hint = history !== undefined ? ` (${history})` : V2_OPERATING_SYSTEMS.includes(os) ? ` ('${os}' is a v2 value)` : "";
        sink.report("cluster.os", `'${os}' is not an OS of ParallelCluster ${version}${hint}. Use one of: ${release.operatingSystems.join(", ")}.`);
        return;
    }
    const endOfLife = OS_END_OF_LIFE[os];
    const unconfirmed = release.unconfirmedOperatingSystems?.includes(os)
        ? ` Whether ParallelCluster ${version} still accepts ${os} is not confirmed (no release note seen says either way); if not, it refuses the cluster at deploy time.`
        : "";
    if (endOfLife !== undefined) {
        sink.warn("cluster.os", `${os} reached its end of life on ${endOfLife.date}: its nodes get no more security updates.${unconfirmed} Use ${endOfLife.replacement}.`);
    } else if (unconfirmed !== "") {
        sink.warn("cluster.os", unconfirmed.trim());
    }
}

/** RootVolumeSizeValidator: a root volume smaller than the AMI's is refused (v2: the 35 GB of its AMIs). */
export function checkRootVolumes(raw: RawSections["cluster"], { version, row: release }: TargetRelease, sink: ProblemSink): void {
    const minimum = raw.format === "v2" ? V2_MIN_ROOT_VOLUME_GIB : release?.rootVolumeMinGiB;
    if (minimum === undefined) {
        return;
    }
    const sizes: [string, number | undefined][] = [
        ["cluster.headNode.rootVolumeSize", raw.headNode.rootVolumeSize],
        ["cluster.computeRootVolumeSize", raw.computeRootVolumeSize],
    ];
    for (const [path, size] of sizes) {
        if (size === undefined || size >= minimum) {
            continue;
        }
        sink.report(
            path,
            raw.format === "v2"
                ? `must be at least ${minimum} GiB (ParallelCluster 2's AMIs).`
                : `${size} GiB is smaller than the root volume of ParallelCluster ${version}'s official AMIs (${minimum} GiB), which ParallelCluster refuses (RootVolumeSizeValidator). ` +
                      `Set at least ${minimum}, or remove the key to take the AMI's size.`,
        );
    }
}

/** What login node pools need from the release: custom actions (every backend's post-install), the pool count, the key pair. */
export function checkLoginNodes(raw: RawSections["cluster"], { version, row: release }: TargetRelease, sink: ProblemSink): void {
    if (release === undefined) {
        return;
    }
    const pools = raw.loginNodes ?? [];
    if (pools.length === 0) {
        return;
    }
    const support = release.loginNodes;
    if (support === undefined || !support.customActions) {
        sink.report(
            "cluster.parallelClusterVersion",
            `${version} cannot run the post-install action on login nodes (login node custom actions arrive in ${LOGIN_CUSTOM_ACTIONS_FROM}), ` +
                `so their users would never be created. Use ${LOGIN_CUSTOM_ACTIONS_FROM} or later (default ${DEFAULT_RELEASE}), or remove cluster.loginNodes.`,
        );
        return;
    }
    if (pools.length > support.maxPools) {
        sink.report("cluster.loginNodes", `ParallelCluster ${version} takes at most ${support.maxPools} login node pools; ${pools.length} are listed. Merge or remove pools.`);
    }
    pools.forEach((pool, p) => {
        if (pool?.keyName === undefined) {
            return;
        }
        const path = `cluster.loginNodes[${p}].keyName`;
        const fix = "Remove it: login nodes let in the head node's key pair (cluster.keyName).";
        if (support.keyName === "refused") {
            sink.report(path, `ParallelCluster ${version} refuses a login node pool's own key pair (LoginNodes.Pools[].Ssh.KeyName, removed in 3.15.0 by aws/aws-parallelcluster PR #7241). ${fix}`);
        } else if (support.keyName === "deprecated") {
            sink.warn(path, `ParallelCluster ${version} deprecates LoginNodes.Pools[].Ssh.KeyName (aws/aws-parallelcluster#6811) and 3.15.0 refuses it. ${fix}`);
        } else if (pool.keyName !== raw.keyName && release.knownIssues.includes(LOGIN_NODES_KEY_ISSUE)) {
            sink.warn(
                path,
                `on ParallelCluster ${version} a login node pool's key pair other than the head node's never lets anyone in (known issue ${LOGIN_NODES_KEY_ISSUE.reference}, ` +
                    `${LOGIN_NODES_KEY_ISSUE.affects}: the head node's authorized_keys win on the shared /home). ${fix}`,
            );
        }
    });
}

/**
 * Known issue aws/aws-parallelcluster#7491: login nodes through the custom resource fail on 3.7.0-3.15.1.
 * True when the provider stack the program creates needs the workaround; refused (false) when the
 * provider stack is someone else's (cluster.serviceToken) and not declared mitigated.
 */
export function needsLoginNodesListenerFix(raw: RawSections["cluster"], { version, row: release }: TargetRelease, sink: ProblemSink): boolean {
    const affected = release !== undefined && raw.deploy === true && (raw.loginNodes ?? []).length > 0 && release.knownIssues.includes(LOGIN_NODES_LISTENER_ISSUE);
    if (!affected) {
        return false;
    }
    if (raw.serviceToken === undefined) {
        return true;
    }
    if (!(raw.mitigatedIssues ?? []).includes(7491)) {
        sink.report(
            "cluster.serviceToken",
            `ParallelCluster ${version} cannot create login nodes through its CloudFormation custom resource (known issue ${LOGIN_NODES_LISTENER_ISSUE.reference}, ` +
                `${LOGIN_NODES_LISTENER_ISSUE.affects}: the provider's policy allows elasticloadbalancing:CreateListener and CreateTargetGroup only for requests tagged with ` +
                `parallelcluster:cluster-name alone), and this provider stack is not the program's to fix. Set cluster.parallelClusterVersion to ${LOGIN_NODES_LISTENER_ISSUE.fixedIn} ` +
                `or later (default ${DEFAULT_RELEASE}); or add the workaround's policy (README, "Which ParallelCluster release") to that stack's AdditionalIamPolicies ` +
                `and set cluster.mitigatedIssues: [7491]; or remove cluster.loginNodes.`,
        );
    }
    return false;
}
