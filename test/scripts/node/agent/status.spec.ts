/**
 * Every node reports (issue 24 §1, docs/node-status.md): after a sync that changes something or fails, and hourly
 * otherwise, the agent writes its status record with the real AWS CLI to moto's S3, at the key the node role may
 * write (`status/<instance ARN>.json`, the ARN built from IMDS). Three nodes with real sshd in namespaces, each with
 * its own instance metadata (moto's EC2 instances): one that applies every generation, one that refuses a forged
 * document, and one that is stopped; their records say so.
 */
import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { OTHER_SIGNING_KEY_FILE } from "../../../support/rosterSigning";
import { BUCKET, Cluster, ENVIRONMENT, REGION, type NodeType } from "./support/cluster";
import { FakeImds } from "./support/imds";
import { KeyPair, makeKeyPair, Node, ssh } from "./support/node";
import { renderRoster, Roster, TEST_AGENT_SHA256 } from "./support/roster";

const ACCOUNT = "123456789012";
const CLUSTER_NAME = "hpc-dev-cluster";
const STATUS_URL = `s3://${BUCKET}/status/`;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const BAD_SIGNATURE = "the signature does not verify with this node's key (forged, signed with another key, or truncated)";

interface Reporter {
    readonly node: Node;
    readonly imds: FakeImds;
    readonly instanceId: string;
}

