/**
 * The regions whose endpoints served OpsWorks Stacks (reference/opsworks.md), and the "classic" stack
 * regions the us-east-1 endpoint could also manage (CreateStackRequest.Region in the service model).
 * Kept apart from the product's own list on purpose: the emulator is an independent check of it.
 */
export const OPSWORKS_ENDPOINT_REGIONS: ReadonlySet<string> = new Set([
    "ap-northeast-1", "ap-northeast-2", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "ca-central-1",
    "eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3", "sa-east-1", "us-east-1", "us-east-2",
    "us-west-1", "us-west-2",
]);

export const CLASSIC_STACK_REGIONS: ReadonlySet<string> = new Set([
    "us-west-1", "us-west-2", "sa-east-1", "eu-central-1", "eu-west-1", "ap-northeast-1", "ap-southeast-1",
    "ap-southeast-2",
]);
