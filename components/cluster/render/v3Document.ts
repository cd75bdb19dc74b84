/**
 * ParallelCluster 3.x configuration as a plain object (reference/parallelcluster.md's 2.x to 3.x
 * mapping). The access backend's needs go on the head node and on every queue: its managed policies, its
 * S3 reads and its post-install action; its IMDS requirement, if any, goes on the cluster.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ClusterSettings, QueueSettings } from "../../config/model";
import { DEFAULT_SSH_ALLOWED_IPS } from "../../config/parallelClusterRules";
import { headNodeOf, type ClusterWiring } from "./wiring";

type Leaf = pulumi.Input<string> | pulumi.Input<string[]> | number | boolean;
export interface V3Node {
    readonly [key: string]: Leaf | V3Node | readonly (Leaf | V3Node)[];
}

export function buildV3Document(cluster: ClusterSettings, wiring: ClusterWiring): V3Node {
    const access = wiring.access;
    const nodeIam = {
        // No key for an empty list: a backend that needs no managed policy (roster) adds none.
        ...(access.iamPolicyArns.length === 0 ? {} : { AdditionalIamPolicies: access.iamPolicyArns.map((arn) => ({ Policy: arn })) }),
        S3Access: access.s3Reads.map((read) => ({
            BucketName: read.bucket,
            ...(read.key === undefined ? {} : { KeyName: read.key }),
            EnableWriteAccess: false,
        })),
    };
    const customActions = {
        OnNodeConfigured: { Script: access.postInstallScript, Args: [...access.postInstallArgs] },
    };
    const headNode: V3Node = {
        InstanceType: headNodeOf(cluster).instanceType,
        Networking: { SubnetId: wiring.headNodeSubnetId },
        Ssh: { KeyName: cluster.keyName, ...sshAllowedIps(cluster) },
        ...rootVolume(headNodeOf(cluster).rootVolumeSize),
        Iam: nodeIam,
        CustomActions: customActions,
    };
    const queues = cluster.queues.map(
        (queue): V3Node => ({
            Name: queue.name,
            CapacityType: queue.capacityType === "spot" ? "SPOT" : "ONDEMAND",
            Networking: {
                SubnetIds: queue.spansSubnets ? wiring.computeSubnetIds : [wiring.primaryComputeSubnetId],
                ...placementGroup(queue),
            },
            ...(cluster.computeRootVolumeSize === undefined
                ? {}
                : { ComputeSettings: rootVolume(cluster.computeRootVolumeSize) }),
            ComputeResources: queue.computeResources.map((resource) => ({
                Name: resource.name,
                // Across subnets only the Instances form is accepted (SingleInstanceTypeSubnetValidator).
                ...(queue.spansSubnets ? { Instances: [{ InstanceType: resource.instanceType }] } : { InstanceType: resource.instanceType }),
                MinCount: resource.minCount,
                MaxCount: resource.maxCount,
                ...(queue.disableHyperthreading ? { DisableSimultaneousMultithreading: true } : {}),
                ...(queue.efa ? { Efa: { Enabled: true } } : {}),
            })),
            Iam: nodeIam,
            CustomActions: customActions,
        }),
    );
    return {
        Region: wiring.region,
        Image: { Os: cluster.os, ...(cluster.customAmi === undefined ? {} : { CustomAmi: cluster.customAmi }) },
        // No Imds section unless the backend needs one: ParallelCluster's default requires IMDSv2 tokens.
        ...(access.imds === undefined ? {} : { Imds: { ImdsSupport: access.imds.support } }),
        HeadNode: headNode,
        ...loginNodes(cluster, wiring, customActions),
        Scheduling: { Scheduler: "slurm", SlurmSettings: { QueueUpdateStrategy: cluster.queueUpdateStrategy }, SlurmQueues: queues },
        ...(cluster.fsx === undefined ? {} : { SharedStorage: [sharedStorage(cluster.fsx)] }),
    };
}

/**
 * Login node pools, wired like every other node: the backend's policies (and, since pools take no
 * S3Access, the managed policy granting its S3 reads), its post-install action, the head node's SSH
 * sources; in the head node's subnet (ParallelCluster takes exactly one), where users can reach them.
 */
function loginNodes(cluster: ClusterSettings, wiring: ClusterWiring, customActions: V3Node): V3Node {
    if (cluster.loginNodes.length === 0) {
        return {};
    }
    if (wiring.loginNodeIamPolicyArns === undefined) {
        throw new Error("login node pools need wiring.loginNodeIamPolicyArns: the policy granting the access backend's S3 reads");
    }
    const policies = [...wiring.access.iamPolicyArns, ...wiring.loginNodeIamPolicyArns];
    return {
        LoginNodes: {
            Pools: cluster.loginNodes.map((pool) => ({
                Name: pool.name,
                InstanceType: pool.instanceType,
                Count: pool.count,
                Networking: { SubnetIds: [wiring.headNodeSubnetId] },
                // A pool's own key pair only where the config gives one: 3.15 refuses the key, and without it
                // the pool lets in the head node's key pair (ParallelCluster's default).
                ...poolSsh(pool.keyName, cluster),
                Iam: { AdditionalIamPolicies: policies.map((arn) => ({ Policy: arn })) },
                CustomActions: customActions,
            })),
        },
    };
}

/** A pool's `Ssh` section, or none when it would be empty. */
function poolSsh(keyName: string | undefined, cluster: ClusterSettings): V3Node {
    const ssh: V3Node = { ...(keyName === undefined ? {} : { KeyName: keyName }), ...sshAllowedIps(cluster) };
    return Object.keys(ssh).length === 0 ? {} : { Ssh: ssh };
}

/** Written only when narrower than ParallelCluster's default (anywhere), like every other default here. */
function sshAllowedIps(cluster: ClusterSettings): V3Node {
    return cluster.sshAllowedIps === DEFAULT_SSH_ALLOWED_IPS ? {} : { AllowedIps: cluster.sshAllowedIps };
}

function rootVolume(size: number | undefined): V3Node {
    return size === undefined ? {} : { LocalStorage: { RootVolume: { Size: size } } };
}

function placementGroup(queue: QueueSettings): V3Node {
    if (queue.placementGroup === undefined) {
        return {};
    }
    return queue.placementGroup === "DYNAMIC"
        ? { PlacementGroup: { Enabled: true } }
        : { PlacementGroup: { Enabled: true, Name: queue.placementGroup } };
}

function sharedStorage(fsx: NonNullable<ClusterSettings["fsx"]>): V3Node {
    const settings: V3Node =
        fsx.mode === "existing"
            ? { FileSystemId: fsx.fileSystemId }
            : {
                  StorageCapacity: fsx.storageCapacity,
                  DeploymentType: fsx.deploymentType,
                  ...(fsx.perUnitStorageThroughput === undefined ? {} : { PerUnitStorageThroughput: fsx.perUnitStorageThroughput }),
              };
    return { MountDir: fsx.mountDir, Name: fsx.name, StorageType: "FsxLustre", FsxLustreSettings: settings };
}
