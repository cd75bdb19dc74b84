/**
 * An OpsWorks Stacks stack (token pulumi-nodejs:dynamic/opsworks:Stack): the article's Chef 12 stack in
 * the cluster's VPC. Region, VPC and service role cannot change in OpsWorks, so changing them replaces
 * the stack; name, default subnet, default instance profile and configuration manager are updated in
 * place. Create is one call (CreateStack; the ARN is derived), refresh one (DescribeStacks), update one
 * (UpdateStack). An existing stack is not adopted here: the program references it by id instead.
 */
import * as pulumi from "@pulumi/pulumi";
import { IAM_ROLE_ARN, INSTANCE_PROFILE_ARN, SUBNET_ID, VPC_ID } from "../../../awsIds";
import { checkRegion, checkRetry, checkString, Failure } from "./checks";
import { callOpsWorks, CallTarget, callUnlessGone, gone } from "./client";
import { changed, diffByProperty } from "./diff";
import { RetryOptions } from "./retry";

export interface ConfigurationManager {
    name: string;
    version: string;
}

export interface StackArgs {
    /** Region of the stack and of the OpsWorks endpoint that manages it. Changing it replaces the stack. */
    region: pulumi.Input<string>;
    /** Stack name (1 to 64 characters). */
    name: pulumi.Input<string>;
    /** The cluster's VPC. Changing it replaces the stack. */
    vpcId: pulumi.Input<string>;
    /** Subnet in `vpcId` for the stack's defaults (required with a VPC). */
    defaultSubnetId: pulumi.Input<string>;
    /** Role OpsWorks acts with. OpsWorks cannot change it, so changing it replaces the stack. */
    serviceRoleArn: pulumi.Input<string>;
    /** Instance profile for instances OpsWorks would launch (it launches none here). */
    defaultInstanceProfileArn: pulumi.Input<string>;
    /** Default { name: "Chef", version: "12" } (the article's choice). */
    configurationManager?: pulumi.Input<ConfigurationManager>;
    /** SDK attempts and back-off of each call; default 10 attempts, 100 ms base. */
    retry?: pulumi.Input<RetryOptions>;
}

/** Inputs after `check`: known values, defaults applied. */
export interface StackInputs {
    region: string;
    name: string;
    vpcId: string;
    defaultSubnetId: string;
    serviceRoleArn: string;
    defaultInstanceProfileArn: string;
    configurationManager: ConfigurationManager;
    retry?: RetryOptions;
}

export interface StackOutputs extends StackInputs {
    stackId: string;
    /** arn:aws:opsworks:<region>:<account>:stack/<id>/ */
    arn: string;
}

const DEFAULT_CONFIGURATION_MANAGER: ConfigurationManager = { name: "Chef", version: "12" };
/** Chef versions OpsWorks offered for Linux stacks (CreateStackRequest.ConfigurationManager). */
const CHEF_VERSIONS = ["12", "11.10", "11.4"];
const REPLACED_BY = ["region", "vpcId", "serviceRoleArn"] as const;
/** What UpdateStack writes; `retry` is updated in place too, but only in state. */
const WRITTEN = ["name", "defaultSubnetId", "defaultInstanceProfileArn", "configurationManager"] as const;
const UPDATED_IN_PLACE = [...WRITTEN, "retry"] as const;

function target(inputs: { name: string; region: string; retry?: RetryOptions }): CallTarget {
    return { subject: `OpsWorks stack ${inputs.name} in ${inputs.region}`, region: inputs.region, retry: inputs.retry };
}

function checkConfigurationManager(failures: Failure[], value: unknown): void {
    const manager = value as Partial<ConfigurationManager>;
    if (manager?.name !== "Chef" || !CHEF_VERSIONS.includes(String(manager.version))) {
        failures.push({
            property: "configurationManager",
            reason: `must be Chef ${CHEF_VERSIONS.join(", ")} (the article uses Chef 12); got ${JSON.stringify(value)}`,
        });
    }
}

