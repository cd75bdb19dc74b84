/**
 * A cluster as the node status sees it, in moto: the environment's bucket with a roster document, EC2
 * instances tagged as ParallelCluster tags its nodes, and status records as the node agent writes them
 * (docs/node-status.md). The SDK reaches moto through AWS_ENDPOINT_URL_S3, _EC2 and _SSM, as it would reach
 * any endpoint; the suite's before hook starts it, its after hook restores the environment and stops moto.
 */
import { CreateBucketCommand, PutObjectCommand, S3Client, type BucketLocationConstraint } from "@aws-sdk/client-s3";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { Moto } from "./moto";

export const CLUSTER_REGION = "eu-west-1";
export const CLUSTER_ACCOUNT = "123456789012";
/** The fixture roster's envelope (test/fixtures/roster-example.txt). */
export const FIXTURE_ENVIRONMENT = "hpc-dev";
export const FIXTURE_GENERATION = 7;
export const FIXTURE_AGENT = "e352d80b34edbff47ea56a571322f87b39aaf86cc72262d1d10bbc801d020b45";

export interface RecordFields {
    readonly generation: number | null;
    readonly agentSha256?: string | null;
    /** Milliseconds since the epoch. */
    readonly reportedAt: number;
    readonly lastFailure?: { readonly at: number; readonly kind: "fetch" | "refused" | "upgrade" | "apply"; readonly reason: string } | null;
    readonly nodeType?: string;
    readonly environment?: string;
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/** The record body the agent writes (h24n's schema in docs/node-status.md). */
export function recordBody(instanceId: string, fields: RecordFields): string {
    return JSON.stringify({
        format: 1,
        instanceId,
        environment: fields.environment ?? FIXTURE_ENVIRONMENT,
        cluster: FIXTURE_ENVIRONMENT,
        nodeType: fields.nodeType ?? "ComputeFleet",
        generation: fields.generation,
        agentSha256: fields.agentSha256 === undefined ? FIXTURE_AGENT : fields.agentSha256,
        appliedAt: fields.generation === null ? null : iso(fields.reportedAt),
        reportedAt: iso(fields.reportedAt),
        lastFailure: fields.lastFailure ? { at: iso(fields.lastFailure.at), kind: fields.lastFailure.kind, reason: fields.lastFailure.reason } : null,
    });
}

export function statusKey(instanceId: string): string {
    return `status/arn:aws:ec2:${CLUSTER_REGION}:${CLUSTER_ACCOUNT}:instance/${instanceId}.json`;
}

export class MotoCluster {
    private constructor(
        readonly moto: Moto,
        readonly s3: S3Client,
        readonly bucket: string,
        private readonly saved: NodeJS.ProcessEnv,
    ) {}

    static async start(bucket: string): Promise<MotoCluster> {
        const moto = await Moto.start(CLUSTER_REGION);
        const saved = { ...process.env };
        Object.assign(process.env, {
            AWS_ENDPOINT_URL_S3: moto.url,
            AWS_ENDPOINT_URL_EC2: moto.url,
            AWS_ENDPOINT_URL_SSM: moto.url,
            AWS_ACCESS_KEY_ID: "testing",
            AWS_SECRET_ACCESS_KEY: "testing",
        });
        const s3 = new S3Client({ region: CLUSTER_REGION });
        await s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: CLUSTER_REGION as BucketLocationConstraint } }));
        const cluster = new MotoCluster(moto, s3, bucket, saved);
        await cluster.putRoster(readFileSync(path.join(__dirname, "..", "fixtures", "roster-example.txt"), "utf8"));
        return cluster;
    }

    async putRoster(text: string): Promise<void> {
        await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: "roster.txt", Body: text }));
    }

    /** The fixture roster with another generation line. */
    async putGeneration(generation: number): Promise<void> {
        const text = readFileSync(path.join(__dirname, "..", "fixtures", "roster-example.txt"), "utf8");
        await this.putRoster(text.replace(/^generation \d+$/m, `generation ${generation}`));
    }

    /** Launches `count` instances tagged as ParallelCluster tags a node of `cluster`; returns their ids. */
    async launch(count: number, nodeType: string, cluster: string = FIXTURE_ENVIRONMENT): Promise<string[]> {
        const image = (await this.moto.ec2(["describe-images", "--owners", "amazon", "--query", "Images[0].ImageId"])).trim();
        const tags = `ResourceType=instance,Tags=[{Key=parallelcluster:cluster-name,Value=${cluster}},{Key=parallelcluster:node-type,Value=${nodeType}}]`;
        const ids = await this.moto.ec2([
            "run-instances", "--image-id", image, "--instance-type", "t3.micro", "--count", String(count), "--tag-specifications", tags,
            "--query", "Instances[].InstanceId",
        ]);
        return ids.trim().split(/\s+/);
    }

    async stop(ids: string[]): Promise<void> {
        await this.moto.ec2(["stop-instances", "--instance-ids", ...ids]);
    }

    async terminate(ids: string[]): Promise<void> {
        await this.moto.terminate(ids);
    }

    async putRecord(instanceId: string, fields: RecordFields, key: string = statusKey(instanceId)): Promise<void> {
        await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: recordBody(instanceId, fields), ContentType: "application/json" }));
    }

    async close(): Promise<void> {
        process.env = this.saved;
        await this.moto.close();
    }
}

/** A MotoCluster for one suite: started in its before hook, stopped in its after hook. */
export function useMotoCluster(bucket: string): () => MotoCluster {
    let started: MotoCluster | undefined;
    before(async function () {
        this.timeout(120_000);
        started = await MotoCluster.start(bucket);
    });
    after(async () => {
        await started?.close();
    });
    return () => {
        if (started === undefined) throw new Error("moto is not started: useMotoCluster starts it in the suite's before hook");
        return started;
    };
}
