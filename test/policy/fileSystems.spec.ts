import * as assert from "node:assert/strict";
import { check, violations } from "./support/check";
import { setFormat } from "../support/devConfig";

const POLICY = "discouraged-scratch-file-system";
const CONFIG_OBJECT = "hpc-dev-cluster-config-object";
const WHY =
    "scratch file systems do not replicate data and have no backups, so a failed file server loses what is on it. " +
    "Keep only data you can recreate there, or use a PERSISTENT deployment type.";

describe(`policy ${POLICY}`, () => {
    for (const format of ["v3", "v2"]) {
        it(`advises on the dev stack's SCRATCH_2 file system (${format})`, async () => {
            const { report } = await check({ change: (raw) => setFormat(raw, format) });
            assert.deepEqual(violations(report, POLICY), [["advisory", `FSx for Lustre file system scratchfs at /fsx is SCRATCH_2: ${WHY}`, CONFIG_OBJECT]]);
        });
    }

    it("passes a PERSISTENT_1 file system", async () => {
        const { report } = await check({
            change: (raw) => (raw.cluster.fsx = { ...raw.cluster.fsx, deploymentType: "PERSISTENT_1", storageCapacity: 1200, perUnitStorageThroughput: 200 }),
        });
        assert.deepEqual(violations(report, POLICY), []);
    });

    it("passes an existing file system, whose type the configuration does not state", async () => {
        const { report } = await check({ change: (raw) => (raw.cluster.fsx = { name: "scratchfs", mountDir: "/fsx", fileSystemId: "fs-0123456789abcdef0" }) });
        assert.deepEqual(violations(report, POLICY), []);
    });

    it("reports only the deployment types the policy config lists", async () => {
        const { report } = await check({ config: { [POLICY]: { scratchDeploymentTypes: ["SCRATCH_1"] } } });
        assert.deepEqual(violations(report, POLICY), []);
    });
});
