import * as assert from "node:assert/strict";
import { parseEnvironmentConfig, type RawConfigInput } from "../../components/config";
import { DEV_STACK_FILE, devRawConfig, setFormat } from "../support/devConfig";
import { configWith, problems, type RawConfig } from "../support/configProblems";

/** The dev stack's config (cluster.deploy) with one change applied. */
const dev = (change: (raw: RawConfig) => void): RawConfigInput => configWith(change, DEV_STACK_FILE);

describe("stack config: deploying the cluster (custom resource, update strategy, login nodes)", () => {
    it("resolves the dev stack's deployment: deploy, the pinned release, no ServiceToken, COMPUTE_FLEET_STOP", () => {
        const result = parseEnvironmentConfig(devRawConfig(DEV_STACK_FILE));
        assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
        assert.deepEqual(result.config.cluster.deployment, { deploy: true, parallelClusterVersion: "3.16.3" });
        assert.equal(result.config.cluster.queueUpdateStrategy, "COMPUTE_FLEET_STOP");
    });

    it("defaults to not deploying, so an existing stack never starts creating a cluster", () => {
        const result = parseEnvironmentConfig(dev((raw) => delete raw.cluster.deploy));
        assert.ok(result.ok);
        assert.equal(result.config.cluster.deployment.deploy, false);
    });

    it("takes DRAIN, TERMINATE and an existing provider's ServiceToken", () => {
        const token = "arn:aws:lambda:eu-west-1:123456789012:function:pcluster-cfn-0123abcd";
        const result = parseEnvironmentConfig(dev((raw) => Object.assign(raw.cluster, { queueUpdateStrategy: "DRAIN", serviceToken: token })));
        assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
        assert.equal(result.config.cluster.queueUpdateStrategy, "DRAIN");
        assert.equal(result.config.cluster.deployment.serviceToken, token);
    });

    it("refuses each v3-only key in a v2 config, with the fix", () => {
        const raw = dev((r) => setFormat(r, "v2"));
        Object.assign((raw.cluster as Record<string, unknown>), { os: "centos7", deploy: true, queueUpdateStrategy: "DRAIN" });
        const why = "is ParallelCluster 3 only (its CloudFormation custom resource, queue update strategy and login nodes do not exist in 2.x).";
        assert.deepEqual(problems(raw), [
            `cluster.deploy: ${why} Set cluster.format: v3, or remove cluster.deploy.`,
            `cluster.queueUpdateStrategy: ${why} Set cluster.format: v3, or remove cluster.queueUpdateStrategy.`,
        ]);
    });

    it("refuses renaming a deployed cluster (ParallelCluster cannot), with the two steps that do it", () => {
        assert.deepEqual(problems(dev((raw) => Object.assign(raw.cluster, { name: "hpc-prod", renamedFrom: "hpc-dev" }))), [
            "cluster.renamedFrom: ParallelCluster cannot rename a deployed cluster (\"Cannot update the ClusterName\"). Rename in two steps: set cluster.deploy: false and " +
                "run pulumi up (this deletes the cluster 'hpc-dev' and renames the environment), then remove cluster.renamedFrom and set cluster.deploy: true to create 'hpc-prod'.",
        ]);
        const result = parseEnvironmentConfig(dev((raw) => Object.assign(raw.cluster, { name: "hpc-prod", renamedFrom: "hpc-dev", deploy: false })));
        assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
    });

    it("refuses releases without the custom resource, malformed versions, unknown strategies and a ServiceToken of another region", () => {
        assert.deepEqual(problems(dev((raw) => (raw.cluster.parallelClusterVersion = "3.5.1"))), [
            "cluster.parallelClusterVersion: 3.5.1 has no CloudFormation custom resource (it ships from 3.6.0), which cluster.deploy needs. " +
                "Use 3.6.0 or later (default 3.16.3), or set cluster.deploy: false to render the configuration only.",
        ]);
        assert.deepEqual(problems(dev((raw) => (raw.cluster.parallelClusterVersion = "latest"))), [
            "cluster.parallelClusterVersion: 'latest' is not a ParallelCluster 3 release such as 3.16.3. Give major.minor.patch.",
        ]);
        assert.deepEqual(problems(dev((raw) => (raw.cluster.queueUpdateStrategy = "STOP"))), [
            "cluster.queueUpdateStrategy: must be one of: COMPUTE_FLEET_STOP, DRAIN, TERMINATE (got 'STOP').",
        ]);
        assert.deepEqual(problems(dev((raw) => (raw.cluster.serviceToken = "arn:aws:lambda:us-east-1:123456789012:function:pcluster-cfn-0123abcd"))), [
            "cluster.serviceToken: the provider stack's Lambda is in us-east-1, the stack in eu-west-1; CloudFormation calls custom resources in its own region. " +
                "Give the ServiceToken of a provider stack in eu-west-1, or remove cluster.serviceToken to create one.",
        ]);
        assert.deepEqual(problems(dev((raw) => (raw.cluster.serviceToken = "pcluster-cfn-0123abcd"))), [
            "cluster.serviceToken: must be a Lambda function ARN (the provider stack's ServiceToken output), such as arn:aws:lambda:eu-west-1:123456789012:function:pcluster-cfn-0123abcd.",
        ]);
    });
});
