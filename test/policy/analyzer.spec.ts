import * as assert from "node:assert/strict";
import { OPSWORKS_REGISTRATION_POLICY } from "../../policy/iamPolicies";
import * as pulumi from "@pulumi/pulumi";
import { OPSWORKS_USER_PROFILE, ROSTER } from "../../policy/lib/resourceTypes";
import { DEV_STACK_FILE, devRawConfig, toStackConfig } from "../support/devConfig";
import type { RawConfigInput } from "../../components/config";
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

    describe("with the stack config the engine hands to the pack (PULUMI_CONFIG, pulumi/pulumi#3612)", () => {
        /** The dev stack with EC2 Instance Connect on and alice's access ending on 2027-06-30. */
        const withDates = (raw: ReturnType<typeof devRawConfig>) => {
            raw.roster.instanceConnect = true;
            raw.users[0].expires = "2027-06-30";
        };
        let configured: AnalyzerServer;
        before(async () => {
            const raw = devRawConfig(DEV_STACK_FILE);
            withDates(raw);
            configured = await AnalyzerServer.start(toStackConfig(raw as RawConfigInput));
        });
        after(() => configured?.stop());

        it("reports exactly what the harness reports for an end date and an option the program lost on the way to the roster", async () => {
            const run = await runVariant({
                stackFile: DEV_STACK_FILE,
                change: withDates,
                edits: [
                    {
                        type: ROSTER,
                        edit: (props) => ({
                            ...props,
                            options: { homeKeys: "anywhere", instanceConnect: true },
                            users: pulumi
                                .output(props.users as pulumi.Input<Record<string, unknown>[]>)
                                .apply((users) => users.map((user) => (user.iamUser === "alice" ? { ...user, expires: undefined } : user))),
                        }),
                    },
                ],
            });
            await configured.configure(resolvePolicyConfig(policies, {}));
            const expected = await harness(run);
            // Both compare with the stack config itself, which the served pack could only read from PULUMI_CONFIG.
            assert.deepEqual(
                expected.filter((diagnostic) => diagnostic.enforcementLevel === "mandatory").map((diagnostic) => [diagnostic.policyName, diagnostic.message.split("\n")[1].split(", but ")[1].slice(0, 16)]),
                [
                    ["required-configured-end-dates", "the stack config"],
                    ["required-configured-roster-options", "the stack config"],
                ],
            );
            assert.deepEqual(await served(configured, run), expected);
        });
    });
});
