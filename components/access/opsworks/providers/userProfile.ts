/**
 * An OpsWorks user profile (token pulumi-nodejs:dynamic/opsworks:UserProfile): an IAM user's SSH username
 * and public key, held once per region and used by every stack of that region.
 *
 * - Create is one call (CreateUserProfile). A profile that already exists (made by hand following the
 *   article, by another environment, or by a create whose answer was lost) is adopted: if it already
 *   holds the desired username and key nothing is written; otherwise it is brought to the desired state,
 *   unless some stack of the region gives the user SSH, in which case the change would alter that
 *   stack's login too and create fails with the stored values and the fix.
 * - Blocked: the stored key becomes BLOCKED_MARKER, a non-empty text that is not a key (an empty key
 *   would make the agent delete the account). Because the profile is regional, blocking applies to
 *   every stack in the region. Unblocking writes the configured key back.
 * - Key rotation is one call (UpdateUserProfile); a no-op is decided in `diff` with no call; a refresh
 *   is one call (DescribeUserProfiles).
 * - Environments sharing a user do not fight: the outputs keep the profile as this environment last
 *   wrote it (`written`) next to the profile as last seen (`stored`). When a refresh finds they differ,
 *   someone else changed it (another environment in the region, or a hand edit), and an update that
 *   would overwrite that change fails instead. Setting this environment's config to the stored values
 *   accepts them with no call; after that the usual update path applies.
 * - Delete removes the profile only when no stack of the region still gives the user SSH (one
 *   DescribePermissions call, then DeleteUserProfile); otherwise the profile is left for those stacks.
 */
import * as pulumi from "@pulumi/pulumi";
import { checkSshPublicKey } from "../../../sshPublicKey";
import { IAM_USER_ARN } from "../../../awsIds";
import { checkBoolean, checkRegion, checkRetry, checkString, Failure } from "./checks";
import { callOpsWorks, CallTarget, callUnlessGone, gone, OpsWorksCallError } from "./client";
import { diffByProperty } from "./diff";
import { RetryOptions } from "./retry";

/**
 * What a blocked user's profile holds instead of a key: not empty (an empty key deletes the account),
 * and not a key (sshd skips the line), so the account and its home directory stay and nobody can log in.
 */
export const BLOCKED_MARKER = "pcluster-access:blocked-not-a-key";

export interface UserProfileArgs {
    /** Region whose OpsWorks endpoint holds the profile; profiles are per region. Changing it replaces the profile. */
    region: pulumi.Input<string>;
    /** The IAM user. Changing it replaces the profile. */
    iamUserArn: pulumi.Input<string>;
    /** Login name on the cluster: letters, digits, '-' and '_' only (OpsWorks drops anything else). */
    sshUsername: pulumi.Input<string>;
    /** The user's OpenSSH public key, one line. Empty, private or garbled keys are refused before any call. */
    sshPublicKey: pulumi.Input<string>;
    /**
     * true: the stored key is replaced by a non-empty marker that is not a key; the account survives.
     * The profile is regional, so this blocks the user on every stack in the region.
     */
    blocked: pulumi.Input<boolean>;
    /** SDK attempts and back-off of each call; default 10 attempts, 100 ms base. */
    retry?: pulumi.Input<RetryOptions>;
}

export interface UserProfileInputs {
    region: string;
    iamUserArn: string;
    sshUsername: string;
    /** The configured key, whitespace normalised. */
    sshPublicKey: string;
    blocked: boolean;
    retry?: RetryOptions;
}

/** A profile's two settable members as OpsWorks holds them: the key is the key or BLOCKED_MARKER. */
export interface StoredProfile {
    sshUsername: string;
    sshPublicKey: string;
}

export interface UserProfileOutputs extends UserProfileInputs {
    /** The profile as last written by this environment or, after a refresh, as last seen in OpsWorks. */
    stored: StoredProfile;
    /** The profile as this environment last wrote or adopted it. */
    written: StoredProfile;
}

/** The OpsWorks rule (CreateUserProfileRequest.SshUsername), so the stored name is the configured one. */
const SSH_USERNAME = /^[A-Za-z0-9_-]{1,32}$/;
const REPLACED_BY = ["region", "iamUserArn"] as const;
const UPDATED_IN_PLACE = ["sshUsername", "sshPublicKey", "blocked", "retry"] as const;

