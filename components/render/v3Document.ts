/**
 * ParallelCluster 3.x configuration as a plain object (reference/parallelcluster.md's 2.x to 3.x
 * mapping). The OpsWorks wiring goes on the head node and on every queue: the two managed policies,
 * read access to the script bucket and the post-install action with the stack id as its argument.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ClusterSettings, QueueSettings } from "../config/model";
import type { ClusterWiring } from "./wiring";

type Leaf = pulumi.Input<string> | pulumi.Input<string[]> | number | boolean;
export interface V3Node {
    readonly [key: string]: Leaf | V3Node | readonly (Leaf | V3Node)[];
}

/** `aws opsworks register --local` reads instance metadata without a token, so IMDSv1 must stay on. */
export const IMDS_COMMENT =
    " IMDSv1 stays on: `aws opsworks register --local`, run by the post-install script, reads instance\n" +
    " metadata without a token and fails when IMDSv2 is required (ParallelCluster's default since 3.7).";

export function buildV3Document(cluster: ClusterSettings, wiring: ClusterWiring): V3Node {
    const nodeIam = {
        AdditionalIamPolicies: wiring.iamPolicyArns.map((arn) => ({ Policy: arn })),
        S3Access: [{ BucketName: wiring.scriptBucket, EnableWriteAccess: false }],
    };
    const customActions = {
        OnNodeConfigured: { Script: wiring.postInstallScriptUrl, Args: [wiring.opsworksStackId] },
    };
    const headNode: V3Node = {
        InstanceType: cluster.headNode.instanceType,
        Networking: { SubnetId: wiring.headNodeSubnetId },
        Ssh: { KeyName: cluster.keyName },
        ...rootVolume(cluster.headNode.rootVolumeSize),
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
        Image: { Os: cluster.os },
        Imds: { ImdsSupport: "v1.0" },
        HeadNode: headNode,
        Scheduling: { Scheduler: "slurm", SlurmQueues: queues },
        ...(cluster.fsx === undefined ? {} : { SharedStorage: [sharedStorage(cluster.fsx)] }),
    };
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
