/**
 * OpsWorks Stacks resources as Pulumi dynamic providers on @aws-sdk/client-opsworks: no Pulumi provider
 * has them any more (removed from @pulumi/aws 7). The region is an input of each; credentials and
 * endpoint come from the SDK's default chain (AWS_ENDPOINT_URL_OPSWORKS reaches an emulator).
 */
export { Stack, stackProvider } from "./stack";
export type { StackArgs, StackInputs, StackOutputs } from "./stack";
export { UserProfile, userProfileProvider, BLOCKED_MARKER } from "./userProfile";
export type { UserProfileArgs, UserProfileInputs, UserProfileOutputs } from "./userProfile";
export { Permission, permissionDeleteRefusal, permissionProvider } from "./permission";
export type { PermissionArgs, PermissionInputs, PermissionOutputs } from "./permission";
export type { RetryOptions } from "./retry";
