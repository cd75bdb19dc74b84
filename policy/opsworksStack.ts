/**
 * required-opsworks-stack-placement: the article's OpsWorks stack is a Chef 12 stack in the cluster's
 * VPC and region. Instances register with the OpsWorks endpoint of their own region, and the stack's
 * VPC is where OpsWorks expects its instances.
 */
import type { StackValidationPolicy } from "@pulumi/policy";
import { unreadableConfiguration, type ClusterConfigurationModel } from "./lib/clusterConfiguration";
import { at, isKnown, isList, str, UNKNOWN, type Maybe, type Plain } from "./lib/known";
import { configWithDefaults, stringValue } from "./lib/policyConfig";
import { AWSX_VPC, OPSWORKS_PERMISSION, OPSWORKS_STACK } from "./lib/resourceTypes";
import { StackResources, type StackResource } from "./lib/stackResources";
import { joinAnd } from "./lib/text";

export interface StackPlacementConfig {
    /** Chef version of the article's stack. */
    readonly chefVersion: string;
}

export const STACK_PLACEMENT_DEFAULTS: StackPlacementConfig = { chefVersion: "12" };

export const requiredOpsWorksStackPlacement: StackValidationPolicy = {
    name: "required-opsworks-stack-placement",
    description: "Checks that the OpsWorks stack is a Chef 12 stack in the cluster's region and VPC.",
    enforcementLevel: "mandatory",
    configSchema: {
        properties: {
            chefVersion: stringValue("Chef version the OpsWorks stack must use.", STACK_PLACEMENT_DEFAULTS.chefVersion),
        },
    },
    validateStack: (args, reportViolation) => {
        const { chefVersion } = configWithDefaults(args, STACK_PLACEMENT_DEFAULTS);
        const stack = new StackResources(args.resources);
        const configurations = stack.configurations();
        const clusters = configurations.flatMap(({ read }) => (read.ok ? [read.model] : []));
        const stacks = stack.ofType(OPSWORKS_STACK);
        if (stacks.length > 0 || stack.ofType(OPSWORKS_PERMISSION).length > 0) {
            for (const { resource, read } of configurations) {
                if (!read.ok) {
                    reportViolation(unreadableConfiguration(read.problem, "whether the OpsWorks stack is in the cluster's region and VPC"), resource.urn);
                }
            }
        }
        for (const opsworks of stacks) {
            const label = stackLabel(opsworks);
            const manager = configurationManager(opsworks.props.configurationManager);
            if (manager !== UNKNOWN && manager !== `Chef ${chefVersion}`) {
                reportViolation(
                    `OpsWorks stack ${label} uses ${manager ?? "no configuration manager"}; it must use Chef ${chefVersion}, the stack the article creates ` +
                        `(its agent is the one that manages the users). Set configurationManager to {name: "Chef", version: "${chefVersion}"}.`,
                    opsworks.urn,
                );
            }
            for (const cluster of clusters) {
                const region = regionProblem(`OpsWorks stack ${label} is`, str(opsworks.props.region), cluster);
                if (region) {
                    reportViolation(region, opsworks.urn);
                }
                const vpc = vpcProblem(stack, label, opsworks, cluster);
                if (vpc) {
                    reportViolation(vpc, opsworks.urn);
                }
            }
        }
        if (stacks.length === 0) {
            // An adopted stack has no resource here; its permissions are managed at its regional endpoint.
            for (const permission of stack.ofType(OPSWORKS_PERMISSION)) {
                const stackId = str(permission.props.stackId);
                const id = typeof stackId === "string" ? `${stackId} ` : "";
                const subject = `The adopted OpsWorks stack ${id}(permission ${permission.name}) is`;
                for (const cluster of clusters) {
                    const region = regionProblem(subject, str(permission.props.region), cluster);
                    if (region) {
                        reportViolation(region, permission.urn);
                    }
                }
            }
        }
    },
};

function stackLabel(opsworks: StackResource): string {
    const name = str(opsworks.props.name);
    return typeof name === "string" ? name : opsworks.name;
}

function configurationManager(value: Plain): Maybe<string> {
    const name = at(value, "name");
    const version = at(value, "version");
    if (name === UNKNOWN || version === UNKNOWN) {
        return UNKNOWN;
    }
    return name === undefined ? undefined : `${String(name)} ${String(version ?? "")}`.trim();
}

function regionProblem(subject: string, region: Maybe<string>, cluster: ClusterConfigurationModel): string | undefined {
    if (!isKnown(region) || typeof cluster.region !== "string" || region === cluster.region) {
        return undefined;
    }
    return (
        `${subject} in region ${region ?? "(none)"} but the cluster is in ${cluster.region}. The stack must be in the cluster's region: ` +
        `nodes register with the OpsWorks endpoint of their own region. Use an OpsWorks stack in ${cluster.region}.`
    );
}

function vpcProblem(stack: StackResources, label: string, opsworks: StackResource, cluster: ClusterConfigurationModel): string | undefined {
    const stackVpc = str(opsworks.props.vpcId);
    const clusterVpc = cluster.vpcId ?? vpcOfSubnet(stack, cluster.headNodeSubnetId);
    if (!isKnown(stackVpc) || !isKnown(clusterVpc)) {
        return undefined;
    }
    if (clusterVpc !== undefined) {
        return stackVpc === clusterVpc
            ? undefined
            : `OpsWorks stack ${label} is in VPC ${stackVpc ?? "(none)"} but the cluster's nodes are in VPC ${clusterVpc}. ` +
                  `The stack must be in the cluster's VPC, as the article creates it: set its vpcId to ${clusterVpc}.`;
    }
    // No resource here names the VPC of the cluster's subnets (an existing network): OpsWorks only accepts
    // a default subnet inside the stack's VPC, so a default subnet among the cluster's pins the stack there.
    const subnet = str(opsworks.props.defaultSubnetId);
    const subnets = cluster.subnetIds;
    if (!isKnown(subnet) || !subnets.every(isKnown) || (subnet !== undefined && subnets.includes(subnet))) {
        return undefined;
    }
    const known = [...new Set(subnets.filter((id): id is string => typeof id === "string"))];
    return (
        `OpsWorks stack ${label}'s default subnet ${subnet ?? "(none)"} is none of the cluster's subnets (${joinAnd(known)}), ` +
        `so the stack cannot be shown to be in the cluster's VPC. Use the head node's subnet as the stack's default subnet.`
    );
}

/** The VPC an awsx VPC of this stack reports for the subnet; undefined when none does. */
function vpcOfSubnet(stack: StackResources, subnetId: Maybe<string>): Maybe<string> {
    if (typeof subnetId !== "string") {
        return subnetId;
    }
    for (const vpc of stack.ofType(AWSX_VPC)) {
        const subnets = ["publicSubnetIds", "privateSubnetIds", "isolatedSubnetIds"].flatMap((key) => {
            const ids = vpc.props[key];
            return isList(ids) ? ids : [];
        });
        if (subnets.includes(subnetId)) {
            return str(vpc.props.vpcId);
        }
    }
    return undefined;
}
