/**
 * `npm run status` against moto's EC2 and S3: every node with its type, state, generation, agent, last
 * report and last failure; the flags; instances that never reported; the exit code CI and cron rely on.
 */
import * as assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { status } from "../../../scripts/status";
import { CLUSTER_REGION, FIXTURE_AGENT, FIXTURE_ENVIRONMENT, statusKey, useMotoCluster } from "../../support/motoCluster";

const NOW = Date.parse("2026-12-07T05:00:00Z");
const MIN = 60_000;
const OTHER_AGENT = "0".repeat(64);

describe("npm run status, against moto (EC2 and S3)", function () {
    this.timeout(120_000);
    const cluster = useMotoCluster("pca-status-bucket");
    let dir: string;
    const ids: Record<string, string> = {};
    let args: string[];

    before(async () => {
        dir = mkdtempSync(path.join(tmpdir(), "pca-status-"));
        writeFileSync(path.join(dir, "Pulumi.yaml"), "name: pcluster-access\nruntime: nodejs\n");
        writeFileSync(
            path.join(dir, "Pulumi.test.yaml"),
            `config:\n  aws:region: ${CLUSTER_REGION}\n  pcluster-access:cluster:\n    name: ${FIXTURE_ENVIRONMENT}\n  pcluster-access:roster:\n    syncIntervalSeconds: 60\n`,
        );
        args = ["--stack", "test", "--config-file", path.join(dir, "Pulumi.test.yaml"), "--project-file", path.join(dir, "Pulumi.yaml"), "--bucket", "pca-status-bucket"];
        const c = cluster();
        [ids.head] = await c.launch(1, "HeadNode");
        [ids.login] = await c.launch(1, "LoginNode");
        [ids.refusing, ids.silentNever, ids.stopped, ids.terminated] = await c.launch(4, "Compute");
        await c.launch(1, "Compute", "another-cluster");
        await c.putRecord(ids.head, { generation: 7, reportedAt: NOW - 2 * MIN, nodeType: "HeadNode" });
        // Another agent, and its last report 3 h ago: silent (the agent writes at least hourly).
        await c.putRecord(ids.login, { generation: 7, reportedAt: NOW - 180 * MIN, nodeType: "LoginNode", agentSha256: OTHER_AGENT });
        await c.putRecord(ids.refusing, { generation: 6, reportedAt: NOW - MIN, lastFailure: { at: NOW - 30 * MIN, kind: "refused", reason: "signature: not made by this environment's key" } });
        await c.putRecord(ids.stopped, { generation: 5, reportedAt: NOW - 600 * MIN });
        await c.putRecord(ids.terminated, { generation: 7, reportedAt: NOW - 90 * MIN });
        await c.stop([ids.stopped]);
        await c.terminate([ids.terminated]);
        // A record whose instance EC2 does not list; one of another environment; one at a key that is no node's.
        await c.putRecord("i-0123456789abcdef0", { generation: 7, reportedAt: NOW - 5 * MIN });
        await c.putRecord("i-0fedcba987654321f", { generation: 7, reportedAt: NOW - 5 * MIN, environment: "hpc-prod" });
        await c.putRecord(ids.head, { generation: 7, reportedAt: NOW }, "status/notes.json");
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("lists every node with its flags, names the stragglers and exits 1 when a running node is behind (JSON)", async () => {
        const result = await status([...args, "--json"], NOW);
        assert.equal(result.stderr, "");
        assert.equal(result.exitCode, 1);
        const report = JSON.parse(result.stdout);
        const row = (instanceId: string, nodeType: string, state: string, generation: number | null, agentSha256: string | null, lastSeen: string | null, lastFailure: string | null, flags: string[]) =>
            ({ instanceId, nodeType, state, generation, agentSha256, lastSeen, lastFailure, flags });
        const expected = [
            row(ids.head, "HeadNode", "running", 7, FIXTURE_AGENT, "2026-12-07T04:58:00Z", null, []),
            row(ids.login, "LoginNode", "running", 7, OTHER_AGENT, "2026-12-07T02:00:00Z", null, ["silent", "other agent"]),
            row(ids.refusing, "Compute", "running", 6, FIXTURE_AGENT, "2026-12-07T04:59:00Z", "refused: signature: not made by this environment's key", ["behind", "failing"]),
            row(ids.silentNever, "Compute", "running", null, null, null, null, ["behind", "never reported"]),
            row(ids.stopped, "Compute", "stopped", 5, FIXTURE_AGENT, "2026-12-06T19:00:00Z", null, []),
            row(ids.terminated, "Compute", "terminated", 7, FIXTURE_AGENT, "2026-12-07T03:30:00Z", null, []),
            row("i-0123456789abcdef0", "ComputeFleet", "gone", 7, FIXTURE_AGENT, "2026-12-07T04:55:00Z", null, []),
        ].sort((a, b) => a.instanceId.localeCompare(b.instanceId));
        assert.deepEqual(report.rows, expected);
        assert.deepEqual(report.expected, { generation: 7, agentSha256: FIXTURE_AGENT });
        assert.equal(report.cluster, FIXTURE_ENVIRONMENT);
        assert.equal(report.live, 4);
        assert.equal(report.onGeneration, 2);
        assert.deepEqual(report.ignored.sort(), [
            "status/notes.json: not a status key (status/<instance ARN>.json)",
            `${statusKey("i-0fedcba987654321f")}: environment 'hpc-prod' is not 'hpc-dev'`,
        ].sort());
    });

    it("prints the table, the progress line and one line per straggler with its last report", async () => {
        const result = await status(args, NOW);
        assert.equal(result.exitCode, 1);
        const lines = result.stdout.split("\n");
        assert.equal(lines[0], `Nodes of cluster hpc-dev (environment hpc-dev): roster generation 7, agent ${FIXTURE_AGENT.slice(0, 12)}`);
        assert.match(result.stdout, new RegExp(`\\n  ${ids.refusing}\\s+Compute\\s+running\\s+6\\s+e352d80b34ed\\s+60 s ago\\s+refused: signature: not made by this environment's key\\s+behind, failing\\n`));
        assert.match(result.stdout, new RegExp(`\\n  ${ids.silentNever}\\s+Compute\\s+running\\s+-\\s+-\\s+never\\s+-\\s+behind, never reported\\n`));
        assert.match(result.stdout, new RegExp(`\\n  ${ids.login}\\s+LoginNode\\s+running\\s+7\\s+000000000000\\s+3 h ago\\s+-\\s+silent, other agent\\n`));
        const tail = result.stdout.slice(result.stdout.indexOf("\n2/4 nodes")).split("\n").slice(1, 6);
        const stragglers = [
            `  ${ids.refusing} (Compute): last seen 60 s ago, generation 6: refused: signature: not made by this environment's key`,
            `  ${ids.silentNever} (Compute): never reported`,
        ].sort((a, b) => a.localeCompare(b));
        assert.deepEqual(tail, ["2/4 nodes on generation 7", "2 behind:", ...stragglers, "2 status objects ignored:"]);
    });

    it("exits 0 once every running node reports the roster's generation", async () => {
        const c = cluster();
        await c.putRecord(ids.refusing, { generation: 7, reportedAt: NOW });
        await c.putRecord(ids.silentNever, { generation: 8, reportedAt: NOW });
        const result = await status([...args, "--json"], NOW);
        assert.equal(result.exitCode, 0, result.stdout);
        assert.equal(JSON.parse(result.stdout).onGeneration, 4);
    });

    it("exits 2, changing nothing, without a bucket, naming both ways to give it", async () => {
        const result = await status(args.filter((arg, i) => arg !== "--bucket" && args[i - 1] !== "--bucket"), NOW);
        assert.equal(result.exitCode, 2);
        assert.equal(result.stdout, "");
        assert.match(result.stderr, /^which bucket\? .*pass --bucket NAME .*or --state FILE written by `pulumi stack export --file FILE`\.\n/);
    });

    it("reads the bucket from a `pulumi stack export` file's access output", async () => {
        const state = path.join(dir, "export.json");
        writeFileSync(state, JSON.stringify({ version: 3, deployment: { resources: [{ type: "pulumi:pulumi:Stack", outputs: { access: { backend: "roster", rosterUrl: "s3://pca-status-bucket/roster.txt" } } }] } }));
        const result = await status([...args.slice(0, -2), "--state", state, "--json"], NOW);
        assert.equal(result.stderr, "");
        assert.equal(JSON.parse(result.stdout).expected.generation, 7);
    });

    it("exits 3 naming the bucket when AWS cannot be read", async () => {
        const result = await status([...args.slice(0, -2), "--bucket", "no-such-bucket"], NOW);
        assert.equal(result.exitCode, 3);
        assert.match(result.stderr, /^could not read the node status of hpc-dev \(s3:\/\/no-such-bucket, eu-west-1\): NoSuchBucket: /);
    });
});
