import * as assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { OPSWORKS_REGISTER_CLI_POLICY, OPSWORKS_REGISTRATION_POLICY } from "../../policy/iamPolicies";
import { checkPolicies, formatPolicyReport } from "../../scripts/offline/policyGate";
import type { PolicyConfigFile } from "../../scripts/offline/policyHarness";
import { EXIT, plan } from "../../scripts/plan";
import { REPO_ROOT } from "../support/devConfig";
import { named } from "../support/program";
import { dropIamPolicy } from "./support/edits";
import { runVariant } from "./support/variants";

const SCRATCH_ADVICE =
    "  [advisory] discouraged-scratch-file-system: FSx for Lustre file system scratchfs at /fsx is SCRATCH_2: scratch file systems do not replicate data " +
    "and have no backups, so a failed file server loses what is on it. Keep only data you can recreate there, or use a PERSISTENT deployment type.";
const SUDO_ADVICE =
    "  [advisory] discouraged-sudo-users: 1 user has passwordless sudo on the cluster's nodes: alice. Sudo makes a user root on every instance of the " +
    "OpsWorks stack. If that is intended, add them to allowedSudoUsers in this policy's config; otherwise set sudo: false for them.";

const ROSTER_SUDO_ADVICE =
    "  [advisory] discouraged-sudo-users: 1 user has passwordless sudo on the cluster's nodes: alice. Sudo makes a user root on every node the roster " +
    "reaches. If that is intended, add them to allowedSudoUsers in this policy's config; otherwise set sudo: false for them.";

describe("the plan's policy gate", () => {
    it("runs the pack: the dev stack passes with two advisories", async () => {
        const run = await runVariant();
        const report = await checkPolicies(run);
        assert.equal(report.policies.length, 28);
        assert.equal(
            formatPolicyReport(report),
            [SCRATCH_ADVICE, `      ${named(run, "hpc-dev-cluster-config-object").urn}`, SUDO_ADVICE].join("\n"),
        );
    });

    it("fails on a mutated program with the policy's message and the resource", async () => {
        const run = await runVariant({ edits: [dropIamPolicy("standard", OPSWORKS_REGISTER_CLI_POLICY)] });
        const report = await checkPolicies(run);
        const mandatory = report.violations.filter((violation) => violation.enforcementLevel === "mandatory");
        assert.deepEqual(mandatory, [
            {
                policyName: "required-opsworks-iam-policies",
                enforcementLevel: "mandatory",
                message:
                    `Queue standard lacks ${OPSWORKS_REGISTER_CLI_POLICY} in Scheduling.SlurmQueues[1].Iam.AdditionalIamPolicies. ` +
                    `Every node must carry ${OPSWORKS_REGISTRATION_POLICY} and ${OPSWORKS_REGISTER_CLI_POLICY}: nodes register with the OpsWorks stack from the post-install script ` +
                    "and the head node deregisters terminated nodes, so without them the node gets none of the stack's users. " +
                    "Add it there (ParallelClusterEnvironment's iamPolicyArns must include it).",
                urn: named(run, "hpc-dev-cluster-config-object").urn,
            },
        ]);
    });

    it("takes a policy config, as --policy-pack-config would pass it", async () => {
        const run = await runVariant();
        const report = await checkPolicies(run, { "discouraged-sudo-users": { allowedSudoUsers: ["alice"] }, "discouraged-scratch-file-system": "disabled" });
        assert.equal(report.policies.length, 27);
        assert.equal(formatPolicyReport(report), "  27 policies, no violations");
    });

    it("accepts the example policy config, which silences the admin's sudo", async () => {
        const example = JSON.parse(readFileSync(path.join(REPO_ROOT, "policy-config.example.json"), "utf8")) as PolicyConfigFile;
        const run = await runVariant();
        const report = await checkPolicies(run, example);
        assert.equal(formatPolicyReport(report), [SCRATCH_ADVICE, `      ${named(run, "hpc-dev-cluster-config-object").urn}`].join("\n"));
    });

    it("is what CI runs: the workflow tests, then previews every stack with the pack and the config file", () => {
        type Step = { uses?: string; run?: string; with?: Record<string, unknown> };
        const workflow = YAML.parse(readFileSync(path.join(REPO_ROOT, ".github", "workflows", "preview.yml"), "utf8")) as {
            on: { pull_request: unknown };
            jobs: Record<string, { needs?: string[]; steps: Step[]; strategy?: { matrix: { stack: string } } }>;
        };
        assert.ok(workflow.on.pull_request);
        assert.deepEqual(workflow.jobs.test.steps.filter((step) => step.run?.includes("npm") || step.run?.startsWith(".ci/")).map((step) => step.run), [".ci/run"]);
        const preview = workflow.jobs.preview;
        assert.deepEqual(preview.needs, ["test", "stacks"]);
        assert.equal(preview.strategy?.matrix.stack, "${{ fromJSON(needs.stacks.outputs.names) }}");
        const pulumi = preview.steps.find((step) => step.uses?.startsWith("pulumi/actions@"));
        assert.deepEqual(
            { command: pulumi?.with?.command, policyPacks: pulumi?.with?.policyPacks, policyPackConfigs: pulumi?.with?.policyPackConfigs },
            { command: "preview", policyPacks: "policy", policyPackConfigs: "${{ steps.policy.outputs.config }}" },
        );
    });

    it("runs CI on a supported Node.js LTS (24; Node 20's support ended on 2026-04-30), with actions/* at their current majors", () => {
        type Job = { container?: { image: string }; steps: { uses?: string; with?: Record<string, unknown> }[] };
        const workflow = YAML.parse(readFileSync(path.join(REPO_ROOT, ".github", "workflows", "preview.yml"), "utf8")) as { jobs: Record<string, Job> };
        assert.equal(workflow.jobs.test.container?.image, "node:24-bookworm");
        const uses = Object.values(workflow.jobs).flatMap((job) => job.steps.flatMap((step) => (step.uses === undefined ? [] : [step.uses])));
        assert.deepEqual([...new Set(uses)].sort(), ["actions/checkout@v7", "actions/setup-node@v7", "aws-actions/configure-aws-credentials@v6", "pulumi/actions@v6"]);
        const setupNode = workflow.jobs.preview.steps.find((step) => step.uses?.startsWith("actions/setup-node@"));
        assert.equal(setupNode?.with?.["node-version"], "24");
    });

    describe("npm run plan", () => {
        let dir: string;
        before(() => (dir = mkdtempSync(path.join(tmpdir(), "pca-policy-plan-"))));
        after(() => rmSync(dir, { recursive: true, force: true }));

        for (const [stack, backend, advice] of [
            ["dev", "roster", [SCRATCH_ADVICE, ROSTER_SUDO_ADVICE]],
            ["article", "OpsWorks", [SCRATCH_ADVICE, SUDO_ADVICE]],
        ] as const) {
            it(`prints the policy report and exits 0 on the ${stack} stack (${backend} backend), whose violations are advisory`, async () => {
                const result = await plan({
                    stack,
                    configFile: path.join(REPO_ROOT, `Pulumi.${stack}.yaml`),
                    projectFile: path.join(REPO_ROOT, "Pulumi.yaml"),
                    outDir: dir,
                });
                assert.equal(result.exitCode, EXIT.ok, result.stderr);
                const section = result.stdout.slice(result.stdout.indexOf("\nPolicies:\n") + 1, result.stdout.indexOf("\n\nWrote "));
                assert.equal(section.split("\n").filter((line) => line.startsWith("  [")).join("\n"), advice.join("\n"));
            });
        }
    });
});
