/**
 * Rules for the cluster's deployment through ParallelCluster's CloudFormation custom resource, the queue
 * update strategy and login node pools: all ParallelCluster 3 only, so a v2 config that asks for any of
 * them is refused with the fix. Versions are checked against what the program needs from them.
 */
import type { DeploymentSettings, LoginNodePoolSettings } from "./model";
import {
    CUSTOM_RESOURCE_MIN_MINOR,
    LIMITS,
    LOGIN_NODE_CUSTOM_ACTIONS_MIN_MINOR,
    PARALLELCLUSTER_VERSION_DEFAULT,
    PARALLELCLUSTER_VERSION_PATTERN,
    QUEUE_NAME_PATTERN,
    type QueueUpdateStrategy,
} from "./parallelClusterRules";
import { lambdaArnRegion, type RawSections } from "./schema";

type Report = (path: string, message: string) => void;

export interface ResolvedDeployment {
    readonly queueUpdateStrategy: QueueUpdateStrategy;
    readonly loginNodes: readonly LoginNodePoolSettings[];
    readonly deployment: DeploymentSettings;
}

/** The v3-only keys, in the order they are reported for a v2 config. */
const V3_ONLY_KEYS = ["deploy", "parallelClusterVersion", "serviceToken", "queueUpdateStrategy", "loginNodes"] as const;

export function resolveDeployment(raw: RawSections["cluster"], report: Report): ResolvedDeployment {
    if (raw.format === "v2") {
        for (const key of V3_ONLY_KEYS) {
            if (raw[key] !== undefined) {
                report(
                    `cluster.${key}`,
                    "is ParallelCluster 3 only (its CloudFormation custom resource, queue update strategy and login nodes do not exist in 2.x). " +
                        `Set cluster.format: v3, or remove cluster.${key}.`,
                );
            }
        }
    }
    if (raw.deploy === true && raw.renamedFrom !== undefined) {
        report(
            "cluster.renamedFrom",
            `ParallelCluster cannot rename a deployed cluster ("Cannot update the ClusterName"). Rename in two steps: set cluster.deploy: false and ` +
                `run pulumi up (this deletes the cluster '${raw.renamedFrom}' and renames the environment), then remove cluster.renamedFrom and set cluster.deploy: true to create '${raw.name}'.`,
        );
    }
    const parallelClusterVersion = raw.parallelClusterVersion ?? PARALLELCLUSTER_VERSION_DEFAULT;
    const minor = versionMinor(parallelClusterVersion);
    const pools = raw.loginNodes ?? [];
    if (minor === undefined) {
        report("cluster.parallelClusterVersion", `'${parallelClusterVersion}' is not a ParallelCluster 3 release such as ${PARALLELCLUSTER_VERSION_DEFAULT}. Give major.minor.patch.`);
    } else if (minor < CUSTOM_RESOURCE_MIN_MINOR) {
        report(
            "cluster.parallelClusterVersion",
            `${parallelClusterVersion} has no CloudFormation custom resource (it ships from 3.${CUSTOM_RESOURCE_MIN_MINOR}.0). Use ${PARALLELCLUSTER_VERSION_DEFAULT}, or remove the key for that default.`,
        );
    } else if (pools.length > 0 && minor < LOGIN_NODE_CUSTOM_ACTIONS_MIN_MINOR) {
        report(
            "cluster.parallelClusterVersion",
            `${parallelClusterVersion} cannot run the post-install action on login nodes (login node custom actions arrive in 3.${LOGIN_NODE_CUSTOM_ACTIONS_MIN_MINOR}.0), ` +
                `so their users would never be created. Use 3.${LOGIN_NODE_CUSTOM_ACTIONS_MIN_MINOR}.0 or later (default ${PARALLELCLUSTER_VERSION_DEFAULT}), or remove cluster.loginNodes.`,
        );
    }
    const names = new Map<string, number>();
    const loginNodes = pools.flatMap((pool, p): LoginNodePoolSettings[] => {
        if (pool === undefined) {
            return [];
        }
        const path = `cluster.loginNodes[${p}].name`;
        const maxLength = LIMITS.v3.nameMaxLength;
        if (!QUEUE_NAME_PATTERN.test(pool.name) || pool.name.length > maxLength) {
            report(path, `'${pool.name}' is not a valid login node pool name: lowercase letters, digits and '-', starting with a letter, at most ${maxLength} characters.`);
        } else if (pool.name === "default") {
            report(path, "'default' is reserved by ParallelCluster; choose another login node pool name.");
        }
        const first = names.get(pool.name);
        if (first !== undefined) {
            report(path, `pool '${pool.name}' is already cluster.loginNodes[${first}]. Pool names must be unique.`);
        } else {
            names.set(pool.name, p);
        }
        return [{ name: pool.name, instanceType: pool.instanceType, count: pool.count, keyName: pool.keyName ?? raw.keyName }];
    });
    return {
        queueUpdateStrategy: raw.queueUpdateStrategy ?? "COMPUTE_FLEET_STOP",
        loginNodes,
        deployment: {
            deploy: raw.deploy ?? false,
            parallelClusterVersion,
            ...(raw.serviceToken === undefined ? {} : { serviceToken: raw.serviceToken }),
        },
    };
}

/** A custom resource's ServiceToken must be a Lambda in the stack's own region. */
export function checkDeploymentRegion(cluster: { readonly deployment: DeploymentSettings }, region: string, report: Report): void {
    const token = cluster.deployment.serviceToken;
    const tokenRegion = token === undefined ? undefined : lambdaArnRegion(token);
    if (tokenRegion !== undefined && tokenRegion !== region) {
        report(
            "cluster.serviceToken",
            `the provider stack's Lambda is in ${tokenRegion}, the stack in ${region}; CloudFormation calls custom resources in its own region. ` +
                `Give the ServiceToken of a provider stack in ${region}, or remove cluster.serviceToken to create one.`,
        );
    }
}

function versionMinor(version: string): number | undefined {
    const match = PARALLELCLUSTER_VERSION_PATTERN.exec(version);
    return match ? Number(match[1]) : undefined;
}
