/**
 * The offline plan and the ParallelCluster release: the dev stack planned at 3.13.1, 3.15.1 and 3.16.3
 * (known issue #7491's workaround where it applies, said in the report and visible in plan.json's
 * inputs), bad releases and what a release refuses exiting 2 with nothing registered, and plan.json's
 * inputs with secrets masked.
 */
import * as assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { EXIT, plan } from "../../../scripts/plan";
import { SECRET, UNKNOWN, planInputs } from "../../../scripts/offline/inputs";
import { runProgram } from "../../../scripts/offline/runProgram";
import { unknown } from "@pulumi/pulumi/output";
import { DEV_STACK_FILE, REPO_ROOT } from "../../support/devConfig";
import { runDev } from "../../support/program";

const FIX = "hpc-dev-cluster-login-listener-fix";
const ALARM_FIX = "hpc-dev-cluster-alarm-tagging-fix";
const fixNote = (version: string) =>
    `cluster.loginNodes: ParallelCluster ${version}'s provider stack cannot create login nodes as published (known issue aws/aws-parallelcluster#7491, ` +
    "3.7.0-3.15.1: its policy allows elasticloadbalancing:CreateListener only for requests tagged with parallelcluster:cluster-name alone, and ParallelCluster adds more tags). " +
    `The program adds AWS's published mitigation, the IAM policy ${FIX} (CreateListener when that tag is present, in eu-west-1 only), to the provider stack's ` +
    "AdditionalIamPolicies. ParallelCluster 3.16.0 and later need no workaround.";
const alarmNote = (version: string) =>
    `cluster.parallelClusterVersion: ParallelCluster ${version}'s provider stack cannot create the head node's alarm as published (known issue ` +
    "aws/aws-parallelcluster#7331, 3.8.0-3.15.1: CloudFormation tags it, and the provider's policy lacks cloudwatch:TagResource). The program adds the IAM policy " +
    `${ALARM_FIX} (cloudwatch:TagResource and UntagResource on the alarms of 'hpc-dev', as PR #7296 grants) to the provider stack's AdditionalIamPolicies. ` +
    "ParallelCluster 3.16.0 and later need no workaround.";
const slurmAdvisory = (version: string) =>
    `cluster.parallelClusterVersion: ParallelCluster ${version} is affected by security advisory aws/aws-parallelcluster#7601 (CVE-2026-65107, CVE-2026-65108, CVE-2026-65109, ` +
    "CVE-2026-65138, CVE-2026-65139, CVE-2026-65140, CVE-2026-65165, CVE-2026-65168: Slurm vulnerabilities, privilege escalation among them). Move to 3.16.1 or later " +
    "(default 3.16.3); the advisory gives the mitigation for a running cluster.";

