/**
 * ParallelCluster 3 releases, one row each: what a release accepts and needs from this program's
 * configuration (OS values, the root volume of its official AMIs, login node pools), the known issues
 * that hit this program's use of it, with what the program does about each, and the security advisories
 * that affect it. The rules (releaseRules.ts, deploymentRules.ts) read the row of
 * `cluster.parallelClusterVersion`, resolved once (releaseRules.resolveRelease), with or without
 * `cluster.deploy`: a cluster created with one's own `pcluster` targets a release too.
 *
 * Adding a release is one row: its traits (usually the previous release's, spread) and its source. A
 * known issue or an advisory is one entry with the releases it affects (`from`, `fixedIn`): every row in
 * that range lists it.
 * Facts newer than October 2024 come from the release pages (github.com/aws/aws-parallelcluster/releases/
 * tag/vX.Y.Z), the develop CHANGELOG, the known-issue threads and PRs named beside each group; older ones
 * from aws/aws-parallelcluster at the release's tag (`cli/src/pcluster/constants.py` SUPPORTED_OSES and
 * EBS_VOLUME_SIZE_DEFAULT) and its CHANGELOG. reference/parallelcluster-releases.md has the list.
 */

/** `3.minor.patch`: the version form of every row (declared first: the table is built at load from it). */
const VERSION_PATTERN = /^3\.(\d+)\.(\d+)$/;

/** What a release does with `LoginNodes.Pools[].Ssh.KeyName`. */
export type LoginKeyNameSupport = "accepted" | "deprecated" | "refused";

export interface LoginNodeSupport {
    /** Pools a cluster may have (LoginNodes.Pools). */
    readonly maxPools: number;
    /** `LoginNodes.Pools[].CustomActions`: without it the post-install action (every backend's) never runs on a login node. */
    readonly customActions: boolean;
    readonly keyName: LoginKeyNameSupport;
}

/**
 * A known issue of ParallelCluster that hits this program's use of a release: every row from `from` up to
 * (not including) `fixedIn` lists it (rowsOf keeps them in this file's order).
 */
export interface KnownIssue {
    /** `owner/repo#number`. */
    readonly reference: string;
    /** The first release of the table it affects. */
    readonly from: string;
    /** The first release that fixes it, if any. */
    readonly fixedIn?: string;
    /** The releases it affects, in words, as its source gives them. */
    readonly affects: string;
}

/**
 * Login nodes through the API or the CloudFormation custom resource fail on their load balancer's
 * listener ("Encountered a permissions error performing a tagging operation"): the published policy
 * allows elasticloadbalancing:CreateListener and CreateTargetGroup only under `ForAllValues:StringEquals
 * aws:TagKeys [parallelcluster:cluster-name]`, and ParallelCluster tags those requests with more keys.
 * Fixed by aws/aws-parallelcluster PR #7490 (3.16.0). The program: with cluster.deploy and login node
 * pools it adds AWS's published mitigation (aws-parallelcluster wiki, "(3.7.0-3.15.1) Cannot deploy login
 * nodes with ParallelCluster API, UI, CloudFormation Custom Resource and Terraform": CreateListener when the
 * parallelcluster:cluster-name request tag is present) to the provider stack it creates; with
 * cluster.serviceToken it refuses, giving the fix (releaseRules.ts).
 */
export const LOGIN_NODES_LISTENER_ISSUE: KnownIssue = { reference: "aws/aws-parallelcluster#7491", from: "3.7.0", fixedIn: "3.16.0", affects: "3.7.0-3.15.1" };

/**
 * A login node pool's own key pair (`Ssh.KeyName`) other than the head node's never lets anyone in: the
 * head node's `/home/*\/.ssh/authorized_keys` wins on the shared /home. The program warns when a pool's
 * keyName differs from cluster.keyName on the releases it affects; 3.14 deprecates the key, 3.15 refuses it.
 */
export const LOGIN_NODES_KEY_ISSUE: KnownIssue = { reference: "aws/aws-parallelcluster#6811", from: "3.7.0", fixedIn: "3.14.0", affects: "3.7.0-3.13.2" };

