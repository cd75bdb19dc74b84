/**
 * Row 2, OpsWorks API calls: test/access/opsworks/providers/measure.ts drives the real dynamic providers against the
 * OpsWorks emulator as `pulumi up` / `pulumi refresh` would and counts the requests the emulator logged,
 * for N users: create them all, an update that changes nothing, one key rotated, a refresh. Measured
 * once with new users available at once, and once more for creation with the first SetPermission of
 * each new user failing until it propagates (as OpsWorks does; reference/opsworks.md).
 */
import { measureUserCalls, type UserCallCounts } from "../../test/access/opsworks/providers/measure";
import type { Goal } from "./goals";
import { progress } from "./progress";
import type { RowResult } from "./row";
import { formatCount } from "./table";
import { OPERATION_LABELS, TERRAFORM_CALLS, type UserOperation } from "./terraformCalls";

const ROSTER_SIZES = [10, 100, 500] as const;
const OPERATIONS = Object.keys(OPERATION_LABELS) as UserOperation[];

interface Measured {
    readonly users: number;
    readonly counts: UserCallCounts;
    /** The same measurement with one propagation failure per new user. */
    readonly withPropagation: UserCallCounts;
}

export async function apiRow(): Promise<RowResult> {
    const measured: Measured[] = [];
    for (const users of ROSTER_SIZES) {
        const counts = await measureUserCalls(users);
        const withPropagation = await measureUserCalls(users, { propagationFailures: 1 });
        measured.push({ users, counts, withPropagation });
        progress(`api: N = ${users}: create ${counts.create} (${withPropagation.create} with propagation), no-op ${counts.noop}, rotate ${counts.rotateOne}, refresh ${counts.refresh}`);
    }
    const rows: string[][] = [];
    const goals: Goal[] = [];
    for (const { users, counts, withPropagation } of measured) {
        for (const operation of OPERATIONS) {
            const peer = TERRAFORM_CALLS[operation];
            const reference = peer.calls(users);
            const ours = operation === "create" ? `${formatCount(counts[operation])} (${formatCount(withPropagation.create)})` : formatCount(counts[operation]);
            rows.push([
                String(users),
                OPERATION_LABELS[operation],
                ours,
                formatCount(reference),
                peer.formula,
                counts[operation] <= reference ? "yes" : "no",
                counts.elapsedMs[operation].toFixed(0),
            ]);
        }
        const shares = OPERATIONS.map((operation) => ({ operation, share: counts[operation] / TERRAFORM_CALLS[operation].calls(users) }));
        const worst = shares.reduce((a, b) => (b.share > a.share ? b : a));
        goals.push({
            row: "api",
            goal: `N = ${users}: every operation takes no more calls than Terraform's`,
            measured: `highest share ${(worst.share * 100).toFixed(1)}%, ${OPERATION_LABELS[worst.operation]}`,
            met: worst.share <= 1,
        });
    }
    return {
        tables: [
            {
                title: "2. OpsWorks API calls (emulator's call log; the real providers driven as pulumi up / refresh would)",
                columns: ["N", "operation", "calls", "Terraform", "formula", "<= Terraform", "ms"],
                rows,
                notes: [
                    "calls: requests the emulator received, retries included; in brackets, creation when each new user's first",
                    "SetPermission fails until the user propagates (the emulator's default, like OpsWorks).",
                    ...OPERATIONS.map((operation) => `Terraform ${OPERATION_LABELS[operation]}: ${TERRAFORM_CALLS[operation].formula}, ${TERRAFORM_CALLS[operation].source}.`),
                    "Terraform's counts include its refresh; a no-op `pulumi up` reads nothing (Pulumi diffs against its state),",
                    "so `pulumi up --refresh` costs the refresh figure plus the update's.",
                    "ms: wall time of the phase against the emulator on loopback, one call at a time, back-off 0 ms.",
                ],
            },
        ],
        goals,
        raw: { rosterSizes: ROSTER_SIZES, terraformFormulas: Object.fromEntries(OPERATIONS.map((operation) => [operation, TERRAFORM_CALLS[operation].formula])), measured },
    };
}
