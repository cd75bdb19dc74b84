/**
 * required-imds-v1-for-opsworks: `aws opsworks register --local`, which the post-install script runs,
 * reads the instance identity document without an IMDSv2 token, and ParallelCluster 3.7+ requires IMDSv2
 * unless the configuration says otherwise. A v3 cluster that registers with OpsWorks must keep IMDSv1 on.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configurationOf, declaredFormat, isRosterMode, unreadableConfiguration, type ClusterConfigurationModel } from "./lib/clusterConfiguration";
import { isKnown, UNKNOWN } from "./lib/known";
import { configWithDefaults, stringValue } from "./lib/policyConfig";
import { OPSWORKS_REGISTRATION_POLICY } from "./iamPolicies";

export interface ImdsConfig {
    /** The `Imds.ImdsSupport` value OpsWorks registration needs. */
    readonly imdsSupport: string;
}

export const IMDS_DEFAULTS: ImdsConfig = { imdsSupport: "v1.0" };

export const requiredImdsV1ForOpsWorks: ResourceValidationPolicy = {
    name: "required-imds-v1-for-opsworks",
    description: "Checks that a ParallelCluster 3 configuration whose nodes register with OpsWorks allows IMDSv1.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            imdsSupport: stringValue("Imds.ImdsSupport value required while the nodes register with OpsWorks.", IMDS_DEFAULTS.imdsSupport),
        },
    },
    validateResource: (args, reportViolation) => {
        const { imdsSupport } = configWithDefaults(args, IMDS_DEFAULTS);
        const read = configurationOf(args);
        // Not v2 (no Imds section) and not another resource: nothing to judge.
        if (read === undefined || declaredFormat(args.props) === "v2") {
            return;
        }
        if (!read.ok) {
            reportViolation(unreadableConfiguration(read.problem, `whether nodes that register with OpsWorks keep Imds.ImdsSupport ${imdsSupport}`));
            return;
        }
        const model = read.model;
        if (model.format !== "v3" || !registersWithOpsWorks(model)) {
            return;
        }
        const actual = model.imdsSupport;
        if (actual !== UNKNOWN && actual !== imdsSupport) {
            const found = actual === undefined ? "is not set, so ParallelCluster 3.7+ requires IMDSv2" : `is ${actual}`;
            reportViolation(
                `Imds.ImdsSupport ${found}; it must be ${imdsSupport} while the nodes register with OpsWorks: ` +
                    "`aws opsworks register --local`, run by the post-install script, reads instance metadata without an IMDSv2 token " +
                    `and fails when IMDSv2 is required. Set Imds: {ImdsSupport: ${imdsSupport}}.`,
            );
        }
    },
};

/**
 * Registration is on when a node carries the registration policy or runs a post-install script that is
 * not in roster mode (its first argument `roster`: the roster agent reads S3 with IMDSv2 tokens).
 */
function registersWithOpsWorks(model: ClusterConfigurationModel): boolean {
    return model.nodes.some(
        (node) =>
            (node.script !== undefined && !isRosterMode(model.format, node)) || (isKnown(node.iamPolicies) && node.iamPolicies.includes(OPSWORKS_REGISTRATION_POLICY)),
    );
}

/**
 * prohibited-imds-v1-without-need: IMDSv1 lets any process on a node that can be tricked into an HTTP GET
 * (SSRF) read the node's role credentials. ParallelCluster 3.7+ requires IMDSv2 tokens by default; only
 * OpsWorks registration needs IMDSv1, so a configuration whose nodes do not register with OpsWorks (the
 * roster backend's agent uses the AWS CLI, which sends tokens) must not turn it back on.
 */
export const prohibitedImdsV1WithoutNeed: ResourceValidationPolicy = {
    name: "prohibited-imds-v1-without-need",
    description: "Checks that a ParallelCluster 3 configuration whose nodes do not register with OpsWorks leaves IMDSv2 required.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        const read = configurationOf(args);
        if (read === undefined || declaredFormat(args.props) === "v2") {
            return;
        }
        if (!read.ok) {
            reportViolation(unreadableConfiguration(read.problem, "whether nodes that do not register with OpsWorks keep IMDSv2 required"));
            return;
        }
        const model = read.model;
        if (model.format !== "v3" || registersWithOpsWorks(model)) {
            return;
        }
        const actual = model.imdsSupport;
        if (isKnown(actual) && actual !== undefined && actual !== "v2.0") {
            reportViolation(
                `Imds.ImdsSupport is ${actual}, but no node needs IMDSv1 (none registers with OpsWorks): it lets anything on a node that can make an HTTP request ` +
                    "read the node's IAM credentials. Remove the Imds section (ParallelCluster 3.7+ then requires IMDSv2) or set Imds: {ImdsSupport: v2.0}.",
            );
        }
    },
};
