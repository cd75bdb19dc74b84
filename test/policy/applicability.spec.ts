/**
 * Each policy owns its verdict (issue 27): a configuration that cannot be read is reported by every
 * mandatory policy that reads it, for what that policy could not check, so a site that disables one
 * (a roster-only site disabling required-opsworks-iam-policies) keeps the others'. A policy whose backend
 * is absent does not apply.
 */
import * as assert from "node:assert/strict";
import { CLUSTER_CONFIGURATION } from "../../policy/lib/resourceTypes";
import { DEV_STACK_FILE } from "../support/devConfig";
import { check, violations } from "./support/check";
import { setInputs } from "./support/edits";
import type { ResourceEdit } from "./support/variants";

const IAM = "required-opsworks-iam-policies";
const CONFIG_OBJECT = "hpc-dev-cluster-config-object";
const CLUSTER_STACK = "hpc-dev-cluster-stack";

/** The stored text broken as a hand edit would: not YAML at all. */
const BROKEN_TEXT: ResourceEdit = { type: CLUSTER_CONFIGURATION, edit: (props) => ({ ...props, text: "HeadNode: [unclosed" }) };

function unreadable(problem: string, unchecked: string): string {
    return (
        `The cluster configuration cannot be read: ${problem}. ${unchecked} cannot be checked. ` +
        "It must be the ParallelCluster v3 YAML or v2 INI file the program renders: a hand edit or a transformation broke it."
    );
}

/** [policy, level, message, resource] of every violation, for exact comparison. */
function reported(report: Awaited<ReturnType<typeof check>>["report"]): [string, string, string, string | undefined][] {
    return report.violations.map((violation) => [violation.policyName, violation.enforcementLevel, violation.message, violation.urn?.split("::").pop()]);
}

describe("applicability: each policy owns its verdict (issue 27)", () => {
    it("a roster-only site that disables required-opsworks-iam-policies is still stopped by every policy that reads a configuration it cannot read", async () => {
        const { report } = await check({ stackFile: DEV_STACK_FILE, edits: [BROKEN_TEXT], config: { [IAM]: "disabled" } });
        const all = reported(report).filter(([, level]) => level === "mandatory");
        const problem = /^The cluster configuration cannot be read: (its text is not valid YAML \(.+\))\. /s.exec(all[0]?.[2] ?? "")?.[1];
        assert.ok(problem, JSON.stringify(all));
        assert.deepEqual(all, [
            ["required-imds-v1-for-opsworks", "mandatory", unreadable(problem, "Whether nodes that register with OpsWorks keep Imds.ImdsSupport v1.0"), CONFIG_OBJECT],
            ["prohibited-imds-v1-without-need", "mandatory", unreadable(problem, "Whether nodes that do not register with OpsWorks keep IMDSv2 required"), CONFIG_OBJECT],
            [
                "required-post-install-wiring",
                "mandatory",
                unreadable(problem, "Which post-install script each node runs, with which arguments, and whether it may read it"),
                CONFIG_OBJECT,
            ],
            [
                "required-roster-wiring",
                "mandatory",
                unreadable(problem, "Whether each node runs the roster agent with this environment's roster, agent, interval and name"),
                CONFIG_OBJECT,
            ],
            ["required-roster-signing-key", "mandatory", unreadable(problem, "Whether each node is given this environment's signing key as its PUBKEY"), CONFIG_OBJECT],
            [
                "required-deployed-configuration",
                "mandatory",
                unreadable(problem, `Whether cluster stack ${CLUSTER_STACK} deploys exactly the rendered configuration`),
                CLUSTER_STACK,
            ],
        ]);
    });

    it("required-opsworks-iam-policies does not apply to a roster site, even enabled and with a configuration it cannot read", async () => {
        const { report } = await check({ stackFile: DEV_STACK_FILE, edits: [BROKEN_TEXT] });
        assert.deepEqual(violations(report, IAM), []);
    });

    it("on the article's OpsWorks site, the OpsWorks policies report it too, each for what it checks", async () => {
        const { report } = await check({ edits: [setInputs(CLUSTER_CONFIGURATION, { format: "v4" })] });
        const problem = 'its format is "v4", not v2 or v3';
        assert.deepEqual(
            reported(report).filter(([, level]) => level === "mandatory"),
            [
                ["required-imds-v1-for-opsworks", "mandatory", unreadable(problem, "Whether nodes that register with OpsWorks keep Imds.ImdsSupport v1.0"), CONFIG_OBJECT],
                ["prohibited-imds-v1-without-need", "mandatory", unreadable(problem, "Whether nodes that do not register with OpsWorks keep IMDSv2 required"), CONFIG_OBJECT],
                [
                    IAM,
                    "mandatory",
                    `The cluster configuration cannot be read: ${problem}. It must be a ParallelCluster v3 YAML or v2 INI file whose nodes carry ` +
                        "arn:aws:iam::aws:policy/AWSOpsWorksInstanceRegistration and arn:aws:iam::aws:policy/AWSOpsWorksRegisterCLI_EC2.",
                    CONFIG_OBJECT,
                ],
                [
                    "required-post-install-wiring",
                    "mandatory",
                    unreadable(problem, "Which post-install script each node runs, with which arguments, and whether it may read it"),
                    CONFIG_OBJECT,
                ],
                ["required-opsworks-stack-placement", "mandatory", unreadable(problem, "Whether the OpsWorks stack is in the cluster's region and VPC"), CONFIG_OBJECT],
            ],
        );
    });
});
