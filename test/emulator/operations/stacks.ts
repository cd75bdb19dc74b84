/**
 * CreateStack, DescribeStacks, UpdateStack, DeleteStack, DescribeStackProvisioningParameters.
 * Rules beyond the model (reference/opsworks.md and the model's documentation): a non-default VPC
 * needs DefaultSubnetId, VpcId and Region never change (UpdateStack has no such members), the service
 * role cannot be changed, and a stack with registered instances cannot be deleted.
 */
import { randomUUID } from "node:crypto";
import { notFound, validationError } from "../errors";
import { CLASSIC_STACK_REGIONS, OPSWORKS_ENDPOINT_REGIONS } from "../regions";
import { OperationContext, StackRecord } from "../state";

interface StackSettings {
    Name?: string;
    ServiceRoleArn?: string;
    DefaultInstanceProfileArn?: string;
    DefaultSubnetId?: string;
    ConfigurationManager?: { Name?: string; Version?: string };
    [member: string]: unknown;
}

interface CreateStackInput extends StackSettings {
    Name: string;
    Region: string;
    ServiceRoleArn: string;
    DefaultInstanceProfileArn: string;
    VpcId?: string;
}

interface UpdateStackInput extends StackSettings {
    StackId: string;
}

const SERVICE_ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]+$/;
const INSTANCE_PROFILE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:instance-profile\/[\w+=,.@/-]+$/;
const VPC_ID = /^vpc-[0-9a-f]{8,17}$/;
const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;
/** Chef versions the ConfigurationManager documentation lists (Linux 12, 11.10, 11.4; Windows 12.2). */
const CHEF_VERSIONS = new Set(["12", "11.10", "11.4", "12.2"]);

export function findStack(context: OperationContext, stackId: string): StackRecord {
    const stack = context.state.stacks.get(stackId);
    if (!stack) {
        throw notFound(`Unable to find stack with ID ${stackId}`);
    }
    return stack;
}

/** Checks the members CreateStack and UpdateStack share. */
function checkSettings(settings: StackSettings): void {
    if (settings.Name !== undefined && (settings.Name.length === 0 || settings.Name.length > 64)) {
        throw validationError("Stack names must be 1 to 64 characters long");
    }
    if (settings.ServiceRoleArn !== undefined && !SERVICE_ROLE_ARN.test(settings.ServiceRoleArn)) {
        throw validationError("Invalid Service Role Arn");
    }
    if (settings.DefaultInstanceProfileArn !== undefined && !INSTANCE_PROFILE_ARN.test(settings.DefaultInstanceProfileArn)) {
        throw validationError("Invalid Default Instance Profile Arn");
    }
    if (settings.DefaultSubnetId !== undefined && !SUBNET_ID.test(settings.DefaultSubnetId)) {
        throw validationError(`Invalid subnet ID: ${settings.DefaultSubnetId}`);
    }
    const manager = settings.ConfigurationManager;
    if (manager !== undefined && !(manager.Name === "Chef" && CHEF_VERSIONS.has(manager.Version ?? ""))) {
        throw validationError(
            `Unsupported configuration manager: ${manager.Name ?? "(none)"} ${manager.Version ?? "(none)"}. ` +
                "Supported: Chef 12, 11.10, 11.4 (Linux) and 12.2 (Windows)",
        );
    }
}

function createStack(context: OperationContext, input: CreateStackInput): object {
    const { Region: stackRegion, VpcId } = input;
    if (!OPSWORKS_ENDPOINT_REGIONS.has(stackRegion)) {
        throw validationError(`Invalid region: ${stackRegion}`);
    }
    const classic = context.region === "us-east-1" && CLASSIC_STACK_REGIONS.has(stackRegion);
    if (stackRegion !== context.region && !classic) {
        throw validationError(
            `A stack in ${stackRegion} cannot be created through the ${context.region} endpoint; use the ${stackRegion} endpoint`,
        );
    }
    checkSettings(input);
    if (VpcId !== undefined) {
        if (!VPC_ID.test(VpcId)) {
            throw validationError(`Invalid VPC ID: ${VpcId}`);
        }
        if (input.DefaultSubnetId === undefined) {
            throw validationError("DefaultSubnetId is required when VpcId is specified");
        }
    }
    const stackId = randomUUID();
    const account = SERVICE_ROLE_ARN.exec(input.ServiceRoleArn)![1];
    const stack: StackRecord = {
        DefaultOs: "Amazon Linux 2",
        HostnameTheme: "Layer_Dependent",
        UseCustomCookbooks: false,
        UseOpsworksSecurityGroups: true,
        DefaultRootDeviceType: "ebs",
        AgentVersion: "LATEST",
        ...input,
        ConfigurationManager: input.ConfigurationManager ?? { Name: "Chef", Version: "12" },
        StackId: stackId,
        // The stack ARN ends in "/" (reference/opsworks.md).
        Arn: `arn:aws:opsworks:${stackRegion}:${account}:stack/${stackId}/`,
        CreatedAt: new Date().toISOString(),
    };
    context.state.stacks.set(stackId, stack);
    return { StackId: stackId };
}

function describeStacks(context: OperationContext, input: { StackIds?: string[] }): object {
    if (input.StackIds === undefined) {
        return { Stacks: [...context.state.stacks.values()] };
    }
    if (input.StackIds.length === 0) {
        throw validationError("StackIds must not be an empty list; omit it to describe every stack");
    }
    return { Stacks: input.StackIds.map((stackId) => findStack(context, stackId)) };
}

function updateStack(context: OperationContext, input: UpdateStackInput): object {
    const stack = findStack(context, input.StackId);
    checkSettings(input);
    if (input.ServiceRoleArn !== undefined && input.ServiceRoleArn !== stack.ServiceRoleArn) {
        throw validationError("You cannot update a stack's service role");
    }
    Object.assign(stack, input);
    return {};
}

function deleteStack(context: OperationContext, input: { StackId: string }): object {
    findStack(context, input.StackId);
    const registered = [...context.state.instances.values()].filter((instance) => instance.StackId === input.StackId);
    if (registered.length > 0) {
        throw validationError(
            `Cannot delete stack ${input.StackId}: ${registered.length} instance(s) are still registered. Deregister them first`,
        );
    }
    context.state.stacks.delete(input.StackId);
    for (const [key, permission] of context.state.permissions) {
        if (permission.StackId === input.StackId) {
            context.state.permissions.delete(key);
        }
    }
    return {};
}

function describeStackProvisioningParameters(context: OperationContext, input: { StackId: string }): object {
    const stack = findStack(context, input.StackId);
    const region = stack.Region;
    return {
        AgentInstallerUrl: context.settings.agentInstallerUrl.replaceAll("{region}", region),
        Parameters: {
            agent_installer_base_url: `opsworks-instance-agent-${region}.s3.amazonaws.com`,
            agent_installer_tgz: "opsworks-agent-installer.tgz",
            assets_download_bucket: `opsworks-instance-assets-${region}.s3.amazonaws.com`,
            instance_service_endpoint: `opsworks-instance-service.${region}.amazonaws.com`,
            instance_service_port: "443",
            instance_service_region: region,
            instance_service_ssl_verify_peer: "true",
            instance_service_use_ssl: "true",
            ops_works_endpoint: `opsworks.${region}.amazonaws.com`,
        },
    };
}

export const stackOperations = {
    CreateStack: createStack,
    DescribeStacks: describeStacks,
    UpdateStack: updateStack,
    DeleteStack: deleteStack,
    DescribeStackProvisioningParameters: describeStackProvisioningParameters,
};