/**
 * Cluster (and AMI) creation fails from 2026-08-31: the Lambdas of the cluster stack run Python 3.9, whose
 * runtime AWS Lambda no longer creates (aws/aws-parallelcluster#7287; wiki "(3.13.2 and earlier) Cluster
 * and AMI creation will fail due to Python 3.9 Lambda runtime deprecation"). Existing clusters keep running
 * (#7239). The issue's title says "< 3.14.0" and the wiki "3.13.2 and earlier", but the maintainers' only
 * word on the release that carries the fix is "Fixed in v3.14.1" (#7287, 2026-05-08), and the upgrade of
 * the cluster stack's Lambdas (#6903) was still being announced in November 2025, after 3.14.0: 3.14.0 is
 * kept among the affected releases. A refused creation costs a one-line change; a failed one an hour of
 * rollback. The program refuses to create a cluster on these releases (components/cluster/deployedCluster.ts)
 * and warns when it only renders the configuration; a cluster it already created is never refused.
 */
export const PYTHON39_LAMBDA_ISSUE: KnownIssue = { reference: "aws/aws-parallelcluster#7287", from: "3.6.0", fixedIn: "3.14.1", affects: "3.14.0 and earlier" };

/**
 * Through the API or the custom resource, the cluster stack's `HeadNodeAlarm` (the head node's composite
 * alarm, from 3.8.0: CHANGELOG 3.8.0 "Add head node alarms ... the overall status of the head node") fails
 * on `cloudwatch:TagResource` ("UnauthorizedTaggingOperation"): CloudFormation propagates the stack's tags
 * to the alarm and the provider's policy lacks the permission. A warning until mid-2026, a hard failure
 * since August 2026 (aws/aws-parallelcluster#7331, on 3.14.2; aws-samples/aws-eda-slurm-cluster#340).
 * Fixed by PR #7296 (merged to develop 2026-03-17): 3.16.0 is the first release cut from develop after it;
 * whether 3.15.0 (released six days later) carries it is not confirmed, and #7331 is still open, so
 * 3.15.0-3.15.1 are kept among the affected releases (the added permission is harmless where it is not
 * missing). The program adds the permission to the provider stack it creates; with cluster.serviceToken it
 * refuses unless that stack is declared mitigated (releaseRules.ts).
 */
export const HEAD_NODE_ALARM_TAGGING_ISSUE: KnownIssue = { reference: "aws/aws-parallelcluster#7331", from: "3.8.0", fixedIn: "3.16.0", affects: "3.8.0-3.15.1" };

/** Every known issue of the table, in the order a row lists them. */
export const KNOWN_ISSUES: readonly KnownIssue[] = [LOGIN_NODES_LISTENER_ISSUE, LOGIN_NODES_KEY_ISSUE, PYTHON39_LAMBDA_ISSUE, HEAD_NODE_ALARM_TAGGING_ISSUE];

/** A published security advisory of ParallelCluster: a plan on an affected release warns, naming it and the release that fixes it. */
export interface SecurityAdvisory {
    /** `owner/repo#number` of ParallelCluster's advisory issue. */
    readonly reference: string;
    /** The CVEs, as the advisory lists them. */
    readonly cves: readonly string[];
    /** What it lets an attacker do, in a few words. */
    readonly impact: string;
    /** The first release of the table it affects. */
    readonly from: string;
    /** The first release that fixes it. */
    readonly fixedIn: string;
    /** When it applies only to some clusters, which. */
    readonly onlyWhen?: string;
}

/**
 * The advisories (aws/aws-parallelcluster issues labelled Known Issue / Security). Each: the issue's title
 * gives the affected releases, its fix comment or the fixing release's notes the fix.
 */
