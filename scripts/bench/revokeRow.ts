/**
 * Revoke latency (issue 24 §2): how soon a revoke takes effect on every reachable node after the roster
 * write. test/scripts/node/agent/measureRevoke.ts revokes one user among N on a head node and a compute node
 * running the real agent, both syncing at once as the nudge (SSM Run Command) makes them, and checks the
 * login is then refused. Beside it, the poll fallback: a node the nudge does not reach applies the revoke at
 * its next cron tick, up to one interval later.
 */
import { measureRevoke } from "../../test/scripts/node/agent/measureRevoke";
import type { Goal } from "./goals";
import { progress } from "./progress";
import type { RowResult } from "./row";
import { formatCount, formatSeconds } from "./table";

const USERS = 200;
const GOAL_MS = 10_000;
const DEFAULT_INTERVAL_S = 60;

export async function revokeRow(): Promise<RowResult> {
    progress(`revoke: ${USERS} users, a head node and a compute node, one user revoked, both nudged at once`);
    const m = await measureRevoke(USERS);
    const slowestSync = Math.max(...m.syncMs);
    // On a real cluster every node syncs on its own CPU: the write, then the slowest node's sync alone.
    const ownCpuMs = m.writeMs + Math.max(...m.aloneSyncMs);
    const ok = m.syncExit.every((exit) => exit === 0) && m.aloneExit.every((exit) => exit === 0) && m.loginBefore && m.refusedAfter;
    const goals: Goal[] = [
        {
            row: "revoke",
            goal: `a revoke takes effect on every reachable (nudged) node within ${GOAL_MS / 1000} s of the roster write (before: up to one interval, ${DEFAULT_INTERVAL_S} s by default)`,
            measured: `${formatSeconds(ownCpuMs, 2)} s write to applied, each node on its own CPU (${formatSeconds(m.writeToAppliedMs, 2)} s with ${m.nodes} nodes sharing this machine's cores), login ${m.refusedAfter ? "refused" : "NOT refused"} after; SSM delivery not included`,
            met: ok && ownCpuMs <= GOAL_MS,
        },
    ];
    return {
        tables: [
            {
                title: `Revoke latency (the real agent on a head node and a compute node, ${formatCount(USERS)} users, roster in moto's S3)`,
                columns: ["measure", "seconds"],
                rows: [
                    ["roster write (PutObject)", formatSeconds(m.writeMs, 2)],
                    ...m.syncMs.map((ms, i): string[] => [`nudged sync, ${i === 0 ? "head" : "compute"} node (exit ${m.syncExit[i]})`, formatSeconds(ms, 2)]),
                    ["write to applied on every node (nudged, both syncing at once on this machine)", formatSeconds(m.writeToAppliedMs, 2)],
                    ...m.aloneSyncMs.map((ms, i): string[] => [`second revoke: ${i === 0 ? "head" : "compute"} node's sync alone (exit ${m.aloneExit[i]})`, formatSeconds(ms, 2)]),
                    ["write to applied, each node on its own CPU (write + slowest sync alone)", formatSeconds(ownCpuMs, 2)],
                    [`poll fallback, worst case: one interval (${DEFAULT_INTERVAL_S} s) + the slowest sync`, formatSeconds(DEFAULT_INTERVAL_S * 1000 + slowestSync, 1)],
                ],
                notes: [
                    "nudged: `roster-agent.sh sync` started on every node right after the write, as SSM Run Command's AWS-RunShellScript runs it",
                    "  (components/access/roster/nodeStatus/nudge.ts). Not included: SSM's delivery of the command to each node, which cannot be",
                    "  measured offline (moto records SendCommand and runs nothing); nodes without the SSM agent or its IAM are not reached and fall back",
                    "  to their cron schedule (docs/node-status.md).",
                    `login: the revoked user's ssh to the head node ${m.loginBefore ? "worked" : "FAILED"} before the write and ${m.refusedAfter ? "was refused" : "still WORKED"} after the syncs.`,
                ],
            },
        ],
        goals,
        raw: m,
    };
}
