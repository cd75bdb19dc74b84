/**
 * The cluster's users. An empty or broken key in an OpsWorks profile is the seed's data-loss trap (the
 * agent deletes the account and home directory); sudo and revoked access are legitimate but worth a
 * second look in review.
 */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { isKnown, plainProps, str, type PlainObject } from "./lib/known";
import { configWithDefaults, stringList } from "./lib/policyConfig";
import { IAM_USER, OPSWORKS_PERMISSION, OPSWORKS_USER_PROFILE, ROSTER } from "./lib/resourceTypes";
import { rosterUsers } from "./lib/roster";
import { sshPublicKeyProblem } from "./lib/sshPublicKey";
import { StackResources, type StackResource } from "./lib/stackResources";

export interface SshPublicKeyConfig {
    /** Smallest RSA key accepted, in bits. */
    readonly minRsaBits: number;
}

export const SSH_PUBLIC_KEY_DEFAULTS: SshPublicKeyConfig = { minRsaBits: 2048 };

const ROSTER_EMPTY_KEY =
    "is empty. The roster needs a key for every allowed user, and every node's agent refuses a roster that breaks its rules, " +
    "so no change would reach any node. Paste the one line of the user's .pub file, or set access: blocked.";

export const requiredValidSshPublicKey: ResourceValidationPolicy = {
    name: "required-valid-ssh-public-key",
    description: "Checks that every OpsWorks user profile, and every allowed user of the roster, holds valid SSH public keys: never empty, never a private key.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            minRsaBits: { type: "integer", minimum: 1024, default: SSH_PUBLIC_KEY_DEFAULTS.minRsaBits, description: "Smallest RSA key accepted, in bits." },
        },
    },
    validateResource: (args, reportViolation) => {
        if (args.type === ROSTER) {
            const settings = configWithDefaults(args, SSH_PUBLIC_KEY_DEFAULTS);
            for (const user of rosterUsers(plainProps(args.props))) {
                if (user.state !== "allowed") {
                    continue;
                }
                const keys = user.keys.length === 0 ? [""] : user.keys;
                for (const key of keys.filter(isKnown)) {
                    // An empty key means something else here than in OpsWorks: the agents refuse the whole roster.
                    const problem = (key ?? "").trim() === "" ? ROSTER_EMPTY_KEY : sshPublicKeyProblem(key ?? "", settings);
                    if (problem !== undefined) {
                        reportViolation(`The SSH public key of roster user ${user.name} (${user.iamUser}) ${problem}`);
                    }
                }
            }
            return;
        }
        if (args.type !== OPSWORKS_USER_PROFILE) {
            return;
        }
        const props = plainProps(args.props);
        const key = str(props.sshPublicKey);
        if (!isKnown(key)) {
            return;
        }
        const problem = sshPublicKeyProblem(key ?? "", configWithDefaults(args, SSH_PUBLIC_KEY_DEFAULTS));
        if (problem !== undefined) {
            reportViolation(`The SSH public key of ${profileOwner(props, args.name)} ${problem}`);
        }
    },
};

export interface SudoUsersConfig {
    /** IAM user names, IAM user ARNs or SSH usernames whose sudo is intended. */
    readonly allowedSudoUsers: readonly string[];
}

export const SUDO_USERS_DEFAULTS: SudoUsersConfig = { allowedSudoUsers: [] };

