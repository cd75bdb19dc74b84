/**
 * Measures the node agent on a compute node and a head node (namespaces sharing /home, real accounts and
 * sshd, the roster in moto's S3 fetched by the real AWS CLI) for N users: the first apply on each, then on
 * the head node a no-op cycle, one user changed among N, and logins. AWS requests are moto's recorded requests; account commands are the PATH wrappers'
 * log (support/cluster.ts), and the agent's own "run:" lines (every command that changes the node,
 * key-file renames included). Used by its spec and by the benchmark's agent row.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { Cluster, ENVIRONMENT } from "./support/cluster";
import { makeKeyPair, Node, ssh } from "./support/node";
import { Roster, RosterUser } from "./support/roster";

/** One cycle's cost. */
export interface CycleCost {
    readonly exitStatus: number;
    readonly wallMs: number;
    /** Requests moto received during the cycle. */
    readonly awsRequests: number;
    /** Account tools run (PATH wrappers). */
    readonly accountCommands: string[];
    /** Every change the agent logged as `run: ...`. */
    readonly agentRuns: string[];
    /** Lines of the node's passwd, shadow, group and gshadow that the cycle added or changed, as "FILE: LINE". */
    readonly changedAccountLines: string[];
}

export interface AgentMeasurement {
    readonly users: number;
    readonly groups: number;
    /** The first apply on a compute node (accounts and key files; no homes), which every scale-up pays. */
    readonly computeFirstApply: CycleCost;
    /** The first apply on the head node (also the homes, with their intra-cluster key pairs). */
    readonly firstApply: CycleCost;
    readonly noOp: CycleCost;
    /** One user (without sudo) blocked among N. */
    readonly oneChanged: CycleCost & { readonly user: string };
    readonly logins: { readonly count: number; readonly awsRequests: number; readonly medianMs: number; readonly ok: number };
}

const userName = (i: number): string => `user${String(i).padStart(5, "0")}`;

/** Runs the four measurements on a fresh cluster with `users` users in `groups` project groups. */
export async function measureAgent(users: number, groups = 10, logins = 5): Promise<AgentMeasurement> {
    const cluster = await Cluster.start();
    try {
        // One real key pair shared by every user: the agent's work does not depend on the key bytes, and
        // a thousand ssh-keygen runs would only slow the setup.
        const key = await makeKeyPair(cluster.dir, "shared");
        const rosterUsers: RosterUser[] = Array.from({ length: users }, (_, i) => ({ name: userName(i), uid: 10000 + i, sudo: i % 50 === 0, keys: [key] }));
        const members = (g: number): string[] => rosterUsers.filter((_, i) => i % groups === g).map((u) => u.name);
        const roster = (generation: number, changed: RosterUser[] = []): Roster => ({
            environment: ENVIRONMENT,
            generation,
            groups: Array.from({ length: groups }, (_, g) => ({ name: `proj${g}`, gid: 50000 + g, members: members(g) })),
            users: rosterUsers.map((u) => changed.find((c) => c.name === u.name) ?? u),
        });
        const compute = await cluster.addNode("ComputeFleet");
        const head = await cluster.addNode("HeadNode");

        await cluster.publish(roster(1));
        const computeFirstApply = await cycle(cluster, compute);
        const firstApply = await cycle(cluster, head);
        const noOp = await cycle(cluster, head);
        // A user without sudo, so the change is that user's alone (a sudo user's would rewrite the shared sudoers file).
        const changed = Math.floor(users / 2) + 1;
        const changedUser = userName(changed);
        await cluster.publish(roster(2, [{ ...rosterUsers[changed], state: "blocked", keys: [] }]));
        const oneChanged = { ...(await cycle(cluster, head)), user: changedUser };

        await head.startSshd();
        await cluster.moto.startRecording();
        const times: number[] = [];
        let ok = 0;
        for (let i = 0; i < logins; i++) {
            const result = await ssh(head, userName(i + 1), key, "id -u");
            times.push(result.wallMs);
            if (result.status === 0 && result.stdout === `${10001 + i}\n`) ok++;
        }
        const loginRequests = (await cluster.moto.recordedRequests()).length;
        times.sort((a, b) => a - b);
        return {
            users,
            groups,
            computeFirstApply,
            firstApply,
            noOp,
            oneChanged,
            logins: { count: logins, awsRequests: loginRequests, medianMs: times[Math.floor(times.length / 2)], ok },
        };
    } finally {
        await cluster.close();
    }
}

async function cycle(cluster: Cluster, node: Node): Promise<CycleCost> {
    const logFile = path.join(node.dir, "var/log/pcluster-access-roster.log");
    const logBefore = readLog(logFile).length;
    cluster.takeCommands();
    const accountsBefore = accountLines(node);
    await cluster.moto.startRecording();
    const result = await cluster.sync(node);
    const requests = await cluster.moto.recordedRequests();
    const agentRuns = readLog(logFile).slice(logBefore).map((line) => /^\S+ roster-agent: run: (.*)$/.exec(line)?.[1]).filter((x): x is string => x !== undefined);
    const before = new Set(accountsBefore);
    const changedAccountLines = accountLines(node).filter((line) => !before.has(line));
    return { exitStatus: result.status, wallMs: result.wallMs, awsRequests: requests.length, accountCommands: cluster.takeCommands(), agentRuns, changedAccountLines };
}

function accountLines(node: Node): string[] {
    return ["passwd", "shadow", "group", "gshadow"].flatMap((file) => readFileSync(node.etc(file), "utf8").split("\n").filter((l) => l !== "").map((l) => `${file}: ${l}`));
}

function readLog(file: string): string[] {
    try {
        return readFileSync(file, "utf8").split("\n").filter((l) => l !== "");
    } catch {
        return [];
    }
}
