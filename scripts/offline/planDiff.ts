/**
 * What a plan changes on a stack that was deployed before (its previous state, stackState.ts): users
 * added, changed, blocked, revoked, renamed or gone; any UID or GID that would move (only an explicit
 * `uid`/`gid` in the config moves one, and files on shared storage keep the old number); resources to
 * create and to delete; and the deletes a `pulumi up` would refuse (a protected resource; an OpsWorks
 * permission that still gives SSH, whose provider refuses the delete).
 */
import type { UserRow } from "../../components/access/userRow";
import type { Allocation } from "../../components/access/roster/allocation";
import { permissionDeleteRefusal, type PermissionInputs } from "../../components/access/opsworks/providers";
import type { PreviousState } from "./stackState";
import type { RegisteredResource } from "./runProgram";

const PERMISSION_TYPE = "pulumi-nodejs:dynamic/opsworks:Permission";

export interface PlanChanges {
    /** `[kind, IAM user, what]`, in the config's order, then users who left it. */
    readonly users: readonly (readonly [kind: string, iamUser: string, detail: string])[];
    /** A UID or GID that moves, with why and what it means for files. */
    readonly moves: readonly string[];
    /** How many users and project groups keep their number. */
    readonly kept: { readonly users: number; readonly groups: number };
    readonly created: readonly { readonly type: string; readonly name: string }[];
    readonly deleted: readonly { readonly type: string; readonly name: string }[];
    /** Why `pulumi up` would stop at a delete: a non-empty list refuses the plan. */
    readonly refusals: readonly string[];
}

/** A user's key lines as the roster got them (comments dropped), by IAM user; absent for the OpsWorks backend. */
export type KeysByUser = ReadonlyMap<string, readonly string[]>;

export interface PlanSide {
    readonly users: readonly UserRow[];
    readonly allocation?: Allocation;
    readonly keys?: KeysByUser;
}

export function planChanges(previous: PreviousState, before: PlanSide, after: PlanSide, resources: readonly RegisteredResource[], today: string): PlanChanges {
    const users: [string, string, string][] = [];
    const was = new Map(before.users.map((row) => [row.iamUser, row]));
    const now = new Set(after.users.map((row) => row.iamUser));
    for (const row of after.users) {
        const old = was.get(row.iamUser);
        if (old === undefined) {
            users.push(["added", row.iamUser, [`login ${row.sshUsername}`, ...(row.uid === undefined ? [] : [`UID ${row.uid}`]), row.access, ...(row.groups?.length ? [`groups ${row.groups.join(",")}`] : [])].join(", ")]);
            continue;
        }
        if (old.sshUsername !== row.sshUsername) {
            users.push(["renamed", row.iamUser, `login ${old.sshUsername} → ${row.sshUsername}${row.uid === undefined ? "" : `, UID ${row.uid} kept`}`]);
        }
        if (old.access !== row.access) {
            users.push([row.access === "allowed" ? "allowed" : row.access, row.iamUser, `was ${old.access}`]);
        } else if (row.access === "allowed" && row.expires !== undefined && row.expires <= today && !(old.expires !== undefined && old.expires <= previousDay(previous))) {
            users.push(["expired", row.iamUser, `from ${row.expires} (00:00 UTC)`]);
        }
        const changes = [
            ...(old.sudo !== row.sudo ? [`sudo ${yesNo(old.sudo)} → ${yesNo(row.sudo)}`] : []),
            ...(String(old.groups ?? []) !== String(row.groups ?? []) ? [`groups ${list(old.groups)} → ${list(row.groups)}`] : []),
            ...(old.expires !== row.expires ? [`expires ${old.expires ?? "-"} → ${row.expires ?? "-"}`] : []),
            ...(old.instanceConnect !== row.instanceConnect && row.instanceConnect !== undefined ? [`instance connect ${yesNo(old.instanceConnect === true)} → ${yesNo(row.instanceConnect)}`] : []),
            ...keyChanges(before.keys?.get(row.iamUser), after.keys?.get(row.iamUser)),
        ];
        if (changes.length > 0) {
            users.push(["changed", row.iamUser, changes.join("; ")]);
        }
    }
    for (const old of before.users) {
        if (!now.has(old.iamUser)) {
            users.push(["left", old.iamUser, `leaves the config (was ${old.access}${old.uid === undefined ? "" : `; UID ${old.uid} stays theirs`})`]);
        }
    }

    const moves: string[] = [];
    let keptUsers = 0;
    let keptGroups = 0;
    for (const [key, user] of Object.entries(after.allocation?.users ?? {})) {
        const old = before.allocation?.users[key] ?? before.allocation?.retiredUsers[key];
        if (old !== undefined && old.uid !== user.uid) {
            moves.push(`user ${key}: UID ${old.uid} → ${user.uid} (an explicit uid in the config). Files on shared storage stay owned by ${old.uid}, which is retired for good; chown them, or set uid: ${old.uid} back.`);
        } else if (old !== undefined) {
            keptUsers++;
        }
    }
    for (const [name, gid] of Object.entries(after.allocation?.groups ?? {})) {
        const old = before.allocation?.groups[name] ?? before.allocation?.retiredGroups[name];
        if (old !== undefined && old !== gid) {
            moves.push(`group ${name}: GID ${old} → ${gid} (an explicit gid in the config). Files on shared storage stay in group ${old}, which is retired for good; chgrp them, or set gid: ${old} back.`);
        } else if (old !== undefined) {
            keptGroups++;
        }
    }

    const registered = new Set(resources.map((resource) => `${resource.type}::${resource.name}`));
    const existed = new Set(previous.resources.map((resource) => `${resource.type}::${resource.name}`));
    const created = resources.filter((resource) => resource.type !== "pulumi:pulumi:Stack" && !existed.has(`${resource.type}::${resource.name}`)).map(({ type, name }) => ({ type, name }));
    const deleted = previous.resources.filter((resource) => !registered.has(`${resource.type}::${resource.name}`));
    const refusals: string[] = [];
    for (const resource of deleted) {
        if (resource.protect) {
            refusals.push(`${resource.type} ${resource.name} would be deleted, and it is protected: \`pulumi up\` stops before it. If deleting it is what you want, run pulumi state unprotect on it first.`);
        } else if (resource.type === PERMISSION_TYPE) {
            const refusal = permissionDeleteRefusal(previous.outputsOf(resource.type, resource.name) as unknown as PermissionInputs);
            if (refusal !== undefined) {
                refusals.push(`${resource.type} ${resource.name}: ${refusal}`);
            }
        }
    }
    return { users, moves, kept: { users: keptUsers, groups: keptGroups }, created, deleted: deleted.map(({ type, name }) => ({ type, name })), refusals };
}

