/**
 * Login node pools take no `Iam.S3Access` (ParallelCluster's LoginNodesIamSchema has only
 * AdditionalIamPolicies, InstanceRole and InstanceProfile), so the S3 reads an access backend needs on
 * every node reach login nodes as a managed policy instead: the same grant ParallelCluster writes for a
 * read-only S3Access entry (cdk_builder_utils: `s3:Get*` and `s3:List*` on `bucket/key`, or on the bucket
 * and `bucket/*` when no key is given).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { S3Read } from "./nodeAccess";

export const S3_READ_ACTIONS: readonly string[] = ["s3:Get*", "s3:List*"];

/** The resources ParallelCluster grants for one read-only S3Access entry. */
function readResources(read: S3Read): pulumi.Output<string>[] {
    if (read.key !== undefined) {
        return [pulumi.interpolate`arn:aws:s3:::${read.bucket}/${read.key}`];
    }
    return [pulumi.interpolate`arn:aws:s3:::${read.bucket}`, pulumi.interpolate`arn:aws:s3:::${read.bucket}/*`];
}

/** The policy document, as JSON text. */
export function s3ReadPolicyDocument(reads: readonly S3Read[]): pulumi.Output<string> {
    return pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [{ Sid: "S3Read", Effect: "Allow", Action: [...S3_READ_ACTIONS], Resource: reads.flatMap(readResources) }],
    });
}

/** A managed policy granting `reads`, a child of `parent`. */
export function s3ReadPolicy(name: string, reads: readonly S3Read[], parent: pulumi.Resource): aws.iam.Policy {
    return new aws.iam.Policy(
        name,
        { description: "S3 reads of the cluster's access backend, for login nodes (which take no S3Access)", policy: s3ReadPolicyDocument(reads) },
        { parent },
    );
}
