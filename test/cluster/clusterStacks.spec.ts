import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { unknown } from "@pulumi/pulumi/output";
import * as YAML from "yaml";
import { TEMPLATE_BODY_LIMIT } from "../../components/cluster/clusterTemplate";
import { MOCK_ACCOUNT_ID } from "../../scripts/offline/mockCloud";
import type { ProgramRun } from "../../scripts/offline/runProgram";
import { DEV_STACK_FILE } from "../support/devConfig";
import { named, ofType, runDev, type DevRaw } from "../support/program";

/** The dev stack (roster backend, cluster.deploy, a login node pool), with a change. */
function runDevStack(change?: (raw: DevRaw) => void, cloud: Parameters<typeof runDev>[1] = {}): ReturnType<typeof runDev> {
    return runDev(change, cloud, undefined, undefined, DEV_STACK_FILE);
}

const STACK_TYPE = "aws:cloudformation/stack:Stack";
const PROVIDER = "hpc-dev-cluster-provider-3.16.3";
const CLUSTER_STACK = "hpc-dev-cluster-stack";

/** Runs `body` and what it logged through pulumi.log (info and warnings), as the engine would print them. */
async function withDiagnostics(body: () => Promise<ProgramRun>): Promise<{ run: ProgramRun; diagnostics: string[] }> {
    const diagnostics: string[] = [];
    const [log, warn] = [console.log, console.warn];
    console.log = console.warn = (message: string) => diagnostics.push(message);
    try {
        return { run: await body(), diagnostics };
    } finally {
        [console.log, console.warn] = [log, warn];
    }
}

function template(run: ProgramRun): Record<string, any> {
    return JSON.parse(String(named(run, CLUSTER_STACK).inputs.templateBody));
}

