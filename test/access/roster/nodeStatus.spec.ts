/**
 * The node status, pure: a status key and record parsed as the agent writes them, the fleet joined with
 * EC2's instances and flagged, the straggler lines, and the wait's loop on a fake clock (progress lines,
 * timeout, a failed read that is one lost poll).
 */
import * as assert from "node:assert/strict";
import { assessFleet, instanceIdOfKey, statusRecordParser, stragglerLine, type FleetReport } from "../../../components/access/roster/nodeStatus";
import { awaitGeneration } from "../../../components/access/roster/nodeStatus/awaitNodes";
import { nodeStatusPolicyDocument } from "../../../components/access/roster/nodeStatus/grant";
import { FIXTURE_AGENT, recordBody, statusKey } from "../../support/motoCluster";
import type * as pulumi from "@pulumi/pulumi";

const NOW = Date.parse("2026-12-07T05:00:00Z");

function unwrap<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply((value) => resolve(value)));
}

describe("node status records", () => {
    it("takes the instance id from the key the grant allows, and nothing else", () => {
        assert.equal(instanceIdOfKey("status/arn:aws:ec2:eu-west-1:123456789012:instance/i-0abc1234.json"), "i-0abc1234");
        assert.equal(instanceIdOfKey("status/arn:aws-us-gov:ec2:us-gov-west-1:123456789012:instance/i-0123456789abcdef0.json"), "i-0123456789abcdef0");
        assert.equal(instanceIdOfKey("status/i-0abc1234.json"), undefined);
        assert.equal(instanceIdOfKey("roster.txt"), undefined);
    });

    it("parses the agent's record, and says why it ignores one", async () => {
        const parse = await statusRecordParser("hpc-dev");
        const body = recordBody("i-0abc1234", { generation: 7, reportedAt: NOW, lastFailure: { at: NOW, kind: "fetch", reason: "NoSuchKey" } });
        const parsed = parse(statusKey("i-0abc1234"), body);
        assert.deepEqual(parsed, { ok: true, record: JSON.parse(body) });
        assert.deepEqual(parse(statusKey("i-0def5678"), body), { ok: false, problem: `${statusKey("i-0def5678")}: its instanceId i-0abc1234 is not the key's i-0def5678` });
        assert.deepEqual(parse(statusKey("i-0abc1234"), "{"), { ok: false, problem: `${statusKey("i-0abc1234")}: not JSON` });
        const bad = JSON.stringify({ ...JSON.parse(body), reportedAt: "yesterday" });
        assert.deepEqual(parse(statusKey("i-0abc1234"), bad), { ok: false, problem: `${statusKey("i-0abc1234")}: reportedAt: a UTC time, YYYY-MM-DDTHH:MM:SSZ` });
    });
});

describe("the fleet", () => {
    const record = (instanceId: string, generation: number | null, reportedAt: number) => JSON.parse(recordBody(instanceId, { generation, reportedAt }));

    it("flags a node silent only after an hour's heartbeat and two intervals (at least 5 min) have passed", () => {
        const report = (age: number, interval: number) =>
            assessFleet({ instances: [{ instanceId: "i-0aaa1111", state: "running" }], records: [record("i-0aaa1111", 7, NOW - age * 1000)], expected: { generation: 7, agentSha256: FIXTURE_AGENT }, now: NOW, syncIntervalSeconds: interval }).rows[0].flags;
        assert.deepEqual(report(3900, 60), []);
        assert.deepEqual(report(3901, 60), ["silent"]);
        assert.deepEqual(report(3600 + 1200, 600), []);
        assert.deepEqual(report(3600 + 1201, 600), ["silent"]);
    });

    it("counts pending and running instances only, and a later generation as on it", () => {
        const report = assessFleet({
            instances: [
                { instanceId: "i-0aaa1111", state: "pending", nodeType: "Compute" },
                { instanceId: "i-0bbb2222", state: "running", nodeType: "Compute" },
                { instanceId: "i-0ccc3333", state: "stopping", nodeType: "Compute" },
                { instanceId: "i-0ddd4444", state: "shutting-down", nodeType: "Compute" },
            ],
            records: [record("i-0bbb2222", 9, NOW), record("i-0ccc3333", 1, NOW)],
            expected: { generation: 8, agentSha256: FIXTURE_AGENT },
            now: NOW,
            syncIntervalSeconds: 60,
        });
        assert.deepEqual([report.live, report.onGeneration, report.behind.map((row) => row.instanceId)], [2, 1, ["i-0aaa1111"]]);
        assert.equal(stragglerLine(report.behind[0], NOW), "i-0aaa1111 (Compute): never reported");
    });
});

