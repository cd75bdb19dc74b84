/**
 * The roster document, format 1 (components/access/roster/FORMAT.md, the contract with the node agent):
 * a pure renderer from the roster's content and a generation to the exact bytes the program writes.
 * test/fixtures/roster-example.txt is rendered byte for byte from its input.
 */
import { createHash } from "node:crypto";
import type { AccessState } from "../../config/model";

export const ROSTER_FORMAT = 1;
export const ROSTER_MAGIC = "pcluster-access-roster";

/** A roster line's STATE: the config's access states, written as they are. */
export type RosterState = AccessState;

export interface RosterUser {
    readonly name: string;
    readonly uid: number;
    readonly state: RosterState;
    readonly sudo: boolean;
    /** Public key lines (`TYPE BASE64 [comment]`); written for allowed users only, comments dropped. */
    readonly keys: readonly string[];
    /** Project groups the user belongs to (ignored unless allowed or blocked). */
    readonly groups: readonly string[];
}

export interface RosterGroup {
    readonly name: string;
    readonly gid: number;
}

/** What the document says, apart from its generation. */
export interface RosterContent {
    readonly environment: string;
    readonly users: readonly RosterUser[];
    readonly groups: readonly RosterGroup[];
}

const byName = <T extends { readonly name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** The document's bytes: every line LF-terminated, the `end` line carrying the SHA-256 of all before it. */
export function renderRoster(content: RosterContent, generation: number): string {
    return sealed(body(content, generation));
}

/** Everything but the `end` line. */
function body(content: RosterContent, generation: number): string {
    const users = [...content.users].sort(byName);
    const members = (group: string) =>
        users
            .filter((user) => user.state !== "revoked" && user.groups.includes(group))
            .map((user) => user.name)
            .join(",");
    const lines = [`${ROSTER_MAGIC} ${ROSTER_FORMAT}`, `environment ${content.environment}`, `generation ${generation}`];
    for (const group of [...content.groups].sort(byName)) {
        lines.push(`group ${group.name} ${group.gid} ${members(group.name) || "-"}`);
    }
    for (const user of users) {
        // sudo only for allowed users; keys only for allowed users (FORMAT.md).
        const sudo = user.state === "allowed" && user.sudo ? "sudo" : "nosudo";
        lines.push(`user ${user.name} ${user.uid} ${user.uid} ${user.state} ${sudo}`);
        if (user.state === "allowed") {
            for (const key of user.keys) {
                const [type, blob] = key.trim().split(/\s+/);
                lines.push(`key ${user.name} ${type} ${blob}`);
            }
        }
    }
    return lines.map((line) => `${line}\n`).join("");
}

function sealed(text: string): string {
    return `${text}end ${sha256(text)}\n`;
}

export function sha256(text: string): string {
    return createHash("sha256").update(text, "utf8").digest("hex");
}
