/**
 * Row 6, the node agent: test/scripts/node/agent/measureAgent.ts runs scripts/node/roster-agent.sh on a compute node
 * and a head node (namespaces with real accounts and sshd; the roster in moto's S3, fetched by the real AWS
 * CLI) with 1,000 users: the first apply on each, then a no-op cycle, one user changed, and logins. Beside it, the anchors'
 * documented costs: widdix/aws-ec2-ssh (reference/accounts.md) and the OpsWorks agent
 * (reference/opsworks.md), and the S3 request rate of a large fleet at the default interval.
 */
import { measureAgent, type AgentMeasurement } from "../../test/scripts/node/agent/measureAgent";
import type { Goal } from "./goals";
import { progress } from "./progress";
import type { RowResult } from "./row";
import { formatCount, formatSeconds } from "./table";

const USERS = 1000;
/** Issue 17's goals for 1,000 users on 2 idle cores, and what the agent took before the batch (useradd per user). */
const COMPUTE_FIRST_APPLY_GOAL_MS = 5_000;
const HEAD_FIRST_APPLY_GOAL_MS = 15_000;
const BEFORE_BATCH = { compute: "41 s (60-97 s under load)", head: "61 s" };
/** The interval post-install.sh is given by default (FORMAT.md: INTERVAL_SECONDS). */
const DEFAULT_INTERVAL_S = 60;
const FLEET_NODES = 10_000;
const SECONDS_PER_MONTH = 30 * 24 * 3600;
/** S3 Standard GET price in us-east-1, USD per 1,000 requests (a 304 is billed as a GET). */
const GET_PRICE_PER_1000 = 0.0004;

