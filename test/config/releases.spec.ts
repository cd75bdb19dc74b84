import * as assert from "node:assert/strict";
import { parseEnvironmentConfig, type RawConfigInput } from "../../components/config";
import { DEFAULT_RELEASE, KNOWN_ISSUES, LOGIN_NODES_LISTENER_ISSUE, RELEASES, SECURITY_ADVISORIES, knownReleases, lookupRelease } from "../../components/config/releases";
import { MITIGABLE_ISSUES } from "../../components/config/releaseRules";
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

        it("holds each release's facts: OS values, AMI root volume, login node keys and custom actions, known issues, advisories", () => {
            const facts = (version: string) => {
                const release = RELEASES.find((row) => row.version === version)!;
                return {
                    os: release.operatingSystems.join(" "),
                    rootVolumeMinGiB: release.rootVolumeMinGiB,
                    login: release.loginNodes === undefined ? "none" : `${release.loginNodes.maxPools} pools, custom actions ${release.loginNodes.customActions}, KeyName ${release.loginNodes.keyName}`,
                    issues: release.knownIssues.map((issue) => issue.reference.split("#")[1]).join(" "),
                    advisories: release.advisories.map((advisory) => advisory.reference.split("#")[1]).join(" "),
                };
            };
            assert.deepEqual(facts("3.6.1"), { os: "alinux2 centos7 ubuntu1804 ubuntu2004 rhel8", rootVolumeMinGiB: 35, login: "none", issues: "7287", advisories: "7233 7601" });
            assert.deepEqual(facts("3.7.0"), {
                os: "alinux2 centos7 ubuntu2004 ubuntu2204 rhel8",
                rootVolumeMinGiB: 40,
                login: "1 pools, custom actions false, KeyName accepted",
                issues: "7491 6811 7287",
                advisories: "7233 7601",
            });
            assert.deepEqual(facts("3.9.3").os, "alinux2 centos7 ubuntu2004 ubuntu2204 rhel8 rhel9 rocky8 rocky9");
            assert.deepEqual(facts("3.10.0").os, "alinux2 alinux2023 ubuntu2004 ubuntu2204 rhel8 rhel9 rocky8 rocky9");
            assert.deepEqual(facts("3.11.0").login, "10 pools, custom actions true, KeyName accepted");
            assert.deepEqual(facts("3.13.1"), {
                os: "alinux2 alinux2023 ubuntu2004 ubuntu2204 ubuntu2404 rhel8 rhel9 rocky8 rocky9",
                rootVolumeMinGiB: 45,
                login: "10 pools, custom actions true, KeyName accepted",
                issues: "7491 6811 7287 7331",
                advisories: "7233 7601",
            });
            assert.deepEqual(facts("3.14.2"), {
                os: "alinux2 alinux2023 ubuntu2204 ubuntu2404 rhel8 rhel9 rocky8 rocky9",
                rootVolumeMinGiB: 45,
                login: "10 pools, custom actions true, KeyName deprecated",
                issues: "7491 7331",
                advisories: "7601",
            });
            assert.deepEqual(facts("3.15.1"), { ...facts("3.14.2"), login: "10 pools, custom actions true, KeyName refused" });
            // 3.16.0: alinux2 gone (refused, below), #7491 and #7331 fixed; the Slurm advisory until 3.16.1.
            assert.deepEqual(facts("3.16.0"), { ...facts("3.15.1"), os: "alinux2023 ubuntu2204 ubuntu2404 rhel8 rhel9 rocky8 rocky9", issues: "", advisories: "7601" });
            assert.deepEqual(facts("3.16.1"), { ...facts("3.16.0"), advisories: "" });
            assert.deepEqual(facts("3.16.3"), { ...facts("3.16.1"), rootVolumeMinGiB: 50 });
        });

        it("lists each known issue and advisory exactly from the release where it starts to the one before its fix", () => {
            const range = (item: { from: string; fixedIn?: string }, listed: (version: string) => boolean) => {
                const versions = RELEASES.map((release) => release.version);
                const first = versions.indexOf(item.from);
                const end = item.fixedIn === undefined ? versions.length : versions.indexOf(item.fixedIn);
                assert.ok(first >= 0 && end > first, JSON.stringify(item));
                assert.deepEqual(versions.filter(listed), versions.slice(first, end));
            };
            for (const issue of KNOWN_ISSUES) {
                range(issue, (version) => RELEASES.find((row) => row.version === version)!.knownIssues.includes(issue));
            }
            for (const advisory of SECURITY_ADVISORIES) {
                range(advisory, (version) => RELEASES.find((row) => row.version === version)!.advisories.includes(advisory));
            }
            assert.deepEqual(
                KNOWN_ISSUES.map((issue) => `${issue.reference} ${issue.from}..${issue.fixedIn}`),
                ["aws/aws-parallelcluster#7491 3.7.0..3.16.0", "aws/aws-parallelcluster#6811 3.7.0..3.14.0", "aws/aws-parallelcluster#7287 3.6.0..3.14.1", "aws/aws-parallelcluster#7331 3.8.0..3.16.0"],
            );
            assert.deepEqual(
                SECURITY_ADVISORIES.map((advisory) => `${advisory.reference} ${advisory.from}..${advisory.fixedIn}`),
                ["aws/aws-parallelcluster#7233 3.6.0..3.14.2", "aws/aws-parallelcluster#6817 3.9.0..3.13.1", "aws/aws-parallelcluster#7601 3.6.0..3.16.1"],
            );
            // #7491 exactly on 3.7.0-3.15.1.
            assert.deepEqual(
                RELEASES.filter((release) => release.knownIssues.includes(LOGIN_NODES_LISTENER_ISSUE)).map((release) => release.version),
                RELEASES.slice(RELEASES.findIndex((release) => release.version === "3.7.0"), RELEASES.findIndex((release) => release.version === "3.16.0")).map((release) => release.version),
            );
            assert.deepEqual(MITIGABLE_ISSUES, [7491, 7331]);
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
                "cluster.os: 'ubuntu2004' is not an OS of ParallelCluster 3.16.3 (3.13.2 was the last release with ubuntu2004). Use one of: alinux2023, ubuntu2204, ubuntu2404, rhel8, rhel9, rocky8, rocky9.",
            ]);
            assert.deepEqual(problems(dev((raw) => Object.assign(raw.cluster, { deploy: false, parallelClusterVersion: "3.12.0", os: "ubuntu2404" }))), [
                "cluster.os: 'ubuntu2404' is not an OS of ParallelCluster 3.12.0 (ubuntu2404 arrives in 3.13.0). Use one of: alinux2, alinux2023, ubuntu2004, ubuntu2204, rhel8, rhel9, rocky8, rocky9.",
            ]);
        });
    });

    describe("login node pools", () => {
        it("warns on 3.14 that a pool's keyName is deprecated (3.13.1: accepted; 3.15.1 and 3.16.3: refused, test/cluster/render/releases.spec.ts)", () => {
            assert.deepEqual(warnings(dev((raw) => Object.assign(raw.cluster, { parallelClusterVersion: "3.14.2", loginNodes: [{ name: "login", instanceType: "t3.medium", keyName: "hpc-admin" }] }))), [
                SLURM_ADVISORY("3.14.2"),
                "cluster.loginNodes[0].keyName: ParallelCluster 3.14.2 deprecates LoginNodes.Pools[].Ssh.KeyName (aws/aws-parallelcluster#6811) and 3.15.0 refuses it. " +
                    "Remove it: login nodes let in the head node's key pair (cluster.keyName).",
            ]);
            assert.deepEqual(warnings(dev((raw) => Object.assign(raw.cluster, { parallelClusterVersion: "3.13.1", deploy: false, loginNodes: [{ name: "login", instanceType: "t3.medium", keyName: "hpc-admin" }] }))), [
                MUNGE_ADVISORY("3.13.1"),
                SLURM_ADVISORY("3.13.1"),
                PYTHON39("3.13.1"),
            ]);
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

    describe("known issues the program works around in the provider stack it creates", () => {
        const refusal = (version: string, issue: 7491 | 7331) =>
            issue === 7491
                ? `cluster.serviceToken: ParallelCluster ${version} cannot create login nodes through its CloudFormation custom resource: the provider's policy allows ` +
                  "elasticloadbalancing:CreateListener only for requests tagged with parallelcluster:cluster-name alone, and ParallelCluster adds more tags " +
                  "(known issue aws/aws-parallelcluster#7491, 3.7.0-3.15.1), and this provider stack is not the program's to fix. Set cluster.parallelClusterVersion to 3.16.0 " +
                  "or later (default 3.16.3); or add the published mitigation (docs/config-reference.md, \"Which ParallelCluster release\") to that stack's AdditionalIamPolicies " +
                  "and list 7491 in cluster.mitigatedIssues; or remove cluster.loginNodes."
                : `cluster.serviceToken: ParallelCluster ${version} cannot create the head node's alarm (HeadNodeAlarm) through its CloudFormation custom resource: ` +
                  "CloudFormation tags the alarm and the provider's policy lacks cloudwatch:TagResource (known issue aws/aws-parallelcluster#7331, 3.8.0-3.15.1), and this " +
                  "provider stack is not the program's to fix. Set cluster.parallelClusterVersion to 3.16.0 or later (default 3.16.3); or add the published mitigation " +
                  "(docs/config-reference.md, \"Which ParallelCluster release\") to that stack's AdditionalIamPolicies and list 7331 in cluster.mitigatedIssues.";

        it("#7491 (3.7.0-3.15.1, login nodes) and #7331 (3.8.0-3.15.1, HeadNodeAlarm): marked for the workaround on 3.15.1, not on 3.16.0; #7331 not on 3.7.2", () => {
            const both = { loginNodesListenerFix: true, headNodeAlarmTaggingFix: true };
            assert.deepEqual(deployment((raw) => (raw.cluster.parallelClusterVersion = "3.15.1")), { deploy: true, parallelClusterVersion: "3.15.1", ...both });
            assert.deepEqual(deployment((raw) => (raw.cluster.parallelClusterVersion = "3.14.2")), { deploy: true, parallelClusterVersion: "3.14.2", ...both });
            assert.deepEqual(deployment((raw) => (raw.cluster.parallelClusterVersion = "3.16.0")), { deploy: true, parallelClusterVersion: "3.16.0" });
            assert.deepEqual(deployment((raw) => (raw.cluster.parallelClusterVersion = "3.16.3")), { deploy: true, parallelClusterVersion: "3.16.3" });
            // #7331 starts with the head node alarms (3.8.0); 3.7.2 has login pools that cannot run the post-install action, so none here.
            assert.deepEqual(deployment((raw) => Object.assign(raw.cluster, { parallelClusterVersion: "3.8.0", os: "alinux2", loginNodes: [] })).headNodeAlarmTaggingFix, true);
            assert.deepEqual(deployment((raw) => Object.assign(raw.cluster, { parallelClusterVersion: "3.7.2", os: "alinux2", loginNodes: [] })).headNodeAlarmTaggingFix, undefined);
            // Without login nodes only #7331; without cluster.deploy (pcluster's own CLI) nothing to work around.
            assert.deepEqual(deployment((raw) => Object.assign(raw.cluster, { parallelClusterVersion: "3.15.1", loginNodes: [] })), { deploy: true, parallelClusterVersion: "3.15.1", headNodeAlarmTaggingFix: true });
            assert.deepEqual(deployment((raw) => Object.assign(raw.cluster, { parallelClusterVersion: "3.15.1", deploy: false })), { deploy: false, parallelClusterVersion: "3.15.1" });
        });

        it("refuses someone else's provider stack (cluster.serviceToken) on 3.15.1 with each fix, accepts it on 3.16.0 or once mitigated", () => {
            assert.deepEqual(problems(dev((raw) => Object.assign(raw.cluster, { parallelClusterVersion: "3.15.1", serviceToken: TOKEN }))), [refusal("3.15.1", 7491), refusal("3.15.1", 7331)]);
            assert.deepEqual(problems(dev((raw) => Object.assign(raw.cluster, { parallelClusterVersion: "3.15.1", serviceToken: TOKEN, mitigatedIssues: [7491] }))), [refusal("3.15.1", 7331)]);
            assert.deepEqual(problems(dev((raw) => Object.assign(raw.cluster, { parallelClusterVersion: "3.15.1", serviceToken: TOKEN, loginNodes: [], mitigatedIssues: [] }))), [refusal("3.15.1", 7331)]);
            assert.deepEqual(deployment((raw) => Object.assign(raw.cluster, { parallelClusterVersion: "3.15.1", serviceToken: TOKEN, mitigatedIssues: [7491, 7331] })), {
                deploy: true,
                parallelClusterVersion: "3.15.1",
                serviceToken: TOKEN,
            });
            assert.deepEqual(deployment((raw) => Object.assign(raw.cluster, { parallelClusterVersion: "3.16.0", serviceToken: TOKEN })), {
                deploy: true,
                parallelClusterVersion: "3.16.0",
                serviceToken: TOKEN,
            });
        });

        it("takes cluster.mitigatedIssues only for cluster.serviceToken, and only 7491 and 7331", () => {
            assert.deepEqual(problems(dev((raw) => (raw.cluster.mitigatedIssues = [7491]))), [
                "cluster.mitigatedIssues: only concerns the provider stack of cluster.serviceToken (the program works around known issues in the provider stack it creates itself). Remove cluster.mitigatedIssues.",
            ]);
            assert.deepEqual(problems(dev((raw) => Object.assign(raw.cluster, { serviceToken: TOKEN, mitigatedIssues: [6811] }))), [
                "cluster.mitigatedIssues[0]: must be 7491 or 7331 (the known issues with a provider-stack workaround).",
            ]);
        });
    });

    describe("known issue aws/aws-parallelcluster#7287 (Python 3.9 Lambdas: no cluster creation on 3.14.0 and earlier)", () => {
        it("marks the deployment on 3.14.0 (the program refuses to create it, components/cluster/deployedCluster.ts), not on 3.14.1", () => {
            assert.deepEqual(deployment((raw) => Object.assign(raw.cluster, { parallelClusterVersion: "3.14.0", loginNodes: [] })), {
                deploy: true,
                parallelClusterVersion: "3.14.0",
                headNodeAlarmTaggingFix: true,
                creationBlocked: PYTHON39_PROBLEM("3.14.0"),
            });
            assert.equal(deployment((raw) => (raw.cluster.parallelClusterVersion = "3.14.1")).creationBlocked, undefined);
            assert.equal(deployment((raw) => Object.assign(raw.cluster, { parallelClusterVersion: "3.6.0", os: "alinux2", loginNodes: [] })).creationBlocked, PYTHON39_PROBLEM("3.6.0"));
        });

        it("warns without cluster.deploy (the configuration may be for a cluster that exists): on 3.14.0, not on 3.14.1", () => {
            assert.deepEqual(warnings(dev((raw) => Object.assign(raw.cluster, { parallelClusterVersion: "3.14.0", deploy: false }))), [
                MUNGE_ADVISORY("3.14.0"),
                SLURM_ADVISORY("3.14.0"),
                PYTHON39("3.14.0"),
            ]);
            assert.deepEqual(warnings(dev((raw) => Object.assign(raw.cluster, { parallelClusterVersion: "3.14.1", deploy: false }))), [MUNGE_ADVISORY("3.14.1"), SLURM_ADVISORY("3.14.1")]);
        });
    });

    describe("operating systems", () => {
        it("refuses alinux2 from 3.16.0 (removed), accepts it on 3.15.1 with its end of life", () => {
            assert.deepEqual(problems(dev((raw) => Object.assign(raw.cluster, { parallelClusterVersion: "3.16.0", os: "alinux2" }))), [
                "cluster.os: 'alinux2' is not an OS of ParallelCluster 3.16.0 (3.15.1 was the last release with alinux2). Use one of: alinux2023, ubuntu2204, ubuntu2404, rhel8, rhel9, rocky8, rocky9.",
            ]);
            assert.deepEqual(warnings(dev((raw) => Object.assign(raw.cluster, { parallelClusterVersion: "3.15.1", os: "alinux2", deploy: false }))), [
                "cluster.os: alinux2 reached its end of life on 2026-06-30: its nodes get no more security updates. Use alinux2023.",
                SLURM_ADVISORY("3.15.1"),
            ]);
        });

        it("needs cluster.customAmi for rocky8 and rocky9 (no official AMI), from the release each arrives in; takes it for every OS", () => {
            const required = (os: string) =>
                `cluster.customAmi: is required for os: ${os}: ParallelCluster publishes no official ${os} AMI (PRIVATE_OSES, aws/aws-parallelcluster PR #6103), so it has no image to launch. ` +
                `Build one with pcluster build-image from a ${os} parent image and set cluster.customAmi to its id (ami-...), or choose an os with official AMIs ` +
                "(alinux2023, ubuntu2204, ubuntu2404, rhel8, rhel9).";
            assert.deepEqual(problems(dev((raw) => (raw.cluster.os = "rocky9"))), [required("rocky9")]);
            assert.deepEqual(problems(dev((raw) => Object.assign(raw.cluster, { os: "rocky8", parallelClusterVersion: "3.8.0", deploy: false, loginNodes: [] }))), [required("rocky8")]);
            // 3.7.2 knows no rocky8 at all: the OS is refused, and the image is still said.
            assert.deepEqual(problems(dev((raw) => Object.assign(raw.cluster, { os: "rocky8", parallelClusterVersion: "3.7.2", deploy: false, loginNodes: [] }))), [
                "cluster.os: 'rocky8' is not an OS of ParallelCluster 3.7.2 (rocky8 arrives in 3.8.0). Use one of: alinux2, centos7, ubuntu2004, ubuntu2204, rhel8.",
                required("rocky8"),
            ]);
            const ami = "ami-0123456789abcdef0";
            const accepted = (change: (raw: RawConfig) => void) => {
                const result = parseEnvironmentConfig(dev(change));
                assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
                return result.config.cluster.customAmi;
            };
            assert.equal(accepted((raw) => Object.assign(raw.cluster, { os: "rocky9", customAmi: ami })), ami);
            assert.equal(accepted((raw) => Object.assign(raw.cluster, { os: "alinux2023", customAmi: "ami-01234567" })), "ami-01234567");
            assert.equal(accepted(() => undefined), undefined);
            assert.deepEqual(problems(dev((raw) => (raw.cluster.customAmi = "ami-0123"))), [
                "cluster.customAmi: must be an AMI id such as ami-0123456789abcdef0 (ami- and 8 or 17 lowercase letters or digits).",
            ]);
        });
    });

    describe("security advisories: a warning naming the advisory and the release that fixes it", () => {
        const advisories = (version: string) =>
            warnings(dev((raw) => Object.assign(raw.cluster, { parallelClusterVersion: version, deploy: false, os: "alinux2", loginNodes: [] }))).filter((line) =>
                line.includes("security advisory"),
            );

        it("MUNGE CVE-2026-25506 (#7233) through 3.14.1, fixed in 3.14.2", () => {
            assert.deepEqual(advisories("3.14.1"), [MUNGE_ADVISORY("3.14.1"), SLURM_ADVISORY("3.14.1")]);
            assert.deepEqual(advisories("3.14.2"), [SLURM_ADVISORY("3.14.2")]);
        });

        it("the Slurm CVEs of #7601 through 3.16.0, fixed in 3.16.1 (Slurm 25.11.8); none on the default", () => {
            assert.deepEqual(warnings(dev((raw) => (raw.cluster.parallelClusterVersion = "3.16.0"))), [SLURM_ADVISORY("3.16.0")]);
            assert.deepEqual(warnings(dev((raw) => (raw.cluster.parallelClusterVersion = "3.16.1"))), []);
            assert.deepEqual(warnings(dev(() => undefined)), []);
        });

        it("CVE-2025-43904 (#6817, Slurm accounting) on 3.9.0-3.13.0, fixed in 3.13.1", () => {
            const accounting =
                "cluster.parallelClusterVersion: ParallelCluster 3.13.0 is affected by security advisory aws/aws-parallelcluster#6817 (CVE-2025-43904: a Slurm accounting coordinator can make " +
                "another user an administrator). It applies only when Slurm accounting is enabled with coordinator users (this program's configuration enables no accounting). " +
                "Move to 3.13.1 or later (default 3.16.3); the advisory gives the mitigation for a running cluster.";
            assert.deepEqual(advisories("3.13.0"), [MUNGE_ADVISORY("3.13.0"), accounting, SLURM_ADVISORY("3.13.0")]);
            assert.deepEqual(advisories("3.13.1"), [MUNGE_ADVISORY("3.13.1"), SLURM_ADVISORY("3.13.1")]);
            assert.ok(advisories("3.9.0").some((line) => line.includes("#6817")));
            assert.ok(!advisories("3.8.0").some((line) => line.includes("#6817")));
        });
    });
});

const MUNGE_ADVISORY = (version: string) =>
    `cluster.parallelClusterVersion: ParallelCluster ${version} is affected by security advisory aws/aws-parallelcluster#7233 (CVE-2026-25506: a local user can leak the MUNGE key ` +
    "and impersonate any user, root included). Move to 3.14.2 or later (default 3.16.3); the advisory gives the mitigation for a running cluster.";
const SLURM_ADVISORY = (version: string) =>
    `cluster.parallelClusterVersion: ParallelCluster ${version} is affected by security advisory aws/aws-parallelcluster#7601 (CVE-2026-65107, CVE-2026-65108, CVE-2026-65109, ` +
    "CVE-2026-65138, CVE-2026-65139, CVE-2026-65140, CVE-2026-65165, CVE-2026-65168: Slurm vulnerabilities, privilege escalation among them). Move to 3.16.1 or later (default 3.16.3); " +
    "the advisory gives the mitigation for a running cluster.";
const PYTHON39_PROBLEM = (version: string) =>
    `ParallelCluster ${version} can no longer create a cluster (known issue aws/aws-parallelcluster#7287, 3.14.0 and earlier: the cluster stack's Lambdas run Python 3.9, ` +
    "whose runtime AWS Lambda refuses to create since 2026-08-31; a cluster created before keeps running, #7239). Set cluster.parallelClusterVersion to 3.14.1 or later " +
    "(default 3.16.3) for a new cluster.";
const PYTHON39 = (version: string) =>
    `cluster.parallelClusterVersion: ${PYTHON39_PROBLEM(version)} pcluster create-cluster fails with this configuration; pcluster update-cluster of an existing cluster does not.`;

function deployment(change: (raw: RawConfig) => void) {
    const result = parseEnvironmentConfig(dev(change));
    assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
    return result.config.cluster.deployment;
}