export const SECURITY_ADVISORIES: readonly SecurityAdvisory[] = [
    // #7233 "(3.0.0-3.14.1) Privilege escalation on MUNGE caused by CVE-2026-25506"; "Fixed in v3.14.2" (maintainer,
    // 2026-05-08); 3.14.2 upgrades munge to 0.5.18 (cookbook PR #3118).
    { reference: "aws/aws-parallelcluster#7233", cves: ["CVE-2026-25506"], impact: "a local user can leak the MUNGE key and impersonate any user, root included", from: "3.6.0", fixedIn: "3.14.2" },
    // #6817 "(3.9.0-3.13.0) Privilege escalation on Slurm accounting caused by CVE-2025-43904": 3.13.1 upgrades Slurm
    // to 24.05.8 (cookbook CHANGELOG 3.13.1).
    {
        reference: "aws/aws-parallelcluster#6817",
        cves: ["CVE-2025-43904"],
        impact: "a Slurm accounting coordinator can make another user an administrator",
        from: "3.9.0",
        fixedIn: "3.13.1",
        onlyWhen: "Slurm accounting is enabled with coordinator users (this program's configuration enables no accounting)",
    },
    // #7601 "(3.16.0 and earlier) Security vulnerabilities in Slurm" (2026-09-02); 3.16.1 upgrades Slurm to 25.11.8
    // (release notes v3.16.1).
    {
        reference: "aws/aws-parallelcluster#7601",
        cves: ["CVE-2026-65107", "CVE-2026-65108", "CVE-2026-65109", "CVE-2026-65138", "CVE-2026-65139", "CVE-2026-65140", "CVE-2026-65165", "CVE-2026-65168"],
        impact: "Slurm vulnerabilities, privilege escalation among them",
        from: "3.6.0",
        fixedIn: "3.16.1",
    },
];

export interface ParallelClusterRelease {
    readonly version: string;
    /** `Image.Os` values (constants.SUPPORTED_OSES). */
    readonly operatingSystems: readonly string[];
    /** GiB of the official AMIs' root volume: RootVolumeSizeValidator (ERROR) refuses a smaller `RootVolume.Size` (PR #4134). */
    readonly rootVolumeMinGiB: number;
    /** Undefined: the release has no login nodes. */
    readonly loginNodes?: LoginNodeSupport;
    /** The known issues that affect it (KNOWN_ISSUES by range). */
    readonly knownIssues: readonly KnownIssue[];
    /** The security advisories that affect it (SECURITY_ADVISORIES by range). */
    readonly advisories: readonly SecurityAdvisory[];
    /** Where the row's facts come from. */
    readonly source: string;
}

type Traits = Omit<ParallelClusterRelease, "version" | "source" | "knownIssues" | "advisories">;

/** Every OS value of the table, in the order the user guide lists them; each row's list keeps it. */
const OS_ORDER = ["alinux2", "alinux2023", "centos7", "ubuntu1804", "ubuntu2004", "ubuntu2204", "ubuntu2404", "rhel8", "rhel9", "rocky8", "rocky9"];
const osList = (...values: string[]): string[] => OS_ORDER.filter((os) => values.includes(os));

const NO_LOGIN_NODES = undefined;
// LoginNodes arrive in 3.7.0, one pool (CHANGELOG 3.7.0; user guide LoginNodes-v3: "Only a single pool").
const LOGIN_3_7: LoginNodeSupport = { maxPools: 1, customActions: false, keyName: "accepted" };
// Custom actions on login nodes and up to 10 pools from 3.11.0 (CHANGELOG 3.11.0; issue #6360, PR #6319).
const LOGIN_3_11: LoginNodeSupport = { maxPools: 10, customActions: true, keyName: "accepted" };
// KeyName deprecated in 3.14.0 (issue #6811: "will be deprecated since ParallelCluster version 3.14.0").
const LOGIN_3_14: LoginNodeSupport = { ...LOGIN_3_11, keyName: "deprecated" };
// KeyName refused from 3.15.0 (PR #7241: "Starting with ParallelCluster 3.15, the KeyName parameter is no
// longer supported for Login Nodes"; awslabs/awsome-distributed-ai PR #1211 saw it removed in 3.15.1's schema).
const LOGIN_3_15: LoginNodeSupport = { ...LOGIN_3_11, keyName: "refused" };

