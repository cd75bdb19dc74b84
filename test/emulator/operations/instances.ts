/**
 * RegisterInstance, DescribeInstances, DeregisterInstance: what `aws opsworks register` and the
 * deregistration script use. An EC2 instance is identified by its identity document (field
 * `instanceId`) and is registered as infrastructure class `ec2`; without an identity it is
 * `on-premises`. DescribeInstances takes exactly one of StackId, LayerId, InstanceIds.
 */
import { randomUUID } from "node:crypto";
import { notFound, validationError } from "../errors";
import { InstanceRecord, OperationContext } from "../state";
import { findStack } from "./stacks";

interface RegisterInstanceInput {
    StackId: string;
    Hostname?: string;
    PublicIp?: string;
    PrivateIp?: string;
    InstanceIdentity?: { Document?: string; Signature?: string };
}

interface DescribeInstancesInput {
    StackId?: string;
    LayerId?: string;
    InstanceIds?: string[];
}

/** The rule `aws opsworks register` applies to --override-hostname. */
const HOSTNAME = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;

function ec2InstanceId(document: string | undefined): string {
    let parsed: unknown;
    try {
        parsed = JSON.parse(document ?? "");
    } catch {
        throw validationError("InstanceIdentity.Document is not a JSON instance identity document");
    }
    const instanceId = (parsed as { instanceId?: unknown } | null)?.instanceId;
    if (typeof instanceId !== "string" || !/^i-[0-9a-f]+$/.test(instanceId)) {
        throw validationError("InstanceIdentity.Document has no valid instanceId");
    }
    return instanceId;
}

function registerInstance(context: OperationContext, input: RegisterInstanceInput): object {
    const stack = findStack(context, input.StackId);
    const ec2Id = input.InstanceIdentity ? ec2InstanceId(input.InstanceIdentity.Document) : undefined;
    const instances = [...context.state.instances.values()];
    if (ec2Id !== undefined) {
        const existing = instances.find((instance) => instance.Ec2InstanceId === ec2Id);
        if (existing) {
            throw validationError(`Instance ${ec2Id} is already registered with stack ${existing.StackId}`);
        }
    }
    const hostname = input.Hostname ?? ec2Id ?? `on-premises-${instances.length + 1}`;
    if (!HOSTNAME.test(hostname)) {
        throw validationError(`Invalid hostname: '${hostname}'. Hostnames must consist of letters, digits and dashes only`);
    }
    if (instances.some((instance) => instance.StackId === stack.StackId && instance.Hostname === hostname.toLowerCase())) {
        throw validationError(`Invalid hostname: '${hostname}'. Hostnames must be unique within a stack.`);
    }
    const instanceId = randomUUID();
    const record: InstanceRecord = {
        InstanceId: instanceId,
        StackId: stack.StackId,
        Hostname: hostname.toLowerCase(),
        Status: "online",
        InfrastructureClass: ec2Id === undefined ? "on-premises" : "ec2",
        RegisteredBy: context.settings.callerArn,
        CreatedAt: new Date().toISOString(),
        Arn: `arn:aws:opsworks:${stack.Region}:${context.settings.accountId}:instance/${instanceId}`,
        ...(ec2Id !== undefined && { Ec2InstanceId: ec2Id }),
        ...(input.PrivateIp !== undefined && { PrivateIp: input.PrivateIp }),
        ...(input.PublicIp !== undefined && { PublicIp: input.PublicIp }),
    };
    context.state.instances.set(instanceId, record);
    return { InstanceId: instanceId };
}

function findInstance(context: OperationContext, instanceId: string): InstanceRecord {
    const instance = context.state.instances.get(instanceId);
    if (!instance) {
        throw notFound(`Unable to find instance with ID ${instanceId}`);
    }
    return instance;
}

function describeInstances(context: OperationContext, input: DescribeInstancesInput): object {
    const given = [input.StackId, input.LayerId, input.InstanceIds].filter((value) => value !== undefined);
    if (given.length !== 1 || input.InstanceIds?.length === 0) {
        throw validationError("Please provide either one or more instance IDs or one stack ID or one layer ID");
    }
    if (input.InstanceIds) {
        return { Instances: input.InstanceIds.map((instanceId) => findInstance(context, instanceId)) };
    }
    if (input.LayerId !== undefined) {
        // Registered instances belong to no layer, and the emulator has no layers.
        throw notFound(`Unable to find layer with ID ${input.LayerId}`);
    }
    const stackId = findStack(context, input.StackId!).StackId;
    return { Instances: [...context.state.instances.values()].filter((instance) => instance.StackId === stackId) };
}

/** The instance keeps running; only its registration (and agent) goes. */
function deregisterInstance(context: OperationContext, input: { InstanceId: string }): object {
    findInstance(context, input.InstanceId);
    context.state.instances.delete(input.InstanceId);
    return {};
}

export const instanceOperations = {
    RegisterInstance: registerInstance,
    DescribeInstances: describeInstances,
    DeregisterInstance: deregisterInstance,
};
