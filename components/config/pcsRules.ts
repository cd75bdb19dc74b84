/**
 * The rules of an AWS PCS cluster (cluster.service: pcs, with its settings under pcluster-access:pcs): what
 * PCS accepts (names, Slurm versions) and which ParallelCluster-only keys mean nothing on PCS. Like rules.ts,
 * each problem names its key and the fix, and every problem is reported together.
 */
import type { ClusterSettings, PcsHomesSettings, PcsSettings, QueueSettings } from "./model";
import { DEFAULT_SSH_ALLOWED_IPS, OS_DEFAULT_USERS, QUEUE_NAME_PATTERN, sshAllowedIpsProblem } from "./parallelClusterRules";
import { DEFAULT_RELEASE } from "./releases";
import { checkName, resolveComputeResources } from "./rules";
import type { ProblemSink } from "./problems";
import type { RawPcs, RawPcsCluster } from "./schema";


/**
 * Slurm versions AWS::PCS::Cluster takes (PCS API reference, Scheduler: "Valid Values: 23.11 | 24.05 | 24.11 |
 * 25.05 | 25.11"). The default is the newest: its sample AMIs are Amazon Linux 2023 (aws-hpc-recipes,
 * recipes/pcs/getting_started/assets/cluster.yaml: "Slurm 25.11 and later sample AMIs are only published for
 * Amazon Linux 2023").
 */
export const PCS_SLURM_VERSIONS = ["23.11", "24.05", "24.11", "25.05", "25.11"] as const;
export const PCS_DEFAULT_SLURM_VERSION = "25.11";

/** PCS cluster names (CreateCluster clusterName: 3 to 40, `(?!pcs_)^[A-Za-z][A-Za-z0-9-]+`). */
const PCS_CLUSTER_NAME = /^(?!pcs_)[A-Za-z][A-Za-z0-9-]{2,39}$/;
/** PCS queue names: letters, digits and '-', starting with a letter, at most 25 (PCS user guide, "Creating a queue"). */
const PCS_NAME_MAX_LENGTH = 25;
/** The login node group's name: a queue may not take it, since each queue's node group is named after the queue. */
export const PCS_LOGIN_GROUP = "login";

/** ParallelCluster-only keys of pcluster-access:cluster, each with why it means nothing on PCS. */
const PARALLELCLUSTER_ONLY: readonly (readonly [key: string, why: string])[] = [
    ["headNode", "PCS has no head node (AWS runs the Slurm controller); users land on pcs.loginNodes"],
    ["format", "PCS has no ParallelCluster configuration file"],
    ["deploy", "with PCS, `pulumi up` always creates the cluster"],
    ["parallelClusterVersion", "PCS takes pcs.slurmVersion instead"],
    ["serviceToken", "PCS needs no ParallelCluster provider stack"],
    ["mitigatedIssues", "PCS needs no ParallelCluster provider stack"],
    ["queueUpdateStrategy", "PCS replaces a node group's instances itself when its launch template changes"],
    ["loginNodes", "PCS takes pcs.loginNodes (one login node group) instead"],
    ["fsx", "on PCS this program mounts only the shared /home (pcs.homes); mount other file systems in your AMI"],
    ["computeRootVolumeSize", "on PCS the root volume is the AMI's"],
    ["customAmi", "PCS takes pcs.amiId"],
];

export interface ResolvedPcs {
    readonly cluster: ClusterSettings;
    readonly pcs: PcsSettings;
}