/** 3.6: constants.SUPPORTED_OSES at v3.6.0 and v3.6.1 (RHEL 8 added, CHANGELOG 3.6.0); AMIs of 35 GB (EBS_VOLUME_SIZE_DEFAULT, PR #2429). */
const V3_6: Traits = { operatingSystems: osList("alinux2", "centos7", "ubuntu1804", "ubuntu2004", "rhel8"), rootVolumeMinGiB: 35, loginNodes: NO_LOGIN_NODES };
/** 3.7: Ubuntu 22.04 added, Ubuntu 18.04 dropped, AMIs of 40 GB ("Update the default root volume size to 40 GB", CHANGELOG 3.7.0; SUPPORTED_OSES at v3.7.0). */
const V3_7: Traits = {
    operatingSystems: osList("alinux2", "centos7", "ubuntu2004", "ubuntu2204", "rhel8"),
    rootVolumeMinGiB: 40,
    loginNodes: LOGIN_3_7,
};
/** 3.8: Rocky Linux 8 (CHANGELOG 3.8.0: as a build-image CustomAmi only, no official AMI). */
const V3_8: Traits = { ...V3_7, operatingSystems: osList(...V3_7.operatingSystems, "rocky8") };
/** 3.9: RHEL 9 and Rocky Linux 9 (CHANGELOG 3.9.0; Rocky 9 as a CustomAmi only). */
const V3_9: Traits = { ...V3_8, operatingSystems: osList(...V3_8.operatingSystems, "rhel9", "rocky9") };
/** 3.10: Amazon Linux 2023 added, CentOS 7 dropped (CHANGELOG 3.10.0; SUPPORTED_OSES at v3.10.0). */
const V3_10: Traits = { ...V3_9, operatingSystems: osList(...V3_9.operatingSystems.filter((os) => os !== "centos7"), "alinux2023") };
/** 3.11: login node custom actions and 10 pools (CHANGELOG 3.11.0); OS list unchanged (SUPPORTED_OSES at v3.11.1). */
const V3_11: Traits = { ...V3_10, loginNodes: LOGIN_3_11 };
/**
 * 3.13: Ubuntu 24.04 (cookbook CHANGELOG 3.13.0, PR #2901); AMIs of 45 GB (CLI PRs #6712/#6715, cookbook PRs
 * #2908/#2926; PR #6722, cited here before, is about the shared EBS volume's default, not the AMI).
 */
const V3_13: Traits = { ...V3_11, operatingSystems: osList(...V3_11.operatingSystems, "ubuntu2404"), rootVolumeMinGiB: 45 };
/** 3.14: Ubuntu 20.04 removed (cookbook CHANGELOG 3.14.0 "Ubuntu 20.04 is no longer supported", PRs #2976, #3017; AL2 still built there); login KeyName deprecated; #6811's key issue fixed by that. */
const V3_14: Traits = { ...V3_13, operatingSystems: V3_13.operatingSystems.filter((os) => os !== "ubuntu2004"), loginNodes: LOGIN_3_14 };
/**
 * 3.15: login KeyName refused. The last minor with Amazon Linux 2: "3.15.0 is the last release supporting"
 * it (maintainer, aws/aws-parallelcluster#6653 and #1585, 2026-04-08, before 3.15.1, a patch of the same
 * minor that removed nothing).
 */
const V3_15: Traits = { ...V3_14, loginNodes: LOGIN_3_15 };
/**
 * 3.16: Amazon Linux 2 removed (PR #7394 and cookbook PR #3180, merged on develop May 2026; the 3.16 test
 * matrix, cookbook PR #3217, has no alinux2); #7491 fixed (PR #7490, release notes v3.16.0).
 */
const V3_16: Traits = { ...V3_15, operatingSystems: V3_15.operatingSystems.filter((os) => os !== "alinux2") };
/** 3.16.2: AMIs of 50 GB ("Increase the default root volume size to 50 GB (from 45 GB)") and AWS CLI v2 only (release notes v3.16.2). */
const V3_16_2: Traits = { ...V3_16, rootVolumeMinGiB: 50 };

/**
 * Operating systems past their end of life, whichever release still takes them: the plan warns. Amazon
 * Linux 2: 2026-06-30 (aws.amazon.com/amazon-linux-2/faqs, as quoted in endoflife-date PR #6443); CentOS 7:
 * 2024-06-30 (the reason ParallelCluster 3.10.0 dropped it).
 */
export const OS_END_OF_LIFE: Readonly<Record<string, { readonly date: string; readonly replacement: string }>> = {
    alinux2: { date: "2026-06-30", replacement: "alinux2023" },
    centos7: { date: "2024-06-30", replacement: "alinux2023 or rhel9" },
};

/**
 * Operating systems ParallelCluster publishes no official AMI for (`constants.PRIVATE_OSES`, PR #6103; the
 * user guide's list of official images has no rocky; CHANGELOG 3.8.0 and 3.9.0: "as CustomAmi created
 * through build-image ... No public official ParallelCluster Rocky ... AMI"): a cluster on them needs
 * `cluster.customAmi` (`Image.CustomAmi`), or ParallelCluster has no image to launch.
 */
