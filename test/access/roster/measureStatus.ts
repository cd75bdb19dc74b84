/**
 * Counts the S3 and EC2 requests of the node status reader (components/access/roster/nodeStatus) against moto
 * with N nodes: a fresh read (what `npm run status` and a wait's first poll do), and a second poll with the
 * reader's ETag cache after a few records changed. Used by its spec and the bench's status row.
 */
import { readNodeStatus, type RecordCache } from "../../../components/access/roster/nodeStatus";
import { CLUSTER_REGION, FIXTURE_ENVIRONMENT, MotoCluster } from "../../support/motoCluster";

export interface RequestCounts {
    readonly list: number;
    readonly get: number;
    readonly put: number;
    readonly ec2: number;
    readonly other: number;
}

export interface StatusRequests {
    readonly nodes: number;
    readonly fresh: RequestCounts;
    readonly changed: number;
    readonly cached: RequestCounts;
    readonly behindAfter: number;
}

function classify(requests: readonly string[], bucket: string): RequestCounts {
    const count = { list: 0, get: 0, put: 0, ec2: 0, other: 0 };
    for (const request of requests) {
        // Path style (a loopback endpoint): the bucket, then `/?list-type=2...` for a LIST.
        if (request.startsWith(`GET /${bucket}`) && request.includes("list-type=2")) count.list += 1;
        else if (request.startsWith(`GET /${bucket}/`)) count.get += 1;
        else if (request.startsWith(`PUT /${bucket}/`)) count.put += 1;
        else if (request.startsWith("POST /")) count.ec2 += 1;
        else count.other += 1;
    }
    return count;
}

export async function measureStatusRequests(nodes: number, changed = 5): Promise<StatusRequests> {
    const bucket = "pca-status-measure";
    const cluster = await MotoCluster.start(bucket);
    try {
        const ids = await cluster.launch(nodes, "Compute");
        const now = Date.now();
        await Promise.all(ids.map((id) => cluster.putRecord(id, { generation: 6, reportedAt: now })));
        const args = { region: CLUSTER_REGION, bucket, rosterKey: "roster.txt", cluster: FIXTURE_ENVIRONMENT, syncIntervalSeconds: 60 };
        const cache: RecordCache = new Map();
        await cluster.moto.startRecording();
        await readNodeStatus(args, cache);
        const fresh = classify(await cluster.moto.recordedRequests(), bucket);
        await Promise.all(ids.slice(0, changed).map((id) => cluster.putRecord(id, { generation: 7, reportedAt: now })));
        await cluster.moto.startRecording();
        const second = await readNodeStatus({ ...args, expected: { environment: FIXTURE_ENVIRONMENT, generation: 7, agentSha256: "0".repeat(64) } }, cache);
        const cached = classify(await cluster.moto.recordedRequests(), bucket);
        return { nodes, fresh, changed, cached, behindAfter: second.behind.length };
    } finally {
        await cluster.close();
    }
}
