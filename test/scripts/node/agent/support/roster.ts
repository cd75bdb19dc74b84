/**
 * Roster documents for the agent's tests, written by the rules of components/access/roster/FORMAT.md
 * (format 2): the envelope, options, sorted groups and users, key lines after their user, the SHA-256
 * end line and the signature line, signed with the test-only key the test nodes trust (or another one).
 */
import { createHash, createPrivateKey, sign } from "node:crypto";
import { readFileSync } from "node:fs";
import { agentBundle } from "../../../../../components/access/roster/agentBundle";
import { TEST_SIGNING_KEY_FILE } from "../../../../support/rosterSigning";
import type { KeyPair } from "./node";

export type UserState = "allowed" | "blocked" | "revoked";

/** A key with an optional date (no access with it from 00:00 UTC that day). */
export interface DatedKey {
    readonly pair: KeyPair;
    readonly expires: string;
}

export interface RosterUser {
    readonly name: string;
    readonly uid: number;
    /** Default: the UID. */
    readonly gid?: number;
    readonly state?: UserState;
    readonly sudo?: boolean;
    /** YYYY-MM-DD; default none. */
    readonly expires?: string;
    readonly keys?: readonly (KeyPair | DatedKey)[];
}

export interface RosterGroup {
    readonly name: string;
    readonly gid: number;
    readonly members: readonly string[];
}

export interface Roster {
    readonly environment: string;
    readonly generation: number;
    /** Default: the bundle built from this repository (the agent the tests run). */
    readonly agentSha256?: string;
    /** `option` lines as written; default the program's: home-keys cluster, instance-connect off. */
    readonly options?: readonly string[];
    readonly groups?: readonly RosterGroup[];
    readonly users: readonly RosterUser[];
}

/** The `agent` line the tests' documents carry unless they say otherwise: this repository's bundle. */
export const TEST_AGENT_SHA256 = agentBundle().sha256;

const byName = <T extends { name: string }>(a: T, b: T): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** The body before the end line. */
export function rosterBody(roster: Roster, format = 2): string {
    const lines = [
        `pcluster-access-roster ${format}`,
        `environment ${roster.environment}`,
        `generation ${roster.generation}`,
        `agent ${roster.agentSha256 ?? TEST_AGENT_SHA256}`,
        ...(roster.options ?? ["option home-keys cluster", "option instance-connect off"]),
    ];
    for (const group of [...(roster.groups ?? [])].sort(byName)) {
        const members = [...group.members].sort();
        lines.push(`group ${group.name} ${group.gid} ${members.length > 0 ? members.join(",") : "-"}`);
    }
    for (const user of [...roster.users].sort(byName)) {
        const state = user.state ?? "allowed";
        lines.push(`user ${user.name} ${user.uid} ${user.gid ?? user.uid} ${state} ${user.sudo ? "sudo" : "nosudo"} ${user.expires ?? "-"}`);
        if (state === "allowed") {
            for (const key of user.keys ?? []) {
                const [pair, expires] = "pair" in key ? [key.pair, key.expires] : [key, "-"];
                lines.push(`key ${user.name} ${pair.type} ${pair.blob} ${expires}`);
            }
        }
    }
    return lines.map((line) => `${line}\n`).join("");
}

/** Closes a body with its end line (no signature yet). */
export function sealed(body: string): string {
    return `${body}end ${createHash("sha256").update(body).digest("hex")}\n`;
}

/** Appends the signature line by the key in `keyFile` over every byte of `unsigned`. */
export function signed(unsigned: string, keyFile = TEST_SIGNING_KEY_FILE): string {
    const der = sign("sha256", Buffer.from(unsigned), createPrivateKey(readFileSync(keyFile)));
    return `${unsigned}signature ecdsa-p256-sha256 ${der.toString("base64")}\n`;
}

/** The whole document, signed by the test key (or `keyFile`). */
export function renderRoster(roster: Roster, format = 2, keyFile = TEST_SIGNING_KEY_FILE): string {
    return signed(sealed(rosterBody(roster, format)), keyFile);
}

/** YYYY-MM-DD of today (UTC) plus `days`. */
export function utcDate(days: number): string {
    return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** The document naming agent `agentSha256` (the upgrade tests' documents), in `format` (its envelope the same in every format from 2 on). */
export function envelopeRoster(roster: Roster, agentSha256: string, format = 2): string {
    return renderRoster({ ...roster, agentSha256 }, format);
}
