/**
 * Rules for the cluster's deployment through ParallelCluster's CloudFormation custom resource, the queue
 * update strategy and login node pools: all ParallelCluster 3 only, so a v2 config that asks for any of
 * them is refused with the fix. What the release decides (its login node keys, its known issues) is in
 * releaseRules.ts.
 */
import type { DeploymentSettings, LoginNodePoolSettings } from "./model";
import { LIMITS, QUEUE_NAME_PATTERN, type QueueUpdateStrategy } from "./parallelClusterRules";
import { checkLoginNodes, providerStackFixes, python39LambdaProblem, type TargetRelease } from "./releaseRules";
import { HEAD_NODE_ALARM_TAGGING_ISSUE, LOGIN_NODES_LISTENER_ISSUE } from "./releases";
import { lambdaArnRegion, type RawSections } from "./schema";
import type { ProblemSink } from "./problems";

export interface ResolvedDeployment {
    readonly queueUpdateStrategy: QueueUpdateStrategy;
    readonly loginNodes: readonly LoginNodePoolSettings[];
    readonly deployment: DeploymentSettings;
}

/** The v3-only keys, in the order they are reported for a v2 config. */
const V3_ONLY_KEYS = ["deploy", "parallelClusterVersion", "serviceToken", "mitigatedIssues", "queueUpdateStrategy", "loginNodes"] as const;

/** `release`: the release the config targets, resolved once (releaseRules.resolveRelease). */
export function resolveDeployment(raw: RawSections["cluster"], release: TargetRelease, sink: ProblemSink): ResolvedDeployment {
    if (raw.format === "v2") {
        for (const key of V3_ONLY_KEYS) {
            if (raw[key] !== undefined) {
                sink.report(
                    `cluster.${key}`,
                    "is ParallelCluster 3 only (its CloudFormation custom resource, queue update strategy and login nodes do not exist in 2.x). " +
                        `Set cluster.format: v3, or remove cluster.${key}.`,
                );
            }
        }
    }
    if (raw.deploy === true && raw.renamedFrom !== undefined) {
        sink.report(
            "cluster.renamedFrom",
            `ParallelCluster cannot rename a deployed cluster ("Cannot update the ClusterName"). Rename in two steps: set cluster.deploy: false and ` +
                `run pulumi up (this deletes the cluster '${raw.renamedFrom}' and renames the environment), then remove cluster.renamedFrom and set cluster.deploy: true to create '${raw.name}'.`,
        );
    }
    const pools = raw.loginNodes ?? [];
    if (raw.format === "v3" && raw.mitigatedIssues !== undefined && raw.serviceToken === undefined) {
        sink.report(
            "cluster.mitigatedIssues",
            "only concerns the provider stack of cluster.serviceToken (the program works around known issues in the provider stack it creates itself). Remove cluster.mitigatedIssues.",
        );
    }
    checkLoginNodes(raw, release, sink);
    const fixes = providerStackFixes(raw, release, sink);
    const creationBlocked = python39LambdaProblem(release);
    if (creationBlocked !== undefined && raw.deploy !== true) {
        sink.warn("cluster.parallelClusterVersion", `${creationBlocked} pcluster create-cluster fails with this configuration; pcluster update-cluster of an existing cluster does not.`);
    }
    const names = new Map<string, number>();
    const loginNodes = pools.flatMap((pool, p): LoginNodePoolSettings[] => {
        if (pool === undefined) {
            return [];
        }
        const path = `cluster.loginNodes[${p}].name`;
        const maxLength = LIMITS.v3.nameMaxLength;
        if (!QUEUE_NAME_PATTERN.test(pool.name) || pool.name.length > maxLength) {
            sink.report(path, `'${pool.name}' is not a valid login node pool name: lowercase letters, digits and '-', starting with a letter, at most ${maxLength} characters.`);
        } else if (pool.name === "default") {
            sink.report(path, "'default' is reserved by ParallelCluster; choose another login node pool name.");
        }
        const first = names.get(pool.name);
        if (first !== undefined) {
            sink.report(path, `pool '${pool.name}' is already cluster.loginNodes[${first}]. Pool names must be unique.`);
        } else {
            names.set(pool.name, p);
        }
        return [{ name: pool.name, instanceType: pool.instanceType, count: pool.count, ...(pool.keyName === undefined ? {} : { keyName: pool.keyName }) }];
    });
    return {
        queueUpdateStrategy: raw.queueUpdateStrategy ?? "COMPUTE_FLEET_STOP",
        loginNodes,
        deployment: {
            deploy: raw.deploy ?? false,
            parallelClusterVersion: release.version,
            ...(raw.serviceToken === undefined ? {} : { serviceToken: raw.serviceToken }),
            ...(fixes.includes(LOGIN_NODES_LISTENER_ISSUE) ? { loginNodesListenerFix: true as const } : {}),
            ...(fixes.includes(HEAD_NODE_ALARM_TAGGING_ISSUE) ? { headNodeAlarmTaggingFix: true as const } : {}),
            ...(creationBlocked !== undefined && raw.deploy === true ? { creationBlocked } : {}),
        },
    };
}

/** A custom resource's ServiceToken must be a Lambda in the stack's own region. */
export function checkDeploymentRegion(cluster: { readonly deployment: DeploymentSettings }, region: string, sink: ProblemSink): void {
    const token = cluster.deployment.serviceToken;
    const tokenRegion = token === undefined ? undefined : lambdaArnRegion(token);
    if (tokenRegion !== undefined && tokenRegion !== region) {
        sink.report(
            "cluster.serviceToken",
            `the provider stack's Lambda is in ${tokenRegion}, the stack in ${region}; CloudFormation calls custom resources in its own region. ` +
                `Give the ServiceToken of a provider stack in ${region}, or remove cluster.serviceToken to create one.`,
        );
    }
}