export const OPERATING_SYSTEMS_WITHOUT_OFFICIAL_AMI: readonly string[] = ["rocky8", "rocky9"];

type Row = Omit<ParallelClusterRelease, "knownIssues" | "advisories">;

/** Every release from the first with the custom resource, oldest first. */
const ROWS: readonly Row[] = [
    { version: "3.6.0", ...V3_6, source: "CHANGELOG 3.6.0; constants.py at v3.6.0" },
    { version: "3.6.1", ...V3_6, source: "CHANGELOG 3.6.1; constants.py at v3.6.1" },
    { version: "3.7.0", ...V3_7, source: "CHANGELOG 3.7.0; constants.py at v3.7.0" },
    { version: "3.7.1", ...V3_7, source: "CHANGELOG 3.7.1; constants.py at v3.7.1" },
    { version: "3.7.2", ...V3_7, source: "CHANGELOG 3.7.2; constants.py at v3.7.2" },
    { version: "3.8.0", ...V3_8, source: "CHANGELOG 3.8.0; constants.py at v3.8.0" },
    { version: "3.9.0", ...V3_9, source: "CHANGELOG 3.9.0; constants.py at v3.9.0" },
    { version: "3.9.1", ...V3_9, source: "CHANGELOG 3.9.1; constants.py at v3.9.1" },
    { version: "3.9.2", ...V3_9, source: "CHANGELOG 3.9.2; constants.py at v3.9.2" },
    { version: "3.9.3", ...V3_9, source: "CHANGELOG 3.9.3; constants.py at v3.9.3" },
    { version: "3.10.0", ...V3_10, source: "CHANGELOG 3.10.0; constants.py at v3.10.0" },
    { version: "3.10.1", ...V3_10, source: "CHANGELOG 3.10.1; constants.py at v3.10.1" },
    { version: "3.11.0", ...V3_11, source: "CHANGELOG 3.11.0; constants.py at v3.11.0" },
    { version: "3.11.1", ...V3_11, source: "CHANGELOG 3.11.1; constants.py at v3.11.1" },
    { version: "3.12.0", ...V3_11, source: "constants.py on develop at 3.12.0 (October 2024); its release notes not read: unchanged assumed" },
    { version: "3.13.0", ...V3_13, source: "cookbook CHANGELOG 3.13.0 (PR #2901); CLI PRs #6712/#6715 (45 GB AMIs)" },
    { version: "3.13.1", ...V3_13, source: "cookbook CHANGELOG 3.13.1 (Slurm 24.05.8 only)" },
    { version: "3.13.2", ...V3_13, source: "cookbook CHANGELOG 3.13.2 (PR #2976: no changes)" },
    { version: "3.14.0", ...V3_14, source: "cookbook CHANGELOG 3.14.0 (PR #3017, #3027); issue #6811" },
    { version: "3.14.1", ...V3_14, source: "CLI release v3.14.1 (2025-12-23; its node daemons' package had no changes, the CLI had); issue #7287 (\"Fixed in v3.14.1\")" },
    { version: "3.14.2", ...V3_14, source: "user guide, document history (2026-02-16); issue #7233 (munge 0.5.18)" },
    { version: "3.15.0", ...V3_15, source: "user guide, document history (2026-03-23); PR #7241; issues #6653, #1585" },
    { version: "3.15.1", ...V3_15, source: "awslabs/awsome-distributed-ai PR #1211 (3.15.1's ClusterSchema)" },
    { version: "3.16.0", ...V3_16, source: "release notes v3.16.0 (2026-08-20); issue #7491, PR #7490; PR #7394, cookbook PRs #3180, #3217" },
    { version: "3.16.1", ...V3_16, source: "release notes v3.16.1 (2026-09-08: Slurm 25.11.8 only); issue #7601" },
    { version: "3.16.2", ...V3_16_2, source: "release notes v3.16.2 (2026-10-29)" },
    { version: "3.16.3", ...V3_16_2, source: "release notes v3.16.3 (2026-11-17)" },
];

