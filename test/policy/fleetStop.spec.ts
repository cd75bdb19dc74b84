import * as assert from "node:assert/strict";
import type { DevRaw } from "../support/program";
import { runDev } from "../support/program";
import { check, itPassesTheDevStack, violations } from "./support/check";

const POLICY = "discouraged-update-needing-fleet-stop";
const CONFIG_OBJECT = "hpc-dev-cluster-config-object";
const FIX =
    "While the fleet runs, the update fails after ParallelCluster's validation and CloudFormation rolls it back. " +
    "Stop the compute fleet first (pcluster update-compute-fleet --cluster-name <cluster> --status STOP_REQUESTED), run pulumi up, then start it (START_REQUESTED).";

/** The article's stack deploying its cluster. */
const deploy = (raw: DevRaw) => (raw.cluster.deploy = true);

describe(`policy ${POLICY}`, () => {
    itPassesTheDevStack(POLICY);

    /** The outputs of the last `pulumi up` of the article's stack deploying its cluster: what the next run reads back. */
    let previousOutputs: Record<string, unknown>;
    before(async () => {
        previousOutputs = (await runDev(deploy)).stackOutputs;
    });

    /** The policy's violations for an update from the deployed cluster to `change`d config. */
    async function update(change: (raw: DevRaw) => void, preview = false) {
        const { report } = await check({ preview, cloud: { previousOutputs }, change: (raw) => { deploy(raw); change(raw); } });
        return violations(report, POLICY);
    }

    const advice = (strategy: string, changes: string) =>
        [["advisory", `This update changes what ParallelCluster applies only with the compute fleet stopped (QueueUpdateStrategy ${strategy}): ${changes}. ${FIX}`, CONFIG_OBJECT]];

    it("is silent on an update that changes nothing of the fleet, and on a first deploy", async () => {
        assert.deepEqual(await update((raw) => (raw.cluster.queues[0].computeResources[0].maxCount = 20)), []);
        const { report } = await check({ change: deploy });
        assert.deepEqual(violations(report, POLICY), []);
    });

    it("advises on what no strategy applies to a running fleet: hyperthreading and a shrinking MaxCount", async () => {
        assert.deepEqual(
            await update((raw) => {
                raw.cluster.queues[1].disableHyperthreading = false;
                raw.cluster.queues[2].computeResources[0].maxCount = 4;
                raw.cluster.queueUpdateStrategy = "DRAIN";
            }),
            advice("DRAIN", "queue standard, compute resource m5n-24xl: DisableSimultaneousMultithreading changes; queue highmem, compute resource r5n-24xl: MaxCount shrinks from 10 to 4"),
        );
    });

    it("advises on queue settings under the default strategy, and not under DRAIN or TERMINATE", async () => {
        const spot = (raw: DevRaw) => (raw.cluster.queues[2].capacityType = "spot");
        assert.deepEqual(await update(spot), advice("COMPUTE_FLEET_STOP", "queue highmem's CapacityType changes"));
        for (const strategy of ["DRAIN", "TERMINATE"]) {
            assert.deepEqual(await update((raw) => { spot(raw); raw.cluster.queueUpdateStrategy = strategy; }), []);
        }
    });

    it("advises on a removed queue unless the strategy is TERMINATE", async () => {
        const remove = (raw: DevRaw) => raw.cluster.queues.pop();
        assert.deepEqual(await update(remove), advice("COMPUTE_FLEET_STOP", "queue highmem is removed"));
        assert.deepEqual(await update((raw) => { remove(raw); raw.cluster.queueUpdateStrategy = "TERMINATE"; }), []);
    });

    it("refuses moving a deployed cluster to another ParallelCluster release, with the fix", async () => {
        await assert.rejects(check({ cloud: { previousOutputs }, change: (raw) => { deploy(raw); raw.cluster.parallelClusterVersion = "3.14.0"; } }), {
            message:
                "cluster.parallelClusterVersion: the cluster 'hpc-dev' was created with ParallelCluster 3.16.3, and ParallelCluster updates a cluster only with the release " +
                "that created it (a new release is a new provider stack, whose ServiceToken CloudFormation will not move the cluster to). Keep 3.16.3, or set cluster.deploy: false " +
                "and run pulumi up (this deletes the cluster), then set 3.14.0 and deploy again.",
        });
    });
});
