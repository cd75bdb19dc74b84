/**
 * Roster documents for the agent's tests, written by the rules of components/access/roster/FORMAT.md
 * (format 1): sorted groups and users, key lines after their user, and the SHA-256 end line.
 */
import { createHash } from "node:crypto";
import type { KeyPair } from "./node";

export type UserState = "allowed" | "blocked" | "revoked";

export interface RosterUser {
    readonly name: string;
    readonly uid: number;
    /** Default: the UID. */
    readonly gid?: number;
    readonly state?: UserState;
    readonly sudo?: boolean;
    readonly keys?: readonly KeyPair[];
}

export interface RosterGroup {
    readonly name: string;
    readonly gid: number;
    readonly members: readonly string[];
}

export interface Roster {
    readonly environment: string;
    readonly generation: number;
    readonly groups?: readonly RosterGroup[];
    readonly users: readonly RosterUser[];
}

const byName = <T extends { name: string }>(a: T, b: T): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** The body before the end line. */
export function rosterBody(roster: Roster, format = 1): string {
    const lines = [`pcluster-access-roster ${format}`, `environment ${roster.environment}`, `generation ${roster.generation}`];
    for (const group of [...(roster.groups ?? [])].sort(byName)) {
        const members = [...group.members].sort();
        lines.push(`group ${group.name} ${group.gid} ${members.length > 0 ? members.join(",") : "-"}`);
    }
    for (const user of [...roster.users].sort(byName)) {
        const state = user.state ?? "allowed";
        lines.push(`user ${user.name} ${user.uid} ${user.gid ?? user.uid} ${state} ${user.sudo ? "sudo" : "nosudo"}`);
        if (state === "allowed") for (const key of user.keys ?? []) lines.push(`key ${user.name} ${key.type} ${key.blob}`);
    }
    return lines.map((line) => `${line}\n`).join("");
}

/** Closes a body with its end line. */
export function sealed(body: string): string {
    return `${body}end ${createHash("sha256").update(body).digest("hex")}\n`;
}

export function renderRoster(roster: Roster, format = 1): string {
    return sealed(rosterBody(roster, format));
}

/**
 * A document with the envelope of format 2 and later (FORMAT-2.md: lines 1-4, the same for every such format:
 * format, environment, generation, `agent SHA256`), then `roster`'s group, user and key lines as format 1 has
 * them, and the end line: what an upgrade reads before anything else.
 */
export function envelopeRoster(roster: Roster, agentSha256: string, format = 2): string {
    const lines = rosterBody(roster).split("\n");
    return sealed([`pcluster-access-roster ${format}`, lines[1], lines[2], `agent ${agentSha256}`, ...lines.slice(3)].join("\n"));
}
