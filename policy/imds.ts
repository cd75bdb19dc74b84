/**
 * required-imds-v1-for-opsworks: `aws opsworks register --local`, which the post-install script runs,
 * reads the instance identity document without an IMDSv2 token, and ParallelCluster 3.7+ requires IMDSv2
 * unless the configuration says otherwise. A v3 cluster that registers with OpsWorks must keep IMDSv1 on.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configurationModelOf, isRosterMode, type ClusterConfigurationModel } from "./lib/clusterConfiguration";
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
        const model = configurationModelOf(args);
        if (model?.format !== "v3" || !registersWithOpsWorks(model)) {
            return;
        }
        const { imdsSupport } = configWithDefaults(args, IMDS_DEFAULTS);
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
