/**
 * The roster document, format 2 (components/access/roster/FORMAT.md, the contract with the node agent):
 * a pure renderer from the roster's content and a generation to every line through the `end` line, the
 * bytes the signature covers. Signing is signing.ts's alone (signDocument: the digest kms:Sign takes, the
 * check against the nodes' key, the last line). test/fixtures/roster-example.txt is this renderer's output
 * for its input, signed with the test-only key.
 */
import { createHash } from "node:crypto";
import type { AccessState } from "../../config/model";
export const ROSTER_FORMAT = 2;
export const ROSTER_MAGIC = "pcluster-access-roster";

/** A roster line's STATE: the config's access states, written as they are. */
export type RosterState = AccessState;

/** One public key with an optional last day: no access with it from 00:00 UTC on `expires`. */
export interface RosterKey {
    /** `TYPE BASE64 [comment]`; the comment is dropped. */
    readonly key: string;
    /** YYYY-MM-DD. */
    readonly expires?: string;
}

export interface RosterUser {
    readonly name: string;
    readonly uid: number;
    readonly state: RosterState;
    readonly sudo: boolean;
    /** No access from 00:00 UTC on this day (YYYY-MM-DD); written for allowed and blocked users. */
    readonly expires?: string;
    /** Public keys (a key line or a RosterKey); written for allowed users only, comments dropped. */
    readonly keys: readonly (string | RosterKey)[];
    /** Project groups the user belongs to (ignored unless allowed or blocked). */
    readonly groups: readonly string[];
}

export interface RosterGroup {
    readonly name: string;
    readonly gid: number;
}

/** The node-wide settings the document carries as `option` lines (FORMAT.md's known options). */
export interface RosterOptions {
    /** `cluster`: ~/.ssh/authorized_keys opens an account only from inside the cluster's network; `anywhere`: from anywhere. */
    readonly homeKeys: "cluster" | "anywhere";
    /** Whether nodes keep EC2 Instance Connect's key command working (and its IMDS access on the head node). */
    readonly instanceConnect: boolean;
}

/** What the document says, apart from its generation. */
export interface RosterContent {
    readonly environment: string;
    /** Lowercase hex SHA-256 of the agent object at AGENT_KEY: the agent every node must run. */
    readonly agentSha256: string;
    readonly options: RosterOptions;
    readonly users: readonly RosterUser[];
    readonly groups: readonly RosterGroup[];
}

const byName = <T extends { readonly name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Every line through the `end` line: what the signature covers. */
export function renderUnsigned(content: RosterContent, generation: number): string {
    return sealed(body(content, generation));
}

/** Everything before the `end` line. */
function body(content: RosterContent, generation: number): string {
    const users = [...content.users].sort(byName);
    const members = (group: string) =>
        users
            .filter((user) => user.state !== "revoked" && user.groups.includes(group))
            .map((user) => user.name)
            .join(",");
    const lines = [
        `${ROSTER_MAGIC} ${ROSTER_FORMAT}`,
        `environment ${content.environment}`,
        `generation ${generation}`,
        `agent ${content.agentSha256}`,
        // Sorted by key (FORMAT.md).
        `option home-keys ${content.options.homeKeys}`,
        `option instance-connect ${content.options.instanceConnect ? "on" : "off"}`,
    ];
    for (const group of [...content.groups].sort(byName)) {
        lines.push(`group ${group.name} ${group.gid} ${members(group.name) || "-"}`);
    }
    for (const user of users) {
        // sudo and keys only for allowed users; a tombstone has no date (FORMAT.md).
        const sudo = user.state === "allowed" && user.sudo ? "sudo" : "nosudo";
        const expires = user.state === "revoked" ? "-" : (user.expires ?? "-");
        lines.push(`user ${user.name} ${user.uid} ${user.uid} ${user.state} ${sudo} ${expires}`);
        if (user.state === "allowed") {
            for (const entry of user.keys) {
                const { key, expires: keyExpires } = typeof entry === "string" ? { key: entry, expires: undefined } : entry;
                const [type, blob] = key.trim().split(/\s+/);
                lines.push(`key ${user.name} ${type} ${blob} ${keyExpires ?? "-"}`);
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
