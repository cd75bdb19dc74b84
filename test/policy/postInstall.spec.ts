import * as assert from "node:assert/strict";
import { IAM_POLICY, S3_BUCKET_OBJECT } from "../../policy/lib/resourceTypes";
import type { ProgramRun } from "../../scripts/offline/runProgram";
import { named } from "../support/program";
import { allViolations, check, checkWithout, itPassesTheDevStack, violations } from "./support/check";
import { editV2, editV3, nodeOf, setInputs, setOnNodeConfigured, withLoginPool, type Node } from "./support/edits";
import { setFormat } from "../support/devConfig";

const POLICY = "required-post-install-wiring";
const CONFIG_OBJECT = "hpc-dev-cluster-config-object";
const OTHER_STACK_ID = "2f18b4cb-4de5-4429-a149-ff7da9f0d8ee";
const REGISTERS_ELSEWHERE = "otherwise the nodes register with another stack, whose users are not this cluster's.";

/** The dev run's script bucket and OpsWorks stack id, as the mock cloud named them. */
function wiring(run: ProgramRun): { bucket: string; script: string; stackId: string } {
    const bucket = String(named(run, "hpc-dev-scripts-bucket").outputs.bucket);
    return { bucket, script: `s3://${bucket}/post-install.sh`, stackId: String(named(run, "hpc-dev-opsworks-stack").outputs.stackId) };
}

