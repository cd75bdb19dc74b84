/**
 * Revoke latency with the real agent: a head node and a compute node (namespaces sharing /home, real
 * accounts and sshd, the roster in moto's S3 fetched by the real AWS CLI) apply a roster with N users;
 * then one user is revoked, and every node syncs at once, as the nudge (SSM Run Command) makes them. The
 * figure is from the start of the roster write to the last node's sync ending, and the user's login is
 * then refused. What it does not include: SSM's delivery of the command to each node (not measurable
 * offline), and, without the nudge, the wait for the node's next cron tick (up to one interval).
 */
import { performance } from "node:perf_hooks";
import { Cluster, ENVIRONMENT } from "./support/cluster";
import { makeKeyPair, ssh } from "./support/node";
import type { Roster, RosterUser } from "./support/roster";

export interface RevokeMeasurement {
    readonly users: number;
    readonly nodes: number;
    /** From the start of the PutObject of the revoking roster to the end of the last node's sync. */
    readonly writeToAppliedMs: number;
    /** The PutObject alone. */
    readonly writeMs: number;
    /** Each node's sync, in node order (head node, compute node). */
    readonly syncMs: readonly number[];
    readonly syncExit: readonly number[];
    /** The user logged in before the revoke, and was refused after it. */
    readonly loginBefore: boolean;
    readonly refusedAfter: boolean;
    /**
     * A second revoke, each node syncing alone (one after the other): what each takes on a CPU of its own, as
     * every node of a real cluster has; the first revoke's syncs share this machine's cores.
     */
    readonly aloneSyncMs: readonly number[];
    readonly aloneExit: readonly number[];
}

export async function measureRevoke(users: number): Promise<RevokeMeasurement> {
    const cluster = await Cluster.start();
    try {
        const key = await makeKeyPair(cluster.dir, "shared");
        const rosterUsers: RosterUser[] = Array.from({ length: users }, (_, i) => ({ name: `user${String(i).padStart(5, "0")}`, uid: 10000 + i, keys: [key] }));
        const victim = rosterUsers[Math.floor(users / 2)];
        const roster = (generation: number, revoked?: string): Roster => ({
            environment: ENVIRONMENT,
            generation,
            groups: [],
            users: rosterUsers.map((user) => (user.name === revoked ? { ...user, state: "revoked", keys: [] } : user)),
        });
        const head = await cluster.addNode("HeadNode");
        const compute = await cluster.addNode("ComputeFleet");
        await cluster.publish(roster(1));
        await cluster.syncOk(head);
        await cluster.syncOk(compute);
        await head.startSshd();
        const before = await ssh(head, victim.name, key, "true");

        const started = performance.now();
        await cluster.publish(roster(2, victim.name));
        const written = performance.now();
        const syncs = await Promise.all([head, compute].map((node) => cluster.sync(node)));
        const applied = performance.now();
        await head.waitForSshd();
        const after = await ssh(head, victim.name, key, "true");

        const second = rosterUsers[Math.floor(users / 2) + 1];
        await cluster.publish({ ...roster(3, victim.name), users: roster(3, victim.name).users.map((user) => (user.name === second.name ? { ...user, state: "revoked", keys: [] } : user)) });
        const alone: { wallMs: number; status: number }[] = [];
        for (const node of [head, compute]) alone.push(await cluster.sync(node));
        return {
            users,
            nodes: 2,
            writeToAppliedMs: applied - started,
            writeMs: written - started,
            syncMs: syncs.map((sync) => sync.wallMs),
            syncExit: syncs.map((sync) => sync.status),
            loginBefore: before.status === 0,
            refusedAfter: after.status !== 0,
            aloneSyncMs: alone.map((sync) => sync.wallMs),
            aloneExit: alone.map((sync) => sync.status),
        };
    } finally {
        await cluster.close();
    }
}
