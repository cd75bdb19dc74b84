import * as assert from "node:assert/strict";
import { OPSWORKS_PERMISSION, OPSWORKS_STACK } from "../../policy/lib/resourceTypes";
import { named } from "../support/program";
import { check, itPassesTheDevStack, violations } from "./support/check";
import { setInputs } from "./support/edits";
import { setFormat } from "../support/devConfig";

const POLICY = "required-opsworks-stack-placement";
const STACK = "hpc-dev-opsworks-stack";
const OTHER_VPC = "vpc-0fedcba9876543210";
const EXISTING_NETWORK = {
    vpcId: "vpc-0123456789abcdef0",
    headNodeSubnetId: "subnet-0aaaaaaaaaaaaaaa1",
    computeSubnetIds: ["subnet-0aaaaaaaaaaaaaaa2"],
};
const existingNetwork = {
    change: (raw: { network: unknown }) => (raw.network = { existing: EXISTING_NETWORK }),
    cloud: { defaultVpcId: EXISTING_NETWORK.vpcId },
};

describe(`policy ${POLICY}`, () => {
    itPassesTheDevStack(POLICY);

    it("reports a stack on another Chef version", async () => {
        const { report } = await check({ edits: [setInputs(OPSWORKS_STACK, { configurationManager: { name: "Chef", version: "11.10" } })] });
        assert.deepEqual(violations(report, POLICY), [
            [
                "mandatory",
                "OpsWorks stack hpc-dev-users uses Chef 11.10; it must use Chef 12, the stack the article creates (its agent is the one that manages the users). " +
                    'Set configurationManager to {name: "Chef", version: "12"}.',
                STACK,
            ],
        ]);
    });

    it("reports a stack in another region than the cluster", async () => {
        const { report } = await check({ edits: [setInputs(OPSWORKS_STACK, { region: "us-east-1" })] });
        assert.deepEqual(violations(report, POLICY), [
            [
                "mandatory",
                "OpsWorks stack hpc-dev-users is in region us-east-1 but the cluster is in eu-west-1. The stack must be in the cluster's region: " +
                    "nodes register with the OpsWorks endpoint of their own region. Use an OpsWorks stack in eu-west-1.",
                STACK,
            ],
        ]);
    });

    for (const format of ["v3", "v2"]) {
        it(`reports a stack in another VPC than the cluster's (${format})`, async () => {
            const { run, report } = await check({ change: (raw) => setFormat(raw, format), edits: [setInputs(OPSWORKS_STACK, { vpcId: OTHER_VPC })] });
            const clusterVpc = String(named(run, "hpc-dev-network-vpc").outputs.vpcId);
            assert.deepEqual(violations(report, POLICY), [
                [
                    "mandatory",
                    `OpsWorks stack hpc-dev-users is in VPC ${OTHER_VPC} but the cluster's nodes are in VPC ${clusterVpc}. ` +
                        `The stack must be in the cluster's VPC, as the article creates it: set its vpcId to ${clusterVpc}.`,
                    STACK,
                ],
            ]);
        });
    }

    describe("an existing network, whose VPC no resource of the stack names (v3)", () => {
        it("passes: the stack's default subnet is the head node's", async () => {
            const { report } = await check(existingNetwork);
            assert.deepEqual(violations(report, POLICY), []);
        });

        it("reports a default subnet outside the cluster's subnets", async () => {
            const { report } = await check({ ...existingNetwork, edits: [setInputs(OPSWORKS_STACK, { defaultSubnetId: "subnet-0bbbbbbbbbbbbbbb1" })] });
            assert.deepEqual(violations(report, POLICY), [
                [
                    "mandatory",
                    "OpsWorks stack hpc-dev-users's default subnet subnet-0bbbbbbbbbbbbbbb1 is none of the cluster's subnets " +
                        `(${EXISTING_NETWORK.headNodeSubnetId} and ${EXISTING_NETWORK.computeSubnetIds[0]}), ` +
                        "so the stack cannot be shown to be in the cluster's VPC. Use the head node's subnet as the stack's default subnet.",
                    STACK,
                ],
            ]);
        });
    });

    describe("an adopted OpsWorks stack", () => {
        const stackId = "2f18b4cb-4de5-4429-a149-ff7da9f0d8ee";
        const adopted = (raw: { opsworks?: unknown }) => (raw.opsworks = { existingStackId: stackId });

        it("passes when the permissions are managed in the cluster's region", async () => {
            const { report } = await check({ change: adopted });
            assert.deepEqual(violations(report, POLICY), []);
        });

        it("reports a permission managed in another region", async () => {
            const { report } = await check({ change: adopted, edits: [setInputs(OPSWORKS_PERMISSION, { region: "eu-central-1" }, "bob-permission")] });
            assert.deepEqual(violations(report, POLICY), [
                [
                    "mandatory",
                    `The adopted OpsWorks stack ${stackId} (permission hpc-dev-users-bob-permission) is in region eu-central-1 but the cluster is in eu-west-1. ` +
                        "The stack must be in the cluster's region: nodes register with the OpsWorks endpoint of their own region. Use an OpsWorks stack in eu-west-1.",
                    "hpc-dev-users-bob-permission",
                ],
            ]);
        });
    });
});
