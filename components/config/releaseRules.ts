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
    HEAD_NODE_ALARM_TAGGING_ISSUE,
    LOGIN_NODES_KEY_ISSUE,
    LOGIN_NODES_LISTENER_ISSUE,
    OPERATING_SYSTEMS_WITHOUT_OFFICIAL_AMI,
    OS_END_OF_LIFE,
    PYTHON39_LAMBDA_ISSUE,
    RELEASES,
    lookupRelease,
    operatingSystemHistory,
    releaseMinor,
    type KnownIssue,
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
    if (endOfLife !== undefined) {
        sink.warn("cluster.os", `${os} reached its end of life on ${endOfLife.date}: its nodes get no more security updates. Use ${endOfLife.replacement}.`);
    }
}

/**
 * `Image.CustomAmi`: required for an OS with no official AMI (OPERATING_SYSTEMS_WITHOUT_OFFICIAL_AMI), where
 * ParallelCluster would have no image to launch; allowed for every OS. Its form (an AMI id) is the schema's.
 */
export function checkImage(raw: RawSections["cluster"], sink: ProblemSink): void {
    // v2 has no rocky (its OS is refused on its own).
    if (raw.format === "v2" || raw.customAmi !== undefined || !OPERATING_SYSTEMS_WITHOUT_OFFICIAL_AMI.includes(raw.os)) {
        return;
    }
    const official = RELEASES[RELEASES.length - 1].operatingSystems.filter((os) => !OPERATING_SYSTEMS_WITHOUT_OFFICIAL_AMI.includes(os));
    sink.report(
        "cluster.customAmi",
        `is required for os: ${raw.os}: ParallelCluster publishes no official ${raw.os} AMI (PRIVATE_OSES, aws/aws-parallelcluster PR #6103), so it has no image to launch. ` +
            `Build one with pcluster build-image from a ${raw.os} parent image and set cluster.customAmi to its id (ami-...), or choose an os with official AMIs (${official.join(", ")}).`,
    );
}

/** The published security advisories of the release: a warning each, naming it and the release that fixes it. */
export function checkAdvisories({ version, row: release }: TargetRelease, sink: ProblemSink): void {
    for (const advisory of release?.advisories ?? []) {
        const only = advisory.onlyWhen === undefined ? "" : ` It applies only when ${advisory.onlyWhen}.`;
        sink.warn(
            "cluster.parallelClusterVersion",
            `ParallelCluster ${version} is affected by security advisory ${advisory.reference} (${advisory.cves.join(", ")}: ${advisory.impact}).${only} ` +
                `Move to ${advisory.fixedIn} or later (default ${DEFAULT_RELEASE}); the advisory gives the mitigation for a running cluster.`,
        );
    }
}

/**
 * Known issue #7287: ParallelCluster cannot create a cluster on these releases any more (Python 3.9 Lambdas).
 * Undefined when the release is not affected. With cluster.deploy the program refuses to create such a
 * cluster and only warns for one it already created (components/cluster/deployedCluster.ts); without, the
 * plan warns (the configuration may be for a cluster that exists).
 */
export function python39LambdaProblem({ version, row: release }: TargetRelease): string | undefined {
    if (release === undefined || !release.knownIssues.includes(PYTHON39_LAMBDA_ISSUE)) {
        return undefined;
    }
    return (
        `ParallelCluster ${version} can no longer create a cluster (known issue ${PYTHON39_LAMBDA_ISSUE.reference}, ${PYTHON39_LAMBDA_ISSUE.affects}: ` +
        "the cluster stack's Lambdas run Python 3.9, whose runtime AWS Lambda refuses to create since 2026-08-31; a cluster created before keeps running, #7239). " +
        `Set cluster.parallelClusterVersion to ${PYTHON39_LAMBDA_ISSUE.fixedIn} or later (default ${DEFAULT_RELEASE}) for a new cluster.`
    );
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

/** A known issue the program works around in the provider stack it creates (its AdditionalIamPolicies). */
interface ProviderStackIssue {
    readonly issue: KnownIssue;
    /** Whether the cluster of this config meets it. */
    readonly meets: (raw: RawSections["cluster"]) => boolean;
    /** What fails, completing "ParallelCluster X cannot ...". */
    readonly fails: string;
    /** Another way out than a newer release, if any. */
    readonly orElse?: string;
}

const PROVIDER_STACK_ISSUES: readonly ProviderStackIssue[] = [
    {
        issue: LOGIN_NODES_LISTENER_ISSUE,
        meets: (raw) => (raw.loginNodes ?? []).length > 0,
        fails:
            "create login nodes through its CloudFormation custom resource: the provider's policy allows elasticloadbalancing:CreateListener " +
            "only for requests tagged with parallelcluster:cluster-name alone, and ParallelCluster adds more tags",
        orElse: "remove cluster.loginNodes",
    },
    {
        issue: HEAD_NODE_ALARM_TAGGING_ISSUE,
        meets: () => true,
        fails:
            "create the head node's alarm (HeadNodeAlarm) through its CloudFormation custom resource: CloudFormation tags the alarm and " +
            "the provider's policy lacks cloudwatch:TagResource",
    },
];

/** The issue numbers cluster.mitigatedIssues takes: those with a provider-stack workaround. */
export const MITIGABLE_ISSUES: readonly number[] = PROVIDER_STACK_ISSUES.map(({ issue }) => issueNumber(issue));

function issueNumber(issue: KnownIssue): number {
    return Number(issue.reference.split("#")[1]);
}

/**
 * The known issues of the release this cluster meets through the custom resource (cluster.deploy) that the
 * program works around in the provider stack it creates. When the provider stack is someone else's
 * (cluster.serviceToken), each one not declared in cluster.mitigatedIssues is refused with the fix instead.
 */
export function providerStackFixes(raw: RawSections["cluster"], { version, row: release }: TargetRelease, sink: ProblemSink): readonly KnownIssue[] {
    if (release === undefined || raw.deploy !== true) {
        return [];
    }
    const met = PROVIDER_STACK_ISSUES.filter(({ issue, meets }) => release.knownIssues.includes(issue) && meets(raw));
    if (raw.serviceToken === undefined) {
        return met.map(({ issue }) => issue);
    }
    for (const { issue, fails, orElse } of met) {
        const number = issueNumber(issue);
        if ((raw.mitigatedIssues ?? []).some((mitigated) => mitigated === number)) {
            continue;
        }
        sink.report(
            "cluster.serviceToken",
            `ParallelCluster ${version} cannot ${fails} (known issue ${issue.reference}, ${issue.affects}), and this provider stack is not the program's to fix. ` +
                `Set cluster.parallelClusterVersion to ${issue.fixedIn} or later (default ${DEFAULT_RELEASE}); or add the published mitigation ` +
                `(docs/config-reference.md, "Which ParallelCluster release") to that stack's AdditionalIamPolicies and list ${number} in cluster.mitigatedIssues` +
                `${orElse === undefined ? "" : `; or ${orElse}`}.`,
        );
    }
    return [];
}
