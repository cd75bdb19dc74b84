/**
 * The OpsWorks stack the cluster nodes register with, as the article sets it up: a Chef 12 stack in the
 * cluster's VPC and region, with its service role and default instance profile. OpsWorks launches no
 * instances and runs no recipes here; the stack only carries the users' SSH and sudo permissions.
 * With an existing stack id nothing is created: several clusters may share one stack.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { OpsWorksSettings } from "../../config/model";
import * as opsworks from "./providers";

export interface OpsWorksStackArgs {
    /** Create or adopt; decides which resources exist, so a plain value. */
    readonly settings: OpsWorksSettings;
    readonly region: string;
    readonly vpcId: pulumi.Input<string>;
    /** The stack's default subnet: the head node's. */
    readonly defaultSubnetId: pulumi.Input<string>;
}

/**
 * What the OpsWorks service role may do, as AWS documented for stacks (Allowing OpsWorks Stacks to Act on
 * Your Behalf). CreateStack checks the role; OpsWorks uses it to watch registered EC2 instances.
 */
const SERVICE_ROLE_ACTIONS = [
    "ec2:*",
    "iam:PassRole",
    "cloudwatch:GetMetricStatistics",
    "cloudwatch:DescribeAlarms",
    "ecs:*",
    "elasticloadbalancing:*",
    "rds:*",
];

export class OpsWorksStack extends pulumi.ComponentResource {
    readonly stackId: pulumi.Output<string>;
    /** Whether this environment created the stack (false: adopted by id). */
    readonly created: boolean;

    constructor(name: string, args: OpsWorksStackArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pcluster-access:opsworks:OpsWorksStack", name, {}, opts);
        const settings = args.settings;
        this.created = settings.mode === "create";
        if (settings.mode === "existing") {
            this.stackId = pulumi.output(settings.stackId);
        } else {
            const serviceRole = new aws.iam.Role(
                `${name}-service-role`,
                { assumeRolePolicy: assumedBy("opsworks.amazonaws.com"), description: `OpsWorks service role of ${settings.stackName}` },
                { parent: this },
            );
            const servicePolicy = new aws.iam.RolePolicy(
                `${name}-service-policy`,
                {
                    role: serviceRole.id,
                    policy: JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [{ Effect: "Allow", Action: SERVICE_ROLE_ACTIONS, Resource: "*" }],
                    }),
                },
                { parent: this },
            );
            const instanceRole = new aws.iam.Role(
                `${name}-instance-role`,
                { assumeRolePolicy: assumedBy("ec2.amazonaws.com"), description: `Default instance role of ${settings.stackName} (no permissions)` },
                { parent: this },
            );
            const instanceProfile = new aws.iam.InstanceProfile(`${name}-instance-profile`, { role: instanceRole.name }, { parent: this });
            const stack = new opsworks.Stack(
                `${name}-stack`,
                {
                    region: args.region,
                    name: settings.stackName,
                    vpcId: args.vpcId,
                    defaultSubnetId: args.defaultSubnetId,
                    serviceRoleArn: serviceRole.arn,
                    defaultInstanceProfileArn: instanceProfile.arn,
                    configurationManager: { name: "Chef", version: "12" },
                    retry: { maxAttempts: settings.maxAttempts },
                },
                // CreateStack rejects a role whose policy has not propagated ("Invalid Service Role Arn").
                { parent: this, dependsOn: [servicePolicy] },
            );
            this.stackId = stack.stackId;
        }
        this.registerOutputs({ stackId: this.stackId });
    }
}

function assumedBy(service: string): string {
    return JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
    });
}
