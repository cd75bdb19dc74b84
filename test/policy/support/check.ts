/** Runs a program variant and the policy pack on it, and picks violations out of the report. */
import * as assert from "node:assert/strict";
import type { PolicyReport, PolicyViolation } from "../../../scripts/offline/policyGate";
import { runPolicyPack, type PolicyConfigFile } from "../../../scripts/offline/policyHarness";
import type { ProgramRun } from "../../../scripts/offline/runProgram";
import { runVariant, type VariantOptions } from "./variants";

export interface Checked {
    readonly run: ProgramRun;
    readonly report: PolicyReport;
}

export async function check(options: VariantOptions & { readonly config?: PolicyConfigFile } = {}): Promise<Checked> {
    const run = await runVariant(options);
    return { run, report: await runPolicyPack(run.resources, { config: options.config }) };
}

/** The pack run on what a variant registered, less the resources of one type (as if the program never made them). */
export async function checkWithout(type: string, options: VariantOptions = {}): Promise<Checked> {
    const run = await runVariant(options);
    return { run, report: await runPolicyPack(run.resources.filter((resource) => resource.type !== type)) };
}

/** The violations of one policy, as [level, message, resource name] (the name read off the URN). */
export function violations(report: PolicyReport, policyName: string): [PolicyViolation["enforcementLevel"], string, string | undefined][] {
    return report.violations
        .filter((violation) => violation.policyName === policyName)
        .map((violation) => [violation.enforcementLevel, violation.message, violation.urn?.split("::").pop()]);
}

/** Every violation as "policy-name: message", for asserting that nothing else was reported. */
export function allViolations(report: PolicyReport): string[] {
    return report.violations.map((violation) => `${violation.policyName}: ${violation.message}`);
}

/** Tests that the dev stack, deployed and in a first preview, raises nothing for the policy. */
export function itPassesTheDevStack(policyName: string, title = "passes the dev stack"): void {
    for (const preview of [false, true]) {
        it(`${title}${preview ? " in a first preview" : ""}`, async () => {
            const { report } = await check({ preview });
            assert.deepEqual(violations(report, policyName), []);
        });
    }
}
