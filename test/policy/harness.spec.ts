import * as assert from "node:assert/strict";
import type { Policies, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { unknown } from "@pulumi/pulumi/output";
import { CLUSTER_CONFIGURATION, OPSWORKS_STACK } from "../../policy/lib/resourceTypes";
import { policies } from "../../policy/policies";
import { PolicyConfigError, resolvePolicyConfig, runPolicyPack, toPolicyValues } from "../../scripts/offline/policyHarness";
import type { ProgramRun } from "../../scripts/offline/runProgram";
import { named } from "../support/program";
import { allViolations } from "./support/check";
import { runVariant } from "./support/variants";

const SCRATCH = "discouraged-scratch-file-system";
const SUDO = "discouraged-sudo-users";

function resourcePolicy(name: string, validate: ResourceValidationPolicy["validateResource"]): ResourceValidationPolicy {
    return { name, description: `Checks ${name}.`, enforcementLevel: "mandatory", validateResource: validate };
}

function stackPolicy(name: string, validate: StackValidationPolicy["validateStack"]): StackValidationPolicy {
    return { name, description: `Checks ${name}.`, enforcementLevel: "mandatory", validateStack: validate };
}

describe("the offline policy harness", () => {
    let run: ProgramRun;
    let preview: ProgramRun;
    before(async () => {
        run = await runVariant();
        preview = await runVariant({ preview: true });
    });

    describe("the pack on the dev stack", () => {
        for (const mode of ["deployed", "first preview"] as const) {
            it(`reports only the two advisories (${mode}), and no policy trips over an unknown value`, async () => {
                const report = await runPolicyPack((mode === "deployed" ? run : preview).resources);
                assert.deepEqual(report.policies, policies.map((policy) => policy.name));
                assert.deepEqual(
                    report.violations.map((violation) => [violation.policyName, violation.enforcementLevel]),
                    [
                        [SCRATCH, "advisory"],
                        [SUDO, "advisory"],
                    ],
                );
            });
        }
    });

    describe("policy config, reconciled as the CLI does", () => {
        it("applies 'all', then each policy's own level", async () => {
            const report = await runPolicyPack(run.resources, { config: { all: "mandatory", [SCRATCH]: "advisory" } });
            assert.deepEqual(
                report.violations.map((violation) => [violation.policyName, violation.enforcementLevel]),
                [
                    [SCRATCH, "advisory"],
                    [SUDO, "mandatory"],
                ],
            );
        });

        it("does not run a disabled policy, nor list it", async () => {
            const report = await runPolicyPack(run.resources, { config: { [SUDO]: { enforcementLevel: "disabled" } } });
            assert.deepEqual(report.policies, policies.map((policy) => policy.name).filter((name) => name !== SUDO));
            assert.deepEqual(allViolations(report).map((line) => line.split(":")[0]), [SCRATCH]);
        });

        it("reports a remediate level as mandatory", async () => {
            const report = await runPolicyPack(run.resources, { config: { [SCRATCH]: "remediate" } });
            assert.equal(report.violations.find((violation) => violation.policyName === SCRATCH)?.enforcementLevel, "mandatory");
        });

        it("starts from the schema defaults and overlays the given properties", () => {
            const resolved = resolvePolicyConfig(policies, { [SUDO]: { enforcementLevel: "mandatory", allowedSudoUsers: ["alice"] } });
            assert.deepEqual(resolved.get(SUDO), { enforcementLevel: "mandatory", properties: { allowedSudoUsers: ["alice"] } });
            assert.deepEqual(resolved.get("required-opsworks-stack-placement"), { enforcementLevel: "mandatory", properties: { chefVersion: "12" } });
        });

        const refused: [string, Parameters<typeof resolvePolicyConfig>[1], string][] = [
            [
                "an unknown policy",
                { "required-iam": "mandatory" },
                'policy config: "required-iam" is not a policy of the pcluster-access pack (policies: ' + policies.map((policy) => policy.name).join(", ") + ").",
            ],
            ["an unknown level", { all: "blocking" as "mandatory" }, 'policy config: all: "blocking" is not an enforcement level (advisory, mandatory, remediate, disabled).'],
            ["an unknown property", { [SUDO]: { allowedUsers: ["alice"] } }, `policy config: ${SUDO} has no property allowedUsers.`],
            ["a property of the wrong type", { [SUDO]: { allowedSudoUsers: "alice" } }, `policy config: ${SUDO}.allowedSudoUsers must be an array of strings; got "alice".`],
            ["a list item of the wrong type", { [SUDO]: { allowedSudoUsers: [1] } }, `policy config: ${SUDO}.allowedSudoUsers must be an array of strings; got [1].`],
            ["a fractional integer", { "required-valid-ssh-public-key": { minRsaBits: 2048.5 } }, "policy config: required-valid-ssh-public-key.minRsaBits must be of type integer; got 2048.5."],
        ];
        for (const [title, config, message] of refused) {
            it(`refuses ${title}`, () => {
                assert.throws(() => resolvePolicyConfig(policies, config), (error: unknown) => error instanceof PolicyConfigError && error.message === message);
            });
        }
    });

    describe("policies as the analyzer runs them", () => {
        it("turns a read of a value unknown during preview into an advisory note, as @pulumi/policy's server does", async () => {
            const readsText = resourcePolicy("reads-text", (args, report) => {
                if (args.type === CLUSTER_CONFIGURATION && (args.props.text as string).length === 0) {
                    report("empty");
                }
            });
            const report = await runPolicyPack(preview.resources, { policies: [readsText] });
            assert.deepEqual(report.violations, [
                {
                    policyName: "reads-text",
                    enforcementLevel: "advisory",
                    message: "can't run policy 'reads-text' from policy pack 'pcluster-access@v0.1.0' during preview: string value at .text can't be known during preview",
                },
            ]);
            const deployed = await runPolicyPack(run.resources, { policies: [readsText] });
            assert.deepEqual(deployed.violations, []);
        });

        it("gives resource policies each resource's inputs, and attributes their violations to it", async () => {
            const seen: string[] = [];
            const stackInputs = resourcePolicy("stack-inputs", (args, report) => {
                seen.push(args.type);
                if (args.type === OPSWORKS_STACK) {
                    report(`stackId ${String(args.props.stackId)}, region ${String(args.props.region)}, parent ${args.opts.parent?.split("::").pop()}`);
                }
            });
            const report = await runPolicyPack(run.resources, { policies: [stackInputs] });
            assert.deepEqual(seen, run.resources.map((resource) => resource.type));
            assert.deepEqual(report.violations, [
                {
                    policyName: "stack-inputs",
                    enforcementLevel: "mandatory",
                    message: "stackId undefined, region eu-west-1, parent hpc-dev-opsworks",
                    urn: named(run, "hpc-dev-opsworks-stack").urn,
                },
            ]);
        });

        it("gives stack policies every resource's outputs with its parent and dependencies", async () => {
            const wiring = stackPolicy("wiring", (args, report) => {
                const permission = args.resources.find((resource) => resource.name === "hpc-dev-users-alice-permission")!;
                const stack = args.resources.find((resource) => resource.name === "hpc-dev-opsworks-stack")!;
                report(
                    [
                        `${args.resources.length} resources`,
                        `parent ${permission.parent?.type}`,
                        `depends on ${permission.dependencies.map((dependency) => dependency.name).join(", ")}`,
                        `stackId ${String(stack.props.stackId === permission.props.stackId)}`,
                    ].join("; "),
                );
            });
            const report = await runPolicyPack(run.resources, { policies: [wiring] });
            assert.deepEqual(report.violations, [
                {
                    policyName: "wiring",
                    enforcementLevel: "mandatory",
                    message:
                        `${run.resources.length} resources; parent pcluster-access:users:ClusterUsers; ` +
                        "depends on hpc-dev-users-alice-profile, hpc-dev-opsworks-stack, hpc-dev-users-alice-iam-user; stackId true",
                },
            ]);
        });

        it("passes each policy its reconciled config", async () => {
            const configured: Policies = [
                {
                    ...stackPolicy("configured", (args, report) => report(JSON.stringify(args.getConfig()))),
                    configSchema: { properties: { limit: { type: "integer", default: 3 }, names: { type: "array", items: { type: "string" }, default: [] } } },
                },
            ];
            const report = await runPolicyPack(run.resources, { policies: configured, config: { configured: { names: ["a"] } } });
            assert.deepEqual(allViolations(report), ['configured: {"limit":3,"names":["a"]}']);
        });

        it("drops a policy that declares itself not applicable", async () => {
            const report = await runPolicyPack(run.resources, { policies: [stackPolicy("not-here", (args) => args.notApplicable("no clusters"))] });
            assert.deepEqual(report.violations, []);
        });

        it("fails the run, as the engine does, when a policy throws", async () => {
            const broken = resourcePolicy("broken", (args) => {
                if (args.type === CLUSTER_CONFIGURATION) {
                    throw new Error("cannot parse");
                }
            });
            await assert.rejects(runPolicyPack(run.resources, { policies: [broken] }), {
                message: "Error validating resource with policy 'broken' from policy pack 'pcluster-access@v0.1.0': cannot parse",
            });
        });
    });

    it("sends values as the engine does: unknowns as its sentinel, undefined properties absent", () => {
        assert.deepEqual(toPolicyValues({ a: unknown, b: undefined, c: [unknown, "x", { d: unknown }], e: null }), {
            a: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
            c: ["04da6b54-80e4-46f7-96ec-b56ff0331ba9", "x", { d: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" }],
            e: null,
        });
    });
});
