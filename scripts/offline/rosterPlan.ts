/**
 * The roster backend's part of the plan: out/<stack>/roster.txt, exactly the document the next write would
 * put (the provider's own planner and renderer, at the generation the Roster would hold: the previous one
 * when nothing changed, since then nothing is written), signed by the mock cloud's key, whose public half
 * is every node's PUBKEY in the plan; and its one-line summary, which is the document's legend.
 */
import type { Allocation } from "../../components/access/roster/allocation";
import { renderUnsigned, type RosterContent } from "../../components/access/roster/document";
import { keyLine, nextDocument, type RosterInputs } from "../../components/access/roster/planner";
import { todayUtc } from "../../components/access/roster/clock";
import { signDocument } from "../../components/access/roster/signing";
import { mockPublicKey, mockSigner, type PreviousRoster } from "./mockCloud";
import type { KeysByUser } from "./planDiff";
import type { RegisteredResource } from "./runProgram";

export interface RosterPlan {
    /** Each document, signed when the plan has a key (a first preview does not): roster.txt, or a pool's roster-<cluster>.txt each. */
    readonly documents: readonly { readonly file: string; readonly text: string }[];
    readonly summary: string;
    readonly allocation: Allocation;
    readonly keys: KeysByUser;
}

export async function planRosterDocument(roster: RegisteredResource, previous: PreviousRoster | undefined, now: number): Promise<RosterPlan> {
    const inputs = roster.inputs as unknown as RosterInputs;
    const next = nextDocument(previous, inputs, now);
    const generation = typeof roster.outputs.generation === "number" ? roster.outputs.generation : next.generation;
    const keyArn = inputs.signingKeyArn;
    const pool = (inputs as { clusters?: unknown }).clusters !== undefined;
    const documents = await Promise.all(
        (next.planned.clusters ?? [{ content: next.planned.content }]).map(async (document) => {
            const unsigned = renderUnsigned(document.content, generation);
            return {
                file: pool ? `roster-${document.content.environment}.txt` : "roster.txt",
                text: typeof keyArn === "string" ? await signDocument(unsigned, mockSigner(keyArn), mockPublicKey(keyArn), keyArn) : unsigned,
            };
        }),
    );
    const written = previous?.generation === generation ? "unchanged: nothing is written" : "a new document";
    return { documents, summary: rosterSummary(next.planned.content, generation, written, todayUtc(now)), allocation: next.planned.allocation, keys: keysByUser(inputs.users) };
}

/** Each user's key lines, type and base64 only (the document drops comments, so a new comment changes nothing). */
export function keysByUser(users: readonly RosterInputs["users"][number][]): KeysByUser {
    return new Map(users.map((user) => [user.iamUser, user.keys.map((key) => keyLine(key).trim().split(/\s+/).slice(0, 2).join(" "))]));
}

/** `Roster: generation 1796644800 (2026-12-07 12:00:00 UTC), a new document; 4 users (2 allowed, 1 expired, 1 revoked), 2 groups, 3 keys.` */
export function rosterSummary(content: RosterContent, generation: number, written: string, today: string): string {
    const counts = new Map<string, number>();
    for (const user of content.users) {
        const state = user.state === "allowed" && user.expires !== undefined && user.expires <= today ? "expired" : user.state;
        counts.set(state, (counts.get(state) ?? 0) + 1);
    }
    const states = ["allowed", "expired", "blocked", "revoked"].filter((state) => counts.has(state)).map((state) => `${counts.get(state)} ${state}`);
    // Only allowed users' keys reach the document (FORMAT.md).
    const keys = content.users.filter((user) => user.state === "allowed").reduce((sum, user) => sum + user.keys.length, 0);
    const date = new Date(generation * 1000).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
    return (
        `Roster: generation ${generation} (${date}), ${written}; ${plural(content.users.length, "user")}${states.length > 0 ? ` (${states.join(", ")})` : ""}, ` +
        `${plural(content.groups.length, "group")}, ${plural(keys, "key")}.`
    );
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? "" : "s"}`;
