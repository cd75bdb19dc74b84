/**
 * Regions whose endpoint served OpsWorks Stacks (reference/opsworks.md). A user profile lives per
 * regional endpoint, so the environment's region decides which profiles its users share.
 */
export const OPSWORKS_REGIONS: readonly string[] = [
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ca-central-1",
    "eu-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];
