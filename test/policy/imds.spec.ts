import * as assert from "node:assert/strict";
import { check, itPassesTheDevStack, violations } from "./support/check";
import { editV3 } from "./support/edits";
import { setFormat } from "../support/devConfig";

const POLICY = "required-imds-v1-for-opsworks";
const CONFIG_OBJECT = "hpc-dev-cluster-config-object";
const WHY =
    "`aws opsworks register --local`, run by the post-install script, reads instance metadata without an IMDSv2 token " +
    "and fails when IMDSv2 is required. Set Imds: {ImdsSupport: v1.0}.";

describe(`policy ${POLICY}`, () => {
    itPassesTheDevStack(POLICY);

    for (const preview of [false, true]) {
        it(`reports IMDSv2 required while the nodes register with OpsWorks${preview ? ", from the document in a first preview" : ""}`, async () => {
            const { report } = await check({ preview, edits: [editV3((document) => (document.Imds = { ImdsSupport: "v2.0" }))] });
            assert.deepEqual(violations(report, POLICY), [
                ["mandatory", `Imds.ImdsSupport is v2.0; it must be v1.0 while the nodes register with OpsWorks: ${WHY}`, CONFIG_OBJECT],
            ]);
        });
    }

    it("reports a configuration that leaves Imds out, since ParallelCluster 3.7+ then requires IMDSv2", async () => {
        const { report } = await check({ edits: [editV3((document) => delete document.Imds)] });
        assert.deepEqual(violations(report, POLICY), [
            [
                "mandatory",
                `Imds.ImdsSupport is not set, so ParallelCluster 3.7+ requires IMDSv2; it must be v1.0 while the nodes register with OpsWorks: ${WHY}`,
                CONFIG_OBJECT,
            ],
        ]);
    });

    it("does not apply to ParallelCluster 2, which has no Imds setting", async () => {
        const { report } = await check({ change: (raw) => setFormat(raw, "v2") });
        assert.deepEqual(violations(report, POLICY), []);
    });
});
