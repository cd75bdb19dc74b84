/**
 * The key policy of the roster's signing key (a pure function, so its statements are tested without
 * mocks and the policy pack reads the same shape): who may sign the roster, and that no cluster node may
 * use the key at all. Nodes verify offline with the public key they got at boot; they never call KMS.
 *
 * - The signers sign and administer the key: `roster.signers`, or by default the deploying identity (the
 *   role behind `pulumi up`'s session, aws.iam.getSessionContext's issuerArn, not the session ARN, which
 *   changes every run). Name every role that runs `up` (a person's and CI's) in roster.signers, or each
 *   run by another identity rewrites the policy for itself.
 * - The account may read the key and its public half, cancel a scheduled deletion and re-enable the key
 *   (rescue, never use), and may replace the key policy (kms:PutKeyPolicy): without that, a deleted or
 *   renamed deploying role would leave the key
 *   unmanageable (AWS KMS developer guide, "Default key policy": the account statement is what keeps a key
 *   manageable). Rewriting the policy is an administrator's act, logged in CloudTrail. The account is
 *   never given kms:Sign: IAM policies alone can therefore never let anyone sign.
 * - Explicit Deny of every KMS action to the roles ParallelCluster creates for its nodes (path
 *   `/parallelcluster/`: aws-parallelcluster cli/src/pcluster/constants.py IAM_ROLE_PATH) and to any
 *   request made with EC2 instance-profile credentials (`aws:EC2InstanceSourceVPC` is present only on
 *   those: AWS Security Blog, "How to use policies to restrict where EC2 instance credentials can be used
 *   from", 2023-03), except the deploying identity itself (a CI runner on EC2 deploys with such credentials).
 *   An explicit Deny wins over any Allow, grants included.
 */

/** ParallelCluster's path for the IAM roles and instance profiles it creates (cli/src/pcluster/constants.py). */
export const PARALLELCLUSTER_IAM_PATH = "/parallelcluster/";

/** What the deploying identity may do: sign, read the public key, and keep the key managed. */
export const SIGNER_ACTIONS: readonly string[] = [
    "kms:Sign",
    "kms:GetPublicKey",
    "kms:DescribeKey",
    "kms:GetKeyPolicy",
    "kms:PutKeyPolicy",
    "kms:ListResourceTags",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateKeyDescription",
    "kms:EnableKey",
    "kms:DisableKey",
    "kms:ScheduleKeyDeletion",
    "kms:CancelKeyDeletion",
];

/** What the account may do: read, rescue and manage the key, never use it (no kms:Sign, no grants). */
export const ACCOUNT_ACTIONS: readonly string[] = ["kms:DescribeKey", "kms:GetPublicKey", "kms:GetKeyPolicy", "kms:PutKeyPolicy", "kms:ListResourceTags", "kms:CancelKeyDeletion", "kms:EnableKey"];

export interface SigningKeyPolicyInput {
    readonly partition: string;
    readonly accountId: string;
    /** ARNs of the IAM roles or users that sign (the deploying identity). */
    readonly signers: readonly string[];
}

/**
 * ARN patterns of the node roles the program knows: ParallelCluster's. An instance profile is never a
 * principal (a node's requests carry its role's ARN as aws:PrincipalArn), so roles are what is denied.
 */
export function nodeRoleArnPatterns(partition: string, accountId: string): string[] {
    return [`arn:${partition}:iam::${accountId}:role${PARALLELCLUSTER_IAM_PATH}*`];
}

export function signingKeyPolicy(input: SigningKeyPolicyInput): Record<string, unknown> {
    const signers = [...input.signers];
    return {
        Version: "2012-10-17",
        Id: "pcluster-access-roster-signing",
        Statement: [
            { Sid: "DeployerSignsAndAdministers", Effect: "Allow", Principal: { AWS: signers }, Action: [...SIGNER_ACTIONS], Resource: "*" },
            { Sid: "AccountReadsAndKeepsItManaged", Effect: "Allow", Principal: { AWS: `arn:${input.partition}:iam::${input.accountId}:root` }, Action: [...ACCOUNT_ACTIONS], Resource: "*" },
            {
                Sid: "NoNodeRoleUsesIt",
                Effect: "Deny",
                Principal: { AWS: "*" },
                Action: "kms:*",
                Resource: "*",
                Condition: { ArnLike: { "aws:PrincipalArn": nodeRoleArnPatterns(input.partition, input.accountId) } },
            },
            {
                Sid: "NoInstanceCredentialsUseIt",
                Effect: "Deny",
                Principal: { AWS: "*" },
                Action: "kms:*",
                Resource: "*",
                Condition: { Null: { "aws:EC2InstanceSourceVPC": "false" }, ArnNotEquals: { "aws:PrincipalArn": signers } },
            },
        ],
    };
}