describe("the wait's loop", () => {
    const report = (on: number, live: number): FleetReport => ({
        expected: { generation: 8, agentSha256: FIXTURE_AGENT },
        rows: [],
        live,
        onGeneration: on,
        behind: Array.from({ length: live - on }, (_, i) => ({ instanceId: `i-0${i}`, nodeType: "Compute", state: "running", generation: 7, agentSha256: null, lastSeen: null, lastFailure: null, flags: ["behind" as const] })),
        ignored: [],
    });
    const run = async (reads: (FleetReport | Error)[], timeoutMs: number) => {
        let clock = 0;
        const lines: string[] = [];
        const sleeps: number[] = [];
        const result = await awaitGeneration({
            read: async () => {
                // The last answer repeats.
                const next = reads.length > 1 ? reads.shift()! : reads[0];
                if (next instanceof Error) throw next;
                return next;
            },
            timeoutMs,
            pollMs: 10_000,
            now: () => clock,
            sleep: async (ms) => {
                sleeps.push(ms);
                clock += ms;
            },
            log: (line) => lines.push(line),
        });
        return { result, lines, sleeps };
    };

    it("prints progress when it changes and ends when every live node is on the generation", async () => {
        const { result, lines, sleeps } = await run([report(37, 40), report(37, 40), report(39, 40), report(39, 39)], 120_000);
        assert.deepEqual(lines, ["37/40 nodes on generation 8", "39/40 nodes on generation 8", "39/39 nodes on generation 8"]);
        assert.deepEqual(sleeps, [10_000, 10_000, 10_000]);
        assert.deepEqual([result.complete, result.polls, result.waitedMs], [true, 4, 30_000]);
    });

    it("stops at the timeout with the last report, its last sleep cut to what is left", async () => {
        const stuck = report(1, 2);
        const { result, sleeps } = await run([stuck], 25_000);
        assert.deepEqual(sleeps, [10_000, 10_000, 5_000]);
        assert.deepEqual([result.complete, result.report, result.waitedMs], [false, stuck, 25_000]);
    });

    it("takes a failed read as one lost poll, and reports the error when it is the last", async () => {
        const failure = Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" });
        const ok = await run([failure, report(2, 2)], 60_000);
        assert.deepEqual(ok.lines, ["the node status could not be read: ThrottlingException: Rate exceeded", "2/2 nodes on generation 8"]);
        assert.equal(ok.result.complete, true);
        const failed = await run([failure], 10_000);
        assert.deepEqual([failed.result.complete, failed.result.error, failed.result.report], [false, "the node status could not be read: ThrottlingException: Rate exceeded", undefined]);
    });
});

describe("the node role's status grant", () => {
    it("allows PutObject on the node's own record only, and denies every write to what nodes read", async () => {
        const document = JSON.parse(await unwrap(nodeStatusPolicyDocument("env-bucket", ["post-install.sh", "agent.tar", "roster.txt"])));
        assert.deepEqual(document, {
            Version: "2012-10-17",
            Statement: [
                { Sid: "WriteOwnStatusRecord", Effect: "Allow", Action: "s3:PutObject", Resource: "arn:aws:s3:::env-bucket/status/${ec2:SourceInstanceARN}.json" },
                {
                    Sid: "NeverWhatNodesRead",
                    Effect: "Deny",
                    Action: ["s3:PutObject", "s3:PutObjectAcl", "s3:PutObjectTagging", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:RestoreObject"],
                    Resource: ["arn:aws:s3:::env-bucket/post-install.sh", "arn:aws:s3:::env-bucket/agent.tar", "arn:aws:s3:::env-bucket/roster.txt"],
                },
            ],
        });
    });
});
