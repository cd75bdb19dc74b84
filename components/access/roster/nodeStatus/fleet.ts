/**
 * Joins the cluster's instances (EC2, by ParallelCluster's tags) with the nodes' status records and the
 * roster the program wrote, and says which nodes are behind, silent or running another agent. Pure: the
 * status command and `pulumi up`'s wait both read the cloud (read.ts) and hand the answers here.
 */
import { failureText, type StatusRecord } from "./record";

/** One EC2 instance of the cluster. */
export interface ClusterInstance {
    readonly instanceId: string;
    /** EC2's state name: pending, running, stopping, stopped, shutting-down, terminated. */
    readonly state: string;
    /** ParallelCluster's `parallelcluster:node-type` tag (HeadNode, Compute, LoginNode), when tagged. */
    readonly nodeType?: string;
}

/** What every node should run: the roster's generation and agent line. */
export interface Expected {
    readonly generation: number;
    readonly agentSha256: string;
}

export type NodeFlag = "behind" | "never reported" | "silent" | "other agent" | "failing";

export interface NodeRow {
    readonly instanceId: string;
    readonly nodeType: string;
    /** EC2's state, or `gone` for a record whose instance EC2 no longer lists. */
    readonly state: string;
    readonly generation: number | null;
    readonly agentSha256: string | null;
    /** The record's reportedAt (ISO), null: never reported. */
    readonly lastSeen: string | null;
    /** `<kind>: <reason>` of the latest sync's failure, null: none. */
    readonly lastFailure: string | null;
    readonly flags: readonly NodeFlag[];
}

export interface FleetReport {
    readonly expected: Expected;
    /** Every instance of the cluster, then records of instances EC2 no longer lists; sorted by instance id. */
    readonly rows: readonly NodeRow[];
    /** Running (or pending) instances: the nodes that must apply the roster. */
    readonly live: number;
    /** Live nodes that report the expected generation or a later one. */
    readonly onGeneration: number;
    /** Live nodes not (yet) on the expected generation, never reported ones included. */
    readonly behind: readonly NodeRow[];
    /** Records ignored (wrong key, wrong environment, not a record), one line each. */
    readonly ignored: readonly string[];
}

/** Running or about to: the nodes that must apply the roster. (A function, not a module-level Set: the wait's provider is serialized, and Pulumi's closure serializer does not carry a Set's contents.) */
function isLive(state: string): boolean {
    return state === "pending" || state === "running";
}

/** A record older than this says nothing about the node any more: the agent writes at least hourly. */
export function silentAfterSeconds(syncIntervalSeconds: number): number {
    return 3600 + Math.max(300, 2 * syncIntervalSeconds);
}

export interface AssessArgs {
    readonly instances: readonly ClusterInstance[];
    readonly records: readonly StatusRecord[];
    readonly ignored?: readonly string[];
    readonly expected: Expected;
    /** Milliseconds since the epoch. */
    readonly now: number;
    readonly syncIntervalSeconds: number;
}

export function assessFleet(args: AssessArgs): FleetReport {
    const byId = new Map(args.records.map((record) => [record.instanceId, record]));
    const silentMs = silentAfterSeconds(args.syncIntervalSeconds) * 1000;
    const row = (instanceId: string, state: string, nodeType: string | undefined): NodeRow => {
        const record = byId.get(instanceId);
        const live = isLive(state);
        const flags: NodeFlag[] = [];
        if (live && (record?.generation ?? 0) < args.expected.generation) {
            flags.push("behind");
        }
        if (record === undefined) {
            if (live) flags.push("never reported");
        } else {
            if (live && args.now - Date.parse(record.reportedAt) > silentMs) flags.push("silent");
            if (record.agentSha256 !== null && record.agentSha256 !== args.expected.agentSha256) flags.push("other agent");
            if (record.lastFailure !== null) flags.push("failing");
        }
        return {
            instanceId,
            nodeType: nodeType ?? record?.nodeType ?? "?",
            state,
            generation: record?.generation ?? null,
            agentSha256: record?.agentSha256 ?? null,
            lastSeen: record?.reportedAt ?? null,
            lastFailure: record === undefined ? null : failureText(record.lastFailure),
            flags,
        };
    };
    const listed = new Set(args.instances.map((instance) => instance.instanceId));
    const rows = [
        ...args.instances.map((instance) => row(instance.instanceId, instance.state, instance.nodeType)),
        ...args.records.filter((record) => !listed.has(record.instanceId)).map((record) => row(record.instanceId, "gone", undefined)),
    ].sort((a, b) => a.instanceId.localeCompare(b.instanceId));
    const liveRows = rows.filter((r) => isLive(r.state));
    const behind = liveRows.filter((r) => r.flags.includes("behind"));
    return { expected: args.expected, rows, live: liveRows.length, onGeneration: liveRows.length - behind.length, behind, ignored: [...(args.ignored ?? [])] };
}

/** `37/40 nodes on generation 12`. */
export function progressLine(report: FleetReport): string {
    return `${report.onGeneration}/${report.live} nodes on generation ${report.expected.generation}`;
}

/** How long ago `iso` was, in the largest whole unit: `12 s`, `5 min`, `3 h`, `2 d`. */
export function ago(iso: string, now: number): string {
    const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
    if (seconds < 120) return `${seconds} s`;
    if (seconds < 7200) return `${Math.floor(seconds / 60)} min`;
    if (seconds < 172800) return `${Math.floor(seconds / 3600)} h`;
    return `${Math.floor(seconds / 86400)} d`;
}

/** One line per straggler: `i-0abc: last seen 3 h ago, generation 10: refused: signature`, or `i-0def: never reported`. */
export function stragglerLine(row: NodeRow, now: number): string {
    if (row.lastSeen === null) {
        return `${row.instanceId} (${row.nodeType}): never reported`;
    }
    const generation = row.generation === null ? "no generation applied" : `generation ${row.generation}`;
    return `${row.instanceId} (${row.nodeType}): last seen ${ago(row.lastSeen, now)} ago, ${generation}${row.lastFailure === null ? "" : `: ${row.lastFailure}`}`;
}
