/**
 * `pulumi up`'s wait for the roster to land: the NodeRollout provider, serialized and loaded as the
 * dynamic-provider host runs it, against moto's EC2, S3 and SSM. It succeeds once every running instance
 * reports the generation, times out naming the stragglers with their last report, never waits for an
 * instance terminated during the wait, and nudges the nodes through SSM Run Command on a block or revoke.
 */
import * as assert from "node:assert/strict";
import { ListCommandsCommand, SSMClient } from "@aws-sdk/client-ssm";
import { rolloutDiagnostic, rolloutProvider, type RolloutInputs, type RolloutOutputs } from "../../../components/access/roster/nodeStatus/rolloutResource";
import { NUDGE_COMMAND } from "../../../components/access/roster/nodeStatus/nudge";
import { roundTrip, type AnyProvider } from "../../support/serializedProvider";
import { CLUSTER_REGION, FIXTURE_AGENT, FIXTURE_ENVIRONMENT, useMotoCluster } from "../../support/motoCluster";

const BUCKET = "pca-rollout-bucket";
const HOURS = 3600_000;

function inputs(cluster: string, overrides: Partial<RolloutInputs> = {}): RolloutInputs {
    return {
        region: CLUSTER_REGION,
        bucket: BUCKET,
        rosterKey: "roster.txt",
        environment: FIXTURE_ENVIRONMENT,
        cluster,
        generation: 8,
        agentSha256: FIXTURE_AGENT,
        syncIntervalSeconds: 60,
        awaitSeconds: 20,
        pollSeconds: 1,
        strict: false,
        nudge: false,
        restricted: [],
        maxAttempts: 1,
        ...overrides,
    };
}

/** Runs `work` after `ms`, while the wait polls. */
function later(ms: number, work: () => Promise<void>): Promise<void> {
    return new Promise((resolve, reject) => setTimeout(() => work().then(resolve, reject), ms));
}

