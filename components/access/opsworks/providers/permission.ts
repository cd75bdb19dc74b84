/**
 * A user's permission on one OpsWorks stack (token pulumi-nodejs:dynamic/opsworks:Permission): SSH,
 * sudo and level iam_only. On instances of the stack, AllowSsh decides whether the agent keeps the
 * user's account: turning it off deletes the account and its home directory.
 *
 * - Create and update are one SetPermission call each; right after the profile is created OpsWorks
 *   may answer "Unable to find user with ARN ..." until the user propagates, which the SDK retry
 *   strategy retries. Refresh is one DescribePermissions call; a no-op is decided in `diff`.
 * - Delete is refused while the permission gives SSH: a user who vanished from the config (a typo,
 *   a bad merge) must not lose their account and home directory. Stop the login with access: blocked,
 *   or remove the account with an explicit access: revoked, deployed first; the resource stays in
 *   state until then.
 * - OpsWorks has no DeletePermission. Deleting a revoked permission sets it to no SSH and no sudo (one
 *   call, harmless if it already is) and forgets it; the record stays visible in DescribePermissions.
 *   The level is left alone: nobody can change their own level, and iam_only grants nothing by itself.
 */
import * as pulumi from "@pulumi/pulumi";
import { IAM_USER_ARN, STACK_ID } from "../../../awsIds";
import { checkBoolean, checkRegion, checkRetry, checkString, Failure } from "./checks";
import { callOpsWorks, CallTarget, callUnlessGone, gone } from "./client";
import { changed, diffByProperty } from "./diff";
import { RetryOptions } from "./retry";

export interface PermissionArgs {
    /** Region of the stack. Changing it replaces the permission. */
    region: pulumi.Input<string>;
    /** The stack. Changing it replaces the permission. */
    stackId: pulumi.Input<string>;
    /** The IAM user, whose profile must exist in the region. Changing it replaces the permission. */
    iamUserArn: pulumi.Input<string>;
    /** false = revoked: the agent deletes the account and home directory on this stack's instances. */
    allowSsh: pulumi.Input<boolean>;
    /** Passwordless sudo on the stack's instances. */
    allowSudo: pulumi.Input<boolean>;
    /** Default "iam_only". */
    level?: pulumi.Input<"iam_only">;
    /** SDK attempts and back-off of each call; default 10 attempts, 100 ms base. */
    retry?: pulumi.Input<RetryOptions>;
}

export interface PermissionInputs {
    region: string;
    stackId: string;
    iamUserArn: string;
    allowSsh: boolean;
    allowSudo: boolean;
    level: string;
    retry?: RetryOptions;
}

export type PermissionOutputs = PermissionInputs;

const REPLACED_BY = ["region", "stackId", "iamUserArn"] as const;
/** What SetPermission writes; `retry` is updated in place too, but only in state. */
const WRITTEN = ["allowSsh", "allowSudo", "level"] as const;
const UPDATED_IN_PLACE = [...WRITTEN, "retry"] as const;

function target(inputs: PermissionInputs, retryPropagation = false): CallTarget {
    return {
        subject: `OpsWorks permission for ${inputs.iamUserArn} on stack ${inputs.stackId} in ${inputs.region}`,
        region: inputs.region,
        retry: inputs.retry,
        retryPropagation,
    };
}

async function setPermission(inputs: PermissionInputs, members: { AllowSsh: boolean; AllowSudo: boolean; Level?: string }): Promise<void> {
    await callOpsWorks(target(inputs, true), "SetPermission", (client, sdk) =>
        client.send(new sdk.SetPermissionCommand({ StackId: inputs.stackId, IamUserArn: inputs.iamUserArn, ...members })),
    );
}

export const permissionProvider: pulumi.dynamic.ResourceProvider<PermissionInputs, PermissionOutputs> = {
    async check(_olds, news) {
        const inputs = { ...news, level: news.level ?? "iam_only" };
        const failures: Failure[] = [];
        checkRegion(failures, inputs.region);
        checkString(failures, "stackId", inputs.stackId, STACK_ID, "an OpsWorks stack id (a UUID)");
        checkString(failures, "iamUserArn", inputs.iamUserArn, IAM_USER_ARN, "an IAM user ARN (arn:aws:iam::<account>:user/<name>)");
        checkBoolean(failures, "allowSsh", inputs.allowSsh);
        checkBoolean(failures, "allowSudo", inputs.allowSudo);
        checkString(failures, "level", inputs.level, /^iam_only$/, `"iam_only": the user's rights come from IAM policies only (the article's choice)`);
        checkRetry(failures, inputs.retry);
        return { inputs, failures };
    },

    async diff(_id, olds, news) {
        return diffByProperty(olds, news, REPLACED_BY, UPDATED_IN_PLACE);
    },

    async create(inputs) {
        await setPermission(inputs, { AllowSsh: inputs.allowSsh, AllowSudo: inputs.allowSudo, Level: inputs.level });
        return { id: `${inputs.stackId}/${inputs.iamUserArn}`, outs: inputs };
    },

    async read(id, props) {
        const olds = props!;
        const answer = await callUnlessGone(target(olds), "DescribePermissions", (client, sdk) =>
            client.send(new sdk.DescribePermissionsCommand({ StackId: olds.stackId, IamUserArn: olds.iamUserArn })),
        );
        const live = answer?.Permissions?.[0];
        if (!live) {
            return gone<PermissionOutputs>();
        }
        return {
            id,
            props: { ...olds, allowSsh: live.AllowSsh ?? false, allowSudo: live.AllowSudo ?? false, level: live.Level ?? olds.level },
        };
    },

    async update(_id, olds, news) {
        if (WRITTEN.some((key) => changed(olds[key], news[key]))) {
            await setPermission(news, { AllowSsh: news.allowSsh, AllowSudo: news.allowSudo, Level: news.level });
        }
        return { outs: news };
    },

    async delete(_id, props) {
        if (props.allowSsh) {
            throw new Error(
                `${target(props).subject}: refusing to delete a permission that still gives SSH. Deleting it ` +
                    "makes the OpsWorks agent delete the user's account and home directory on every instance of the stack. " +
                    "If the user was removed from the config by mistake, put them back. To stop the login and keep the " +
                    "account and home directory, set access: blocked. To remove the account, set access: revoked and " +
                    "run pulumi up; after that the user can be removed from the config.",
            );
        }
        // Not found: the stack or the profile is gone already, and the permission with it.
        await callUnlessGone(target(props), "SetPermission", (client, sdk) =>
            client.send(new sdk.SetPermissionCommand({ StackId: props.stackId, IamUserArn: props.iamUserArn, AllowSsh: false, AllowSudo: false })),
        );
    },
};

/** A user's permission on one stack (token pulumi-nodejs:dynamic/opsworks:Permission). */
export class Permission extends pulumi.dynamic.Resource {
    declare readonly stackId: pulumi.Output<string>;
    declare readonly iamUserArn: pulumi.Output<string>;
    declare readonly allowSsh: pulumi.Output<boolean>;
    declare readonly allowSudo: pulumi.Output<boolean>;

    constructor(name: string, args: PermissionArgs, opts?: pulumi.CustomResourceOptions) {
        super(permissionProvider, name, { ...args }, opts, "opsworks", "Permission");
    }
}
