/**
 * The cluster's users: per IAM user an OpsWorks user profile (SSH username and key, per region) and a
 * permission on this environment's stack (SSH, sudo, level iam_only). Resources are keyed by the IAM user
 * name, never by position, so reordering the roster changes nothing.
 *
 * Access states: allowed; blocked (the stored key becomes a marker that is not a key, SSH stays allowed
 * so the agent keeps the account and home directory); revoked (SSH denied on this stack: the agent
 * deletes the account and home directory).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { UserSettings } from "../../config/model";
import type { UserRow } from "../userRow";
import * as opsworks from "./providers";

export interface ClusterUsersArgs {
    /** The validated roster; decides which resources exist, so a plain value. */
    readonly users: readonly UserSettings[];
    readonly region: string;
    readonly stackId: pulumi.Input<string>;
    /** SDK attempts per OpsWorks call. */
    readonly maxAttempts: number;
}

export class ClusterUsers extends pulumi.ComponentResource {
    readonly table: pulumi.Output<UserRow[]>;

    constructor(name: string, args: ClusterUsersArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pcluster-access:users:ClusterUsers", name, {}, opts);
        const rows = args.users.map((user) => this.addUser(name, user, args));
        this.table = pulumi.all(rows);
        this.registerOutputs({ table: this.table });
    }

    private addUser(name: string, user: UserSettings, args: ClusterUsersArgs): pulumi.Output<UserRow> {
        const prefix = `${name}-${user.iamUserName}`;
        const iamUserArn = this.iamUserArn(prefix, user);
        const retry = { maxAttempts: args.maxAttempts };
        const profile = new opsworks.UserProfile(
            `${prefix}-profile`,
            {
                region: args.region,
                iamUserArn,
                sshUsername: user.sshUsername,
                sshPublicKey: user.sshPublicKeys[0].key,
                blocked: user.access === "blocked",
                retry,
            },
            { parent: this },
        );
        const ssh = user.access !== "revoked";
        const sudo = ssh && user.sudo;
        new opsworks.Permission(
            `${prefix}-permission`,
            { region: args.region, stackId: args.stackId, iamUserArn, allowSsh: ssh, allowSudo: sudo, level: "iam_only", retry },
            { parent: this, dependsOn: [profile] },
        );
        return pulumi.output(iamUserArn).apply((arn) => ({
            iamUser: user.iamUserName,
            iamUserArn: arn,
            sshUsername: user.sshUsername,
            ssh,
            sudo,
            access: user.access,
        }));
    }

    /** The user's ARN: created here, given in config, or looked up (a preview fails on an unknown user). */
    private iamUserArn(prefix: string, user: UserSettings): pulumi.Output<string> {
        if (user.iamUserArn !== undefined) {
            return pulumi.output(user.iamUserArn);
        }
        if (user.create) {
            // No login profile and no access keys: the user can only SSH to the cluster (the article's advice).
            // Retained on delete: flipping create to false (or removing the user, or destroying the stack)
            // leaves the IAM user in the account, which `create: false` then looks up. Deleting a person's
            // IAM user is a visible step of its own (`aws iam delete-user`), never a config edit's side effect.
            const created = new aws.iam.User(
                `${prefix}-iam-user`,
                { name: user.iamUserName, tags: { "pcluster-access:role": "cluster-user" } },
                { parent: this, retainOnDelete: true },
            );
            return created.arn;
        }
        return aws.iam.getUserOutput({ userName: user.iamUserName }, { parent: this }).arn;
    }
}