describe("roster-agent.sh status records", function () {
    this.timeout(180_000);
    let cluster: Cluster;
    let s3: S3Client;
    let head: Reporter;
    let compute: Reporter;
    let stopped: Reporter;
    let alice: KeyPair;
    let bob: KeyPair;
    const imdses: FakeImds[] = [];

    const roster = (generation: number, bobState: "allowed" | "revoked" = "allowed"): Roster => ({
        environment: ENVIRONMENT, generation,
        users: [{ name: "alice", uid: 2001, keys: [alice] }, { name: "bob", uid: 2002, state: bobState, keys: bobState === "allowed" ? [bob] : [] }],
    });

    async function reporter(type: NodeType, instanceId: string): Promise<Reporter> {
        const imds = await FakeImds.start(["127.0.0.2/32"]);
        imds.identity = { instanceId, accountId: ACCOUNT, region: REGION };
        imdses.push(imds);
        const node = await cluster.addNode(type, { PCA_CLUSTER: CLUSTER_NAME });
        return { node, imds, instanceId };
    }

    /** One sync of `r` with status records on, its own IMDS, and (optionally) the agent's clock. */
    const sync = (r: Reporter, extra: NodeJS.ProcessEnv = {}) =>
        cluster.sync(r.node, { PCA_STATUS_URL: STATUS_URL, PCA_IMDS_URL: r.imds.url, ...extra });

    const keyOf = (r: Reporter): string => `status/arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${r.instanceId}.json`;

    /** Every status object: key to parsed record. */
    async function records(): Promise<Record<string, Record<string, unknown>>> {
        const listing = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "status/" }));
        const out: Record<string, Record<string, unknown>> = {};
        for (const object of listing.Contents ?? []) {
            const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: object.Key }));
            assert.equal(got.ContentType, "application/json");
            out[object.Key!] = JSON.parse(await got.Body!.transformToString()) as Record<string, unknown>;
        }
        return out;
    }

    /** The record's fields other than its times, and the times checked for form. */
    function stable(record: Record<string, unknown>): Record<string, unknown> {
        assert.match(String(record.reportedAt), ISO);
        if (record.appliedAt !== null) assert.match(String(record.appliedAt), ISO);
        const rest = Object.fromEntries(Object.entries(record).filter(([field]) => field !== "reportedAt" && field !== "appliedAt"));
        const failure = rest.lastFailure as { at: string } | null;
        if (failure) assert.match(failure.at, ISO);
        return { ...rest, lastFailure: failure && { ...failure, at: "<at>" } };
    }

    const expected = (r: Reporter, type: NodeType, generation: number | null, lastFailure: unknown = null) => ({
        format: 1, instanceId: r.instanceId, environment: ENVIRONMENT, cluster: CLUSTER_NAME, nodeType: type,
        generation, agentSha256: TEST_AGENT_SHA256, lastFailure,
    });

    /** The S3 requests one step makes, without query strings. */
    async function requestsOf(step: () => Promise<unknown>): Promise<string[]> {
        await cluster.moto.startRecording();
        await step();
        return (await cluster.moto.recordedRequests()).map((r) => r.replace(/\?.*$/, ""));
    }

    before(async () => {
        cluster = await Cluster.start();
        s3 = new S3Client({ region: REGION, endpoint: cluster.moto.url, forcePathStyle: true, credentials: { accessKeyId: "testing", secretAccessKey: "testing" } });
        [alice, bob] = [await makeKeyPair(cluster.dir, "alice"), await makeKeyPair(cluster.dir, "bob")];
        // moto's EC2 gives the instance ids, as a real cluster's would.
        const [headId, computeId, stoppedId] = await cluster.moto.launch(3);
        head = await reporter("HeadNode", headId);
        compute = await reporter("ComputeFleet", computeId);
        stopped = await reporter("ComputeFleet", stoppedId);
        await cluster.publish(roster(1));
    });
    after(async () => {
        s3?.destroy();
        await cluster?.close();
        for (const imds of imdses) await imds.close();
    });

    it("each node writes its own record after applying a generation, at status/<its instance ARN>.json", async () => {
        for (const r of [head, compute, stopped]) {
            const result = await sync(r);
            assert.equal(result.status, 0, result.stderr);
            assert.match(result.stderr, /roster-agent: status reported: generation 1\n$/);
        }
        const all = await records();
        assert.deepEqual(Object.keys(all).sort(), [head, compute, stopped].map(keyOf).sort());
        assert.deepEqual(stable(all[keyOf(head)]), expected(head, "HeadNode", 1));
        assert.deepEqual(stable(all[keyOf(compute)]), expected(compute, "ComputeFleet", 1));
        assert.deepEqual(stable(all[keyOf(stopped)]), expected(stopped, "ComputeFleet", 1));
        // What the record needed from IMDS, after the key rule's reads: a token, the partition and the identity document.
        assert.deepEqual(head.imds.requests.slice(-3),
            ["PUT /latest/api/token", "GET /latest/meta-data/services/partition", "GET /latest/dynamic/instance-identity/document"]);
    });

    it("an unchanged cycle writes nothing; an hour later the same record is written again (the heartbeat)", async () => {
        assert.deepEqual(await requestsOf(() => sync(head)), [`GET /${BUCKET}/roster/hpc-dev.txt`]);
        const before = (await records())[keyOf(head)];
        const hourLater = String(Math.floor(Date.now() / 1000) + 3600);
        assert.deepEqual(await requestsOf(() => sync(head, { PCA_NOW: hourLater })),
            [`GET /${BUCKET}/roster/hpc-dev.txt`, `PUT /${BUCKET}/${keyOf(head)}`]);
        const after = (await records())[keyOf(head)];
        assert.equal(after.reportedAt, new Date(Number(hourLater) * 1000).toISOString().replace(/\.000Z$/, "Z"));
        assert.deepEqual(stable(after), stable(before));
        assert.equal(after.appliedAt, before.appliedAt);
    });

    it("a stopped node, a node that applies the revoke, and a node that refuses a forged one each show as they are", async () => {
        // The third node stops: its agent runs no more.
        await stopped.node.stop();
        await cluster.moto.ec2(["stop-instances", "--instance-ids", stopped.instanceId]);

        // Generation 2 revokes bob; the head node applies it.
        await cluster.publish(roster(2, "revoked"));
        assert.equal((await sync(head)).status, 0);
        await head.node.startSshd();
        assert.equal((await ssh(head.node, "bob", bob, "true")).status, 255);

        // Before the compute node syncs, an attacker who can write the bucket puts a document of their own there.
        await cluster.publish(renderRoster({ ...roster(3), users: [...roster(3).users, { name: "mallory", uid: 2666, sudo: true, keys: [bob] }] }, 2, OTHER_SIGNING_KEY_FILE));
        const refused = await sync(compute);
        assert.equal(refused.status, 1);
        assert.match(refused.stderr, /roster-agent: status reported: generation 1, failing: refused: the signature does not verify/);

        const all = await records();
        assert.deepEqual(stable(all[keyOf(head)]), expected(head, "HeadNode", 2));
        assert.deepEqual(stable(all[keyOf(compute)]), expected(compute, "ComputeFleet", 1, { at: "<at>", kind: "refused", reason: BAD_SIGNATURE }));
        // The stopped node's record is the one it last wrote, generation 1, older than the others'.
        assert.deepEqual(stable(all[keyOf(stopped)]), expected(stopped, "ComputeFleet", 1));
        assert.ok(String(all[keyOf(stopped)].reportedAt) <= String(all[keyOf(compute)].reportedAt));
        // EC2 has it stopped: the reader joins that state with the record (the status command).
        const state = await cluster.moto.ec2(["describe-instances", "--instance-ids", stopped.instanceId, "--query", "Reservations[0].Instances[0].State.Name"]);
        assert.equal(state.trim(), "stopped");
    });

    it("the login audit trail: the fingerprint sshd logs for a login is the one the head node logged for that user's key", async () => {
        // sshd's line for alice's login (started above), as /var/log/secure would hold it.
        assert.equal((await ssh(head.node, "alice", alice, "true")).status, 0);
        const accepted = /Accepted publickey for alice from 127\.0\.0\.1 port \d+ ssh2: ED25519 (SHA256:\S+)/.exec(head.node.sshdLog);
        assert.ok(accepted, head.node.sshdLog);
        // The agent's table for generation 2 (bob revoked: alice's key only), in its log.
        const log = readFileSync(path.join(head.node.dir, "var/log/pcluster-access-roster.log"), "utf8");
        const table = [...log.matchAll(/ roster-agent: key (SHA256:\S+) user (\S+) generation 2\n/g)].map((m) => `${m[2]} ${m[1]}`);
        assert.deepEqual(table, [`alice ${accepted[1]}`]);
        // Generation 1's table had both keys; compute nodes keep none (the head and login nodes' table serves them).
        assert.equal([...log.matchAll(/ roster-agent: key SHA256:\S+ user \S+ generation 1\n/g)].length, 2);
        const computeLog = readFileSync(path.join(compute.node.dir, "var/log/pcluster-access-roster.log"), "utf8");
        assert.equal(/ roster-agent: key SHA256:/.test(computeLog), false);
    });

    it("the same failure again keeps its first time and writes nothing; a sync that succeeds clears it", async () => {
        const first = (await records())[keyOf(compute)];
        assert.deepEqual(await requestsOf(() => sync(compute)), [`GET /${BUCKET}/roster/hpc-dev.txt`]);
        assert.deepEqual((await records())[keyOf(compute)], first);

        await cluster.publish(roster(3, "revoked"));
        assert.equal((await sync(compute)).status, 0);
        const healed = (await records())[keyOf(compute)];
        assert.deepEqual(stable(healed), expected(compute, "ComputeFleet", 3));
    });

    it("a fetch that fails is reported with its reason; a write that fails or IMDS silent: no record, a warning", async () => {
        const missing = `s3://${BUCKET}/roster/missing.txt`;
        const gone = await sync(head, { PCA_ROSTER_URL: missing });
        assert.equal(gone.status, 1);
        const record = (await records())[keyOf(head)];
        const failure = record.lastFailure as { kind: string; reason: string };
        assert.equal(failure.kind, "fetch");
        assert.match(failure.reason, new RegExp(`^fetching ${missing.replace(/[./]/g, "\\$&")} failed \\(exit 254\\): .*NoSuchKey`));
        assert.equal(record.generation, 2);

        // S3 unreachable: neither the roster nor the record; the write's failure is a warning, retried next cycle.
        const unreachable = await sync(head, { PCA_S3_ENDPOINT_URL: "http://127.0.0.1:9" });
        assert.equal(unreachable.status, 1);
        assert.match(unreachable.stderr, /WARNING: could not write the status record s3:\/\/pca-hpc-dev-roster\/status\/arn:aws:ec2:eu-west-1:123456789012:instance\/i-[0-9a-f]+\.json: .*\(the next cycle tries again\)\n$/);

        // Everything back: the record says the last sync was fine again.
        assert.equal((await sync(head)).status, 0);
        assert.deepEqual(stable((await records())[keyOf(head)]), expected(head, "HeadNode", 3));

        // IMDS asked only when a write is due: a quiet cycle with IMDS down is fine; the heartbeat without it warns.
        head.imds.down = true;
        try {
            const quiet = await sync(head);
            assert.equal(quiet.status, 0);
            assert.match(quiet.stderr, /roster unchanged \(304\): nothing to do\n$/);
            const heartbeat = await sync(head, { PCA_NOW: String(Math.floor(Date.now() / 1000) + 7200) });
            assert.equal(heartbeat.status, 0);
            assert.match(heartbeat.stderr, /WARNING: IMDS did not give this instance's identity \(services\/partition, instance-identity\/document\): no status record written\n$/);
        } finally {
            head.imds.down = false;
        }
    });
});
