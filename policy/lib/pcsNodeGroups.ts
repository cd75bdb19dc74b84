/**
 * AWS PCS node groups as the policies judge cluster nodes: each `aws-native:pcs:ComputeNodeGroup` becomes one
 * ClusterNode whose arguments are the six words its launch template's user data hands the agent's setup
 * (`export PCA_SETUP_WORDS='...'`, components/pcs/userData.ts) and whose S3 reads are what the managed policies
 * attached to its instance profile's role allow. The resources are tied together by their dependencies (a node
 * group depends on its launch template and instance profile, a profile on its role), which are known even in a
 * first preview, when ids and ARNs are not.
 */
import type { ClusterConfigurationModel, ClusterNode, ReadConfiguration } from "./clusterConfiguration";
import { isKnown, str, UNKNOWN, type Maybe, type Unknown } from "./known";
import { EC2_LAUNCH_TEMPLATE, IAM_INSTANCE_PROFILE, IAM_ROLE, IAM_ROLE_POLICY, IAM_ROLE_POLICY_ATTACHMENT, PCS_COMPUTE_NODE_GROUP } from "./resourceTypes";
import type { StackResource, StackResources } from "./stackResources";

/** What one PCS node group runs with: its launch template, instance role and the role's policies. */
export interface PcsNodeGroup {
    readonly resource: StackResource;
    readonly label: string;
    readonly template?: StackResource;
    readonly role?: StackResource;
    /** Managed policy ARNs attached to the role. */
    readonly policyArns: readonly Maybe<string>[];
    /** The role's inline policies. */
    readonly inlinePolicies: readonly StackResource[];
}

/** The dependency of `resource` of `type` (the first). */
function dependencyOf(stack: StackResources, resource: StackResource, type: string): StackResource | undefined {
    return stack.ofType(type).find((candidate) => resource.dependencies.includes(candidate.urn));
}

export function pcsNodeGroups(stack: StackResources): PcsNodeGroup[] {
    return stack.ofType(PCS_COMPUTE_NODE_GROUP).map((resource) => {
        const name = str(resource.props.name);
        const label = `PCS node group ${typeof name === "string" ? name : resource.name}`;
        const template = dependencyOf(stack, resource, EC2_LAUNCH_TEMPLATE);
        const profile = dependencyOf(stack, resource, IAM_INSTANCE_PROFILE);
        const role = profile && dependencyOf(stack, profile, IAM_ROLE);
        const onRole = (type: string) => (role === undefined ? [] : stack.ofType(type).filter((candidate) => candidate.dependencies.includes(role.urn)));
        return {
            resource,
            label,
            ...(template === undefined ? {} : { template }),
            ...(role === undefined ? {} : { role }),
            policyArns: onRole(IAM_ROLE_POLICY_ATTACHMENT).map((attachment) => str(attachment.props.policyArn)),
            inlinePolicies: onRole(IAM_ROLE_POLICY),
        };
    });
}

/** The user data's text: launch templates hold it base64-encoded. */
export function userDataText(template: StackResource | undefined): Maybe<string> {
    const encoded = template === undefined ? undefined : str(template.props.userData);
    return typeof encoded === "string" ? Buffer.from(encoded, "base64").toString("utf8") : encoded;
}

/** The six words the user data passes to the agent's setup; undefined when it passes none. */
function setupWords(text: Maybe<string>): readonly Maybe<string>[] | Unknown | undefined {
    if (!isKnown(text)) {
        return UNKNOWN;
    }
    const match = text === undefined ? null : /^export PCA_SETUP_WORDS='([^']*)'$/m.exec(text);
    return match === null ? undefined : match[1].split(" ").filter((word) => word !== "");
}

/** Each PCS node group as a one-node configuration model, for the policies that judge nodes. */
export function pcsNodeModels(stack: StackResources): { readonly resource: StackResource; readonly read: ReadConfiguration }[] {
    return pcsNodeGroups(stack).map((group) => {
        const roleName = group.role === undefined ? undefined : str(group.role.props.name);
        const node: ClusterNode = {
            label: group.label,
            iamPoliciesPath: "its instance role's managed policies",
            iamPolicies: group.policyArns,
            scriptPath: "its launch template's user data",
            script: undefined,
            argsPath: "its launch template's user data, PCA_SETUP_WORDS",
            args: setupWords(userDataText(group.template)),
            s3ReadPath: `the managed policies of its instance role${typeof roleName === "string" ? ` ${roleName}` : ""}`,
            s3Read: [],
            s3ReadPolicyArns: group.policyArns,
        };
        const model: ClusterConfigurationModel = {
            format: "v3",
            region: undefined,
            vpcId: undefined,
            headNodeSubnetId: undefined,
            subnetIds: [],
            imdsSupport: undefined,
            nodes: [node],
            fileSystems: [],
            sshSources: [],
        };
        return { resource: group.resource, read: { ok: true, model } };
    });
}
