/**
 * The stack config as the policies see it: the engine starts a policy pack with the stack's config, so
 * `pulumi.Config` reads in a policy what the program read (pulumi/pulumi#3612, "Support
 * Config/getProject/getStack/isDryRun" in policy packs; stack config readable from policies is tested by
 * pulumi/pulumi#20570). It is the truth a policy compares the program's resources with: a value the
 * program lost or changed between the config and a resource differs from it.
 *
 * Only what the policies compare is read, with the program's meaning (components/config/schema.ts), never
 * validated again: the program refuses an invalid config before it registers anything. When no stack
 * config is visible at all (`pulumi policy publish`, a runner that passes none) the reader says so and the
 * policies fall back to what the resources say of each other.
 */
import * as pulumi from "@pulumi/pulumi";

/** The program's config namespace (components/config/configKeys.ts). */
export const CONFIG_NAMESPACE = "pcluster-access";

/** The one `option home-keys` the stack config can ask for today: it has no key for another (FORMAT.md: the program writes `cluster`). */
export const CONFIGURED_HOME_KEYS = "cluster";

/** A user's end dates as configured. */
export interface ConfiguredUser {
    /** The IAM user name (the part after `user/` of an ARN). */
    readonly iamUserName: string;
    /** No access from 00:00 UTC on this day (YYYY-MM-DD); undefined for none. */
    readonly expires?: string;
    /** Each key's end date, in the config's order (`sshPublicKey` is one key without an end date). */
    readonly keyExpires: readonly (string | undefined)[];
    /** Whether the config gives the user EC2 Instance Connect: roster.instanceConnect, unless they opt out. */
    readonly instanceConnect: boolean;
    /** `allowed` (the default), `blocked` or `revoked`. */
    readonly access: string;
    /** Passwordless sudo (default false). */
    readonly sudo: boolean;
}

export interface ConfiguredAccess {
    /** `roster` (the default) or `opsworks`. */
    readonly backend: string;
    /** roster.instanceConnect (default false). */
    readonly instanceConnect: boolean;
    /** The option home-keys the config asks for. */
    readonly homeKeys: string;
    readonly users: readonly ConfiguredUser[];
}

const IAM_USER_ARN = /^arn:aws[a-z-]*:iam::\d{12}:user\/(?:[\x21-\x7e]*\/)?([\w+=,.@-]{1,64})$/;

function mapping(value: unknown): Record<string, unknown> | undefined {
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function objectOf(config: pulumi.Config, key: string): unknown {
    try {
        return config.getObject<unknown>(key);
    } catch {
        // Not JSON: the program refuses such a config before registering anything.
        return undefined;
    }
}

/**
 * What the stack config says about access; undefined when no stack config of this program is visible (no
 * key in its namespace at all: every stack of it has one, a cluster stack `cluster`, a pool stack `users`).
 */
export function configuredAccess(): ConfiguredAccess | undefined {
    if (!Object.keys(pulumi.runtime.allConfig()).some((key) => key.startsWith(`${CONFIG_NAMESPACE}:`))) {
        return undefined;
    }
    const config = new pulumi.Config(CONFIG_NAMESPACE);
    const access = mapping(objectOf(config, "access"));
    const roster = mapping(objectOf(config, "roster"));
    const users = objectOf(config, "users");
    const instanceConnect = roster?.instanceConnect === true;
    return {
        backend: typeof access?.backend === "string" ? access.backend : "roster",
        instanceConnect,
        homeKeys: CONFIGURED_HOME_KEYS,
        users: (Array.isArray(users) ? users : []).flatMap((entry): ConfiguredUser[] => {
            const user = mapping(entry);
            if (typeof user?.iamUser !== "string") {
                return [];
            }
            const keys = Array.isArray(user.sshPublicKeys) ? user.sshPublicKeys : user.sshPublicKey === undefined ? [] : [user.sshPublicKey];
            return [
                {
                    iamUserName: IAM_USER_ARN.exec(user.iamUser)?.[1] ?? user.iamUser,
                    ...(typeof user.expires === "string" ? { expires: user.expires } : {}),
                    keyExpires: keys.map((key) => {
                        const expires = mapping(key)?.expires;
                        return typeof expires === "string" ? expires : undefined;
                    }),
                    instanceConnect: instanceConnect && user.instanceConnect !== false,
                    access: typeof user.access === "string" ? user.access : "allowed",
                    sudo: user.sudo === true,
                },
            ];
        }),
    };
}
