/**
 * Type tokens of the resources the policies inspect. The OpsWorks, roster and configuration resources are dynamic
 * resources, which `validateResourceOfType` cannot match by class, so policies compare these tokens.
 * Copied from the program (components/), not imported: a published pack contains only policy/.
 */
export const CLUSTER_CONFIGURATION = "pulumi-nodejs:dynamic/pcluster:ClusterConfiguration";
export const OPSWORKS_STACK = "pulumi-nodejs:dynamic/opsworks:Stack";
export const OPSWORKS_USER_PROFILE = "pulumi-nodejs:dynamic/opsworks:UserProfile";
export const OPSWORKS_PERMISSION = "pulumi-nodejs:dynamic/opsworks:Permission";
/** The roster backend's document and allocation (components/access/roster/rosterResource.ts). */
export const ROSTER = "pulumi-nodejs:dynamic/roster:Roster";

export const IAM_USER = "aws:iam/user:User";
/** The roster's signing key (components/access/roster/signingKey.ts), and grants, which the roster never makes. */
export const KMS_KEY = "aws:kms/key:Key";
export const KMS_GRANT = "aws:kms/grant:Grant";
export const IAM_POLICY = "aws:iam/policy:Policy";
export const IAM_USER_POLICY = "aws:iam/userPolicy:UserPolicy";
/** EC2 Instance Connect's endpoint (issue 16: roster.instanceConnect). */
export const INSTANCE_CONNECT_ENDPOINT = "aws:ec2transitgateway/instanceConnectEndpoint:InstanceConnectEndpoint";
export const CLOUDFORMATION_STACK = "aws:cloudformation/stack:Stack";
export const S3_BUCKET = "aws:s3/bucket:Bucket";
export const S3_BUCKET_OBJECT = "aws:s3/bucketObjectv2:BucketObjectv2";
export const S3_PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
export const S3_ENCRYPTION = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";
export const S3_BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy";

/** awsx's VPC component: its outputs name the VPC and its subnets. */
export const AWSX_VPC = "awsx:ec2:Vpc";

/** AWS PCS (@pulumi/aws-native, from CloudFormation's AWS::PCS::*): its node groups are judged as cluster nodes are. */
export const PCS_COMPUTE_NODE_GROUP = "aws-native:pcs:ComputeNodeGroup";
export const EC2_LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";
export const EC2_SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";
export const IAM_INSTANCE_PROFILE = "aws:iam/instanceProfile:InstanceProfile";
export const IAM_ROLE = "aws:iam/role:Role";
export const IAM_ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
export const IAM_ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