export async function agentRow(): Promise<RowResult> {
    progress(`agent: ${USERS} users: first apply, no-op cycle, one user changed, logins`);
    const m = await measureAgent(USERS);
    progress(`agent: first apply ${formatSeconds(m.computeFirstApply.wallMs)} s compute, ${formatSeconds(m.firstApply.wallMs)} s head, no-op ${formatSeconds(m.noOp.wallMs)} s`);

    // The batch names no user in its one write (and its lock holder, chpasswd, none either): what changed is judged by
    // the account files' lines and the other changes the agent logged.
    const onlyThatUser = m.oneChanged.changedAccountLines.length > 0 && m.oneChanged.changedAccountLines.every((line) => line.includes(m.oneChanged.user))
        && m.oneChanged.agentRuns.every((run) => run.startsWith("write /etc/") || run.includes(m.oneChanged.user));
    const perSecond = FLEET_NODES / DEFAULT_INTERVAL_S;
    const perMonth = perSecond * SECONDS_PER_MONTH;

    const goals: Goal[] = [
        {
            row: "agent",
            goal: `no-op cycle with ${formatCount(USERS)} users: 1 AWS request, 0 account commands`,
            measured: `${m.noOp.awsRequests} request, ${m.noOp.accountCommands.length} account commands, ${m.noOp.agentRuns.length} changes, exit ${m.noOp.exitStatus}`,
            met: m.noOp.exitStatus === 0 && m.noOp.awsRequests === 1 && m.noOp.accountCommands.length === 0 && m.noOp.agentRuns.length === 0,
        },
        {
            row: "agent",
            goal: `first apply of ${formatCount(USERS)} users on a compute node in ${COMPUTE_FIRST_APPLY_GOAL_MS / 1000} s or less (before the batch: ${BEFORE_BATCH.compute})`,
            measured: `${formatSeconds(m.computeFirstApply.wallMs, 1)} s, exit ${m.computeFirstApply.exitStatus}`,
            met: m.computeFirstApply.exitStatus === 0 && m.computeFirstApply.wallMs <= COMPUTE_FIRST_APPLY_GOAL_MS,
        },
        {
            row: "agent",
            goal: `first apply of ${formatCount(USERS)} users on the head node in ${HEAD_FIRST_APPLY_GOAL_MS / 1000} s or less (before the batch: ${BEFORE_BATCH.head})`,
            measured: `${formatSeconds(m.firstApply.wallMs, 1)} s, exit ${m.firstApply.exitStatus}`,
            met: m.firstApply.exitStatus === 0 && m.firstApply.wallMs <= HEAD_FIRST_APPLY_GOAL_MS,
        },
        {
            row: "agent",
            goal: `one user changed among ${formatCount(USERS)}: only that user's commands run`,
            measured: `${m.oneChanged.changedAccountLines.length} account line(s) and ${m.oneChanged.agentRuns.length} changes, all for ${m.oneChanged.user}: ${onlyThatUser ? "yes" : "no"}`,
            met: m.oneChanged.exitStatus === 0 && onlyThatUser,
        },
        {
            row: "agent",
            goal: "0 AWS calls per login",
            measured: `${m.logins.awsRequests} requests for ${m.logins.count} logins (${m.logins.ok} succeeded)`,
            met: m.logins.awsRequests === 0 && m.logins.ok === m.logins.count,
        },
    ];

    return {
        tables: [
            {
                title: `6. Node agent (scripts/node/roster-agent.sh on a compute and a head node: real accounts, sshd and AWS CLI, roster in moto's S3; ${formatCount(USERS)} users, ${m.groups} project groups)`,
                columns: ["measure", "AWS requests", "account cmds", "agent changes", "wall s", "exit"],
                rows: [
                    cycleRow(`first apply, compute node (before the batch: ${BEFORE_BATCH.compute})`, m.computeFirstApply),
                    cycleRow(`first apply, head node (before the batch: ${BEFORE_BATCH.head})`, m.firstApply),
                    cycleRow("no-op cycle", m.noOp),
                    cycleRow(`one user blocked (${m.oneChanged.user})`, m.oneChanged),
                    [`login (median of ${m.logins.count})`, String(m.logins.awsRequests), "0", "0", formatSeconds(m.logins.medianMs), `${m.logins.ok}/${m.logins.count} ok`],
                ],
                notes: [
                    "AWS requests: what moto received. account cmds: chpasswd (the lock holder), userdel, groupadd, pkill, visudo, ssh-keygen, chown... counted by PATH wrappers;",
                    "agent changes: the agent's own `run:` log lines (every command that changes the node, key files and homes included).",
                    "first apply: the account files planned as lines and written once each under shadow-utils' own lock (chpasswd -e holds passwd/shadow,",
                    "  the agent group/gshadow; scripts/node/agent/accountfiles.sh), key files staged and moved by one mv; before, one useradd per user,",
                    "  each rewriting and syncing every account file (18 fsyncs). The head node adds per user a home from /etc/skel (written by bash),",
                    "  an intra-cluster key pair (ssh-keygen) and chown, one worker per core.",
                    `one user blocked: ${m.oneChanged.agentRuns.join("; ")}`,
                    "aws-ec2-ssh (reference/accounts.md): at every login IAM ListSSHPublicKeys plus one GetSSHPublicKey per key, and sshd may ask twice (2 x (1 + keys));",
                    "  every sync (10 min) a ListUsers or GetGroup; useradd without a UID (UIDs differ between nodes); removal deletes the home.",
                    "OpsWorks agent (reference/opsworks.md): 0 calls per login (authorized_keys file); it polls the OpsWorks service, changes land within about a minute;",
                    "  UIDs 2000-4000 from the service; a removed user is deleted with its home. The service is switched off.",
                    `large fleet: ${formatCount(FLEET_NODES)} nodes at the default ${DEFAULT_INTERVAL_S} s interval = ${perSecond.toFixed(1)} S3 requests/s, ` +
                        `${formatCount(perMonth)} per 30-day month (about $${((perMonth / 1000) * GET_PRICE_PER_1000).toFixed(0)} at $${GET_PRICE_PER_1000} per 1,000 GETs, 304s included);`,
                    "  S3 serves at least 5,500 GETs/s per prefix, so one roster object carries it; logins add nothing.",
                ],
            },
        ],
        goals,
        raw: { ...m, fleet: { nodes: FLEET_NODES, intervalSeconds: DEFAULT_INTERVAL_S, requestsPerSecond: perSecond, requestsPerMonth: perMonth } },
    };
}

function cycleRow(label: string, cost: AgentMeasurement["noOp"]): string[] {
    return [label, String(cost.awsRequests), String(cost.accountCommands.length), String(cost.agentRuns.length), formatSeconds(cost.wallMs, 1), String(cost.exitStatus)];
}
