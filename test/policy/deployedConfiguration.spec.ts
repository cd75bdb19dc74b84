import * as assert from "node:assert/strict";
import { CLOUDFORMATION_STACK, CLUSTER_CONFIGURATION, S3_BUCKET_OBJECT } from "../../policy/lib/resourceTypes";
import type { DevRaw } from "../support/program";
import { check, checkWithout, itPassesTheDevStack, violations } from "./support/check";
import { editV3, mapText, textOnly, type Node } from "./support/edits";

const POLICY = "required-deployed-configuration";
const STACK = "hpc-dev-cluster-stack";
const MUST =
    "It must deploy exactly the rendered configuration (the program passes the same object to both): otherwise the policies check one " +
    "configuration and ParallelCluster gets another. Deploy the rendered document; do not edit or transform the template.";

/** The article's stack deploying its cluster. */
const deploy = (raw: DevRaw) => (raw.cluster.deploy = true);

/** Edits the ClusterConfiguration in the cluster stack's template body. */
function editDeployed(change: (configuration: Node) => void) {
    return mapText(
        CLOUDFORMATION_STACK,
        "templateBody",
        (body) => {
            const template = JSON.parse(body);
            change(template.Resources.PclusterCluster.Properties.ClusterConfiguration);
            return JSON.stringify(template);
        },
        "-cluster-stack",
    );
}

describe(`policy ${POLICY}`, () => {
    itPassesTheDevStack(POLICY);

    for (const preview of [false, true]) {
        it(`passes the article's stack deploying its cluster${preview ? " in a first preview" : ""}`, async () => {
            const { report } = await check({ preview, change: deploy });
            assert.deepEqual(violations(report, POLICY), []);
        });
    }

    it("reports a template whose configuration was changed after rendering, naming where", async () => {
        const { report } = await check({ change: deploy, edits: [editDeployed((configuration) => ((configuration.HeadNode as Node).InstanceType = "m5.24xlarge"))] });
        assert.deepEqual(violations(report, POLICY), [
            ["mandatory", `Cluster stack ${STACK} deploys PclusterCluster with a ClusterConfiguration that differs from the rendered one at HeadNode.InstanceType. ${MUST}`, STACK],
        ]);
    });

    it("reports a rendered configuration that was changed after the template was built (the policies would check the other one)", async () => {
        const { report } = await check({ change: deploy, edits: [textOnly(editV3((document) => delete (document.Scheduling as Node).SlurmSettings))] });
        assert.deepEqual(violations(report, POLICY), [
            ["mandatory", `Cluster stack ${STACK} deploys PclusterCluster with a ClusterConfiguration that differs from the rendered one at Scheduling.SlurmSettings. ${MUST}`, STACK],
        ]);
    });

    it("reports a configuration passed as YAML text instead of a mapping", async () => {
        const asText = mapText(
            CLOUDFORMATION_STACK,
            "templateBody",
            (body) => {
                const template = JSON.parse(body);
                template.Resources.PclusterCluster.Properties.ClusterConfiguration = "Region: eu-west-1\n";
                return JSON.stringify(template);
            },
            "-cluster-stack",
        );
        const { report } = await check({ change: deploy, edits: [asText] });
        assert.deepEqual(violations(report, POLICY), [
            ["mandatory", `Cluster stack ${STACK} deploys PclusterCluster with a ClusterConfiguration that is not a mapping (ParallelCluster's Lambda reads it as one). ${MUST}`, STACK],
        ]);
    });

    describe("a template sent by URL (over CloudFormation's body limit): read from the bucket object it names", () => {
        const big = (raw: DevRaw) => {
            deploy(raw);
            raw.cluster.queues = Array.from({ length: 50 }, (_, q) => ({
                name: `queue-${q}`,
                computeResources: [{ instanceType: "c5n.18xlarge" }],
                efa: true,
                placementGroup: `${"p".repeat(250)}-${q}`,
            }));
        };

        it("passes the rendered configuration", async () => {
            const { run, report } = await check({ change: big });
            assert.equal(run.resources.find((resource) => resource.name === STACK)?.inputs.templateBody, undefined);
            assert.deepEqual(violations(report, POLICY), []);
        });

        it("reports an object whose configuration differs", async () => {
            const edited = mapText(
                S3_BUCKET_OBJECT,
                "content",
                (body) => {
                    const template = JSON.parse(body);
                    template.Resources.PclusterCluster.Properties.ClusterConfiguration.Region = "us-east-1";
                    return JSON.stringify(template);
                },
                "-cluster-template",
            );
            const { report } = await check({ change: big, edits: [edited] });
            assert.deepEqual(violations(report, POLICY), [
                ["mandatory", `Cluster stack ${STACK} deploys PclusterCluster with a ClusterConfiguration that differs from the rendered one at Region. ${MUST}`, STACK],
            ]);
        });
    });

    it("reports a cluster stack in a stack that renders no configuration to compare with", async () => {
        const { report } = await checkWithout(CLUSTER_CONFIGURATION, { change: deploy });
        assert.deepEqual(violations(report, POLICY), [
            [
                "mandatory",
                `Cluster stack ${STACK} deploys PclusterCluster with a ClusterConfiguration but this stack renders no ParallelCluster 3 configuration ` +
                    `(pulumi-nodejs:dynamic/pcluster:ClusterConfiguration) to compare it with. ${MUST}`,
                STACK,
            ],
        ]);
    });
});
