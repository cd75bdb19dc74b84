/**
 * What the cluster configuration is rendered from besides the validated settings: values other
 * components produce, and what the access backend needs from every node. Leaves are Pulumi inputs so the
 * rendered document keeps every value that is known during a preview known (policies read it), while
 * tests pass plain strings.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { NodeAccess } from "../../access/nodeAccess";

export interface ClusterWiring {
    readonly region: string;
    readonly vpcId: pulumi.Input<string>;
    readonly headNodeSubnetId: pulumi.Input<string>;
    /** Every compute subnet (one per zone): what a queue with `spansSubnets` runs in. */
    readonly computeSubnetIds: pulumi.Input<string[]>;
    /** The first compute subnet: every other queue's, and v2's compute_subnet_id. */
    readonly primaryComputeSubnetId: pulumi.Input<string>;
    /**
     * `arn:aws:s3:::bucket/*` of the environment's bucket: v2's `s3_read_resource`, which takes one ARN,
     * so v2 nodes read the whole bucket whatever `access.s3Reads` lists (v3 grants exactly those).
     */
    readonly scriptReadResourceArn: pulumi.Input<string>;
    /** The access backend's needs on every node: policies, S3 reads, post-install action, IMDS. */
    readonly access: NodeAccess;
    /**
     * Managed policies login node pools carry besides `access.iamPolicyArns`: the one granting
     * `access.s3Reads`, which login nodes cannot take as S3Access. Required when the cluster has pools.
     */
    readonly loginNodeIamPolicyArns?: readonly pulumi.Input<string>[];
}

/** The head node a ParallelCluster configuration needs; only an AWS PCS cluster (which is never rendered here) has none. */
export function headNodeOf(cluster: { readonly name: string; readonly headNode?: { readonly instanceType: string; readonly rootVolumeSize?: number } }): { readonly instanceType: string; readonly rootVolumeSize?: number } {
    if (cluster.headNode === undefined) {
        throw new Error(`cluster ${cluster.name} has no head node: an AWS PCS cluster has no ParallelCluster configuration to render`);
    }
    return cluster.headNode;
}
