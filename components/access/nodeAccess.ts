/**
 * What an access backend needs from every cluster node, said once and without naming the backend: the
 * renderer (components/cluster/render) turns it into v3 YAML or v2 INI, and never learns which backend asked.
 * The OpsWorks backend (access/opsworks) and the roster backend (access/roster) each provide one.
 */
import type * as pulumi from "@pulumi/pulumi";

/** Read access to S3 for every node: one object, or every object of the bucket when `key` is absent. */
export interface S3Read {
    readonly bucket: pulumi.Input<string>;
    /** The object key; undefined: the whole bucket. */
    readonly key?: pulumi.Input<string>;
}

/** ParallelCluster's IMDS setting, when a backend cannot live with its default (v2.0: token required). */
export interface ImdsRequirement {
    /** `Imds.ImdsSupport` value. */
    readonly support: "v1.0";
    /** Why, written as a comment above the setting in the rendered YAML. */
    readonly reason: string;
}

export interface NodeAccess {
    /** Managed policy ARNs the head node and every queue carry (a policy the backend creates: known in a preview from its name). */
    readonly iamPolicyArns: readonly pulumi.Input<string>[];
    /** What every node may read from S3 (v3 `Iam.S3Access`; v2 takes the single `s3_read_resource`). */
    readonly s3Reads: readonly S3Read[];
    /** `s3://bucket/key` of the post-install script every node runs (v3 OnNodeConfigured, v2 post_install). */
    readonly postInstallScript: pulumi.Input<string>;
    /** Its arguments (v3 `Args`; v2 joined with spaces into `post_install_args`). */
    readonly postInstallArgs: readonly pulumi.Input<string>[];
    /** Undefined: ParallelCluster's default (IMDSv2 required) is left alone and no Imds section is written. */
    readonly imds?: ImdsRequirement;
}
