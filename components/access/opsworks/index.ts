/**
 * The OpsWorks backend (the article's): an OpsWorks stack in the cluster's VPC, per user a user profile
 * and a permission on the stack, and nodes that register with the stack from the post-install script.
 * Every node carries the two OpsWorks managed policies, reads the script bucket, passes the stack id to
 * the script and keeps IMDSv1 on (`aws opsworks register --local` reads metadata without a token).
 * Its resources are the environment's children, as they were before backends existed, so a deployed
 * environment's URNs do not move.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { AccessBackend, AccessContext, AccessLocation } from "../backend";
import { sshLogin, type UserLogin } from "../logins";
import { ClusterUsers } from "./clusterUsers";
import type { OpsWorksSettings } from "../../config/model";
import { OpsWorksStack } from "./opsworksStack";
import type { NodeAccess } from "../nodeAccess";

/**
 * Managed policies every cluster node needs: registration with the OpsWorks stack from the post-install
 * script, and the deregistration job on the head node (the article's Cluster deployment section).
 */
export const OPSWORKS_IAM_POLICY_ARNS: readonly string[] = [
    "arn:aws:iam::aws:policy/AWSOpsWorksInstanceRegistration",
    "arn:aws:iam::aws:policy/AWSOpsWorksRegisterCLI_EC2",
];

/** `aws opsworks register --local` reads instance metadata without a token, so IMDSv1 must stay on. */
export const OPSWORKS_IMDS_REASON =
    " IMDSv1 stays on: `aws opsworks register --local`, run by the post-install script, reads instance\n" +
    " metadata without a token and fails when IMDSv2 is required (ParallelCluster's default since 3.7).";

/** What the OpsWorks backend needs from every node, given its stack id and the environment's bucket. */
export function opsworksNodeAccess(stackId: pulumi.Input<string>, bucket: pulumi.Input<string>, scriptUrl: pulumi.Input<string>): NodeAccess {
    return {
        iamPolicyArns: OPSWORKS_IAM_POLICY_ARNS,
        s3Reads: [{ bucket }],
        postInstallScript: scriptUrl,
        postInstallArgs: [stackId],
        imds: { support: "v1.0", reason: OPSWORKS_IMDS_REASON },
    };
}

/** Builds the OpsWorks stack and users under `parent` (the environment), named from `name`. */
export function buildOpsWorksAccess(name: string, settings: OpsWorksSettings, context: AccessContext, parent: pulumi.Resource): AccessBackend {
    const stack = new OpsWorksStack(
        `${name}-opsworks`,
        { settings, region: context.region, vpcId: context.vpcId, defaultSubnetId: context.headNodeSubnetId },
        { parent },
    );
    const users = new ClusterUsers(
        `${name}-users`,
        { users: context.users, region: context.region, stackId: stack.stackId, maxAttempts: settings.maxAttempts },
        { parent },
    );
    return {
        nodeAccess: opsworksNodeAccess(stack.stackId, context.bucket, context.scriptUrl),
        users: users.table,
        location: stack.stackId.apply((opsworksStackId): AccessLocation => ({ backend: "opsworks", opsworksStackId })),
        // The OpsWorks agent creates the accounts of allowed users; OpsWorks has no end dates (config refuses them).
        logins: (target) =>
            target.apply((at) =>
                Object.fromEntries(context.users.filter((user) => user.access === "allowed").map((user): [string, UserLogin] => [user.iamUserName, sshLogin(user.sshUsername, at)])),
            ),
    };
}
