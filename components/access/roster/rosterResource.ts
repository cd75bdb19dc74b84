/**
 * The roster (token pulumi-nodejs:dynamic/roster:Roster): the users' UIDs and the project groups' GIDs,
 * allocated from the previous allocation kept in this resource's state (allocation.ts), and the roster
 * document (document.ts) written as one S3 object in the environment's bucket.
 *
 * - Any number of user or group changes is one kms:Sign and one PutObject; a `pulumi up` that changes
 *   nothing signs and writes nothing (decided in `diff`, with no call). The document is signed with the
 *   environment's KMS key (signing.ts) and checked against the public key the nodes get before it is
 *   written: a signature the nodes would refuse is never written. A new signing key re-signs.
 * - The generation grows strictly: the previous one plus one, or the current Unix time when that is
 *   larger, so a recreated resource (new bucket, lost state) still writes a generation above every
 *   earlier one and the agents do not refuse it as older.
 * - Data safety, as the OpsWorks backend: a user who still has an account (allowed or blocked) and is
 *   missing from the config is refused before anything is written, with the fix. Revoked users stay in
 *   the document as tombstones (their UID stays retired), even once they leave the config.
 * - A refresh reads the object back: a deleted object shows as gone and the next `up` writes it again.
 */
import * as pulumi from "@pulumi/pulumi";
import { allocate, EMPTY_ALLOCATION, type Allocation, type IdRange } from "./allocation";
import { renderRoster, sha256, type RosterContent, type RosterState, type RosterUser } from "./document";
import { kmsSigner, signDocument } from "./signing";

export const ROSTER_TYPE = "pulumi-nodejs:dynamic/roster:Roster";

/** A key with an end date: sshd refuses it from 00:00 UTC on `expires` (YYYY-MM-DD). */
export interface RosterKeyInput {
    /** `TYPE BASE64 [comment]`. */
    readonly key: string;
    readonly expires?: string;
}

/** One user as the config has them, before allocation. */
export interface RosterUserInput {
    /** IAM user name: the stable key. */
    readonly iamUser: string;
    /** Login name. */
    readonly name: string;
    readonly state: RosterState;
    readonly sudo: boolean;
    /** Public key lines, or keys with an end date. */
    readonly keys: readonly (string | RosterKeyInput)[];
    /** No access from 00:00 UTC on this day (YYYY-MM-DD): the agents set the account's expiry. */
    readonly expires?: string;
    readonly groups: readonly string[];
    /** Explicit uid from the config. */
    readonly uid?: number;
    /** The IAM user's `pcluster-access:uid` tag, when it has one. */
    readonly pinnedUid?: number;
}

export interface RosterArgs {
    readonly region: pulumi.Input<string>;
    readonly bucket: pulumi.Input<string>;
    readonly key: pulumi.Input<string>;
    /** The environment's name: the document's `environment` line, which the agents compare with their own. */
    readonly environment: pulumi.Input<string>;
    /** ARN of the environment's KMS signing key (RosterSigningKey): every document is signed with it. */
    readonly signingKeyArn: pulumi.Input<string>;
    /** Its public key as the nodes get it (base64 DER SubjectPublicKeyInfo): each signature is checked with it before the write. */
    readonly publicKey: pulumi.Input<string>;
    readonly range: pulumi.Input<IdRange>;
    readonly users: pulumi.Input<pulumi.Input<RosterUserInput>[]>;
    readonly groups: pulumi.Input<{ name: string; gid?: number }[]>;
    /** SDK attempts per S3 and KMS call. Default 3. */
    readonly maxAttempts?: pulumi.Input<number>;
}

export interface RosterInputs {
    readonly region: string;
    readonly bucket: string;
    readonly key: string;
    readonly environment: string;
    readonly signingKeyArn: string;
    readonly publicKey: string;
    readonly range: IdRange;
    readonly users: readonly RosterUserInput[];
    readonly groups: readonly { name: string; gid?: number }[];
    readonly maxAttempts?: number;
}

export interface RosterOutputs extends RosterInputs {
    readonly allocation: Allocation;
    readonly generation: number;
    /** contentFingerprint of what was written: `diff` compares it, so an unchanged roster writes nothing. */
    readonly contentSha256: string;
    /** SHA-256 of the document written, signature line included (its `end` line's value covers all before that line). */
    readonly documentSha256: string;
    /** `s3://bucket/key`. */
    readonly url: string;
    readonly versionId: string;
}

/** Thrown for a config the roster cannot take; the message names the users and the fix. */
export class RosterError extends Error {}

/** The new allocation and the document content, or a RosterError. Pure: no call. */
/** The allocation and what the document says. */
export interface PlannedRoster {
    readonly allocation: Allocation;
    readonly content: RosterContent;
    /**
     * Each user's end date and their keys' (null: none), by IAM user: part of the fingerprint, so a changed
     * date is a write. (Format 1's content cannot carry them; the format-2 renderer's does.)
     */
    readonly ends: Readonly<Record<string, { readonly expires: string | null; readonly keys: readonly (string | null)[] }>>;
}

