/**
 * What the cluster configuration is rendered from besides the validated settings: values other
 * components produce. Leaves are Pulumi inputs so the rendered document keeps every value that is known
 * during a preview known (policies read it), while tests pass plain strings.
 */
import type * as pulumi from "@pulumi/pulumi";

/**
 * Managed policies every cluster node needs: registration with the OpsWorks stack from the post-install
 * script, and the deregistration job on the head node (the article's Cluster deployment section).
 */
export const REQUIRED_IAM_POLICY_ARNS: readonly string[] = [
    "arn:aws:iam::aws:policy/AWSOpsWorksInstanceRegistration",
    "arn:aws:iam::aws:policy/AWSOpsWorksRegisterCLI_EC2",
];

export interface ClusterWiring {
    readonly region: string;
    readonly vpcId: pulumi.Input<string>;
    readonly headNodeSubnetId: pulumi.Input<string>;
    /** Every compute subnet (one per zone): what a queue with `spansSubnets` runs in. */
    readonly computeSubnetIds: pulumi.Input<string[]>;
    /** The first compute subnet: every other queue's, and v2's compute_subnet_id. */
    readonly primaryComputeSubnetId: pulumi.Input<string>;
    /** Bucket holding the post-install script; the nodes get read access to it. */
    readonly scriptBucket: pulumi.Input<string>;
    /** `arn:aws:s3:::bucket/*`: what the nodes may read (v2's s3_read_resource). */
    readonly scriptReadResourceArn: pulumi.Input<string>;
    /** `s3://bucket/key` of the post-install script. */
    readonly postInstallScriptUrl: pulumi.Input<string>;
    /** The post-install script's argument: the OpsWorks stack the nodes register with. */
    readonly opsworksStackId: pulumi.Input<string>;
    /** Managed policy ARNs for every node; REQUIRED_IAM_POLICY_ARNS unless a test says otherwise. */
    readonly iamPolicyArns: readonly string[];
}
