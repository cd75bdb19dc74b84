/**
 * The peer's API cost the OpsWorks-calls row is compared with: Terraform's removed
 * aws_opsworks_user_profile + aws_opsworks_permission, per reference/opsworks.md ("A peer's API cost").
 */

/** The phases test/access/opsworks/providers/measure.ts counts. */
export type UserOperation = "create" | "noop" | "rotateOne" | "refresh";

export interface PeerCost {
    /** The formula as printed beside the figure. */
    readonly formula: string;
    /** Why the formula is what it is. */
    readonly source: string;
    readonly calls: (users: number) => number;
}

export const TERRAFORM_CALLS: Readonly<Record<UserOperation, PeerCost>> = {
    create: {
        formula: "5N + 1",
        source: "5 calls per user (profile: create, update, read; permission: set, read) plus a refresh of the stack",
        calls: (users) => 5 * users + 1,
    },
    noop: { formula: "2N + 2", source: "its no-change plan, which refreshes every resource", calls: (users) => 2 * users + 2 },
    rotateOne: { formula: "2N + 4", source: "its plan and apply changing one key", calls: (users) => 2 * users + 4 },
    refresh: {
        formula: "2N + 2",
        source: "inferred: the reads of its no-change plan (the reference gives no separate refresh count)",
        calls: (users) => 2 * users + 2,
    },
};

/** Row labels, in the order the table prints them. */
export const OPERATION_LABELS: Readonly<Record<UserOperation, string>> = {
    create: "create N users",
    noop: "no-op update",
    rotateOne: "rotate one key",
    refresh: "refresh",
};
