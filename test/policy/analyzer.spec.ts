import * as assert from "node:assert/strict";
import { OPSWORKS_REGISTRATION_POLICY } from "../../policy/iamPolicies";
import { OPSWORKS_USER_PROFILE } from "../../policy/lib/resourceTypes";
import { policies } from "../../policy/policies";
import { POLICY_PACK_VERSION, resolvePolicyConfig, runPolicyPack, type PolicyConfigFile } from "../../scripts/offline/policyHarness";
import type { ProgramRun } from "../../scripts/offline/runProgram";
import { AnalyzerServer, type Diagnostic } from "./support/analyzerServer";
import { dropIamPolicy, setInputs, setOnNodeConfigured } from "./support/edits";
import { runVariant } from "./support/variants";

/** Everything the served pack reports for a run: Analyze per resource in order, then AnalyzeStack. */
async function served(server: AnalyzerServer, run: ProgramRun): Promise<Diagnostic[]> {
    const diagnostics: Diagnostic[] = [];
    for (const resource of run.resources) {
        diagnostics.push(...(await server.analyze(resource)));
    }
    return [...diagnostics, ...(await server.analyzeStack(run.resources))];
}

/** The harness's report in the engine's form: the policy's description, a line break, then its message. */
async function harness(run: ProgramRun, config: PolicyConfigFile = {}): Promise<Diagnostic[]> {
    const descriptions = new Map(policies.map((policy) => [policy.name, policy.description]));
    const report = await runPolicyPack(run.resources, { config });
    return report.violations.map((violation) => ({
        ...violation,
        description: descriptions.get(violation.policyName)!,
        message: `${descriptions.get(violation.policyName)}\n${violation.message}`,
    }));
}

describe("the pack served by @pulumi/policy's analyzer, as `pulumi preview --policy-pack policy` runs it", function () {
    // The runner type-checks the pack with ts-node before it listens.
    this.timeout(180_000);
    let server: AnalyzerServer;
    before(async () => {
        server = await AnalyzerServer.start();
    });
    after(() => server?.stop());

    it("loads from policy/ and describes the pack's policies, levels and config schema", async () => {
        const info = await server.info();
        assert.deepEqual([info.name, info.version], ["pcluster-access", POLICY_PACK_VERSION]);
        assert.deepEqual(
            info.policies.map((policy) => [policy.name, policy.enforcementLevel]),
            policies.map((policy) => [policy.name, policy.enforcementLevel]),
        );
        assert.deepEqual(info.policies.find((policy) => policy.name === "discouraged-sudo-users")?.configSchema, {
            allowedSudoUsers: { type: "array", items: { type: "string" }, default: [], description: "IAM user names, IAM user ARNs or SSH usernames whose sudo is intended." },
        });
    });

    const ADVISORIES = ["discouraged-scratch-file-system advisory", "discouraged-sudo-users advisory"];
    const cases: [string, Parameters<typeof runVariant>[0], PolicyConfigFile, string[]][] = [
        ["the dev stack", {}, {}, ADVISORIES],
        ["the dev stack in a first preview", { preview: true }, {}, ADVISORIES],
        [
            "a mutated program (a node without a policy, another stack id, an empty key, a revoked user)",
            {
                change: (raw) => (raw.users[1].access = "revoked"),
                edits: [
                    dropIamPolicy("HeadNode", OPSWORKS_REGISTRATION_POLICY),
                    setOnNodeConfigured("compute", { Args: ["2f18b4cb-4de5-4429-a149-ff7da9f0d8ee"] }),
                    setInputs(OPSWORKS_USER_PROFILE, { sshPublicKey: "" }, "alice-profile"),
                ],
            },
            { "discouraged-sudo-users": { allowedSudoUsers: ["alice"] }, "discouraged-scratch-file-system": "disabled" },
            [
                "discouraged-access-revocation advisory",
                "required-valid-ssh-public-key mandatory",
                "required-opsworks-iam-policies mandatory",
                "required-post-install-wiring mandatory",
            ],
        ],
        [
            "a node without a policy in a first preview, every policy made mandatory",
            { preview: true, edits: [dropIamPolicy("HeadNode", OPSWORKS_REGISTRATION_POLICY)] },
            { all: "mandatory" },
            ["discouraged-scratch-file-system mandatory", "required-opsworks-iam-policies mandatory", "discouraged-sudo-users mandatory"],
        ],
    ];
    for (const [title, variant, config, reported] of cases) {
        it(`reports exactly what the offline harness reports for ${title}`, async () => {
            const run = await runVariant(variant);
            await server.configure(resolvePolicyConfig(policies, config));
            const expected = await harness(run, config);
            assert.deepEqual(
                expected.map((diagnostic) => `${diagnostic.policyName} ${diagnostic.enforcementLevel}`),
                reported,
            );
            assert.deepEqual(await served(server, run), expected);
        });
    }
});