/** The day the previous state was written (its manifest's time), or the empty string: what had expired by then. */
function previousDay(previous: PreviousState): string {
    return previous.time?.slice(0, 10) ?? "";
}

function keyChanges(before: readonly string[] | undefined, after: readonly string[] | undefined): string[] {
    if (before === undefined || after === undefined) {
        return [];
    }
    const added = after.filter((key) => !before.includes(key)).length;
    const removed = before.filter((key) => !after.includes(key)).length;
    return added + removed === 0 ? [] : [[added > 0 ? `${added} key${added === 1 ? "" : "s"} added` : "", removed > 0 ? `${removed} key${removed === 1 ? "" : "s"} removed` : ""].filter(Boolean).join(", ")];
}

const yesNo = (value: boolean) => (value ? "yes" : "no");
const list = (groups: readonly string[] | undefined) => (groups?.length ? groups.join(",") : "-");

/** The report's section: one line per user change, the numbers kept or moved, the resources created and deleted. */
export function formatChanges(changes: PlanChanges): string {
    const lines: string[] = [];
    if (changes.users.length === 0) {
        lines.push("  users: no change");
    } else {
        const kindWidth = Math.max(...changes.users.map(([kind]) => kind.length));
        const userWidth = Math.max(...changes.users.map(([, user]) => user.length));
        lines.push(...changes.users.map(([kind, user, detail]) => `  ${kind.padEnd(kindWidth)}  ${user.padEnd(userWidth)}  ${detail}`));
    }
    if (changes.moves.length > 0) {
        lines.push(`  UIDs and GIDs: ${changes.moves.length} would move:`, ...changes.moves.map((move) => `    ${move}`));
    } else if (changes.kept.users + changes.kept.groups > 0) {
        lines.push(`  UIDs and GIDs: none moves (${changes.kept.users} user${changes.kept.users === 1 ? "" : "s"} and ${changes.kept.groups} group${changes.kept.groups === 1 ? "" : "s"} keep theirs)`);
    }
    lines.push(`  resources: ${changes.created.length} to create, ${changes.deleted.length} to delete`, ...changes.deleted.map((resource) => `    - ${resource.type} ${resource.name}`));
    return lines.join("\n");
}
