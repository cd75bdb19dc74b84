import * as assert from "node:assert/strict";
import { check, itPassesTheDevStack, violations } from "./support/check";
import { CONFIGURATION, dropIamPolicy, editV2, editV3, REGISTER_CLI_ARN, REGISTRATION_ARN, textOnly } from "./support/edits";

const POLICY = "required-opsworks-iam-policies";
const CONFIG_OBJECT = "hpc-dev-cluster-config-object";
const WHY =
    `Every node must carry ${REGISTRATION_ARN} and ${REGISTER_CLI_ARN}: nodes register with the OpsWorks stack from the post-install script ` +
    "and the head node deregisters terminated nodes, so without them the node gets none of the stack's users. ";

function lacks(node: string, arn: string, path: string): string {
    return `${node} lacks ${arn} in ${path}. ${WHY}Add it there (ParallelClusterEnvironment's iamPolicyArns must include it).`;
}

describe(`policy ${POLICY}`, () => {
    itPassesTheDevStack(POLICY);

    it("passes the dev stack rendered as ParallelCluster 2", async () => {
        const { report } = await check({ change: (raw) => (raw.cluster.format = "v2") });
        assert.deepEqual(violations(report, POLICY), []);
    });

    it("names every node when the program's iamPolicyArns lack one", async () => {
        const { report } = await check({ program: "environment", environment: { iamPolicyArns: [REGISTRATION_ARN] } });
        assert.deepEqual(violations(report, POLICY), [
            ["mandatory", lacks("The head node", REGISTER_CLI_ARN, "HeadNode.Iam.AdditionalIamPolicies"), CONFIG_OBJECT],
            ["mandatory", lacks("Queue compute", REGISTER_CLI_ARN, "Scheduling.SlurmQueues[0].Iam.AdditionalIamPolicies"), CONFIG_OBJECT],
            ["mandatory", lacks("Queue standard", REGISTER_CLI_ARN, "Scheduling.SlurmQueues[1].Iam.AdditionalIamPolicies"), CONFIG_OBJECT],
            ["mandatory", lacks("Queue highmem", REGISTER_CLI_ARN, "Scheduling.SlurmQueues[2].Iam.AdditionalIamPolicies"), CONFIG_OBJECT],
        ]);
    });

    it("names the head node alone when only it lacks the registration policy", async () => {
        const { report } = await check({ edits: [dropIamPolicy("HeadNode", REGISTRATION_ARN)] });
        assert.deepEqual(violations(report, POLICY), [
            ["mandatory", lacks("The head node", REGISTRATION_ARN, "HeadNode.Iam.AdditionalIamPolicies"), CONFIG_OBJECT],
        ]);
    });

    for (const preview of [false, true]) {
        it(`names the one queue that lacks a policy${preview ? ", from the document during a first preview" : ""}`, async () => {
            const { report } = await check({ preview, edits: [dropIamPolicy("highmem", REGISTER_CLI_ARN)] });
            assert.deepEqual(violations(report, POLICY), [
                ["mandatory", lacks("Queue highmem", REGISTER_CLI_ARN, "Scheduling.SlurmQueues[2].Iam.AdditionalIamPolicies"), CONFIG_OBJECT],
            ]);
        });
    }

    it("reads the rendered text, not the document, when the text is known", async () => {
        const { report } = await check({ edits: [textOnly(dropIamPolicy("standard", REGISTRATION_ARN))] });
        assert.deepEqual(violations(report, POLICY), [
            ["mandatory", lacks("Queue standard", REGISTRATION_ARN, "Scheduling.SlurmQueues[1].Iam.AdditionalIamPolicies"), CONFIG_OBJECT],
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
                `Queue compute lacks ${REGISTRATION_ARN} and ${REGISTER_CLI_ARN} in Scheduling.SlurmQueues[0].Iam.AdditionalIamPolicies. ${WHY}` +
                    "Add them there (ParallelClusterEnvironment's iamPolicyArns must include them).",
                CONFIG_OBJECT,
            ],
        ]);
    });

    it("names v2's cluster section, which applies to the head node and every queue", async () => {
        const { report } = await check({
            change: (raw) => (raw.cluster.format = "v2"),
            edits: [editV2("cluster default", "additional_iam_policies", REGISTRATION_ARN)],
        });
        assert.deepEqual(violations(report, POLICY), [
            ["mandatory", lacks("The cluster section (head node and every queue)", REGISTER_CLI_ARN, "[cluster default] additional_iam_policies"), CONFIG_OBJECT],
        ]);
    });

    it("requires the ARNs the policy config names", async () => {
        const extra = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore";
        const { report } = await check({
            change: (raw) => (raw.cluster.format = "v2"),
            config: { [POLICY]: { requiredPolicyArns: [REGISTRATION_ARN, extra] } },
        });
        assert.deepEqual(violations(report, POLICY), [
            [
                "mandatory",
                `The cluster section (head node and every queue) lacks ${extra} in [cluster default] additional_iam_policies. ` +
                    `Every node must carry ${REGISTRATION_ARN} and ${extra}: nodes register with the OpsWorks stack from the post-install script ` +
                    "and the head node deregisters terminated nodes, so without them the node gets none of the stack's users. " +
                    "Add it there (ParallelClusterEnvironment's iamPolicyArns must include it).",
                CONFIG_OBJECT,
            ],
        ]);
    });

    it("reports a configuration whose text cannot be read", async () => {
        const { report } = await check({ edits: [{ type: CONFIGURATION, edit: (props) => ({ ...props, text: "HeadNode: [unclosed" }) }] });
        const [[level, message, resource]] = violations(report, POLICY);
        assert.deepEqual([level, resource], ["mandatory", CONFIG_OBJECT]);
        assert.match(
            message,
            new RegExp(
                "^The cluster configuration cannot be read: its text is not valid YAML \\(.+\\)\\. It must be a ParallelCluster v3 YAML or v2 INI file whose nodes carry " +
                    `${REGISTRATION_ARN} and ${REGISTER_CLI_ARN}\\.$`,
            ),
        );
    });

    it("reports OpsWorks users with no cluster configuration at all", async () => {
        const { report } = await check({ program: "users-without-cluster" });
        assert.deepEqual(violations(report, POLICY), [
            [
                "mandatory",
                "This stack has an OpsWorks stack or OpsWorks users but no cluster configuration (pulumi-nodejs:dynamic/pcluster:ClusterConfiguration). " +
                    `Every cluster node must carry ${REGISTRATION_ARN} and ${REGISTER_CLI_ARN}, and only the stored configuration shows that it does: ` +
                    "build the environment with ParallelClusterEnvironment, which renders and stores it.",
                undefined,
            ],
        ]);
    });
});
