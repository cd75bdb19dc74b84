/**
 * Reads what the status needs from AWS: the roster's envelope (generation and agent), every node's status
 * record, and the cluster's EC2 instances by ParallelCluster's tags. Each function imports its SDK client
 * itself (STYLE.md: the wait runs inside a dynamic provider) and builds the client per call from its inputs;
 * endpoints come from the SDK's own settings (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_EC2), as anywhere.
 */
import { STATUS_PREFIX, statusRecordParser, type StatusRecord } from "./record";
import { assessFleet, type ClusterInstance, type FleetReport } from "./fleet";

/**
 * ParallelCluster's tags on every instance it launches (aws/aws-parallelcluster, cli/src/pcluster/constants.py:
 * CLUSTER_NAME_TAG, NODE_TYPE_TAG; values HeadNode, Compute, LoginNode).
 */
export const CLUSTER_NAME_TAG = "parallelcluster:cluster-name";
export const NODE_TYPE_TAG = "parallelcluster:node-type";

export interface Where {
    readonly region: string;
    /** SDK attempts per call. Default 3. */
    readonly maxAttempts?: number;
}

/** The roster's envelope: what every node should have applied and run. */
export interface RosterHead {
    readonly environment: string;
    readonly generation: number;
    readonly agentSha256: string;
}

/** Reads lines 2 to 4 of the roster document at s3://bucket/key (FORMAT.md: the envelope keeps its place in every format). */
export async function readRosterHead(where: Where & { readonly bucket: string; readonly key: string }): Promise<RosterHead> {
    const { S3Client, GetObjectCommand } = await import("@aws-sdk/client-s3");
    const client = new S3Client({ region: where.region, maxAttempts: where.maxAttempts ?? 3 });
    const object = await client.send(new GetObjectCommand({ Bucket: where.bucket, Key: where.key }));
    const text = (await object.Body?.transformToString()) ?? "";
    const [, environment, generation, agent] = text.split("\n");
    const match = {
        environment: /^environment (\S+)$/.exec(environment ?? "")?.[1],
        generation: /^generation ([1-9]\d*)$/.exec(generation ?? "")?.[1],
        agent: /^agent ([0-9a-f]{64})$/.exec(agent ?? "")?.[1],
    };
    if (match.environment === undefined || match.generation === undefined || match.agent === undefined) {
        throw new Error(`s3://${where.bucket}/${where.key} is not a roster document (no environment, generation and agent lines at lines 2 to 4)`);
    }
    return { environment: match.environment, generation: Number(match.generation), agentSha256: match.agent };
}

/** A record read earlier, by key, with the ETag it had: an unchanged object is not read again. */
export type RecordCache = Map<string, { readonly etag: string; readonly record?: StatusRecord; readonly problem?: string }>;

/**
 * Every status record of the environment: one LIST page per 1,000 nodes, and a GET only for objects whose
 * ETag changed since `cache` saw them (the wait polls; most records do not change between two polls).
 */
export async function readStatusRecords(
    where: Where & { readonly bucket: string; readonly environment: string },
    cache: RecordCache = new Map(),
): Promise<{ records: StatusRecord[]; ignored: string[] }> {
    const { S3Client, ListObjectsV2Command, GetObjectCommand } = await import("@aws-sdk/client-s3");
    const client = new S3Client({ region: where.region, maxAttempts: where.maxAttempts ?? 3 });
    const parse = await statusRecordParser(where.environment);
    const seen = new Set<string>();
    let token: string | undefined;
    do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: where.bucket, Prefix: STATUS_PREFIX, ContinuationToken: token }));
        for (const object of page.Contents ?? []) {
            const key = object.Key ?? "";
            const etag = object.ETag ?? "";
            seen.add(key);
            if (cache.get(key)?.etag === etag) {
                continue;
            }
            const body = await client.send(new GetObjectCommand({ Bucket: where.bucket, Key: key }));
            const parsed = parse(key, (await body.Body?.transformToString()) ?? "");
            cache.set(key, parsed.ok ? { etag, record: parsed.record } : { etag, problem: parsed.problem });
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    for (const key of [...cache.keys()]) {
        if (!seen.has(key)) cache.delete(key);
    }
    const entries = [...cache.values()];
    return {
        records: entries.flatMap((entry) => (entry.record === undefined ? [] : [entry.record])),
        ignored: entries.flatMap((entry) => (entry.problem === undefined ? [] : [entry.problem])),
    };
}

/** Every instance EC2 lists with the cluster's name tag, whatever its state, with its node-type tag. */
export async function listClusterInstances(where: Where & { readonly cluster: string }): Promise<ClusterInstance[]> {
    const { EC2Client, DescribeInstancesCommand } = await import("@aws-sdk/client-ec2");
    const client = new EC2Client({ region: where.region, maxAttempts: where.maxAttempts ?? 3 });
    const instances: ClusterInstance[] = [];
    let token: string | undefined;
    do {
        const page = await client.send(
            new DescribeInstancesCommand({ Filters: [{ Name: `tag:${CLUSTER_NAME_TAG}`, Values: [where.cluster] }], MaxResults: 1000, NextToken: token }),
        );
        for (const instance of (page.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? [])) {
            const nodeType = instance.Tags?.find((tag) => tag.Key === NODE_TYPE_TAG)?.Value;
            instances.push({ instanceId: instance.InstanceId ?? "", state: instance.State?.Name ?? "unknown", ...(nodeType === undefined ? {} : { nodeType }) });
        }
        token = page.NextToken;
    } while (token !== undefined && token !== "");
    return instances;
}

export interface NodeStatusArgs extends Where {
    readonly bucket: string;
    /** The roster's key in the bucket (roster.txt). */
    readonly rosterKey: string;
    /** The cluster's name: ParallelCluster's `parallelcluster:cluster-name` tag. */
    readonly cluster: string;
    readonly syncIntervalSeconds: number;
    /** Milliseconds since the epoch. Default: the clock. */
    readonly now?: number;
    /** What the nodes should report; undefined: read from the roster document's envelope (one GET). */
    readonly expected?: RosterHead;
}

/** The whole status: the roster's envelope, the instances and the records, joined (fleet.ts). */
export async function readNodeStatus(args: NodeStatusArgs, cache?: RecordCache): Promise<FleetReport & { readonly environment: string }> {
    const head = args.expected ?? (await readRosterHead({ ...args, key: args.rosterKey }));
    const [instances, { records, ignored }] = await Promise.all([
        listClusterInstances(args),
        readStatusRecords({ ...args, environment: head.environment }, cache),
    ]);
    const report = assessFleet({ instances, records, ignored, expected: { generation: head.generation, agentSha256: head.agentSha256 }, now: args.now ?? Date.now(), syncIntervalSeconds: args.syncIntervalSeconds });
    return { ...report, environment: head.environment };
}
