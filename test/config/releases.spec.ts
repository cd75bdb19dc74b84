import * as assert from "node:assert/strict";
import { parseEnvironmentConfig, type RawConfigInput } from "../../components/config";
import { DEFAULT_RELEASE, LOGIN_NODES_LISTENER_ISSUE, RELEASES, knownReleases, lookupRelease } from "../../components/config/releases";
import { DEV_STACK_FILE } from "../support/devConfig";
import { configWith, problems, type RawConfig } from "../support/configProblems";

/** The dev stack's config (cluster.deploy, a login node pool, alinux2023) with one change applied. */
const dev = (change: (raw: RawConfig) => void): RawConfigInput => configWith(change, DEV_STACK_FILE);
const TOKEN = "arn:aws:lambda:eu-west-1:123456789012:function:pcluster-cfn-0123abcd";

function warnings(raw: RawConfigInput): string[] {
    const result = parseEnvironmentConfig(raw);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
    return result.warnings.map((warning) => `${warning.path}: ${warning.message}`);
}

describe("ParallelCluster releases (components/config/releases.ts)", () => {
    describe("the table", () => {
        it("has one row per release from 3.6.0 (the first with the custom resource) to 3.16.3, oldest first, each with its source", () => {
            assert.deepEqual(
                RELEASES.map((release) => release.version),
                ["3.6.0", "3.6.1", "3.7.0", "3.7.1", "3.7.2", "3.8.0", "3.9.0", "3.9.1", "3.9.2", "3.9.3", "3.10.0", "3.10.1", "3.11.0", "3.11.1", "3.12.0",
                    "3.13.0", "3.13.1", "3.13.2", "3.14.0", "3.14.1", "3.14.2", "3.15.0", "3.15.1", "3.16.0", "3.16.1", "3.16.2", "3.16.3"],
            );
            assert.ok(RELEASES.every((release) => release.source.length > 0 && release.operatingSystems.length > 0));
            assert.equal(knownReleases(), "3.6.0-3.6.1, 3.7.0-3.7.2, 3.8.0, 3.9.0-3.9.3, 3.10.0-3.10.1, 3.11.0-3.11.1, 3.12.0, 3.13.0-3.13.2, 3.14.0-3.14.2, 3.15.0-3.15.1, 3.16.0-3.16.3");
        });

        it("defaults to 3.16.3, a row of the table", () => {
            assert.equal(DEFAULT_RELEASE, "3.16.3");
            assert.deepEqual(lookupRelease(DEFAULT_RELEASE), { ok: true, release: RELEASES[RELEASES.length - 1], newerPatch: false });
        });

        it("holds each release's facts: OS values, AMI root volume, login node keys and custom actions, known issues", () => {
            const facts = (version: string) => {
                const release = RELEASES.find((row) => row.version === version)!;
                return {
                    os: release.operatingSystems.join(" "),
                    rootVolumeMinGiB: release.rootVolumeMinGiB,
                    login: release.loginNodes === undefined ? "none" : `${release.loginNodes.maxPools} pools, custom actions ${release.loginNodes.customActions}, KeyName ${release.loginNodes.keyName}`,
                    issues: release.knownIssues.map((issue) => issue.reference).join(" "),
                    unconfirmed: (release.unconfirmedOperatingSystems ?? []).join(" "),
                };
            };
            assert.deepEqual(facts("3.6.1"), { os: "alinux2 centos7 ubuntu1804 ubuntu2004 rhel8", rootVolumeMinGiB: 35, login: "none", issues: "", unconfirmed: "" });
            assert.deepEqual(facts("3.7.0"), {
                os: "alinux2 centos7 ubuntu2004 ubuntu2204 rhel8",
                rootVolumeMinGiB: 40,
                login: "1 pools, custom actions false, KeyName accepted",
                issues: "aws/aws-parallelcluster#7491 aws/aws-parallelcluster#6811",
                unconfirmed: "",
            });
            assert.deepEqual(facts("3.9.3").os, "alinux2 centos7 ubuntu2004 ubuntu2204 rhel8 rhel9 rocky8 rocky9");
            assert.deepEqual(facts("3.10.0").os, "alinux2 alinux2023 ubuntu2004 ubuntu2204 rhel8 rhel9 rocky8 rocky9");
            assert.deepEqual(facts("3.11.0").login, "10 pools, custom actions true, KeyName accepted");
            assert.deepEqual(facts("3.13.1"), {
                os: "alinux2 alinux2023 ubuntu2004 ubuntu2204 ubuntu2404 rhel8 rhel9 rocky8 rocky9",
                rootVolumeMinGiB: 45,
                login: "10 pools, custom actions true, KeyName accepted",
                issues: "aws/aws-parallelcluster#7491 aws/aws-parallelcluster#6811",
                unconfirmed: "",
            });
            assert.deepEqual(facts("3.14.2"), {
                os: "alinux2 alinux2023 ubuntu2204 ubuntu2404 rhel8 rhel9 rocky8 rocky9",
                rootVolumeMinGiB: 45,
                login: "10 pools, custom actions true, KeyName deprecated",
                issues: "aws/aws-parallelcluster#7491",
                unconfirmed: "",
            });
            assert.deepEqual(facts("3.15.1"), {
                os: "alinux2 alinux2023 ubuntu2204 ubuntu2404 rhel8 rhel9 rocky8 rocky9",
                rootVolumeMinGiB: 45,
                login: "10 pools, custom actions true, KeyName refused",
                issues: "aws/aws-parallelcluster#7491",
                unconfirmed: "alinux2",
            });
            assert.deepEqual(facts("3.16.1"), { ...facts("3.15.1"), issues: "" });
            assert.deepEqual(facts("3.16.3"), { ...facts("3.15.1"), rootVolumeMinGiB: 50, issues: "" });
            // #7491 exactly on 3.7.0-3.15.1.
            assert.deepEqual(
                RELEASES.filter((release) => release.knownIssues.includes(LOGIN_NODES_LISTENER_ISSUE)).map((release) => release.version),
                RELEASES.slice(RELEASES.findIndex((release) => release.version === "3.7.0"), RELEASES.findIndex((release) => release.version === "3.16.0")).map((release) => release.version),
            );
        });
    });

    describe("cluster.parallelClusterVersion", () => {
        it("plans a newer patch of a known minor with that minor's latest row, and says so", () => {
            assert.deepEqual(warnings(dev((raw) => (raw.cluster.parallelClusterVersion = "3.16.4"))), [
                "cluster.parallelClusterVersion: 3.16.4 is newer than the newest 3.16 release this program knows (3.16.3): it is planned with 3.16.3's rules. " +
                    "Check its release notes (https://github.com/aws/aws-parallelcluster/releases/tag/v3.16.4), then add its row to components/config/releases.ts.",
            ]);
            // The rules are 3.16.3's: its 50 GiB AMIs.
            assert.deepEqual(problems(dev((raw) => Object.assign(raw.cluster, { parallelClusterVersion: "3.16.4", computeRootVolumeSize: 45 }))), [
                "cluster.computeRootVolumeSize: 45 GiB is smaller than the root volume of ParallelCluster 3.16.4's official AMIs (50 GiB), which ParallelCluster refuses (RootVolumeSizeValidator). " +
                    "Set at least 50, or remove the key to take the AMI's size.",
            ]);
            const result = parseEnvironmentConfig(dev((raw) => (raw.cluster.parallelClusterVersion = "3.16.4")));
            assert.equal(result.ok && result.config.cluster.deployment.parallelClusterVersion, "3.16.4");
        });

        it("refuses an unknown minor, listing the known releases, with or without cluster.deploy", () => {
            const unknown = (version: string) =>
                `cluster.parallelClusterVersion: ${version} is not a ParallelCluster release this program knows (known: ${knownReleases()}). ` +
                "Use one of them (default 3.16.3), or add its row to components/config/releases.ts.";
            assert.deepEqual(problems(dev((raw) => (raw.cluster.parallelClusterVersion = "3.17.0"))), [unknown("3.17.0")]);
            assert.deepEqual(problems(dev((raw) => Object.assign(raw.cluster, { parallelClusterVersion: "3.5.1", deploy: false }))), [unknown("3.5.1")]);
            assert.deepEqual(problems(dev((raw) => Object.assign(raw.cluster, { parallelClusterVersion: "4.0.0", deploy: false }))), [
                "cluster.parallelClusterVersion: '4.0.0' is not a ParallelCluster 3 release such as 3.16.3. Give major.minor.patch.",
            ]);
        });

        it("reads the release's rules without cluster.deploy too (a cluster created with one's own pcluster)", () => {
            assert.deepEqual(problems(dev((raw) => Object.assign(raw.cluster, { deploy: false, os: "ubuntu2004" }))), [
                "cluster.os: 'ubuntu2004' is not an OS of ParallelCluster 3.16.3 (3.13.2 was the last release with ubuntu2004). Use one of: alinux2, alinux2023, ubuntu2204, ubuntu2404, rhel8, rhel9, rocky8, rocky9.",
            ]);
            assert.deepEqual(problems(dev((raw) => Object.assign(raw.cluster, { deploy: false, parallelClusterVersion: "3.12.0", os: "ubuntu2404" }))), [
                "cluster.os: 'ubuntu2404' is not an OS of ParallelCluster 3.12.0 (ubuntu2404 arrives in 3.13.0). Use one of: alinux2, alinux2023, ubuntu2004, ubuntu2204, rhel8, rhel9, rocky8, rocky9.",
            ]);
        });
    });

    describe("login node pools", () => {
        it("warns on 3.14 that a pool's keyName is deprecated (3.13.1: accepted; 3.15.1 and 3.16.3: refused, test/cluster/render/releases.spec.ts)", () => {
            assert.deepEqual(warnings(dev((raw) => Object.assign(raw.cluster, { parallelClusterVersion: "3.14.2", loginNodes: [{ name: "login", instanceType: "t3.medium", keyName: "hpc-admin" }] }))), [
                "cluster.loginNodes[0].keyName: ParallelCluster 3.14.2 deprecates LoginNodes.Pools[].Ssh.KeyName (aws/aws-parallelcluster#6811) and 3.15.0 refuses it. " +
                    "Remove it: login nodes let in the head node's key pair (cluster.keyName).",
            ]);
            assert.deepEqual(warnings(dev((raw) => Object.assign(raw.cluster, { parallelClusterVersion: "3.13.1", loginNodes: [{ name: "login", instanceType: "t3.medium", keyName: "hpc-admin" }] }))), []);
        });

        it("needs login node custom actions (3.11.0), whatever the release", () => {
            const noCustomActions = (version: string) =>
                `cluster.parallelClusterVersion: ${version} cannot run the post-install action on login nodes (login node custom actions arrive in 3.11.0), ` +
                "so their users would never be created. Use 3.11.0 or later (default 3.16.3), or remove cluster.loginNodes.";
            assert.deepEqual(problems(dev((raw) => (raw.cluster.parallelClusterVersion = "3.10.1"))), [noCustomActions("3.10.1")]);
            // 3.7.2 knows no alinux2023 either: both are said at once.
            assert.deepEqual(problems(dev((raw) => (raw.cluster.parallelClusterVersion = "3.7.2"))), [
                "cluster.os: 'alinux2023' is not an OS of ParallelCluster 3.7.2 (alinux2023 arrives in 3.10.0). Use one of: alinux2, centos7, ubuntu2004, ubuntu2204, rhel8.",
                noCustomActions("3.7.2"),
            ]);
        });
    });

    describe("known issue aws/aws-parallelcluster#7491 (login nodes through the custom resource, 3.7.0-3.15.1)", () => {
        const refusal = (version: string) =>
            `cluster.serviceToken: ParallelCluster ${version} cannot create login nodes through its CloudFormation custom resource (known issue aws/aws-parallelcluster#7491, ` +
            "3.7.0-3.15.1: the provider's policy allows elasticloadbalancing:CreateListener and CreateTargetGroup only for requests tagged with parallelcluster:cluster-name alone), " +
            "and this provider stack is not the program's to fix. Set cluster.parallelClusterVersion to 3.16.0 or later (default 3.16.3); or add the workaround's policy " +
            "(README, \"Which ParallelCluster release\") to that stack's AdditionalIamPolicies and set cluster.mitigatedIssues: [7491]; or remove cluster.loginNodes.";
        const deployment = (change: (raw: RawConfig) => void) => {
            const result = parseEnvironmentConfig(dev(change));
            assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
            return result.config.cluster.deployment;
        };

        it("marks the provider stack the program creates for the workaround on 3.13.1 and 3.15.1, not on 3.16.3", () => {
            assert.deepEqual(deployment((raw) => (raw.cluster.parallelClusterVersion = "3.13.1")), { deploy: true, parallelClusterVersion: "3.13.1", loginNodesListenerFix: true });
            assert.deepEqual(deployment((raw) => (raw.cluster.parallelClusterVersion = "3.15.1")), { deploy: true, parallelClusterVersion: "3.15.1", loginNodesListenerFix: true });
            assert.deepEqual(deployment((raw) => (raw.cluster.parallelClusterVersion = "3.16.3")), { deploy: true, parallelClusterVersion: "3.16.3" });
            // Without login nodes, or without cluster.deploy (pcluster's own CLI is not affected), nothing to work around.
            assert.deepEqual(deployment((raw) => Object.assign(raw.cluster, { parallelClusterVersion: "3.13.1", loginNodes: [] })), { deploy: true, parallelClusterVersion: "3.13.1" });
            assert.deepEqual(deployment((raw) => Object.assign(raw.cluster, { parallelClusterVersion: "3.13.1", deploy: false })), { deploy: false, parallelClusterVersion: "3.13.1" });
        });

        it("refuses someone else's provider stack (cluster.serviceToken) on 3.13.1 and 3.15.1 with the fix, accepts it on 3.16.3 or once mitigated", () => {
            assert.deepEqual(problems(dev((raw) => Object.assign(raw.cluster, { parallelClusterVersion: "3.13.1", serviceToken: TOKEN }))), [refusal("3.13.1")]);
            assert.deepEqual(problems(dev((raw) => Object.assign(raw.cluster, { parallelClusterVersion: "3.15.1", serviceToken: TOKEN }))), [refusal("3.15.1")]);
            assert.deepEqual(deployment((raw) => Object.assign(raw.cluster, { parallelClusterVersion: "3.16.3", serviceToken: TOKEN })), {
                deploy: true,
                parallelClusterVersion: "3.16.3",
                serviceToken: TOKEN,
            });
            assert.deepEqual(deployment((raw) => Object.assign(raw.cluster, { parallelClusterVersion: "3.15.1", serviceToken: TOKEN, mitigatedIssues: [7491] })), {
                deploy: true,
                parallelClusterVersion: "3.15.1",
                serviceToken: TOKEN,
            });
        });

        it("takes cluster.mitigatedIssues only for cluster.serviceToken, and only 7491", () => {
            assert.deepEqual(problems(dev((raw) => (raw.cluster.mitigatedIssues = [7491]))), [
                "cluster.mitigatedIssues: only concerns the provider stack of cluster.serviceToken (the program works around known issues in the provider stack it creates itself). Remove cluster.mitigatedIssues.",
            ]);
            assert.deepEqual(problems(dev((raw) => Object.assign(raw.cluster, { serviceToken: TOKEN, mitigatedIssues: [6811] }))), [
                "cluster.mitigatedIssues[0]: must be 7491 (the only known issue with a provider-stack workaround).",
            ]);
        });
    });
});
