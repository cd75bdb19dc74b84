/**
 * The article's two shapes for the OpsWorks backend (docs/pool.md): one OpsWorks stack shared by several
 * clusters (each cluster stack adopts it with opsworks.existingStackId), and a stack per cluster. Both are
 * planned through the real program under the mock runtime, with the policies.
 */
import * as assert from "node:assert/strict";
import { runPolicyPack } from "../../../scripts/offline/policyHarness";
import type { ProgramRun } from "../../../scripts/offline/runProgram";
import { STORED_CONFIGURATION_TYPE } from "../../../components/cluster/storedConfiguration";
import { ofType, runDev } from "../../support/program";

const SHARED = "2f18b4cb-4de5-4429-a149-ff7da9f0d8ee";
const OPSWORKS_STACK = "pulumi-nodejs:dynamic/opsworks:Stack";

/** The article's stack as cluster `name`, with `opsworks` settings. */
function cluster(name: string, opsworks: Record<string, unknown>): Promise<ProgramRun> {
    return runDev((raw) => {
        raw.cluster.name = name;
        raw.opsworks = opsworks;
    });
}

/** The stack id every node of the run passes to post-install.sh (the head node's, and each queue's). */
function stackIds(run: ProgramRun): string[] {
    const document = ofType(run, STORED_CONFIGURATION_TYPE)[0].inputs.document as {
        HeadNode: { CustomActions: { OnNodeConfigured: { Args: string[] } } };
        Scheduling: { SlurmQueues: { CustomActions: { OnNodeConfigured: { Args: string[] } } }[] };
    };
    return [...new Set([document.HeadNode, ...document.Scheduling.SlurmQueues].map((node) => node.CustomActions.OnNodeConfigured.Args[0]))];
}

async function mandatory(run: ProgramRun): Promise<string[]> {
    const report = await runPolicyPack(run.resources);
    return report.violations.filter((violation) => violation.enforcementLevel === "mandatory").map((violation) => violation.message);
}

describe("the OpsWorks backend's two shapes", () => {
    it("one stack shared by several clusters: each adopts it, creates none, and registers its nodes with it", async () => {
        const cpu = await cluster("hpc-cpu", { existingStackId: SHARED });
        const gpu = await cluster("hpc-gpu", { existingStackId: SHARED });
        for (const run of [cpu, gpu]) {
            assert.deepEqual(ofType(run, OPSWORKS_STACK), []);
            assert.deepEqual(stackIds(run), [SHARED]);
            assert.deepEqual(run.stackOutputs.access, { backend: "opsworks", opsworksStackId: SHARED });
            assert.deepEqual(await mandatory(run), []);
        }
    });

    it("a stack per cluster: each creates its own, named after it, and its nodes register with that one", async () => {
        const cpu = await cluster("hpc-cpu", {});
        const gpu = await cluster("hpc-gpu", {});
        const created = (run: ProgramRun) => ofType(run, OPSWORKS_STACK).map((stack) => [stack.inputs.name, stack.outputs.stackId]);
        assert.deepEqual(created(cpu).map(([name]) => name), ["hpc-cpu-users"]);
        assert.deepEqual(created(gpu).map(([name]) => name), ["hpc-gpu-users"]);
        assert.notEqual(created(cpu)[0][1], created(gpu)[0][1]);
        assert.deepEqual(stackIds(cpu), [created(cpu)[0][1]]);
        assert.deepEqual(stackIds(gpu), [created(gpu)[0][1]]);
        assert.deepEqual([...(await mandatory(cpu)), ...(await mandatory(gpu))], []);
    });
});
