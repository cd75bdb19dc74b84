/**
 * required-opsworks-iam-policies: the article's one hard requirement on the cluster. Nodes register with
 * the OpsWorks stack from the post-install script (AWSOpsWorksInstanceRegistration) and the head node
 * deregisters terminated nodes (AWSOpsWorksRegisterCLI_EC2); a node without them never gets the stack's
 * users. The policy reads the stored configuration, as `pcluster` will, not the program's inputs.
 */
import type { StackValidationPolicy } from "@pulumi/policy";
import { isKnown } from "./lib/known";
import { configWithDefaults, stringList } from "./lib/policyConfig";
import { CLUSTER_CONFIGURATION, OPSWORKS_PERMISSION, OPSWORKS_STACK, OPSWORKS_USER_PROFILE } from "./lib/resourceTypes";
import { StackResources } from "./lib/stackResources";
import { capitalize, joinAnd } from "./lib/text";

export const OPSWORKS_REGISTRATION_POLICY = "arn:aws:iam::aws:policy/AWSOpsWorksInstanceRegistration";
export const OPSWORKS_REGISTER_CLI_POLICY = "arn:aws:iam::aws:policy/AWSOpsWorksRegisterCLI_EC2";

export interface RequiredIamPoliciesConfig {
    /** Managed policy ARNs every node must carry. */
    readonly requiredPolicyArns: readonly string[];
}

export const REQUIRED_IAM_POLICIES_DEFAULTS: RequiredIamPoliciesConfig = {
    requiredPolicyArns: [OPSWORKS_REGISTRATION_POLICY, OPSWORKS_REGISTER_CLI_POLICY],
};

export const requiredOpsWorksIamPolicies: StackValidationPolicy = {
    name: "required-opsworks-iam-policies",
    description:
        "Checks that a stack with an OpsWorks stack or OpsWorks users has a cluster configuration, and that its head node and every queue carry the IAM policies OpsWorks registration needs (stacks without OpsWorks need none).",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            requiredPolicyArns: stringList("Managed policy ARNs the head node and every queue must carry.", REQUIRED_IAM_POLICIES_DEFAULTS.requiredPolicyArns),
        },
    },
    validateStack: (args, reportViolation) => {
        const { requiredPolicyArns } = configWithDefaults(args, REQUIRED_IAM_POLICIES_DEFAULTS);
        const stack = new StackResources(args.resources);
        const configurations = stack.configurations();
        const usesOpsWorks = [OPSWORKS_STACK, OPSWORKS_USER_PROFILE, OPSWORKS_PERMISSION].some((type) => stack.ofType(type).length > 0);
        if (usesOpsWorks && configurations.length === 0) {
            reportViolation(
                `This stack has an OpsWorks stack or OpsWorks users but no cluster configuration (${CLUSTER_CONFIGURATION}). ` +
                    `Every cluster node must carry ${joinAnd(requiredPolicyArns)}, and only the stored configuration shows that it does: ` +
                    "build the environment with ParallelClusterEnvironment, which renders and stores it.",
            );
        }
        // The roster backend needs no managed policy: this policy applies where OpsWorks is, and nowhere else.
        if (!usesOpsWorks) {
            args.notApplicable("no OpsWorks stack or users in this stack: the roster backend needs no managed policy");
        }
        for (const { resource, read } of configurations) {
            if (!read.ok) {
                // Every other policy that reads the configuration reports this too, each for what it checks.
                reportViolation(
                    `The cluster configuration cannot be read: ${read.problem}. It must be a ParallelCluster v3 YAML or v2 INI file whose nodes carry ${joinAnd(requiredPolicyArns)}.`,
                    resource.urn,
                );
                continue;
            }
            for (const node of read.model.nodes) {
                // A policy list that is unknown, or holds an unknown entry, may still hold the ARN: no verdict.
                const carried = node.iamPolicies;
                if (!isKnown(carried) || !carried.every(isKnown)) {
                    continue;
                }
                const missing = requiredPolicyArns.filter((arn) => !carried.includes(arn));
                if (missing.length > 0) {
                    reportViolation(
                        `${capitalize(node.label)} lacks ${joinAnd(missing)} in ${node.iamPoliciesPath}. ` +
                            `Every node must carry ${joinAnd(requiredPolicyArns)}: nodes register with the OpsWorks stack from the post-install script ` +
                            "and the head node deregisters terminated nodes, so without them the node gets none of the stack's users. " +
                            `Add ${missing.length === 1 ? "it" : "them"} there (ParallelClusterEnvironment's iamPolicyArns must include ${missing.length === 1 ? "it" : "them"}).`,
                        resource.urn,
                    );
                }
            }
        }
    },
};