/** cfn-lint's exit code and output for a template, or undefined when cfn-lint is not on PATH. */
function cfnLint(body: string): { status: number | null; output: string } | undefined {
    const dir = mkdtempSync(path.join(tmpdir(), "pca-cfn-"));
    try {
        const file = path.join(dir, "cluster.json");
        writeFileSync(file, body);
        const result = spawnSync("cfn-lint", ["--format", "parseable", "--", file], { encoding: "utf8" });
        if ((result.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT") {
            return undefined;
        }
        return { status: result.status, output: `${result.stdout}${result.stderr}`.split(dir).join("<dir>") };
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

describe("the cluster's CloudFormation stacks (cluster.deploy)", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runDevStack();
    });

    it("creates ParallelCluster's provider stack from the release's template URL, with the SAM and IAM capabilities, protected", () => {
        const provider = named(run, PROVIDER);
        assert.equal(provider.type, STACK_TYPE);
        assert.deepEqual(provider.inputs, {
            name: "hpc-dev-pcluster-provider-3-16-3",
            templateUrl: "https://eu-west-1-aws-parallelcluster.s3.eu-west-1.amazonaws.com/parallelcluster/3.16.3/templates/custom_resource/cluster.yaml",
            capabilities: ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
        });
        assert.equal(provider.options.protect, true);
    });

    describe("known issues #7491 (login nodes, 3.7.0-3.15.1) and #7331 (HeadNodeAlarm, 3.8.0-3.15.1): the provider stack the program creates gets their workarounds", () => {
        const LISTENER_FIX = "hpc-dev-cluster-login-listener-fix";
        const ALARM_FIX = "hpc-dev-cluster-alarm-tagging-fix";
        const listenerSaid = (version: string) =>
            `info: [runtime] cluster.loginNodes: ParallelCluster ${version}'s provider stack cannot create login nodes as published (known issue aws/aws-parallelcluster#7491, ` +
            "3.7.0-3.15.1: its policy allows elasticloadbalancing:CreateListener only for requests tagged with parallelcluster:cluster-name alone, and ParallelCluster adds more tags). " +
            `The program adds AWS's published mitigation, the IAM policy ${LISTENER_FIX} (CreateListener when that tag is present, in eu-west-1 only), to the provider stack's ` +
            "AdditionalIamPolicies. ParallelCluster 3.16.0 and later need no workaround.";
        const alarmSaid = (version: string) =>
            `info: [runtime] cluster.parallelClusterVersion: ParallelCluster ${version}'s provider stack cannot create the head node's alarm as published (known issue ` +
            "aws/aws-parallelcluster#7331, 3.8.0-3.15.1: CloudFormation tags it, and the provider's policy lacks cloudwatch:TagResource). The program adds the IAM policy " +
            `${ALARM_FIX} (cloudwatch:TagResource and UntagResource on the alarms of 'hpc-dev', as PR #7296 grants) to the provider stack's AdditionalIamPolicies. ` +
            "ParallelCluster 3.16.0 and later need no workaround.";

        for (const version of ["3.14.2", "3.15.1"]) {
            it(`on ${version}, adds AWS's published mitigation of #7491 and PR #7296's permission for #7331 to the provider stack it creates, and says why`, async () => {
                const { run: affected, diagnostics } = await withDiagnostics(() => runDevStack((raw) => (raw.cluster.parallelClusterVersion = version)));
                const listener = named(affected, LISTENER_FIX);
                assert.equal(listener.type, "aws:iam/policy:Policy");
                // The wiki's mitigation: CreateListener only, when the cluster-name tag is present (not alone); here in one region too.
                assert.deepEqual(JSON.parse(String(listener.inputs.policy)), {
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "LoginNodesListenerWithClusterNameTag",
                            Effect: "Allow",
                            Action: ["elasticloadbalancing:CreateListener"],
                            Resource: "*",
                            Condition: { Null: { "aws:RequestTag/parallelcluster:cluster-name": "false" }, StringEquals: { "aws:RequestedRegion": "eu-west-1" } },
                        },
                    ],
                });
                const alarm = named(affected, ALARM_FIX);
                assert.deepEqual(JSON.parse(String(alarm.inputs.policy)), {
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "ClusterAlarmsTagging",
                            Effect: "Allow",
                            Action: ["cloudwatch:TagResource", "cloudwatch:UntagResource"],
                            Resource: "arn:aws:cloudwatch:eu-west-1:*:alarm:hpc-dev-*",
                        },
                    ],
                });
                for (const policy of [listener, alarm]) {
                    assert.equal(policy.parent, named(affected, "hpc-dev-cluster").urn);
                }
                const provider = named(affected, `hpc-dev-cluster-provider-${version}`);
                assert.deepEqual(provider.inputs.parameters, { AdditionalIamPolicies: `${listener.outputs.arn},${alarm.outputs.arn}` });
                assert.ok(provider.dependencies.includes(listener.urn) && provider.dependencies.includes(alarm.urn));
                // (The release's security advisories are warnings of the config, test/config/releases.spec.ts.)
                assert.deepEqual(diagnostics.filter((line) => line.startsWith("info:")), [listenerSaid(version), alarmSaid(version)]);
            });
        }

        it("on 3.16.0 and 3.16.3 (the default) adds nothing; without login nodes only #7331's", async () => {
            assert.equal(named(run, PROVIDER).inputs.parameters, undefined);
            assert.equal(run.resources.some((resource) => resource.name === LISTENER_FIX || resource.name === ALARM_FIX), false);
            const { run: fixed, diagnostics: fixedSaid } = await withDiagnostics(() => runDevStack((raw) => (raw.cluster.parallelClusterVersion = "3.16.0")));
            assert.equal(named(fixed, "hpc-dev-cluster-provider-3.16.0").inputs.parameters, undefined);
            assert.deepEqual(fixedSaid.filter((line) => line.startsWith("info:")), []);
            const { run: withoutPools, diagnostics } = await withDiagnostics(() =>
                runDevStack((raw) => Object.assign(raw.cluster, { parallelClusterVersion: "3.15.1", loginNodes: [] })),
            );
            assert.equal(withoutPools.resources.some((resource) => resource.name === LISTENER_FIX), false);
            assert.deepEqual(named(withoutPools, "hpc-dev-cluster-provider-3.15.1").inputs.parameters, { AdditionalIamPolicies: named(withoutPools, ALARM_FIX).outputs.arn });
            assert.deepEqual(diagnostics.filter((line) => line.startsWith("info:")), [alarmSaid("3.15.1")]);
        });
    });

    describe("known issue aws/aws-parallelcluster#7287 (Python 3.9 Lambdas): no new cluster on 3.14.0 and earlier", () => {
        const blocked =
            "cluster.parallelClusterVersion: ParallelCluster 3.14.0 can no longer create a cluster (known issue aws/aws-parallelcluster#7287, 3.14.0 and earlier: the cluster stack's " +
            "Lambdas run Python 3.9, whose runtime AWS Lambda refuses to create since 2026-08-31; a cluster created before keeps running, #7239). Set cluster.parallelClusterVersion " +
            "to 3.14.1 or later (default 3.16.3) for a new cluster.";
        const onRelease = (version: string) => (raw: DevRaw) => Object.assign(raw.cluster, { parallelClusterVersion: version, loginNodes: [] });

        it("refuses to create the cluster on 3.14.0, before anything is created; creates it on 3.14.1", async () => {
            await assert.rejects(runDevStack(onRelease("3.14.0")), (error: Error) => {
                assert.ok(error.message.includes(`${blocked} Nothing was created.`), error.message);
                return true;
            });
            const created = await runDevStack(onRelease("3.14.1"));
            assert.equal(named(created, "hpc-dev-cluster-provider-3.14.1").type, STACK_TYPE);
        });

        it("keeps updating a cluster this stack created on 3.14.0 (it keeps running), and says why it could not be created today", async () => {
            const outputs = (await runDevStack()).stackOutputs as Record<string, any>;
            const previousOutputs = { ...outputs, cluster: { ...outputs.cluster, parallelClusterVersion: "3.14.0" } };
            const { run: updated, diagnostics } = await withDiagnostics(() => runDevStack(onRelease("3.14.0"), { previousOutputs }));
            assert.equal(named(updated, CLUSTER_STACK).type, STACK_TYPE);
            assert.ok(diagnostics.includes(`warning: [runtime] ${blocked} This stack created 'hpc-dev' before: it is updated, not refused.`), diagnostics.join("\n"));
        });
    });

    it("names the provider resource by release, so a new release is a new stack, never this one replaced", async () => {
        const newer = await runDevStack((raw) => (raw.cluster.parallelClusterVersion = "3.16.0"));
        assert.deepEqual(ofType(newer, STACK_TYPE).map((stack) => [stack.name, stack.inputs.name]), [
            ["hpc-dev-cluster-provider-3.16.0", "hpc-dev-pcluster-provider-3-16-0"],
            [CLUSTER_STACK, "hpc-dev-deployment"],
        ]);
    });

    it("holds one Custom::PclusterCluster with the provider's ServiceToken, the cluster's name and the rendered configuration as an object", () => {
        const body = template(run);
        assert.deepEqual(Object.keys(body), ["AWSTemplateFormatVersion", "Description", "Resources", "Outputs"]);
        assert.deepEqual(Object.keys(body.Resources), ["PclusterCluster"]);
        const cluster = body.Resources.PclusterCluster;
        assert.equal(cluster.Type, "Custom::PclusterCluster");
        assert.deepEqual(Object.keys(cluster.Properties), ["ServiceToken", "ClusterName", "ClusterConfiguration"]);
        const serviceToken = (named(run, PROVIDER).outputs.outputs as Record<string, string>).ServiceToken;
        assert.match(serviceToken, new RegExp(`^arn:aws:lambda:eu-west-1:${MOCK_ACCOUNT_ID}:function:pcluster-cfn-`));
        assert.equal(cluster.Properties.ServiceToken, serviceToken);
        assert.equal(cluster.Properties.ClusterName, "hpc-dev");
        assert.notEqual(named(run, CLUSTER_STACK).inputs.name, cluster.Properties.ClusterName);
        // The very configuration that is stored and that the policies read.
        const stored = ofType(run, "pulumi-nodejs:dynamic/pcluster:ClusterConfiguration")[0];
        assert.deepEqual(cluster.Properties.ClusterConfiguration, YAML.parse(String(stored.inputs.text)));
        assert.equal(cluster.Properties.ClusterConfiguration.Scheduling.SlurmSettings.QueueUpdateStrategy, "COMPUTE_FLEET_STOP");
    });

    it("outputs only attributes the custom resource always returns", () => {
        assert.deepEqual(template(run).Outputs, {
            ClusterStatus: { Description: "describe-cluster's clusterStatus", Value: { "Fn::GetAtt": ["PclusterCluster", "clusterStatus"] } },
            HeadNodePrivateIp: { Description: "describe-cluster's headNode.privateIpAddress", Value: { "Fn::GetAtt": ["PclusterCluster", "headNode.privateIpAddress"] } },
            HeadNodeInstanceId: { Description: "describe-cluster's headNode.instanceId", Value: { "Fn::GetAtt": ["PclusterCluster", "headNode.instanceId"] } },
            ValidationMessages: { Description: "describe-cluster's validationMessages", Value: { "Fn::GetAtt": ["PclusterCluster", "validationMessages"] } },
        });
    });

    it("gives the cluster stack timeouts well above CloudFormation's one hour, fixed tags, and no capabilities", () => {
        const stack = named(run, CLUSTER_STACK);
        assert.deepEqual(stack.options.customTimeouts, { create: "180m", update: "180m", delete: "180m" });
        assert.deepEqual(stack.options.ignoreChanges, ["tags"]);
        assert.equal(stack.options.protect, false);
        assert.deepEqual(stack.inputs.tags, { "pcluster-access:cluster": "hpc-dev" });
        assert.deepEqual(Object.keys(stack.inputs).sort(), ["name", "tags", "templateBody"]);
    });

    it("exports the cluster's name, status, head node and login node pool, and per user with access the line they run to log in there", () => {
        const stack = named(run, CLUSTER_STACK).outputs.outputs as Record<string, string>;
        const login = (run.stackOutputs.cluster as { loginNodes: { address: string }[] }).loginNodes[0].address;
        assert.match(login, /^hpc-dev-login-[0-9a-f]{16}\.elb\.eu-west-1\.amazonaws\.com$/);
        assert.deepEqual(run.stackOutputs.cluster, {
            name: "hpc-dev",
            parallelClusterVersion: "3.16.3",
            status: "CREATE_COMPLETE",
            headNode: { privateIp: stack.HeadNodePrivateIp, instanceId: stack.HeadNodeInstanceId },
            loginNodes: [{ pool: "login", address: login }],
            validationMessages: "[]",
        });
        assert.deepEqual(run.stackOutputs.logins, {
            alice: { host: login, user: "alice", ssh: `ssh alice@${login}` },
            bob: { host: login, user: "bob", ssh: `ssh bob@${login}` },
            "adam.black": { host: login, user: "adamblack", ssh: `ssh adamblack@${login}` },
        });
    });

    it("hands out no host when there is no login node pool (the head node's address is private), and leaves out users without access", async () => {
        const noPools = await runDevStack((raw) => {
            delete raw.cluster.loginNodes;
            raw.users[1].access = "blocked";
        });
        const headNode = (named(noPools, CLUSTER_STACK).outputs.outputs as Record<string, string>).HeadNodePrivateIp;
        assert.deepEqual((noPools.stackOutputs.cluster as { loginNodes: unknown[] }).loginNodes, []);
        const note =
            "hpc-dev has no login node pool, and the head node's private address does not route from outside the VPC: connect from inside the VPC, " +
            "or to the head node's public address (pcluster describe-cluster -n hpc-dev --query headNode.publicIpAddress), or add cluster.loginNodes.";
        assert.deepEqual(noPools.stackOutputs.logins, { alice: { host: null, user: "alice", note }, "adam.black": { host: null, user: "adamblack", note } });
        assert.doesNotMatch(JSON.stringify(noPools.stackOutputs.logins), new RegExp(headNode.replace(/\./g, "\\.")));
    });

    it("reuses an existing provider's ServiceToken instead of creating a provider stack", async () => {
        const token = `arn:aws:lambda:eu-west-1:${MOCK_ACCOUNT_ID}:function:pcluster-cfn-shared`;
        const reused = await runDevStack((raw) => (raw.cluster.serviceToken = token));
        assert.deepEqual(ofType(reused, STACK_TYPE).map((stack) => stack.name), [CLUSTER_STACK]);
        assert.equal(template(reused).Resources.PclusterCluster.Properties.ServiceToken, token);
    });

    it("creates no stacks without cluster.deploy, and exports no cluster", async () => {
        const off = await runDevStack((raw) => delete raw.cluster.deploy);
        assert.deepEqual(ofType(off, STACK_TYPE), []);
        assert.equal(off.stackOutputs.cluster, null);
        assert.equal(off.stackOutputs.logins, null);
    });

    it("leaves the template body unknown in a first preview, where the ids it holds do not exist yet", async () => {
        const preview = await runDevStack(undefined, { preview: true });
        assert.equal(ofType(preview, STACK_TYPE).length, 2);
        assert.equal(named(preview, CLUSTER_STACK).inputs.templateBody, unknown);
    });

    describe("size", () => {
        /** `count` queues (50 is the most the config accepts), one compute resource each, every name at its longest. */
        const longest = (q: number) => `q${String(q).padStart(2, "0")}-${"x".repeat(21)}`;
        const manyQueues = (placementGroupLength: number, count = 50) => (raw: DevRaw) => {
            raw.cluster.queues = Array.from({ length: count }, (_, q) => ({
                name: longest(q),
                computeResources: [{ name: longest(q), instanceType: "c6in.32xlarge", minCount: 1, maxCount: 1000 }],
                efa: true,
                placementGroup: `${"p".repeat(placementGroupLength - 3)}-${String(q).padStart(2, "0")}`,
                disableHyperthreading: true,
                capacityType: "spot",
            }));
        };
        const bytes = (body: string) => Buffer.byteLength(body);

        it("stores the template in the bucket under a name taken from its content, and sends it inline when it fits", () => {
            const stored = named(run, "hpc-dev-cluster-template");
            const body = String(named(run, CLUSTER_STACK).inputs.templateBody);
            assert.equal(stored.inputs.content, body);
            assert.equal(stored.inputs.bucket, named(run, "hpc-dev-scripts-bucket").outputs.bucket);
            assert.match(String(stored.inputs.key), /^cluster-templates\/[0-9a-f]{16}\.json$/);
            assert.equal(named(run, CLUSTER_STACK).inputs.templateUrl, undefined);
            // Written only once the bucket is private, encrypted, versioned and TLS-only, as the scripts are.
            const guards = stored.dependencies.map((urn) => urn.split("::").pop()).filter((name) => name !== "hpc-dev-scripts-bucket" && name?.startsWith("hpc-dev-scripts-"));
            assert.deepEqual(guards.sort(), ["hpc-dev-scripts-encryption", "hpc-dev-scripts-ownership", "hpc-dev-scripts-public-access-block", "hpc-dev-scripts-tls-only", "hpc-dev-scripts-versioning"]);
        });

        // Every node's post-install arguments carry the roster's public key (124 characters): about 1.1 KB per
        // queue, so 43 such queues are sent inline (44 just fit: 51,194 bytes) and 45 or more go by URL.
        it(`sends 43 queues with 8-character placement group names inline (under ${TEMPLATE_BODY_LIMIT} bytes)`, async () => {
            const big = await runDevStack(manyQueues(8, 43));
            const body = String(named(big, CLUSTER_STACK).inputs.templateBody);
            assert.equal(JSON.parse(body).Resources.PclusterCluster.Properties.ClusterConfiguration.Scheduling.SlurmQueues.length, 43);
            assert.ok(bytes(body) < TEMPLATE_BODY_LIMIT, `${bytes(body)} bytes`);
            console.log(`      43 queues, 25-character names, 8-character placement groups: ${bytes(body)} bytes inline`);
        });

        it("sends a template over the limit by URL from the bucket, and CloudFormation (the mock) deploys it from there", async () => {
            const big = await runDevStack(manyQueues(64));
            const stack = named(big, CLUSTER_STACK);
            const stored = named(big, "hpc-dev-cluster-template");
            const bucket = String(named(big, "hpc-dev-scripts-bucket").outputs.bucket);
            assert.equal(stack.inputs.templateBody, undefined);
            assert.equal(stack.inputs.templateUrl, `https://${bucket}.s3.eu-west-1.amazonaws.com/${String(stored.inputs.key)}`);
            assert.ok(bytes(String(stored.inputs.content)) > TEMPLATE_BODY_LIMIT);
            console.log(`      50 queues, 25-character names, 64-character placement groups: ${bytes(String(stored.inputs.content))} bytes, by URL`);
            assert.equal((big.stackOutputs.cluster as { status: string }).status, "CREATE_COMPLETE");
        });
    });

    describe("cfn-lint", () => {
        const lintOrSay = (body: string) => {
            const result = cfnLint(body);
            if (result === undefined) {
                console.log("      cfn-lint is not on PATH: the cluster template was NOT linted (pip install cfn-lint to lint it).");
            }
            return result;
        };

        it("passes the rendered cluster template, with no finding", function () {
            const result = lintOrSay(String(named(run, CLUSTER_STACK).inputs.templateBody));
            if (result === undefined) {
                return;
            }
            assert.deepEqual(result, { status: 0, output: "" });
        });

        it("would catch a broken template: an output reading a resource the template does not have", function () {
            const body = template(run);
            body.Outputs.Broken = { Value: { "Fn::GetAtt": ["NoSuchResource", "Arn"] } };
            const result = lintOrSay(JSON.stringify(body));
            if (result === undefined) {
                return;
            }
            assert.equal(result.status, 2);
            assert.match(result.output, /:E6101:'NoSuchResource' is not one of \['PclusterCluster'\]\n$/);
        });
    });
});