function target(inputs: { iamUserArn: string; region: string; retry?: RetryOptions }): CallTarget {
    return { subject: `OpsWorks user profile for ${inputs.iamUserArn} in ${inputs.region}`, region: inputs.region, retry: inputs.retry };
}

function desired(inputs: UserProfileInputs): StoredProfile {
    return { sshUsername: inputs.sshUsername, sshPublicKey: inputs.blocked ? BLOCKED_MARKER : inputs.sshPublicKey };
}

function sameProfile(a: StoredProfile, b: StoredProfile): boolean {
    return a.sshUsername === b.sshUsername && a.sshPublicKey === b.sshPublicKey;
}

/** Names a stored key without printing it. */
function describeKey(stored: string): string {
    if (stored === "") {
        return "no key";
    }
    if (stored === BLOCKED_MARKER) {
        return "the blocked marker";
    }
    const key = checkSshPublicKey(stored);
    return key.ok ? `key ${key.fingerprint}` : "a value that is not a key";
}

function describeProfile(profile: StoredProfile): string {
    return `SSH username '${profile.sshUsername}' and ${describeKey(profile.sshPublicKey)}`;
}

/** Outputs that show what a refresh found: a foreign key or username appears as a change to the inputs. */
function observed(olds: UserProfileOutputs, stored: StoredProfile): UserProfileOutputs {
    const blocked = stored.sshPublicKey === BLOCKED_MARKER;
    return {
        ...olds,
        sshUsername: stored.sshUsername,
        sshPublicKey: blocked ? olds.sshPublicKey : stored.sshPublicKey,
        blocked,
        stored,
    };
}

/** The profile as OpsWorks holds it, or undefined when there is none. */
async function fetchProfile(inputs: UserProfileInputs): Promise<StoredProfile | undefined> {
    const answer = await callUnlessGone(target(inputs), "DescribeUserProfiles", (client, sdk) =>
        client.send(new sdk.DescribeUserProfilesCommand({ IamUserArns: [inputs.iamUserArn] })),
    );
    const live = answer?.UserProfiles?.[0];
    return live && { sshUsername: live.SshUsername ?? "", sshPublicKey: live.SshPublicKey ?? "" };
}

/** Stacks of the region whose permission gives the user SSH (none when the profile is gone). */
async function stacksGrantingSsh(inputs: UserProfileInputs): Promise<string[]> {
    const answer = await callUnlessGone(target(inputs), "DescribePermissions", (client, sdk) =>
        client.send(new sdk.DescribePermissionsCommand({ IamUserArn: inputs.iamUserArn })),
    );
    return (answer?.Permissions ?? []).filter((permission) => permission.AllowSsh).map((permission) => permission.StackId ?? "?");
}

async function writeProfile(inputs: UserProfileInputs, from: StoredProfile, to: StoredProfile): Promise<void> {
    await callOpsWorks(target(inputs), "UpdateUserProfile", (client, sdk) =>
        client.send(
            new sdk.UpdateUserProfileCommand({
                IamUserArn: inputs.iamUserArn,
                ...(to.sshUsername !== from.sshUsername && { SshUsername: to.sshUsername }),
                ...(to.sshPublicKey !== from.sshPublicKey && { SshPublicKey: to.sshPublicKey }),
            }),
        ),
    );
}

/** CreateUserProfile refused: adopt the profile that is already there, or say why not. */
async function adopt(inputs: UserProfileInputs, refusal: OpsWorksCallError): Promise<StoredProfile> {
    const live = await fetchProfile(inputs);
    if (!live) {
        throw refusal;
    }
    const want = desired(inputs);
    if (sameProfile(live, want)) {
        return want;
    }
    const granting = await stacksGrantingSsh(inputs);
    if (granting.length > 0) {
        throw new Error(
            `${target(inputs).subject}: a profile for this user already exists with ${describeProfile(live)}, ` +
                `and stack(s) ${granting.join(", ")} give the user SSH. A profile is shared by every stack in the region, ` +
                `so writing ${describeProfile(want)} would change the login on those stacks too; it was not changed. ` +
                "Make the environments agree: configure the stored SSH username and key here, " +
                "or change them where they were set (the other environment, or by hand).",
        );
    }
    await writeProfile(inputs, live, want);
    return want;
}

