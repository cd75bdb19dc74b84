/**
 * The node role's grant for status records: each node may write its own record and nothing else in the
 * environment's bucket. IAM substitutes the requesting instance's ARN for `${ec2:SourceInstanceARN}` (a policy
 * variable AWS's own managed policy AWSElasticDisasterRecoveryEc2InstancePolicy uses the same way), so the
 * one key a node can put is `status/<its own ARN>.json`; a second statement denies the node role every
 * write to what the nodes read (the roster, the agent, the scripts), so no other grant (an S3Access with
 * EnableWriteAccess, say) can let a node replace them. The deny names those keys rather than "all but
 * status/": a NotResource deny would reach every other bucket in the account as well. Version 2012-10-17 is
 * what makes IAM read `${...}` as a variable.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { OWN_STATUS_KEY } from "./record";

/** The actions the deny covers: every way to write, delete or re-permission an object. */
export const OBJECT_WRITE_ACTIONS: readonly string[] = ["s3:PutObject", "s3:PutObjectAcl", "s3:PutObjectTagging", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:RestoreObject"];

/** The policy document for `bucket`, as JSON text; `readKeys` are the objects every node reads and none may write. */
export function nodeStatusPolicyDocument(bucket: pulumi.Input<string>, readKeys: readonly string[], partition: pulumi.Input<string> = "aws"): pulumi.Output<string> {
    return pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "WriteOwnStatusRecord",
                Effect: "Allow",
                Action: "s3:PutObject",
                Resource: pulumi.interpolate`arn:${partition}:s3:::${bucket}/${OWN_STATUS_KEY}`,
            },
            {
                Sid: "NeverWhatNodesRead",
                Effect: "Deny",
                Action: [...OBJECT_WRITE_ACTIONS],
                Resource: readKeys.map((key) => pulumi.interpolate`arn:${partition}:s3:::${bucket}/${key}`),
            },
        ],
    });
}

/**
 * The managed policy every node carries (the cluster configuration's AdditionalIamPolicies), named so its
 * ARN is known in a preview: the name is an input, and the account and partition come from data sources.
 */
export function nodeStatusPolicy(name: string, args: { readonly bucket: pulumi.Input<string>; readonly readKeys: readonly string[]; readonly environment: string; readonly region: string }, parent: pulumi.Resource) {
    const partition = aws.getPartitionOutput({}, { parent });
    const account = aws.getCallerIdentityOutput({}, { parent });
    // IAM names are global to the account: the region keeps two environments of one name in two regions apart.
    const policyName = `pcluster-access-${args.environment}-${args.region}-node-status`.slice(0, 128);
    const policy = new aws.iam.Policy(
        name,
        {
            name: policyName,
            description: `Nodes of ${args.environment} write their own status record (status/<instance ARN>.json) and nothing else in the environment's bucket`,
            policy: nodeStatusPolicyDocument(args.bucket, args.readKeys, partition.partition),
        },
        { parent },
    );
    const arn = pulumi.all([partition.partition, account.accountId, policy.name]).apply(([p, accountId, policyNameOut]) => `arn:${p}:iam::${accountId}:policy/${policyNameOut}`);
    return { policy, arn };
}
