/**
 * The plan's policy step: the policy pack (policy/) run on what the program registered, through the
 * offline harness, with the same enforcement levels and config `pulumi preview --policy-pack` would use.
 */
import { runPolicyPack, type PolicyConfigFile, type PolicyReport } from "./policyHarness";
import type { ProgramRun } from "./runProgram";

export type { PolicyReport, PolicyViolation } from "./policyHarness";

/** Runs the pack on the run's resources; `config` is what `--policy-pack-config` would pass. */
export async function checkPolicies(run: ProgramRun, config?: PolicyConfigFile): Promise<PolicyReport> {
    return runPolicyPack(run.resources, { config });
}

export function formatPolicyReport(report: PolicyReport): string {
    if (report.policies.length === 0) {
        return "  no policies loaded";
    }
    if (report.violations.length === 0) {
        return `  ${report.policies.length} policies, no violations`;
    }
    return report.violations
        .map((violation) => `  [${violation.enforcementLevel}] ${violation.policyName}: ${violation.message}${violation.urn ? `\n      ${violation.urn}` : ""}`)
        .join("\n");
}
