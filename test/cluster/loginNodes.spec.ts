import * as assert from "node:assert/strict";
import * as YAML from "yaml";
import { parseEnvironmentConfig, type RawConfigInput } from "../../components/config";
import type { ProgramRun } from "../../scripts/offline/runProgram";
import { DEV_STACK_FILE, devRawConfig, setFormat } from "../support/devConfig";
import { named, ofType, runDev, type DevRaw } from "../support/program";
import { configWith, problems, type RawConfig } from "../support/configProblems";

/** The dev stack (roster backend, cluster.deploy, a login node pool), with a change. */
function runDevStack(change?: (raw: DevRaw) => void, cloud: Parameters<typeof runDev>[1] = {}): ReturnType<typeof runDev> {
    return runDev(change, cloud, undefined, undefined, DEV_STACK_FILE);
}

const OPSWORKS_POLICIES = ["arn:aws:iam::aws:policy/AWSOpsWorksInstanceRegistration", "arn:aws:iam::aws:policy/AWSOpsWorksRegisterCLI_EC2"];

/** The dev stack's config (a login node pool) with one change applied. */
const dev = (change: (raw: RawConfig) => void): RawConfigInput => configWith(change, DEV_STACK_FILE);

function document(run: ProgramRun): Record<string, any> {
    return YAML.parse(String(ofType(run, "pulumi-nodejs:dynamic/pcluster:ClusterConfiguration")[0].inputs.text));
}

describe("login nodes", () => {
    describe("config", () => {
        it("resolves the dev stack's pool, with no key pair of its own (it lets in the head node's)", () => {
            const result = parseEnvironmentConfig(devRawConfig(DEV_STACK_FILE));
            assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
            assert.deepEqual(result.config.cluster.loginNodes, [{ name: "login", instanceType: "t3.medium", count: 2 }]);
        });

        it("refuses bad pools one by one, with the fix", () => {
            assert.deepEqual(
                problems(
                    dev((raw) => {
                        raw.cluster.loginNodes = [
                            { name: "Login", instanceType: "t3.medium" },
                            { name: "users", instanceType: "t3" },
                            { name: "users", instanceType: "t3.small", count: -1 },
                            { instanceType: "t3.small", keyNmae: "x" },
                        ];
                    }),
                ),
                [
                    "cluster.loginNodes[1].instanceType: must be an EC2 instance type such as t3.large or c5n.18xlarge.",
                    "cluster.loginNodes[2].count: must be at least 0.",
                    "cluster.loginNodes[3].name: is required: name the pool, e.g. login.",
                    "cluster.loginNodes[3].keyNmae: is not a known key. Check its spelling against the config reference in docs/config-reference.md.",
                    "cluster.loginNodes[0].name: 'Login' is not a valid login node pool name: lowercase letters, digits and '-', starting with a letter, at most 25 characters.",
                ],
            );
            assert.deepEqual(
                problems(dev((raw) => (raw.cluster.loginNodes = [{ name: "users", instanceType: "t3.small" }, { name: "users", instanceType: "t3.small" }]))),
                ["cluster.loginNodes[1].name: pool 'users' is already cluster.loginNodes[0]. Pool names must be unique."],
            );
        });

        it("needs ParallelCluster 3.11 or later, whose login nodes run the post-install action, and v3", () => {
            assert.deepEqual(problems(dev((raw) => (raw.cluster.parallelClusterVersion = "3.10.1"))), [
                "cluster.parallelClusterVersion: 3.10.1 cannot run the post-install action on login nodes (login node custom actions arrive in 3.11.0), " +
                    "so their users would never be created. Use 3.11.0 or later (default 3.16.3), or remove cluster.loginNodes.",
            ]);
            const v2 = devRawConfig(DEV_STACK_FILE);
            const pools = v2.cluster.loginNodes;
            setFormat(v2, "v2");
            Object.assign(v2.cluster, { os: "centos7", loginNodes: pools });
            assert.deepEqual(problems(v2), [
                "cluster.loginNodes: is ParallelCluster 3 only (its CloudFormation custom resource, queue update strategy and login nodes do not exist in 2.x). " +
                    "Set cluster.format: v3, or remove cluster.loginNodes.",
            ]);
        });
    });

    describe("rendered and wired like every other node", () => {
        let run: ProgramRun;
        before(async () => {
            run = await runDevStack();
        });

        it("renders the pool in the head node's subnet, with its SSH sources, the backend's policies plus the read policy, and the post-install action", () => {
            const doc = document(run);
            const readPolicy = named(run, "hpc-dev-login-node-reads").outputs.arn;
            assert.deepEqual(doc.LoginNodes, {
                Pools: [
                    {
                        Name: "login",
                        InstanceType: "t3.medium",
                        Count: 2,
                        Networking: { SubnetIds: [doc.HeadNode.Networking.SubnetId] },
                        Ssh: { AllowedIps: "203.0.113.0/24" },
                        Iam: { AdditionalIamPolicies: [...(doc.HeadNode.Iam.AdditionalIamPolicies ?? []), { Policy: readPolicy }] },
                        CustomActions: doc.HeadNode.CustomActions,
                    },
                ],
            });
            assert.deepEqual(Object.keys(doc), ["Region", "Image", "HeadNode", "LoginNodes", "Scheduling", "SharedStorage"]);
        });

        it("grants login nodes exactly the S3 reads S3Access gives the other nodes, as a managed policy (pools take no S3Access)", () => {
            const reads = document(run).HeadNode.Iam.S3Access as { BucketName: string; KeyName?: string }[];
            assert.ok(reads.length > 0);
            const resources = reads.flatMap((read) =>
                read.KeyName === undefined ? [`arn:aws:s3:::${read.BucketName}`, `arn:aws:s3:::${read.BucketName}/*`] : [`arn:aws:s3:::${read.BucketName}/${read.KeyName}`],
            );
            assert.deepEqual(JSON.parse(String(named(run, "hpc-dev-login-node-reads").inputs.policy)), {
                Version: "2012-10-17",
                Statement: [{ Sid: "S3Read", Effect: "Allow", Action: ["s3:Get*", "s3:List*"], Resource: resources }],
            });
        });

        it("wires a pool of the OpsWorks backend (the article's stack) the same way: its two policies, the bucket read and the stack id", async () => {
            const article = await runDev((raw) => (raw.cluster.loginNodes = [{ name: "login", instanceType: "t3.medium" }]));
            const doc = document(article);
            const bucket = String(named(article, "hpc-dev-scripts-bucket").outputs.bucket);
            const [pool] = doc.LoginNodes.Pools;
            assert.deepEqual(pool.Iam.AdditionalIamPolicies, [...OPSWORKS_POLICIES, named(article, "hpc-dev-login-node-reads").outputs.arn].map((Policy) => ({ Policy })));
            assert.deepEqual(pool.CustomActions, { OnNodeConfigured: { Script: `s3://${bucket}/post-install.sh`, Args: [named(article, "hpc-dev-opsworks-stack").outputs.stackId] } });
            assert.deepEqual(JSON.parse(String(named(article, "hpc-dev-login-node-reads").inputs.policy)).Statement[0].Resource, [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`]);
            assert.equal(pool.Count, 1);
        });

        it("creates no read policy and renders no LoginNodes without pools", async () => {
            const none = await runDevStack((raw) => delete raw.cluster.loginNodes);
            assert.equal(document(none).LoginNodes, undefined);
            // Only the node status grant every node carries (docs/node-status.md); no login node read policy.
            assert.deepEqual(ofType(none, "aws:iam/policy:Policy").map((policy) => policy.name), ["hpc-dev-node-status"]);
        });
    });
});