describe("npm run plan and the ParallelCluster release", () => {
    let dir: string;
    beforeEach(() => {
        dir = mkdtempSync(path.join(tmpdir(), "pca-plan-release-"));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    /** The dev stack file with a change to its cluster, written to the temp dir. */
    function devFile(change: (cluster: Record<string, any>) => void): string {
        const document = YAML.parse(readFileSync(DEV_STACK_FILE, "utf8"));
        change(document.config["pcluster-access:cluster"]);
        const file = path.join(dir, "Pulumi.dev.yaml");
        writeFileSync(file, YAML.stringify(document));
        return file;
    }
    const planDev = (configFile = DEV_STACK_FILE) => plan({ stack: "dev", configFile, projectFile: path.join(REPO_ROOT, "Pulumi.yaml"), outDir: dir });
    const planJson = () => JSON.parse(readFileSync(path.join(dir, "dev", "plan.json"), "utf8"));
    const resource = (document: { resources: { name: string; inputs: Record<string, unknown> }[] }, name: string) => document.resources.find((entry) => entry.name === name);

    for (const version of ["3.14.2", "3.15.1"]) {
        it(`plans the dev stack at ${version} with the workarounds of #7491 and #7331: the report says why, plan.json shows the policies and the provider stack's parameter`, async () => {
            const result = await planDev(devFile((cluster) => (cluster.parallelClusterVersion = version)));
            assert.equal(result.exitCode, EXIT.ok, result.stderr);
            assert.equal(result.stderr, "");
            assert.ok(result.stdout.includes(`\n\nDiagnostics (3):\n  warning: ${slurmAdvisory(version)}\n  info: ${fixNote(version)}\n  info: ${alarmNote(version)}\n\nResources (`), result.stdout);
            const document = planJson();
            assert.deepEqual(document.diagnostics, [
                { severity: "warning", message: slurmAdvisory(version) },
                { severity: "info", message: fixNote(version) },
                { severity: "info", message: alarmNote(version) },
            ]);
            assert.deepEqual(JSON.parse(String(resource(document, FIX)!.inputs.policy)).Statement[0].Action, ["elasticloadbalancing:CreateListener"]);
            assert.deepEqual(JSON.parse(String(resource(document, ALARM_FIX)!.inputs.policy)).Statement[0].Action, ["cloudwatch:TagResource", "cloudwatch:UntagResource"]);
            const provider = resource(document, `hpc-dev-cluster-provider-${version}`)!;
            const { parameters, ...rest } = provider.inputs as { parameters: { AdditionalIamPolicies: string } };
            assert.deepEqual(rest, {
                capabilities: ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"],
                name: `hpc-dev-pcluster-provider-${version.replace(/\./g, "-")}`,
                templateUrl: `https://eu-west-1-aws-parallelcluster.s3.eu-west-1.amazonaws.com/parallelcluster/${version}/templates/custom_resource/cluster.yaml`,
            });
            // The mock cloud's ARNs of the two policies (a physical name is the resource name plus a suffix), comma-separated.
            assert.match(parameters.AdditionalIamPolicies, new RegExp(`^arn:aws:iam::123456789012:policy/${FIX}-[0-9a-f]{8},arn:aws:iam::123456789012:policy/${ALARM_FIX}-[0-9a-f]{8}$`));
            const config = YAML.parse(readFileSync(path.join(dir, "dev", "cluster-config.yaml"), "utf8"));
            assert.deepEqual(config.LoginNodes.Pools[0].Ssh, { AllowedIps: "203.0.113.0/24" });
        });
    }

    it("refuses to create the cluster at 3.14.0 (#7287, Python 3.9 Lambdas): exit 2, naming the key and the release to move to", async () => {
        const result = await planDev(devFile((cluster) => (cluster.parallelClusterVersion = "3.14.0")));
        assert.equal(result.exitCode, EXIT.invalidConfig, result.stdout);
        assert.ok(
            result.stderr.includes(
                "cluster.parallelClusterVersion: ParallelCluster 3.14.0 can no longer create a cluster (known issue aws/aws-parallelcluster#7287, 3.14.0 and earlier: " +
                    "the cluster stack's Lambdas run Python 3.9, whose runtime AWS Lambda refuses to create since 2026-08-31; a cluster created before keeps running, #7239). " +
                    "Set cluster.parallelClusterVersion to 3.14.1 or later (default 3.16.3) for a new cluster. Nothing was created.",
            ),
            result.stderr,
        );
    });

    it("plans the dev stack as shipped (3.16.3, alinux2023, a login pool): nothing to work around, nothing to warn about, no key 3.16 refuses", async () => {
        const result = await planDev();
        assert.equal(result.exitCode, EXIT.ok, result.stderr);
        assert.doesNotMatch(result.stdout, /Diagnostics/);
        const document = planJson();
        assert.deepEqual(document.diagnostics, []);
        assert.equal(resource(document, FIX), undefined);
        assert.deepEqual(resource(document, "hpc-dev-cluster-provider-3.16.3")!.inputs.parameters, undefined);
        const config = YAML.parse(readFileSync(path.join(dir, "dev", "cluster-config.yaml"), "utf8"));
        assert.equal(config.Image.Os, "alinux2023");
        assert.deepEqual(config.LoginNodes.Pools.map((pool: { Ssh: object }) => pool.Ssh), [{ AllowedIps: "203.0.113.0/24" }]);
        assert.deepEqual([config.HeadNode.LocalStorage.RootVolume.Size, config.Scheduling.SlurmQueues[0].ComputeSettings.LocalStorage.RootVolume.Size], [340, 340]);
    });

    describe("refuses with exit 2, naming the key, the release and the fix, and registers nothing but the stack", () => {
        const CASES: Record<string, { change: (cluster: Record<string, any>) => void; problem: string }> = {
            "an unknown release": {
                change: (cluster) => (cluster.parallelClusterVersion = "3.17.0"),
                problem:
                    "cluster.parallelClusterVersion: 3.17.0 is not a ParallelCluster release this program knows (known: 3.6.0-3.6.1, 3.7.0-3.7.2, 3.8.0, 3.9.0-3.9.3, 3.10.0-3.10.1, " +
                    "3.11.0-3.11.1, 3.12.0, 3.13.0-3.13.2, 3.14.0-3.14.2, 3.15.0-3.15.1, 3.16.0-3.16.3). Use one of them (default 3.16.3), or add its row to components/config/releases.ts.",
            },
            "a release without the custom resource, with cluster.deploy": {
                change: (cluster) => (cluster.parallelClusterVersion = "3.5.1"),
                problem:
                    "cluster.parallelClusterVersion: 3.5.1 has no CloudFormation custom resource (it ships from 3.6.0), which cluster.deploy needs. " +
                    "Use 3.6.0 or later (default 3.16.3), or set cluster.deploy: false to render the configuration only.",
            },
            "an OS the release refuses": {
                change: (cluster) => (cluster.os = "ubuntu2004"),
                problem:
                    "cluster.os: 'ubuntu2004' is not an OS of ParallelCluster 3.16.3 (3.13.2 was the last release with ubuntu2004). " +
                    "Use one of: alinux2023, ubuntu2204, ubuntu2404, rhel8, rhel9, rocky8, rocky9.",
            },
            "a root volume smaller than the release's AMIs": {
                change: (cluster) => (cluster.headNode.rootVolumeSize = 45),
                problem:
                    "cluster.headNode.rootVolumeSize: 45 GiB is smaller than the root volume of ParallelCluster 3.16.3's official AMIs (50 GiB), which ParallelCluster refuses (RootVolumeSizeValidator). " +
                    "Set at least 50, or remove the key to take the AMI's size.",
            },
            "a login pool's key pair on 3.15.1": {
                change: (cluster) => Object.assign(cluster, { parallelClusterVersion: "3.15.1", loginNodes: [{ name: "login", instanceType: "t3.medium", keyName: "hpc-admin" }] }),
                problem:
                    "cluster.loginNodes[0].keyName: ParallelCluster 3.15.1 refuses a login node pool's own key pair (LoginNodes.Pools[].Ssh.KeyName, removed in 3.15.0 by aws/aws-parallelcluster PR #7241). " +
                    "Remove it: login nodes let in the head node's key pair (cluster.keyName).",
            },
        };

        for (const [title, { change, problem }] of Object.entries(CASES)) {
            it(title, async () => {
                const result = await planDev(devFile(change));
                assert.equal(result.exitCode, EXIT.invalidConfig);
                assert.equal(result.stdout, "");
                assert.equal(result.stderr, `The stack config is invalid (1 problem); nothing was created.\n${problem}`);
                assert.throws(() => readFileSync(path.join(dir, "dev", "plan.json")), { code: "ENOENT" });
                const events: string[] = [];
                await assert.rejects(
                    runDev((raw) => change(raw.cluster), {}, (event) => events.push(`${event.kind} ${event.type}`), undefined, DEV_STACK_FILE),
                    { name: "ConfigError" },
                );
                // Nothing but the stack itself (the program refuses before its first resource).
                assert.deepEqual(events, ["register pulumi:pulumi:Stack"]);
            });
        }
    });

    describe("plan.json inputs", () => {
        it("masks secrets as pulumi preview --json does, marks unknowns, and leaves the rest as the provider gets it", async () => {
            assert.deepEqual(
                await planInputs({
                    name: "x",
                    password: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "hunter2" },
                    nested: [{ token: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: { deep: "s3cr3t" } } }, 3, null, true],
                    later: unknown,
                }),
                { name: "x", password: SECRET, nested: [{ token: SECRET }, 3, null, true], later: UNKNOWN },
            );
        });

        it("never writes a secret a program passes to a resource", async () => {
            const program = path.join(REPO_ROOT, "test", "fixtures", "secretInputProgram.ts");
            const run = await runProgram({ project: "pcluster-access", stack: "dev", config: {}, cloud: { region: "eu-west-1" }, programPath: program });
            const inputs = run.resources.find((entry) => entry.name === "note")!.inputs;
            assert.deepEqual(await planInputs(inputs), { bucket: "b", content: SECRET, key: "k" });
            assert.doesNotMatch(JSON.stringify(await planInputs(inputs)), /hunter2/);
        });
    });
});