export const discouragedSudoUsers: StackValidationPolicy = {
    name: "discouraged-sudo-users",
    description: "Checks which cluster users have passwordless sudo on the OpsWorks stack's instances or through the roster, apart from an allow-list.",
    enforcementLevel: "advisory",
    configSchema: {
        properties: {
            allowedSudoUsers: stringList("IAM user names, IAM user ARNs or SSH usernames whose sudo is intended.", SUDO_USERS_DEFAULTS.allowedSudoUsers),
        },
    },
    validateStack: (args, reportViolation) => {
        const { allowedSudoUsers } = configWithDefaults(args, SUDO_USERS_DEFAULTS);
        const stack = new StackResources(args.resources);
        const listed: string[] = [];
        for (const permission of stack.ofType(OPSWORKS_PERMISSION)) {
            if (permission.props.allowSudo !== true || permission.props.allowSsh === false) {
                continue;
            }
            const user = identify(stack, permission);
            // Without the IAM user's name the allow-list cannot be applied: no verdict until it is known.
            if (user.iamUserName !== undefined && !user.names.some((name) => allowedSudoUsers.includes(name))) {
                listed.push(user.iamUserName);
            }
        }
        const fix = "If that is intended, add them to allowedSudoUsers in this policy's config; otherwise set sudo: false for them.";
        if (listed.length > 0) {
            reportViolation(`${countUsers(listed)} passwordless sudo on the cluster's nodes: ${listed.sort().join(", ")}. Sudo makes a user root on every instance of the OpsWorks stack. ${fix}`);
        }
        for (const roster of stack.ofType(ROSTER)) {
            const sudoers = rosterUsers(roster.props)
                .filter((user) => user.state === "allowed" && user.sudo && ![user.iamUser, user.name].some((name) => allowedSudoUsers.includes(name)))
                .map((user) => user.iamUser);
            if (sudoers.length > 0) {
                reportViolation(`${countUsers(sudoers)} passwordless sudo on the cluster's nodes: ${sudoers.sort().join(", ")}. Sudo makes a user root on every node the roster reaches. ${fix}`, roster.urn);
            }
        }
    },
};

function countUsers(names: readonly string[]): string {
    return names.length === 1 ? "1 user has" : `${names.length} users have`;
}

export const discouragedAccessRevocation: ResourceValidationPolicy = {
    name: "discouraged-access-revocation",
    description:
        "Checks whether a user's SSH access to the OpsWorks stack is revoked, which makes the agent delete the account and home directory, or a roster user is revoked, which removes the account.",
    enforcementLevel: "advisory",
    validateResource: (args, reportViolation) => {
        if (args.type === ROSTER) {
            for (const user of rosterUsers(plainProps(args.props)).filter((candidate) => candidate.state === "revoked")) {
                reportViolation(
                    `${user.iamUser} (${user.name}) is revoked in the roster: the agent removes the account, its keys and sudo on every node (the home directory and the UID stay). ` +
                        "If you only mean to stop logins, set access: blocked, which keeps the account.",
                );
            }
            return;
        }
        if (args.type !== OPSWORKS_PERMISSION) {
            return;
        }
        const props = plainProps(args.props);
        if (props.allowSsh !== false) {
            return;
        }
        const arn = str(props.iamUserArn);
        const stackId = str(props.stackId);
        const user = typeof arn === "string" ? arn : `the user of permission ${args.name}`;
        const on = typeof stackId === "string" ? `OpsWorks stack ${stackId}` : "this environment's OpsWorks stack";
        reportViolation(
            `${user} has SSH access revoked on ${on}: the OpsWorks agent deletes the user's account and home directory on every instance of the stack. ` +
                "If you only mean to stop logins, set access: blocked, which keeps the account and its files.",
        );
    },
};

function profileOwner(props: PlainObject, resourceName: string): string {
    const username = str(props.sshUsername);
    const arn = str(props.iamUserArn);
    const parts = [typeof username === "string" ? username : undefined, typeof arn === "string" ? `(${arn})` : undefined].filter(Boolean);
    return parts.length > 0 ? parts.join(" ") : `user profile ${resourceName}`;
}

/** The names a permission's user goes by: from its ARN, the IAM user and the profile it depends on. */
function identify(stack: StackResources, permission: StackResource): { iamUserName?: string; names: string[] } {
    const names: string[] = [];
    let iamUserName: string | undefined;
    const arn = str(permission.props.iamUserArn);
    if (typeof arn === "string") {
        iamUserName = arn.slice(arn.lastIndexOf("/") + 1);
        names.push(arn, iamUserName);
    }
    const dependencies = stack.all.filter((resource) => permission.dependencies.includes(resource.urn));
    for (const dependency of dependencies) {
        const name = str(dependency.props[dependency.type === IAM_USER ? "name" : "sshUsername"]);
        if ((dependency.type === IAM_USER || dependency.type === OPSWORKS_USER_PROFILE) && typeof name === "string") {
            names.push(name);
            if (dependency.type === IAM_USER) {
                iamUserName ??= name;
            }
        }
    }
    return { iamUserName, names };
}