/** The key line of a key input. */
export function keyLine(key: string | RosterKeyInput): string {
    return typeof key === "string" ? key : key.key;
}

/** Today in UTC, YYYY-MM-DD: a date on or before it has passed (access ends at 00:00 UTC that day). */
export function todayUtc(now: number = Date.now()): string {
    return new Date(now).toISOString().slice(0, 10);
}

/**
 * The new allocation and the document content, or a RosterError. Pure: no call. `today` (YYYY-MM-DD, UTC)
 * decides which end dates have passed.
 */
export function planRoster(
    previous: Pick<RosterOutputs, "allocation" | "users"> | undefined,
    news: RosterInputs,
    today: string = todayUtc(),
): PlannedRoster {
    const problems: string[] = [];
    // A user is new when this roster never gave them a UID (its state's allocation, kept or retired): an end
    // date already past would create an account that is expired from the start, which is a mistake.
    const known = new Set([...Object.keys(previous?.allocation?.users ?? {}), ...Object.keys(previous?.allocation?.retiredUsers ?? {})]);
    for (const user of news.users) {
        // FORMAT.md: an allowed user has at least one key line, `TYPE BASE64`; the agents refuse a roster without.
        if (user.state === "allowed" && (user.keys.length === 0 || user.keys.some((key) => !/^\S+ \S+/.test(keyLine(key).trim())))) {
            problems.push(`user ${user.iamUser} (${user.name}) is allowed but has no usable key. Give their sshPublicKey, or set access: blocked.`);
        }
        if (user.expires !== undefined && user.expires <= today && !known.has(user.iamUser)) {
            problems.push(
                `user ${user.iamUser} (${user.name}): expires ${user.expires} has already passed (today is ${today} UTC), and the user is new to this roster (no UID allocated yet in its state), ` +
                    "so the account would be created expired. Set their expires to a later date, or leave expires out.",
            );
        }
    }
    const present = new Set(news.users.map((user) => user.iamUser));
    for (const old of previous?.users ?? []) {
        if (!present.has(old.iamUser) && old.state !== "revoked") {
            problems.push(
                `user ${old.iamUser} (${old.name}) is ${old.state} on the cluster but missing from the config. Removing them would leave an account ` +
                    "no roster speaks for. If they were removed by mistake, put them back. To stop the login and keep the account and home " +
                    "directory, set access: blocked. To remove the account, set access: revoked and run pulumi up; after that they can be removed from the config.",
            );
        }
    }
    const result = allocate(previous?.allocation ?? EMPTY_ALLOCATION, {
        range: news.range,
        users: news.users.map((user) => ({ key: user.iamUser, name: user.name, uid: user.uid, pinned: user.pinnedUid })),
        groups: news.groups,
    });
    if (!result.ok) {
        problems.push(...result.problems);
    }
    if (problems.length > 0 || !result.ok) {
        throw new RosterError(`The roster cannot be written:\n${problems.join("\n")}`);
    }
    const { allocation } = result;
    const users: RosterUser[] = news.users.map((user) => ({
        name: user.name,
        uid: allocation.users[user.iamUser].uid,
        state: user.state,
        sudo: user.sudo,
        // Format 1 carries key lines only; the end dates travel in the inputs until the format-2 renderer lands.
        keys: user.keys.map(keyLine),
        groups: user.groups,
    }));
    // Users who left the config (revoked first, as checked above) stay as tombstones: their UID stays retired on every node.
    const listed = new Set(users.map((user) => user.name));
    for (const retired of Object.values(allocation.retiredUsers)) {
        if (!listed.has(retired.name)) {
            users.push({ name: retired.name, uid: retired.uid, state: "revoked", sudo: false, keys: [], groups: [] });
            listed.add(retired.name);
        }
    }
    const groups = Object.entries(allocation.groups).map(([name, gid]) => ({ name, gid }));
    // A tombstone keeps its name too: its private group has it, so no project group may (FORMAT.md).
    const clashes = groups.filter((group) => listed.has(group.name)).map((group) => group.name);
    if (clashes.length > 0) {
        throw new RosterError(
            `The roster cannot be written:\n${clashes.map((name) => `group ${name}: '${name}' is the name of a user in the roster (a revoked one stays as a tombstone), whose own group has it. Rename the project group.`).join("\n")}`,
        );
    }
    const ends = Object.fromEntries(
        news.users.map((user) => [user.iamUser, { expires: user.expires ?? null, keys: user.keys.map((key) => (typeof key === "string" ? null : (key.expires ?? null))) }]),
    );
    return { allocation, content: { environment: news.environment, users, groups }, ends };
}

/** Above the previous generation, and above every generation an earlier copy of this resource wrote. */
export function nextGeneration(previous: number | undefined, nowSeconds: number): number {
    return Math.max((previous ?? 0) + 1, Math.floor(nowSeconds));
}

/**
 * The document the next write puts (what `npm run plan` shows as out/<stack>/roster.txt): the planned
 * content at the next generation. Pure but for the clock.
 */
