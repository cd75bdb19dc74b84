/**
 * Row 7, AWS writes of the roster backend: test/access/roster/measureRoster.ts drives the real Roster provider
 * against moto's S3 as `pulumi up` / `pulumi refresh` would and counts every request moto recorded, for
 * N users: create them all, an update that changes nothing, one key rotated, every user changed at once
 * (every key rotated, a second key with an end date and an end date on every user, every other user blocked, all added to a group), one user revoked, a refresh. Beside
 * it, the OpsWorks backend's requests for the same N (the same measurement as row 2, against the
 * emulator) and Terraform's removed OpsWorks resources, where those have the operation.
 */
import { measureRosterCalls, ROSTER_OPERATIONS, type RosterCallCounts, type RosterOperation } from "../../test/access/roster/measureRoster";
import { measureUserCalls, type UserCallCounts } from "../../test/access/opsworks/providers/measure";
import type { Goal } from "./goals";
import { progress } from "./progress";
import type { RowResult } from "./row";
import { formatCount } from "./table";
import { TERRAFORM_CALLS, type UserOperation } from "./terraformCalls";

const ROSTER_SIZES = [10, 100, 1000] as const;

const LABELS: Readonly<Record<RosterOperation, string>> = {
    create: "create N users",
    noop: "no-op update",
    rotateOne: "rotate one key",
    changeAll: "change all N users",
    revokeOne: "revoke one user",
    refresh: "refresh",
};

/** Operations the OpsWorks measurement and Terraform's reference also have. */
const SHARED: Partial<Record<RosterOperation, UserOperation>> = { create: "create", noop: "noop", rotateOne: "rotateOne", refresh: "refresh" };

/** Operations that change the roster: each must be exactly one write, whatever N. */
const CHANGES: readonly RosterOperation[] = ["create", "rotateOne", "changeAll", "revokeOne"];

export async function rosterRow(): Promise<RowResult> {
    const measured: { roster: RosterCallCounts; opsworks: UserCallCounts }[] = [];
    for (const users of ROSTER_SIZES) {
        const roster = await measureRosterCalls(users);
        const opsworks = await measureUserCalls(users);
        measured.push({ roster, opsworks });
        progress(`roster: N = ${users}: ${ROSTER_OPERATIONS.map((operation) => `${operation} ${roster[operation].writes}w/${roster[operation].reads}r/${roster[operation].signs}s`).join(", ")}`);
    }
    const rows: string[][] = [];
    const goals: Goal[] = [];
    for (const { roster, opsworks } of measured) {
        for (const operation of ROSTER_OPERATIONS) {
            const shared = SHARED[operation];
            rows.push([
                formatCount(roster.users),
                LABELS[operation],
                formatCount(roster[operation].writes),
                formatCount(roster[operation].reads),
                formatCount(roster[operation].signs),
                shared === undefined ? "-" : formatCount(opsworks[shared]),
                shared === undefined ? "-" : formatCount(TERRAFORM_CALLS[shared].calls(roster.users)),
            ]);
        }
        const changes = CHANGES.map((operation) => roster[operation].writes);
        const signs = CHANGES.map((operation) => roster[operation].signs);
        const noop = roster.noop.writes + roster.noop.reads + roster.noop.signs + roster.noop.otherKms;
        const otherKms = ROSTER_OPERATIONS.reduce((sum, operation) => sum + roster[operation].otherKms, 0);
        goals.push({
            row: "roster",
            goal: `N = ${formatCount(roster.users)}: any change of any number of users is 1 kms:Sign and 1 write, a no-op 0 requests`,
            measured: `changes ${changes.join("/")} writes, ${signs.join("/")} signs; no-op ${noop} requests; other KMS calls ${otherKms}`,
            met: changes.every((writes) => writes === 1) && signs.every((count) => count === 1) && noop === 0 && otherKms === 0,
        });
    }
    return {
        tables: [
            {
                title: "7. Roster backend: AWS requests per operation (moto's request recorder; the real provider driven as pulumi up / refresh would)",
                columns: ["N", "operation", "roster writes", "roster reads", "KMS Sign", "OpsWorks calls", "Terraform calls"],
                rows,
                notes: [
                    "roster: S3 requests to the environment's bucket (writes: PUT/POST/DELETE; reads: the others); KMS Sign: kms:Sign calls with the",
                    "environment's signing key (moto's KMS through test/support/moto_kms_digest.py, which signs digests as KMS does). No other KMS call",
                    "is made: the public key reaches the provider as an input. The allocation and the no-op decision are made in diff, from state, with",
                    "no request. Creating IAM users (create: true) costs the same IAM calls in both backends and is not counted here. OpsWorks calls:",
                    "row 2's measurement (emulator, new users available at once) for the operations it has; Terraform: the removed aws_opsworks_*",
                    "resources (terraformCalls.ts). '-': that backend's measurement has no such operation.",
                ],
            },
        ],
        goals,
        raw: { rosterSizes: ROSTER_SIZES, measured },
    };
}