/** Whether `version` is in [from, fixedIn). */
function inRange(version: string, range: { readonly from: string; readonly fixedIn?: string }): boolean {
    return compareReleases(version, range.from) >= 0 && (range.fixedIn === undefined || compareReleases(version, range.fixedIn) < 0);
}

/** Every release from the first with the custom resource, oldest first, each with its known issues and advisories. */
export const RELEASES: readonly ParallelClusterRelease[] = ROWS.map((row) => ({
    ...row,
    knownIssues: KNOWN_ISSUES.filter((issue) => inRange(row.version, issue)),
    advisories: SECURITY_ADVISORIES.filter((advisory) => inRange(row.version, advisory)),
}));

/**
 * The release `pulumi up` deploys when cluster.parallelClusterVersion is not set. Pinned, not "the last
 * row": a cluster is updated only by the release that created it, so a new row must not move the clusters
 * that rely on the default (see README, "Which ParallelCluster release").
 */
export const DEFAULT_RELEASE = "3.16.3";

/** The row of `version` and, for a patch newer than the table's, the row it was planned with. */
export type ReleaseLookup =
    | { readonly ok: true; readonly release: ParallelClusterRelease; readonly newerPatch: boolean }
    | { readonly ok: false; readonly problem: string };

/** The minor of a `3.minor.patch` version, or undefined for anything else. */
export function releaseMinor(version: string): number | undefined {
    return parts(version)?.[0];
}

function parts(version: string): [minor: number, patch: number] | undefined {
    const match = VERSION_PATTERN.exec(version);
    return match ? [Number(match[1]), Number(match[2])] : undefined;
}

/** Negative, zero or positive as release `a` is older than, the same as or newer than `b` (both 3.minor.patch). */
export function compareReleases(a: string, b: string): number {
    const [minorA, patchA] = parts(a) ?? [0, 0];
    const [minorB, patchB] = parts(b) ?? [0, 0];
    return minorA - minorB || patchA - patchB;
}

/** `3.6.0-3.6.1, 3.7.0-3.7.2, ...`: the known releases by minor. */
export function knownReleases(): string {
    const byMinor = new Map<number, string[]>();
    for (const release of RELEASES) {
        const minor = parts(release.version)![0];
        byMinor.set(minor, [...(byMinor.get(minor) ?? []), release.version]);
    }
    return [...byMinor.values()].map((versions) => (versions.length === 1 ? versions[0] : `${versions[0]}-${versions[versions.length - 1]}`)).join(", ");
}

export function lookupRelease(version: string): ReleaseLookup {
    const wanted = parts(version);
    if (wanted === undefined) {
        return { ok: false, problem: `'${version}' is not a ParallelCluster 3 release such as ${DEFAULT_RELEASE}. Give major.minor.patch.` };
    }
    const exact = RELEASES.find((release) => release.version === version);
    if (exact !== undefined) {
        return { ok: true, release: exact, newerPatch: false };
    }
    const sameMinor = RELEASES.filter((release) => parts(release.version)![0] === wanted[0]);
    const latest = sameMinor[sameMinor.length - 1];
    if (latest === undefined) {
        return {
            ok: false,
            problem: `${version} is not a ParallelCluster release this program knows (known: ${knownReleases()}). Use one of them (default ${DEFAULT_RELEASE}), or add its row to components/config/releases.ts.`,
        };
    }
    if (wanted[1] > parts(latest.version)![1]) {
        return { ok: true, release: latest, newerPatch: true };
    }
    return { ok: false, problem: `${version} is not a ParallelCluster release (3.${wanted[0]} has ${sameMinor.map((release) => release.version).join(", ")}).` };
}

/** Where an OS value enters and leaves the table: for the fix in a refusal. */
export function operatingSystemHistory(os: string, release: ParallelClusterRelease): string | undefined {
    const accepting = RELEASES.filter((row) => row.operatingSystems.includes(os));
    if (accepting.length === 0) {
        return undefined;
    }
    const index = RELEASES.indexOf(release);
    const first = RELEASES.indexOf(accepting[0]);
    if (index < first) {
        return `${os} arrives in ${accepting[0].version}`;
    }
    const lastIndex = RELEASES.indexOf(accepting[accepting.length - 1]);
    return index > lastIndex ? `${accepting[accepting.length - 1].version} was the last release with ${os}` : undefined;
}
