/**
 * One pool of users, many clusters (issue 25), through the real program under the mock runtime: the pool
 * stack of test/fixtures/pool and its subscribed clusters (same region, another region, another account).
 */
import * as assert from "node:assert/strict";
import type { PoolOutput } from "../../../components/access/pool";
import { nextDocument, ROSTER_TYPE, type RosterInputs } from "../../../components/access/roster/planner";
import { STORED_CONFIGURATION_TYPE } from "../../../components/cluster/storedConfiguration";
import type { ProgramRun } from "../../../scripts/offline/runProgram";
import { ofType } from "../../support/program";
import { POOL_REFERENCE, poolStackConfig, runPoolStack, runSubscriber } from "../../support/pool";

type Rows = { iamUser: string; uid: number; access: string; sudo: boolean }[];

/** Every document the pool's Roster would write, by cluster: `user NAME UID GID STATE SUDO ...` lines. */
function userLines(run: ProgramRun): Record<string, string[]> {
    const roster = ofType(run, ROSTER_TYPE)[0];
    return Object.fromEntries(
        nextDocument(undefined, roster.inputs as unknown as RosterInputs).documents.map((document) => [
            document.environment,
            document.text.split("\n").filter((line) => line.startsWith("user ") || line.startsWith("environment ")),
        ]),
    );
}

/** What every node of a cluster stack reads from S3 and runs (the stored configuration's head node). */
function nodeReads(run: ProgramRun): { reads: string[]; args: string[] } {
    const document = ofType(run, STORED_CONFIGURATION_TYPE)[0].inputs.document as {
        HeadNode: { Iam: { S3Access: { BucketName: string; KeyName?: string; EnableWriteAccess: boolean }[] }; CustomActions: { OnNodeConfigured: { Args: string[] } } };
    };
    return {
        reads: document.HeadNode.Iam.S3Access.map((read) => `${read.BucketName}/${read.KeyName ?? "*"}${read.EnableWriteAccess ? " (write)" : ""}`),
        args: document.HeadNode.CustomActions.OnNodeConfigured.Args,
    };
}

