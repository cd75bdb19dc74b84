/**
 * The shapes of the AWS ids and ARNs the program reads from its config and hands to its providers. They
 * live on the ground floor because both the config schema (components/config) and the OpsWorks providers
 * (components/access/opsworks/providers) check them, and the config must not reach up into a backend.
 */

export const IAM_USER_ARN = /^arn:aws[a-z-]*:iam::\d{12}:user\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]+$/;
export const IAM_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]+$/;
export const INSTANCE_PROFILE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:instance-profile\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]+$/;
export const VPC_ID = /^vpc-[0-9a-f]{8,17}$/;
export const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;
/** OpsWorks stack ids are UUIDs. */
export const STACK_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/**
 * An EC2 image id: ParallelCluster's own pattern for `Image.CustomAmi` (cli/src/pcluster/schemas/
 * cluster_schema.py, ImageSchema.custom_ami), the old 8-character ids and the 17-character ones.
 */
export const AMI_ID = /^ami-[0-9a-z]{8}$|^ami-[0-9a-z]{17}$/;

/** `aws`, `aws-cn` or `aws-us-gov`, from the region's name. */
export function partitionOf(region: string): string {
    return region.startsWith("cn-") ? "aws-cn" : region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
}