describe("NodeRollout: pulumi up waits for the roster to land (moto EC2, S3, SSM)", function () {
    this.timeout(120_000);
    const cluster = useMotoCluster(BUCKET);
    let provider: AnyProvider;
    before(async () => {
        provider = (await roundTrip(rolloutProvider as AnyProvider)).loaded;
    });
    const create = async (news: RolloutInputs) => (await provider.create!(news)).outs as RolloutOutputs;

    it("succeeds once every running instance reports the new generation, one of them during the wait", async () => {
        const c = cluster();
        const ids = await c.launch(3, "Compute", "rollout-ok");
        await c.putRecord(ids[0], { generation: 8, reportedAt: Date.now() });
        await c.putRecord(ids[1], { generation: 8, reportedAt: Date.now() });
        await c.putRecord(ids[2], { generation: 7, reportedAt: Date.now() });
        const [outs] = await Promise.all([create(inputs("rollout-ok")), later(1500, () => c.putRecord(ids[2], { generation: 8, reportedAt: Date.now() }))]);
        assert.equal(outs.result.complete, true);
        assert.deepEqual([outs.result.live, outs.result.onGeneration, outs.result.stragglers], [3, 3, []]);
        assert.equal(outs.result.note, null);
        assert.ok(outs.result.waitedSeconds >= 1 && outs.result.waitedSeconds < 20, `waited ${outs.result.waitedSeconds} s`);
        assert.deepEqual(rolloutDiagnostic(outs.result, Date.now() - 60_000), {
            level: "info",
            message: `roster generation 8 applied on 3/3 live nodes at ${outs.result.finishedAt}`,
        });
    });

    it("times out naming each straggler with its last report, and warns (not strict)", async () => {
        const c = cluster();
        const [fresh, refusing, silent] = await c.launch(3, "Compute", "rollout-late");
        await c.putRecord(fresh, { generation: 8, reportedAt: Date.now() });
        await c.putRecord(refusing, { generation: 6, reportedAt: Date.now() - 3 * HOURS, lastFailure: { at: Date.now() - 4 * HOURS, kind: "refused", reason: "signature: not made by this environment's key" } });
        const outs = await create(inputs("rollout-late", { awaitSeconds: 2, restricted: ["bob"] }));
        assert.equal(outs.result.complete, false);
        assert.deepEqual([outs.result.live, outs.result.onGeneration], [3, 1]);
        assert.deepEqual(
            [...outs.result.stragglers].sort(),
            [`${refusing} (Compute): last seen 3 h ago, generation 6: refused: signature: not made by this environment's key`, `${silent} (Compute): never reported`].sort(),
        );
        assert.deepEqual(outs.result.newlyRestricted, ["bob"]);
        const diagnostic = rolloutDiagnostic(outs.result, Date.now() - 60_000);
        assert.equal(diagnostic?.level, "warn");
        assert.match(diagnostic?.message ?? "", /^THE BLOCK OR REVOKE OF bob HAS NOT REACHED EVERY LIVE NODE: 1\/3 nodes on generation 8 after [23] s\.\n/);
        assert.ok(diagnostic?.message.includes(`${silent} (Compute): never reported`));
        // A wait of an earlier run (finished before this run started) says nothing.
        assert.equal(rolloutDiagnostic(outs.result, Date.now() + 1000), undefined);
    });

    it("fails the update for a block or revoke that did not reach every live node with roster.awaitNodesStrict", async () => {
        const c = cluster();
        const [silent] = await c.launch(1, "LoginNode", "rollout-strict");
        await assert.rejects(create(inputs("rollout-strict", { awaitSeconds: 1, strict: true, restricted: ["eve"] })), (error: Error) => {
            assert.equal(
                error.message,
                `the block or revoke of eve (roster generation 8) has not reached every live node within 1 s (roster.awaitNodesStrict):\n${silent} (LoginNode): never reported\n` +
                    "The roster is written; these nodes apply it at their next sync if they can. Check them (npm run status), then run pulumi up again to wait anew.",
            );
            return true;
        });
        // Strict applies to blocks and revokes only: an ordinary change that times out is a warning.
        const outs = await create(inputs("rollout-strict", { awaitSeconds: 1, strict: true }));
        assert.equal(outs.result.complete, false);
    });

    it("does not wait for an instance terminated during the wait", async () => {
        const c = cluster();
        const [kept, doomed] = await c.launch(2, "Compute", "rollout-terminated");
        await c.putRecord(kept, { generation: 8, reportedAt: Date.now() });
        await c.putRecord(doomed, { generation: 7, reportedAt: Date.now() });
        const [outs] = await Promise.all([create(inputs("rollout-terminated")), later(1500, () => c.terminate([doomed]))]);
        assert.equal(outs.result.complete, true);
        assert.deepEqual([outs.result.live, outs.result.onGeneration, outs.result.stragglers], [1, 1, []]);
    });

    it("on a new block or revoke with roster.nudge, sends AWS-RunShellScript to the cluster's instances through SSM", async () => {
        const c = cluster();
        const [node] = await c.launch(1, "HeadNode", "rollout-nudge");
        await c.putRecord(node, { generation: 8, reportedAt: Date.now(), nodeType: "HeadNode" });
        const olds = { ...inputs("rollout-nudge", { generation: 7, restricted: ["bob"] }), result: {} } as unknown as RolloutOutputs;
        const outs = (await provider.update!("id", olds, inputs("rollout-nudge", { nudge: true, restricted: ["bob", "eve"] }))).outs as RolloutOutputs;
        assert.match(outs.result.nudge ?? "", /^SSM command [0-9a-f-]{36}$/);
        assert.deepEqual(outs.result.newlyRestricted, ["eve"]);
        const commands = (await new SSMClient({ region: CLUSTER_REGION }).send(new ListCommandsCommand({ CommandId: outs.result.nudge!.slice("SSM command ".length) }))).Commands ?? [];
        assert.equal(commands.length, 1);
        assert.equal(commands[0].DocumentName, "AWS-RunShellScript");
        assert.deepEqual(commands[0].Parameters?.commands, [NUDGE_COMMAND]);
        assert.deepEqual(commands[0].Targets, [{ Key: "tag:parallelcluster:cluster-name", Values: ["rollout-nudge"] }]);
    });

    it("nudges nobody when no one is newly blocked or revoked, or roster.nudge is off", async () => {
        const c = cluster();
        const [node] = await c.launch(1, "HeadNode", "rollout-quiet");
        await c.putRecord(node, { generation: 8, reportedAt: Date.now(), nodeType: "HeadNode" });
        const olds = { ...inputs("rollout-quiet", { generation: 7, restricted: ["bob"] }), result: {} } as unknown as RolloutOutputs;
        const same = (await provider.update!("id", olds, inputs("rollout-quiet", { nudge: true, restricted: ["bob"] }))).outs as RolloutOutputs;
        assert.equal(same.result.nudge, null);
        const off = (await provider.update!("id", olds, inputs("rollout-quiet", { nudge: false, restricted: ["bob", "eve"] }))).outs as RolloutOutputs;
        assert.equal(off.result.nudge, null);
    });

    it("waits for nothing when the generation did not change, or roster.awaitNodes is 0", async () => {
        const olds = { ...inputs("rollout-none"), result: { generation: 8, complete: true } } as unknown as RolloutOutputs;
        const kept = (await provider.update!("id", olds, inputs("rollout-none", { awaitSeconds: 99 }))).outs as RolloutOutputs;
        assert.deepEqual(kept.result, { generation: 8, complete: true });
        assert.equal(kept.awaitSeconds, 99);
        const off = await create(inputs("rollout-none", { awaitSeconds: 0 }));
        assert.equal(off.result.note, "not waited: roster.awaitNodes is 0");
        assert.equal(rolloutDiagnostic(off.result, 0), undefined);
    });
});
