/**
 * The roster's planner, pure: from the previous allocation and the config's users and groups, the new
 * allocation (allocation.ts) and what the document says (document.ts), or a RosterError naming every
 * problem and its fix. The Roster provider (rosterResource.ts) writes what it plans; the offline plan
 * (scripts/plan.ts) and the mock cloud plan the same way without a provider.
 *
 * - Data safety, as the OpsWorks backend: a user who still has an account (allowed or blocked) and is
 *   missing from the config is refused before anything is written, with the fix. Revoked users stay in
 *   the document as tombstones (their UID stays retired), even once they leave the config.
 * - The generation grows strictly: the previous one plus one, or the current Unix time when that is
 *   larger, so a recreated resource (new bucket, lost state) still writes a generation above every
 *   earlier one and the agents do not refuse it as older.
 */
import { allocate, EMPTY_ALLOCATION, type Allocation, type IdRange } from "./allocation";
import { todayUtc } from "./clock";
import { renderUnsigned, sha256, type RosterContent, type RosterKey, type RosterOptions, type RosterState, type RosterUser } from "./document";

/** The token the Roster (rosterResource.ts) registers under: the plan and the mock cloud find the planned roster by it. */
export const ROSTER_TYPE = "pulumi-nodejs:dynamic/roster:Roster";

/** A key with an end date: sshd refuses it from 00:00 UTC on `expires` (YYYY-MM-DD). */
export type RosterKeyInput = RosterKey;

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
    readonly agentSha256: string;
    readonly options: RosterOptions;
    readonly maxAttempts?: number;
    /**
     * A pool's roster: no document at `key`, one per cluster instead, each with the same UIDs, GIDs and keys,
     * and access and sudo as the pool gives them on that cluster. Undefined: one document at `key`.
     */
    readonly clusters?: readonly RosterClusterInput[];
}

/** One cluster a pool serves: its own document, with access and sudo as the pool gives them there. */
export interface RosterClusterInput {
    /** The cluster's name: its document's `environment` line, which its nodes compare with their own. */
    readonly name: string;
    /** Where its document lives in the bucket. */
    readonly key: string;
    /** IAM user names allowed to log in there; every other user of the pool is blocked there (account, home and UID kept). */
    readonly allowed: readonly string[];
    /** IAM user names with sudo there (allowed ones only). */
    readonly sudo: readonly string[];
}

/** What the planner needs of the last write (the Roster's state): the allocation, the users, the generation. */
export interface PreviousRoster {
    readonly allocation: Allocation;
    readonly users: readonly RosterUserInput[];
    readonly generation?: number;
}

/** Thrown for a config the roster cannot take; the message names the users and the fix. */
export class RosterError extends Error {}

/** The allocation and what the document says. */
export interface PlannedRoster {
    readonly allocation: Allocation;
    /** Every line but the generation, the end dates included: the fingerprint's input, so a changed date is a write. */
    readonly content: RosterContent;
    /** A pool's roster: each cluster's document content (`content` is then written nowhere). */
    readonly clusters?: readonly { readonly name: string; readonly key: string; readonly content: RosterContent }[];
}

/** One document the next write puts. */
export interface PlannedDocument {
    readonly key: string;
    /** Its `environment` line: the environment, or a pool's cluster. */
    readonly environment: string;
    /** Every line through the `end` line, at the next generation: what is signed. */
    readonly text: string;
}

/** The key line of a key input. */
export function keyLine(key: string | RosterKeyInput): string {
    return typeof key === "string" ? key : key.key;
}

/**
 * The new allocation and the document content, or a RosterError. Pure: no call. `today` (YYYY-MM-DD, UTC)
 * decides which end dates have passed.
 */
export function planRoster(
    previous: PreviousRoster | undefined,
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
        ...(user.expires === undefined ? {} : { expires: user.expires }),
        keys: user.keys.map((key) => (typeof key === "string" || key.expires === undefined ? keyLine(key) : { key: key.key, expires: key.expires })),
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
    const content: RosterContent = { environment: news.environment, agentSha256: news.agentSha256, options: news.options, users, groups };
    return news.clusters === undefined ? { allocation, content } : { allocation, content, clusters: news.clusters.map((cluster) => ({ name: cluster.name, key: cluster.key, content: clusterContent(content, news, cluster) })) };
}

/**
 * One cluster's view of a pool's roster: the same users, UIDs, groups and keys; a user the pool allows is
 * allowed there only when the cluster lists them (else blocked: the account, home and UID stay, the login
 * stops), with sudo only where the cluster gives it; revoked users and tombstones stay as they are.
 */
function clusterContent(content: RosterContent, news: RosterInputs, cluster: RosterClusterInput): RosterContent {
    const iamUserOf = new Map(news.users.map((user) => [user.name, user.iamUser]));
    const users = content.users.map((user): RosterUser => {
        const iamUser = iamUserOf.get(user.name);
        if (iamUser === undefined || user.state === "revoked") {
            return user;
        }
        const allowed = user.state === "allowed" && cluster.allowed.includes(iamUser);
        return { ...user, state: allowed ? "allowed" : "blocked", sudo: allowed && cluster.sudo.includes(iamUser) };
    });
    return { ...content, environment: cluster.name, users };
}

/** Above the previous generation, and above every generation an earlier copy of this resource wrote. */
export function nextGeneration(previous: number | undefined, nowSeconds: number): number {
    return Math.max((previous ?? 0) + 1, Math.floor(nowSeconds));
}

/**
 * The documents the next write puts (what `npm run plan` shows as out/<stack>/roster.txt, or a pool's
 * roster-<cluster>.txt): the planned content at the next generation. Pure but for the clock.
 */
export function nextDocument(
    previous: PreviousRoster | undefined,
    news: RosterInputs,
    now: number = Date.now(),
): { planned: PlannedRoster; generation: number; documents: PlannedDocument[] } {
    const planned = planRoster(previous, news, todayUtc(now));
    const generation = nextGeneration(previous?.generation, now / 1000);
    const documents = (planned.clusters ?? [{ key: news.key, content: planned.content }]).map((document) => ({
        key: document.key,
        environment: document.content.environment,
        text: renderUnsigned(document.content, generation),
    }));
    return { planned, generation, documents };
}

/** Fingerprint of the allocation and the document's content (everything but the generation), kept in state. */
export function contentFingerprint(planned: PlannedRoster): string {
    return sha256(JSON.stringify(planned));
}