export const userProfileProvider: pulumi.dynamic.ResourceProvider<UserProfileInputs, UserProfileOutputs> = {
    /**
     * A refused key is reported without a property name on purpose: Pulumi prints a failing property's
     * value next to the reason, and the value may be a private key.
     */
    async check(_olds, news) {
        const failures: Failure[] = [];
        checkRegion(failures, news.region);
        checkString(failures, "iamUserArn", news.iamUserArn, IAM_USER_ARN, "an IAM user ARN (arn:aws:iam::<account>:user/<name>)");
        checkString(
            failures,
            "sshUsername",
            news.sshUsername,
            SSH_USERNAME,
            "1 to 32 letters, digits, '-' or '_' (OpsWorks drops other characters: adam.black would become adamblack)",
        );
        checkBoolean(failures, "blocked", news.blocked);
        checkRetry(failures, news.retry);
        const key = checkSshPublicKey(typeof news.sshPublicKey === "string" ? news.sshPublicKey : "");
        if (!key.ok) {
            failures.push({ property: "", reason: `sshPublicKey: ${key.problem}` });
        }
        return { inputs: key.ok ? { ...news, sshPublicKey: key.normalized } : news, failures };
    },

    /** Also a change: a refresh found the profile changed elsewhere (update then refuses, or accepts it). */
    async diff(_id, olds, news) {
        return diffByProperty(olds, news, REPLACED_BY, UPDATED_IN_PLACE, !sameProfile(olds.stored, olds.written));
    },

    async create(inputs) {
        const want = desired(inputs);
        let written = want;
        try {
            await callOpsWorks(target(inputs), "CreateUserProfile", (client, sdk) =>
                client.send(
                    new sdk.CreateUserProfileCommand({
                        IamUserArn: inputs.iamUserArn,
                        SshUsername: want.sshUsername,
                        SshPublicKey: want.sshPublicKey,
                    }),
                ),
            );
        } catch (error) {
            // OpsWorks answers ValidationException for a profile that exists. Its wording is not documented,
            // so adopt() asks whether one exists instead of reading the message.
            const refusal = error as OpsWorksCallError;
            if (refusal.code !== "ValidationException") {
                throw error;
            }
            written = await adopt(inputs, refusal);
        }
        return { id: inputs.iamUserArn, outs: { ...inputs, stored: written, written } };
    },

    async read(id, props) {
        const olds = props!;
        const live = await fetchProfile(olds);
        if (!live) {
            return gone<UserProfileOutputs>();
        }
        return { id, props: observed(olds, live) };
    },

    /** Writes only when the desired profile differs from the stored one, and never over a change made elsewhere. */
    async update(_id, olds, news) {
        const want = desired(news);
        if (!sameProfile(want, olds.stored)) {
            if (!sameProfile(olds.stored, olds.written)) {
                throw new Error(
                    `${target(news).subject}: the profile was changed outside this environment: OpsWorks holds ` +
                        `${describeProfile(olds.stored)}, this environment last wrote ${describeProfile(olds.written)}. ` +
                        "Another environment that lists this IAM user in the region, or a hand edit, changed it; " +
                        `writing ${describeProfile(want)} now would only start a tug of war, so nothing was written. ` +
                        "Make the environments agree: configure the stored SSH username and key (or access: blocked " +
                        "if it holds the blocked marker) here to accept them, then change them in one place only.",
                );
            }
            await writeProfile(news, olds.stored, want);
        }
        return { outs: { ...news, stored: want, written: want } };
    },

    /** Leaves the profile in OpsWorks while any stack of the region still gives the user SSH. */
    async delete(_id, props) {
        if ((await stacksGrantingSsh(props)).length > 0) {
            return;
        }
        await callUnlessGone(target(props), "DeleteUserProfile", (client, sdk) =>
            client.send(new sdk.DeleteUserProfileCommand({ IamUserArn: props.iamUserArn })),
        );
    },
};

/** An OpsWorks user profile (token pulumi-nodejs:dynamic/opsworks:UserProfile). */
export class UserProfile extends pulumi.dynamic.Resource {
    declare readonly region: pulumi.Output<string>;
    declare readonly iamUserArn: pulumi.Output<string>;
    declare readonly sshUsername: pulumi.Output<string>;
    declare readonly blocked: pulumi.Output<boolean>;

    constructor(name: string, args: UserProfileArgs, opts?: pulumi.CustomResourceOptions) {
        super(userProfileProvider, name, { ...args, stored: undefined, written: undefined }, opts, "opsworks", "UserProfile");
    }
}