describe("a pool of users and the clusters that subscribe to it", () => {
    let pool: ProgramRun;
    let output: PoolOutput;
    let cpu: ProgramRun;
    let gpu: ProgramRun;
    before(async () => {
        pool = await runPoolStack("users");
        output = pool.stackOutputs.pool as PoolOutput;
        // One at a time: the mock runtime is one per process.
        cpu = await runSubscriber("hpc-cpu", output);
        gpu = await runSubscriber("hpc-gpu", output);
    });

    it("writes one document per cluster, each for that cluster only, with the same UIDs everywhere", () => {
        assert.deepEqual(userLines(pool), {
            "hpc-cpu": ["environment hpc-cpu", "user alice 2001 2001 allowed sudo -", "user bob 2002 2002 allowed nosudo -"],
            "hpc-gpu": ["environment hpc-gpu", "user alice 2001 2001 blocked nosudo -", "user bob 2002 2002 allowed nosudo -"],
            "hpc-partner": ["environment hpc-partner", "user alice 2001 2001 blocked nosudo -", "user bob 2002 2002 allowed nosudo -"],
        });
        assert.equal(output.clusters["hpc-cpu"].rosterUrl, `s3://${output.bucket}/pool/hpc-cpu/roster.txt`);
        assert.deepEqual(ofType(pool, "aws:ec2transitgateway/instanceConnectEndpoint:InstanceConnectEndpoint"), []);
    });

    it("shows per cluster who has access, and with sudo, in the pool's user table", () => {
        const rows = pool.stackOutputs.users as { iamUser: string; clusters: Record<string, { access: string; sudo: boolean }> }[];
        assert.deepEqual(Object.fromEntries(rows.map((row) => [row.iamUser, row.clusters])), {
            alice: { "hpc-cpu": { access: "allowed", sudo: true }, "hpc-gpu": { access: "blocked", sudo: false }, "hpc-partner": { access: "blocked", sudo: false } },
            bob: { "hpc-cpu": { access: "allowed", sudo: false }, "hpc-gpu": { access: "allowed", sudo: false }, "hpc-partner": { access: "allowed", sudo: false } },
        });
    });

    it("gives a subscribed cluster no users of its own: its table is the pool's for it, the same UIDs, allowed on one and blocked on the other", () => {
        const table = (run: ProgramRun) => (run.stackOutputs.users as Rows).map((row) => [row.iamUser, row.uid, row.access, row.sudo]);
        assert.deepEqual(table(cpu), [["alice", 2001, "allowed", true], ["bob", 2002, "allowed", false]]);
        assert.deepEqual(table(gpu), [["alice", 2001, "blocked", false], ["bob", 2002, "allowed", false]]);
        for (const run of [cpu, gpu]) {
            assert.deepEqual(ofType(run, "aws:iam/user:User"), []);
            assert.deepEqual(ofType(run, ROSTER_TYPE), []);
            assert.deepEqual(ofType(run, "aws:kms/key:Key"), []);
        }
        assert.deepEqual(Object.keys(gpu.stackOutputs.logins as object), ["bob"]);
        assert.deepEqual(cpu.stackOutputs.access, { backend: "roster", rosterUrl: output.clusters["hpc-cpu"].rosterUrl, pool: POOL_REFERENCE });
    });

    it("lets a cluster's nodes read exactly their own document and the pool's agent, and verify with the pool's key", () => {
        const own = (run: ProgramRun) => ofType(run, "aws:s3/bucket:Bucket")[0].outputs.bucket as string;
        assert.deepEqual(nodeReads(cpu), {
            reads: [`${own(cpu)}/post-install.sh`, `${output.bucket}/agent.tar`, `${output.bucket}/pool/hpc-cpu/roster.txt`],
            args: ["roster", `s3://${output.bucket}/pool/hpc-cpu/roster.txt`, `s3://${output.bucket}/agent.tar`, "60", "hpc-cpu", output.publicKey],
        });
        // Another region: the same reads of the pool's bucket (in eu-west-1) from us-east-1.
        assert.deepEqual(nodeReads(gpu).reads, [`${own(gpu)}/post-install.sh`, `${output.bucket}/agent.tar`, `${output.bucket}/pool/hpc-gpu/roster.txt`]);
        assert.equal(output.clusters["hpc-gpu"].region, "us-east-1");
    });

    it("grants a cluster in another account read of exactly its own document and the agent, to that cluster's node roles only", async () => {
        const policy = JSON.parse(String(ofType(pool, "aws:s3/bucketPolicy:BucketPolicy")[0].inputs.policy)) as { Statement: Record<string, unknown>[] };
        const arn = `arn:aws:s3:::${output.bucket}`;
        assert.deepEqual(policy.Statement.slice(1), [
            {
                Sid: "ReadOwnDocumenthpcpartner",
                Effect: "Allow",
                Principal: { AWS: "arn:aws:iam::210987654321:root" },
                Action: "s3:GetObject",
                Resource: [`${arn}/pool/hpc-partner/roster.txt`, `${arn}/agent.tar`],
                Condition: { ArnLike: { "aws:PrincipalArn": "arn:aws:iam::210987654321:role/parallelcluster/hpc-partner/*" } },
            },
        ]);
        assert.equal(policy.Statement[0].Sid, "DenyPlainHttp");
        const partner = await runSubscriber("hpc-partner", output);
        assert.deepEqual(nodeReads(partner).reads.slice(1), [`${output.bucket}/agent.tar`, `${output.bucket}/pool/hpc-partner/roster.txt`]);
    });

    it("reaches every cluster with one change of the pool: bob blocked is blocked in each cluster's document, UIDs kept", async () => {
        const config = poolStackConfig("users");
        config["pcluster-access:users"][1].access = "blocked";
        const changed = await runPoolStack("users", {}, config);
        const lines = userLines(changed);
        for (const cluster of ["hpc-cpu", "hpc-gpu", "hpc-partner"]) {
            assert.deepEqual(lines[cluster].slice(2), ["user bob 2002 2002 blocked nosudo -"], cluster);
        }
        const gpuAfter = await runSubscriber("hpc-gpu", changed.stackOutputs.pool as PoolOutput);
        assert.deepEqual((gpuAfter.stackOutputs.users as Rows).map((row) => [row.iamUser, row.uid, row.access]), [["alice", 2001, "blocked"], ["bob", 2002, "blocked"]]);
        assert.deepEqual(gpuAfter.stackOutputs.logins, {});
    });

    it("refuses a cluster the pool does not serve, or in another region than the pool says, naming the fix", async () => {
        const config = poolStackConfig("hpc-cpu");
        config["pcluster-access:cluster"].name = "hpc-new";
        await assert.rejects(
            runSubscriber("hpc-cpu", output, {}, config),
            /access\.pool: the pool organization\/pcluster-access\/users does not serve cluster hpc-new \(it serves: hpc-cpu, hpc-gpu, hpc-partner\)\. Add hpc-new under pcluster-access:pool\.clusters in that stack's config and run pulumi up there first\./,
        );
        const moved = poolStackConfig("hpc-gpu");
        moved["aws:region"] = "eu-central-1";
        await assert.rejects(
            runSubscriber("hpc-gpu", output, { region: "eu-central-1" }, moved),
            /access\.pool: the pool organization\/pcluster-access\/users expects cluster hpc-gpu in us-east-1, but this stack's aws:region is eu-central-1\./,
        );
        await assert.rejects(runPoolStack("hpc-cpu"), /access\.pool: the stack organization\/pcluster-access\/users has no pool output\./);
    });
});
