import * as assert from "node:assert/strict";
import { OPSWORKS_REGISTER_CLI_POLICY, OPSWORKS_REGISTRATION_POLICY } from "../../policy/iamPolicies";
import { CLUSTER_CONFIGURATION } from "../../policy/lib/resourceTypes";
import { check, itPassesTheDevStack, violations } from "./support/check";
import { dropIamPolicy, editV2, editV3, setInputs, textOnly } from "./support/edits";
import { setFormat } from "../support/devConfig";
import { withLoginPool } from "./support/edits";

const POLICY = "required-opsworks-iam-policies";
const CONFIG_OBJECT = "hpc-dev-cluster-config-object";
const WHY =
    `Every node must carry ${OPSWORKS_REGISTRATION_POLICY} and ${OPSWORKS_REGISTER_CLI_POLICY}: nodes register with the OpsWorks stack from the post-install script ` +
    "and the head node deregisters terminated nodes, so without them the node gets none of the stack's users. ";

function lacks(node: string, arn: string, path: string): string {
    return `${node} lacks ${arn} in ${path}. ${WHY}Add it there (ParallelClusterEnvironment's iamPolicyArns must include it).`;
}

describe(`policy ${POLICY}`, () => {
    itPassesTheDevStack(POLICY);

    it("passes the dev stack rendered as ParallelCluster 2", async () => {
        const { report } = await check({ change: (raw) => setFormat(raw, "v2") });
        assert.deepEqual(violations(report, POLICY), []);
    });

    it("names every node when the program's iamPolicyArns lack one", async () => {
        const { report } = await check({ program: "environment", environment: { iamPolicyArns: [OPSWORKS_REGISTRATION_POLICY] } });
        assert.deepEqual(violations(report, POLICY), [
            ["mandatory", lacks("The head node", OPSWORKS_REGISTER_CLI_POLICY, "HeadNode.Iam.AdditionalIamPolicies"), CONFIG_OBJECT],
            ["mandatory", lacks("Queue compute", OPSWORKS_REGISTER_CLI_POLICY, "Scheduling.SlurmQueues[0].Iam.AdditionalIamPolicies"), CONFIG_OBJECT],
            ["mandatory", lacks("Queue standard", OPSWORKS_REGISTER_CLI_POLICY, "Scheduling.SlurmQueues[1].Iam.AdditionalIamPolicies"), CONFIG_OBJECT],
            ["mandatory", lacks("Queue highmem", OPSWORKS_REGISTER_CLI_POLICY, "Scheduling.SlurmQueues[2].Iam.AdditionalIamPolicies"), CONFIG_OBJECT],
        ]);
    });

    it("checks login node pools like queues: names the pool that lacks a policy", async () => {
        const { report } = await check({ change: withLoginPool, edits: [dropIamPolicy("login", OPSWORKS_REGISTRATION_POLICY)] });
        assert.deepEqual(violations(report, POLICY), [
            ["mandatory", lacks("Login node pool login", OPSWORKS_REGISTRATION_POLICY, "LoginNodes.Pools[0].Iam.AdditionalIamPolicies"), CONFIG_OBJECT],
        ]);
    });

    it("names the head node alone when only it lacks the registration policy", async () => {
        const { report } = await check({ edits: [dropIamPolicy("HeadNode", OPSWORKS_REGISTRATION_POLICY)] });
        assert.deepEqual(violations(report, POLICY), [
            ["mandatory", lacks("The head node", OPSWORKS_REGISTRATION_POLICY, "HeadNode.Iam.AdditionalIamPolicies"), CONFIG_OBJECT],
        ]);
    });

    for (const preview of [false, true]) {
        it(`names the one queue that lacks a policy${preview ? ", from the document during a first preview" : ""}`, async () => {
            const { report } = await check({ preview, edits: [dropIamPolicy("highmem", OPSWORKS_REGISTER_CLI_POLICY)] });
            assert.deepEqual(violations(report, POLICY), [
                ["mandatory", lacks("Queue highmem", OPSWORKS_REGISTER_CLI_POLICY, "Scheduling.SlurmQueues[2].Iam.AdditionalIamPolicies"), CONFIG_OBJECT],
            ]);
        });
    }

    it("reads the rendered text, not the document, when the text is known", async () => {
        const { report } = await check({ edits: [textOnly(dropIamPolicy("standard", OPSWORKS_REGISTRATION_POLICY))] });
        assert.deepEqual(violations(report, POLICY), [
            ["mandatory", lacks("Queue standard", OPSWORKS_REGISTRATION_POLICY, "Scheduling.SlurmQueues[1].Iam.AdditionalIamPolicies"), CONFIG_OBJECT],
        ]);
    });

    it("names both ARNs when a queue carries neither", async () => {
        const { report } = await check({
            edits: [
                editV3((document) => {
                    const queue = ((document.Scheduling as Record<string, unknown>).SlurmQueues as Record<string, unknown>[])[0];
                    delete (queue.Iam as Record<string, unknown>).AdditionalIamPolicies;
                }),
            ],
        });
        assert.deepEqual(violations(report, POLICY), [
            [
                "mandatory",
                `Queue compute lacks ${OPSWORKS_REGISTRATION_POLICY} and ${OPSWORKS_REGISTER_CLI_POLICY} in Scheduling.SlurmQueues[0].Iam.AdditionalIamPolicies. ${WHY}` +
                    "Add them there (ParallelClusterEnvironment's iamPolicyArns must include them).",
                CONFIG_OBJECT,
            ],
        ]);
    });

    it("names v2's cluster section, which applies to the head node and every queue", async () => {
        const { report } = await check({
            change: (raw) => setFormat(raw, "v2"),
            edits: [editV2("cluster default", "additional_iam_policies", OPSWORKS_REGISTRATION_POLICY)],
        });
        assert.deepEqual(violations(report, POLICY), [
            ["mandatory", lacks("The cluster section (head node and every queue)", OPSWORKS_REGISTER_CLI_POLICY, "[cluster default] additional_iam_policies"), CONFIG_OBJECT],
        ]);
    });

    it("requires the ARNs the policy config names", async () => {
        const extra = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore";
        const { report } = await check({
            change: (raw) => setFormat(raw, "v2"),
            config: { [POLICY]: { requiredPolicyArns: [OPSWORKS_REGISTRATION_POLICY, extra] } },
        });
        assert.deepEqual(violations(report, POLICY), [
            [
                "mandatory",
                `The cluster section (head node and every queue) lacks ${extra} in [cluster default] additional_iam_policies. ` +
                    `Every node must carry ${OPSWORKS_REGISTRATION_POLICY} and ${extra}: nodes register with the OpsWorks stack from the post-install script ` +
                    "and the head node deregisters terminated nodes, so without them the node gets none of the stack's users. " +
                    "Add it there (ParallelClusterEnvironment's iamPolicyArns must include it).",
                CONFIG_OBJECT,
            ],
        ]);
    });

    it("reports a configuration whose text cannot be read", async () => {
        const { report } = await check({ edits: [{ type: CLUSTER_CONFIGURATION, edit: (props) => ({ ...props, text: "HeadNode: [unclosed" }) }] });
        const [[level, message, resource]] = violations(report, POLICY);
        assert.deepEqual([level, resource], ["mandatory", CONFIG_OBJECT]);
        assert.match(
            message,
            new RegExp(
                "^The cluster configuration cannot be read: its text is not valid YAML \\(.+\\)\\. It must be a ParallelCluster v3 YAML or v2 INI file whose nodes carry " +
                    `${OPSWORKS_REGISTRATION_POLICY} and ${OPSWORKS_REGISTER_CLI_POLICY}\\.$`,
            ),
        );
    });

    const unreadable = (problem: string) =>
        `The cluster configuration cannot be read: ${problem}. It must be a ParallelCluster v3 YAML or v2 INI file whose nodes carry ` +
        `${OPSWORKS_REGISTRATION_POLICY} and ${OPSWORKS_REGISTER_CLI_POLICY}.`;

    const documents: [string, unknown][] = [
        ["v3", undefined],
        ["v3", ["HeadNode"]],
        ["v2", undefined],
        ["v2", { cluster: {} }],
    ];
    for (const [format, document] of documents) {
        it(`reports a first preview's ${format} configuration whose document is ${JSON.stringify(document) ?? "missing"}`, async () => {
            const { report } = await check({
                preview: true,
                change: (raw) => setFormat(raw, format),
                edits: [setInputs(CLUSTER_CONFIGURATION, { document })],
            });
            assert.deepEqual(violations(report, POLICY), [
                ["mandatory", unreadable("its text is unknown during this preview and it has no readable document"), CONFIG_OBJECT],
            ]);
        });
    }

    it("reports a configuration of another format", async () => {
        const { report } = await check({ edits: [setInputs(CLUSTER_CONFIGURATION, { format: "v4" })] });
        assert.deepEqual(violations(report, POLICY), [["mandatory", unreadable('its format is "v4", not v2 or v3'), CONFIG_OBJECT]]);
    });

    it("reports OpsWorks users with no cluster configuration at all", async () => {
        const { report } = await check({ program: "users-without-cluster" });
        assert.deepEqual(violations(report, POLICY), [
            [
                "mandatory",
                "This stack has an OpsWorks stack or OpsWorks users but no cluster configuration (pulumi-nodejs:dynamic/pcluster:ClusterConfiguration). " +
                    `Every cluster node must carry ${OPSWORKS_REGISTRATION_POLICY} and ${OPSWORKS_REGISTER_CLI_POLICY}, and only the stored configuration shows that it does: ` +
                    "build the environment with ParallelClusterEnvironment, which renders and stores it.",
                undefined,
            ],
        ]);
    });
});