export const stackProvider: pulumi.dynamic.ResourceProvider<StackInputs, StackOutputs> = {
    async check(_olds, news) {
        const inputs = { ...news, configurationManager: news.configurationManager ?? DEFAULT_CONFIGURATION_MANAGER };
        const failures: Failure[] = [];
        checkRegion(failures, inputs.region);
        checkString(failures, "name", inputs.name, /^.{1,64}$/s, "a stack name of 1 to 64 characters");
        checkString(failures, "vpcId", inputs.vpcId, VPC_ID, "a VPC id (vpc-...)");
        checkString(failures, "defaultSubnetId", inputs.defaultSubnetId, SUBNET_ID, "a subnet id (subnet-...) in vpcId");
        checkString(failures, "serviceRoleArn", inputs.serviceRoleArn, IAM_ROLE_ARN, "an IAM role ARN");
        checkString(
            failures,
            "defaultInstanceProfileArn",
            inputs.defaultInstanceProfileArn,
            INSTANCE_PROFILE_ARN,
            "an IAM instance profile ARN",
        );
        checkConfigurationManager(failures, inputs.configurationManager);
        checkRetry(failures, inputs.retry);
        return { inputs, failures };
    },

    async diff(_id, olds, news) {
        return diffByProperty(olds, news, REPLACED_BY, UPDATED_IN_PLACE);
    },

    async create(inputs) {
        const { StackId } = await callOpsWorks(target(inputs), "CreateStack", (client, sdk) =>
            client.send(
                new sdk.CreateStackCommand({
                    Name: inputs.name,
                    Region: inputs.region,
                    VpcId: inputs.vpcId,
                    DefaultSubnetId: inputs.defaultSubnetId,
                    ServiceRoleArn: inputs.serviceRoleArn,
                    DefaultInstanceProfileArn: inputs.defaultInstanceProfileArn,
                    ConfigurationManager: { Name: inputs.configurationManager.name, Version: inputs.configurationManager.version },
                }),
            ),
        );
        const stackId = StackId!;
        // Derived, not read back: a second call that failed would leave a stack Pulumi never recorded.
        const account = inputs.serviceRoleArn.split(":")[4];
        return { id: stackId, outs: { ...inputs, stackId, arn: `arn:aws:opsworks:${inputs.region}:${account}:stack/${stackId}/` } };
    },

    async read(id, props) {
        const olds = props!;
        const answer = await callUnlessGone(target(olds), "DescribeStacks", (client, sdk) =>
            client.send(new sdk.DescribeStacksCommand({ StackIds: [id] })),
        );
        const live = answer?.Stacks?.[0];
        if (!live) {
            return gone<StackOutputs>();
        }
        return {
            id,
            props: {
                ...olds,
                name: live.Name ?? olds.name,
                region: live.Region ?? olds.region,
                vpcId: live.VpcId ?? olds.vpcId,
                defaultSubnetId: live.DefaultSubnetId ?? olds.defaultSubnetId,
                serviceRoleArn: live.ServiceRoleArn ?? olds.serviceRoleArn,
                defaultInstanceProfileArn: live.DefaultInstanceProfileArn ?? olds.defaultInstanceProfileArn,
                configurationManager: {
                    name: live.ConfigurationManager?.Name ?? olds.configurationManager.name,
                    version: live.ConfigurationManager?.Version ?? olds.configurationManager.version,
                },
                stackId: id,
                arn: live.Arn ?? olds.arn,
            },
        };
    },

    async update(id, olds, news) {
        const outs = { ...news, stackId: id, arn: olds.arn };
        if (!WRITTEN.some((key) => changed(olds[key], news[key]))) {
            return { outs };
        }
        await callOpsWorks(target(news), "UpdateStack", (client, sdk) =>
            client.send(
                new sdk.UpdateStackCommand({
                    StackId: id,
                    Name: news.name,
                    DefaultSubnetId: news.defaultSubnetId,
                    DefaultInstanceProfileArn: news.defaultInstanceProfileArn,
                    ConfigurationManager: { Name: news.configurationManager.name, Version: news.configurationManager.version },
                }),
            ),
        );
        return { outs };
    },

    /** Fails, with AWS's message, while instances are still registered: deregister them first. */
    async delete(id, props) {
        await callUnlessGone(target(props), "DeleteStack", (client, sdk) => client.send(new sdk.DeleteStackCommand({ StackId: id })));
    },
};

/** An OpsWorks stack (token pulumi-nodejs:dynamic/opsworks:Stack). */
export class Stack extends pulumi.dynamic.Resource {
    /** The stack id: the post-install script's argument. */
    declare readonly stackId: pulumi.Output<string>;
    declare readonly arn: pulumi.Output<string>;
    declare readonly region: pulumi.Output<string>;

    constructor(name: string, args: StackArgs, opts?: pulumi.CustomResourceOptions) {
        super(stackProvider, name, { ...args, stackId: undefined, arn: undefined }, opts, "opsworks", "Stack");
    }
}