export function nextDocument(
    previous: (Pick<RosterOutputs, "allocation" | "users"> & { readonly generation?: number }) | undefined,
    news: RosterInputs,
    now: number = Date.now(),
): { planned: PlannedRoster; generation: number; text: string } {
    const planned = planRoster(previous, news, todayUtc(now));
    const generation = nextGeneration(previous?.generation, now / 1000);
    return { planned, generation, text: renderRoster(planned.content, generation) };
}

async function writeRoster(news: RosterInputs, previous: RosterOutputs | undefined): Promise<RosterOutputs> {
    const { planned, generation, text: unsigned } = nextDocument(previous, news);
    const { allocation } = planned;
    const maxAttempts = news.maxAttempts ?? 3;
    // Signed before anything is written: a failed Sign (a disabled or deleted key) leaves the last document in place.
    const text = await signDocument(unsigned, kmsSigner(news.region, news.signingKeyArn, maxAttempts), news.publicKey, news.signingKeyArn);
    const { S3Client, PutObjectCommand } = await import("@aws-sdk/client-s3");
    const client = new S3Client({ region: news.region, maxAttempts });
    const written = await client.send(
        new PutObjectCommand({ Bucket: news.bucket, Key: news.key, Body: text, ContentType: "text/plain; charset=us-ascii", ServerSideEncryption: "AES256" }),
    );
    return { ...news, allocation, generation, contentSha256: contentFingerprint(planned), documentSha256: sha256(text), url: `s3://${news.bucket}/${news.key}`, versionId: written.VersionId ?? "" };
}

/** Fingerprint of the allocation and the document's content (everything but the generation), kept in state. */
export function contentFingerprint(planned: PlannedRoster): string {
    return sha256(JSON.stringify(planned));
}

export const rosterProvider: pulumi.dynamic.ResourceProvider<RosterInputs, RosterOutputs> = {
    async check(_olds, news) {
        const failures: pulumi.dynamic.CheckFailure[] = [];
        for (const property of ["region", "bucket", "key", "environment", "signingKeyArn", "publicKey"] as const) {
            if (typeof news[property] !== "string" || news[property] === "") {
                failures.push({ property, reason: `${property} must be a non-empty string` });
            }
        }
        if (!Array.isArray(news.users)) {
            failures.push({ property: "users", reason: "users must be a list" });
        }
        return { inputs: news, failures };
    },

    async diff(_id, olds, news) {
        const replaces = (["region", "bucket", "key"] as const).filter((property) => olds[property] !== news[property]);
        // planRoster throws the data-safety and allocation problems here, so a preview shows them before any write.
        const changed = contentFingerprint(planRoster(olds, news)) !== olds.contentSha256;
        // Another key (a rotation, or a state written before signing): the document is signed again.
        const resign = olds.signingKeyArn !== news.signingKeyArn || olds.publicKey !== news.publicKey;
        return { changes: replaces.length > 0 || changed || resign || olds.maxAttempts !== news.maxAttempts, replaces, deleteBeforeReplace: false };
    },

    async create(inputs) {
        return { id: `${inputs.bucket}/${inputs.key}`, outs: await writeRoster(inputs, undefined) };
    },

    async read(id, state) {
        if (state === undefined) {
            throw new Error(`cannot read the roster ${id} without its state; pulumi import is not supported`);
        }
        const props: RosterOutputs = state;
        const { S3Client, HeadObjectCommand } = await import("@aws-sdk/client-s3");
        const client = new S3Client({ region: props.region, maxAttempts: props.maxAttempts ?? 3 });
        try {
            const head = await client.send(new HeadObjectCommand({ Bucket: props.bucket, Key: props.key }));
            return { id, props: { ...props, versionId: head.VersionId ?? props.versionId } };
        } catch (error) {
            if ((error as { name?: string }).name === "NotFound") {
                // Deleted by hand: gone, and the next `up` writes it again (with a higher generation).
                return { id: "", props: {} as RosterOutputs };
            }
            throw error;
        }
    },

    async update(_id, olds, news) {
        return { outs: await writeRoster(news, olds) };
    },

    async delete(_id, props) {
        const { S3Client, DeleteObjectCommand } = await import("@aws-sdk/client-s3");
        const client = new S3Client({ region: props.region, maxAttempts: props.maxAttempts ?? 3 });
        // Versioned bucket: a delete marker; the agents refuse a failed fetch and change nothing.
        await client.send(new DeleteObjectCommand({ Bucket: props.bucket, Key: props.key }));
    },
};

export class Roster extends pulumi.dynamic.Resource {
    declare readonly allocation: pulumi.Output<Allocation>;
    declare readonly generation: pulumi.Output<number>;
    declare readonly url: pulumi.Output<string>;
    declare readonly versionId: pulumi.Output<string>;

    constructor(name: string, args: RosterArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            rosterProvider,
            name,
            { allocation: undefined, generation: undefined, contentSha256: undefined, documentSha256: undefined, url: undefined, versionId: undefined, ...args },
            opts,
            "roster",
            "Roster",
        );
    }
}