describe(`policy ${POLICY}`, () => {
    itPassesTheDevStack(POLICY);

    it("passes the dev stack rendered as ParallelCluster 2", async () => {
        const { report } = await check({ change: (raw) => setFormat(raw, "v2") });
        assert.deepEqual(violations(report, POLICY), []);
    });

    it("reports a queue that runs another script, and cannot read it", async () => {
        const { run, report } = await check({ edits: [setOnNodeConfigured("compute", { Script: "s3://other-bucket/tools/setup.sh" })] });
        const { script } = wiring(run);
        assert.deepEqual(violations(report, POLICY), [
            [
                "mandatory",
                "Queue compute runs s3://other-bucket/tools/setup.sh (Scheduling.SlurmQueues[0].CustomActions.OnNodeConfigured.Script), not this environment's uploaded post-install script. " +
                    `It must run ${script}: point Scheduling.SlurmQueues[0].CustomActions.OnNodeConfigured.Script at it.`,
                CONFIG_OBJECT,
            ],
            [
                "mandatory",
                "Queue compute may not read its post-install script arn:aws:s3:::other-bucket/tools/setup.sh: nothing in Scheduling.SlurmQueues[0].Iam.S3Access covers it, " +
                    "so the node cannot download the script. To fix, add {BucketName: other-bucket, EnableWriteAccess: false} to Scheduling.SlurmQueues[0].Iam.S3Access.",
                CONFIG_OBJECT,
            ],
        ]);
    });

    it("reports nodes running a script when the stack uploads none", async () => {
        const { run, report } = await checkWithout(S3_BUCKET_OBJECT);
        const script = wiring(run).script;
        const runs = (node: string, path: string) =>
            `${node} runs ${script} (${path}.CustomActions.OnNodeConfigured.Script), but this stack uploads no post-install script ` +
            "(an aws:s3/bucketObjectv2:BucketObjectv2 with key post-install.sh). The nodes must run the script this environment uploads, " +
            "so that what registers them is reviewed and versioned here.";
        assert.deepEqual(violations(report, POLICY), [
            ["mandatory", runs("The head node", "HeadNode"), CONFIG_OBJECT],
            ["mandatory", runs("Queue compute", "Scheduling.SlurmQueues[0]"), CONFIG_OBJECT],
            ["mandatory", runs("Queue standard", "Scheduling.SlurmQueues[1]"), CONFIG_OBJECT],
            ["mandatory", runs("Queue highmem", "Scheduling.SlurmQueues[2]"), CONFIG_OBJECT],
        ]);
    });

    it("reports the head node passing another stack id", async () => {
        const { run, report } = await check({ edits: [setOnNodeConfigured("HeadNode", { Args: [OTHER_STACK_ID] })] });
        assert.deepEqual(violations(report, POLICY), [
            [
                "mandatory",
                `The head node passes "${OTHER_STACK_ID}" to the post-install script (HeadNode.CustomActions.OnNodeConfigured.Args), not this stack's OpsWorks stack id. ` +
                    `Its only argument must be ${wiring(run).stackId}; ${REGISTERS_ELSEWHERE}`,
                CONFIG_OBJECT,
            ],
        ]);
    });

    it("reports a missing argument even in a first preview, when the stack id is not known yet", async () => {
        const { report } = await check({ preview: true, edits: [setOnNodeConfigured("standard", { Args: [] })] });
        assert.deepEqual(violations(report, POLICY), [
            [
                "mandatory",
                "Queue standard passes no argument to the post-install script (Scheduling.SlurmQueues[1].CustomActions.OnNodeConfigured.Args), not this stack's OpsWorks stack id. " +
                    `Its only argument must be the id of this stack's OpsWorks stack; ${REGISTERS_ELSEWHERE}`,
                CONFIG_OBJECT,
            ],
        ]);
    });

    it("never reports what a first preview cannot know: another script and another stack id pass unjudged", async () => {
        const { report } = await check({
            preview: true,
            edits: [setOnNodeConfigured("highmem", { Script: "s3://other-bucket/post-install.sh", Args: [OTHER_STACK_ID] })],
        });
        assert.deepEqual(violations(report, POLICY), []);
        assert.deepEqual(allViolations(report).filter((line) => line.includes("can't run")), []);
    });

    it("reports a queue with no post-install action", async () => {
        const { run, report } = await check({ edits: [editV3((document) => delete nodeOf(document, "highmem").CustomActions)] });
        assert.deepEqual(violations(report, POLICY), [
            [
                "mandatory",
                "Queue highmem runs no post-install script (Scheduling.SlurmQueues[2].CustomActions.OnNodeConfigured.Script). " +
                    `It must run ${wiring(run).script}, which gives the node this environment's users (the roster agent, or registration with the OpsWorks stack); without it the node gets none of them.`,
                CONFIG_OBJECT,
            ],
            [
                "mandatory",
                "Queue highmem passes no argument to the post-install script (Scheduling.SlurmQueues[2].CustomActions.OnNodeConfigured.Args), not this stack's OpsWorks stack id. " +
                    `Its only argument must be ${wiring(run).stackId}; ${REGISTERS_ELSEWHERE}`,
                CONFIG_OBJECT,
            ],
        ]);
    });

    it("reports a head node that may not read the script", async () => {
        const { run, report } = await check({ edits: [editV3((document) => delete (nodeOf(document, "HeadNode").Iam as Node).S3Access)] });
        const { bucket } = wiring(run);
        assert.deepEqual(violations(report, POLICY), [
            [
                "mandatory",
                `The head node may not read its post-install script arn:aws:s3:::${bucket}/post-install.sh: nothing in HeadNode.Iam.S3Access covers it, ` +
                    `so the node cannot download the script. To fix, add {BucketName: ${bucket}, EnableWriteAccess: false} to HeadNode.Iam.S3Access.`,
                CONFIG_OBJECT,
            ],
        ]);
    });

    it("accepts a read grant narrowed to the script's key, refuses one for another key", async () => {
        const grant = (key: string) =>
            editV3((document) => {
                const iam = nodeOf(document, "HeadNode").Iam as Node;
                iam.S3Access = (iam.S3Access as Node[]).map((entry) => ({ ...entry, KeyName: key }));
            });
        const narrowed = await check({ edits: [grant("post-install.*")] });
        assert.deepEqual(violations(narrowed.report, POLICY), []);
        const other = await check({ edits: [grant("data/*")] });
        const { bucket } = wiring(other.run);
        assert.deepEqual(violations(other.report, POLICY), [
            [
                "mandatory",
                `The head node may not read its post-install script arn:aws:s3:::${bucket}/post-install.sh: nothing in HeadNode.Iam.S3Access covers it, ` +
                    `so the node cannot download the script. To fix, add {BucketName: ${bucket}, EnableWriteAccess: false} to HeadNode.Iam.S3Access.`,
                CONFIG_OBJECT,
            ],
        ]);
    });

    describe("login node pools (read through a managed policy: pools take no S3Access)", () => {
        const READ_POLICY = "hpc-dev-login-node-reads";
        const cannotRead = (script: string) =>
            `Login node pool login may not read its post-install script arn:aws:s3:::${script.slice("s3://".length)}: nothing in LoginNodes.Pools[0].Iam.AdditionalIamPolicies covers it, ` +
            "so the node cannot download the script. To fix, list in LoginNodes.Pools[0].Iam.AdditionalIamPolicies a managed policy of this stack that allows s3:GetObject on it " +
            "(login node pools take no S3Access).";

        it("reports a pool whose read policy is dropped from its policies", async () => {
            const dropRead = editV3((document) => {
                const iam = nodeOf(document, "login").Iam as Node;
                iam.AdditionalIamPolicies = (iam.AdditionalIamPolicies as Node[]).filter((entry) => !String(entry.Policy).includes(":policy/hpc-dev-login-node-reads"));
            });
            const { run, report } = await check({ change: withLoginPool, edits: [dropRead] });
            assert.deepEqual(violations(report, POLICY), [["mandatory", cannotRead(wiring(run).script), CONFIG_OBJECT]]);
        });

        it("reports a pool whose read policy grants another bucket", async () => {
            const other = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:Get*"], Resource: ["arn:aws:s3:::other-bucket/*"] }] });
            const { run, report } = await check({ change: withLoginPool, edits: [setInputs(IAM_POLICY, { policy: other }, READ_POLICY)] });
            assert.deepEqual(violations(report, POLICY), [["mandatory", cannotRead(wiring(run).script), CONFIG_OBJECT]]);
        });

        it("reports a pool passing another stack id", async () => {
            const { run, report } = await check({ change: withLoginPool, edits: [setOnNodeConfigured("login", { Args: [OTHER_STACK_ID] })] });
            assert.deepEqual(violations(report, POLICY), [
                [
                    "mandatory",
                    `Login node pool login passes "${OTHER_STACK_ID}" to the post-install script (LoginNodes.Pools[0].CustomActions.OnNodeConfigured.Args), not this stack's OpsWorks stack id. ` +
                        `Its only argument must be ${wiring(run).stackId}; ${REGISTERS_ELSEWHERE}`,
                    CONFIG_OBJECT,
                ],
            ]);
        });

        it("passes the article's stack with a pool, deployed and in a first preview", async () => {
            for (const preview of [false, true]) {
                const { report } = await check({ preview, change: withLoginPool });
                assert.deepEqual(violations(report, POLICY), []);
            }
        });

        it("judges nothing in a first preview, where the read policy's ARN is not known yet", async () => {
            const { report } = await check({ preview: true, change: withLoginPool });
            assert.deepEqual(violations(report, POLICY), []);
        });
    });

    describe("ParallelCluster 2", () => {
        const v2 = { change: (raw: { cluster: Record<string, unknown> }) => setFormat(raw, "v2") };

        it("reports post_install_args naming another stack", async () => {
            const { run, report } = await check({ ...v2, edits: [editV2("cluster default", "post_install_args", OTHER_STACK_ID, `"${OTHER_STACK_ID}"`)] });
            assert.deepEqual(violations(report, POLICY), [
                [
                    "mandatory",
                    `The cluster section (head node and every queue) passes "${OTHER_STACK_ID}" to the post-install script ([cluster default] post_install_args), ` +
                        `not this stack's OpsWorks stack id. Its only argument must be ${wiring(run).stackId}; ${REGISTERS_ELSEWHERE}`,
                    CONFIG_OBJECT,
                ],
            ]);
        });

        it("reports post_install pointing at another script", async () => {
            const { run, report } = await check({ ...v2, edits: [editV2("cluster default", "post_install", "https://example.org/post-install.sh")] });
            assert.deepEqual(violations(report, POLICY), [
                [
                    "mandatory",
                    "The cluster section (head node and every queue) runs https://example.org/post-install.sh ([cluster default] post_install), " +
                        `not this environment's uploaded post-install script. It must run ${wiring(run).script}: point [cluster default] post_install at it.`,
                    CONFIG_OBJECT,
                ],
            ]);
        });

        it("reports an s3_read_resource that does not cover the script", async () => {
            const { run, report } = await check({ ...v2, edits: [editV2("cluster default", "s3_read_resource", "arn:aws:s3:::other-bucket/*")] });
            const { bucket } = wiring(run);
            assert.deepEqual(violations(report, POLICY), [
                [
                    "mandatory",
                    `The cluster section (head node and every queue) may not read its post-install script arn:aws:s3:::${bucket}/post-install.sh: ` +
                        "nothing in [cluster default] s3_read_resource covers it, so the node cannot download the script. " +
                        `To fix, set [cluster default] s3_read_resource = arn:aws:s3:::${bucket}/*.`,
                    CONFIG_OBJECT,
                ],
            ]);
        });
    });

    describe("an adopted OpsWorks stack (opsworks.existingStackId)", () => {
        const adopted = { change: (raw: { opsworks?: unknown }) => (raw.opsworks = { existingStackId: OTHER_STACK_ID }) };

        it("passes when the nodes pass the adopted stack's id, which the permissions name", async () => {
            const { report } = await check(adopted);
            assert.deepEqual(violations(report, POLICY), []);
        });

        it("reports nodes passing another id", async () => {
            const { report } = await check({ ...adopted, edits: [setOnNodeConfigured("compute", { Args: ["01234567-89ab-cdef-0123-456789abcdef"] })] });
            assert.deepEqual(violations(report, POLICY), [
                [
                    "mandatory",
                    'Queue compute passes "01234567-89ab-cdef-0123-456789abcdef" to the post-install script (Scheduling.SlurmQueues[0].CustomActions.OnNodeConfigured.Args), ' +
                        `not this stack's OpsWorks stack id. Its only argument must be ${OTHER_STACK_ID}; ${REGISTERS_ELSEWHERE}`,
                    CONFIG_OBJECT,
                ],
            ]);
        });
    });
});