/** `given`: the cluster mapping as written (a schema default such as format: v3 does not count as given). */
/** `rawPcs` undefined: the pcs key is missing (`pcsGiven` false) or broken (its problems are reported already). */
export function resolvePcsCluster(raw: RawPcsCluster, given: Readonly<Record<string, unknown>>, rawPcs: RawPcs | undefined, pcsGiven: boolean, sink: ProblemSink): ResolvedPcs | undefined {
    const { report } = sink;
    if (!PCS_CLUSTER_NAME.test(raw.name)) {
        report("cluster.name", `'${raw.name}' is not a valid AWS PCS cluster name: letters, digits and '-', starting with a letter (not pcs_), 3 to 40 characters.`);
    }
    for (const [key, why] of PARALLELCLUSTER_ONLY) {
        if (given[key] !== undefined) {
            report(`cluster.${key}`, `is a ParallelCluster setting, but cluster.service is pcs: ${why}. Remove it, or set cluster.service: parallelcluster.`);
        }
    }
    // On PCS the AMI decides the OS; `os` names it so that its default user is never a roster account.
    if (OS_DEFAULT_USERS[raw.os] === undefined) {
        report("cluster.os", `'${raw.os}' is not an OS this program knows the default user of. Use the one your PCS AMI runs: ${Object.keys(OS_DEFAULT_USERS).join(", ")}.`);
    }
    // ParallelCluster's default (anywhere) is kept for clusters that run with it; a new PCS environment says where from.
    if (raw.sshAllowedIps === undefined) {
        report("cluster.sshAllowedIps", "is required with cluster.service pcs: the CIDR block (or prefix list id) your users SSH to the login nodes from, e.g. your office or VPN range. 0.0.0.0/0 is refused by the policy prohibited-pcs-ssh-open-to-world.");
    }
    const sshAllowedIps = raw.sshAllowedIps ?? DEFAULT_SSH_ALLOWED_IPS;
    const sshProblem = sshAllowedIpsProblem(sshAllowedIps, "v3");
    if (sshProblem) {
        report("cluster.sshAllowedIps", `'${sshAllowedIps}' ${sshProblem}.`);
    }
    const names = new Map<string, number>();
    const queues = raw.queues.map((queue, q): QueueSettings | undefined => {
        if (queue === undefined) {
            return undefined;
        }
        const path = `cluster.queues[${q}]`;
        checkName(`${path}.name`, queue.name, "queue", QUEUE_NAME_PATTERN, PCS_NAME_MAX_LENGTH, sink);
        if (queue.name === PCS_LOGIN_GROUP) {
            report(`${path}.name`, `'${PCS_LOGIN_GROUP}' is the login node group's name on PCS (each queue's compute node group takes its queue's name). Choose another queue name.`);
        }
        const first = names.get(queue.name);
        if (first !== undefined) {
            report(`${path}.name`, `queue '${queue.name}' is already cluster.queues[${first}]. Queue names must be unique.`);
        }
        names.set(queue.name, first ?? q);
        for (const key of ["efa", "placementGroup", "disableHyperthreading"] as const) {
            if (queue[key] !== undefined && queue[key] !== false) {
                report(`${path}.${key}`, `is not supported on PCS by this program yet (a compute node group takes it through its launch template). Remove it, or set cluster.service: parallelcluster.`);
            }
        }
        // One compute node group per queue: its instance types are the compute resources', its scaling their sums.
        return { ...queue, computeResources: resolveComputeResources(queue.computeResources, "v3", path, sink), spansSubnets: true };
    });
    if (rawPcs === undefined) {
        if (pcsGiven) {
            return undefined;
        }
        report("pcs", "is required with cluster.service pcs: give at least pcs.loginNodes.instanceType (see docs/pcs.md).");
        return undefined;
    }
    const pcs = resolvePcs(rawPcs, sink);
    return {
        cluster: {
            name: raw.name,
            ...(raw.renamedFrom === undefined ? {} : { renamedFrom: raw.renamedFrom }),
            format: "v3",
            os: raw.os,
            keyName: raw.keyName,
            sshAllowedIps,
            queues: queues.filter((queue) => queue !== undefined),
            queueUpdateStrategy: "COMPUTE_FLEET_STOP",
            loginNodes: [],
            deployment: { deploy: false, parallelClusterVersion: DEFAULT_RELEASE },
        },
        pcs,
    };
}

function resolvePcs(raw: RawPcs, { report }: ProblemSink): PcsSettings {
    const slurmVersion = raw.slurmVersion ?? PCS_DEFAULT_SLURM_VERSION;
    if (!(PCS_SLURM_VERSIONS as readonly string[]).includes(slurmVersion)) {
        report("pcs.slurmVersion", `'${slurmVersion}' is not a Slurm version AWS PCS offers. Use one of: ${PCS_SLURM_VERSIONS.join(", ")} (a string: quote it, "25.11").`);
    }
    const { efsFileSystemId, fsxLustre } = raw.homes;
    if (efsFileSystemId !== undefined && fsxLustre !== undefined) {
        report("pcs.homes", "give either efsFileSystemId or fsxLustre (the one file system /home is mounted from), not both; or neither, and the program creates an EFS file system.");
    }
    const homes: PcsHomesSettings =
        efsFileSystemId !== undefined ? { mode: "efs", fileSystemId: efsFileSystemId } : fsxLustre !== undefined ? { mode: "fsx-lustre", ...fsxLustre } : { mode: "create" };
    return {
        slurmVersion,
        size: raw.size,
        ...(raw.amiId === undefined ? {} : { amiId: raw.amiId }),
        architecture: raw.architecture,
        loginNodes: raw.loginNodes,
        homes,
    };
}

/** pcluster-access:pcs given while cluster.service is parallelcluster, or PCS with the OpsWorks backend. */
export function checkServiceSettings(service: "parallelcluster" | "pcs", pcsGiven: boolean, backend: "roster" | "opsworks" | undefined, { report }: ProblemSink): void {
    if (service === "parallelcluster" && pcsGiven) {
        report("pcs", "is the AWS PCS settings, but cluster.service is parallelcluster (the default). Remove pcluster-access:pcs, or set cluster.service: pcs.");
    }
    if (service === "pcs" && backend === "opsworks") {
        report(
            "access.backend",
            "is opsworks, which AWS PCS cannot use (OpsWorks Stacks is switched off, and its registration is ParallelCluster's post-install). Use the roster backend (the default) with cluster.service pcs.",
        );
    }
}
