/**
 * EC2 Instance Connect for the roster's users (issue 16): login authorized by IAM. Per allowed user an
 * inline policy on their IAM user lets them push a key (for 60 seconds) only to this cluster's instances
 * and only for their own OS account; an EC2 Instance Connect Endpoint in the VPC reaches the nodes that
 * have no public address. Blocked, revoked and expired users get no grant, so revoking takes effect in IAM
 * at once; a user with an end date loses the grant at 00:00 UTC that day even without a `pulumi up`.
 *
 * Sources (checked 2026-12-01):
 * - SendSSHPublicKey: resource type instance, condition key ec2:osuser; the instance's resource tags as
 *   aws:ResourceTag/${TagKey} (Service Authorization Reference, "Actions, resources, and condition keys for
 *   Amazon EC2 Instance Connect"; EC2 User Guide, ec2-instance-connect-configure-IAM-role.html).
 * - DescribeInstances takes no resource-level permission ("*") and `aws ec2-instance-connect ssh` calls it.
 * - OpenTunnel: resource type instance-connect-endpoint, condition keys ec2-instance-connect:remotePort,
 *   :privateIpAddress, :maxTunnelDuration; a tunnel lasts at most 3,600 s, ports 22 and 3389 only
 *   (EC2 User Guide, permissions-for-ec2-instance-connect-endpoint.html, connect-using-eice.html).
 * - ParallelCluster tags every instance of a cluster `parallelcluster:cluster-name` = the cluster's name
 *   (aws/aws-parallelcluster cli/src/pcluster/constants.py CLUSTER_NAME_TAG; the cookbook's
 *   head_node_checks/common/constants.py tags the node type the same way).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { todayUtc } from "./clock";
import { partitionOf } from "../../awsIds";

/** The tag ParallelCluster puts on every instance of a cluster. */
export const CLUSTER_NAME_TAG = "parallelcluster:cluster-name";
/** The longest tunnel an EC2 Instance Connect Endpoint keeps open (seconds). */
export const MAX_TUNNEL_SECONDS = 3600;
export const SSH_PORT = 22;

export const SEND_SSH_PUBLIC_KEY = "ec2-instance-connect:SendSSHPublicKey";
export const OPEN_TUNNEL = "ec2-instance-connect:OpenTunnel";

/** What one user's grant says. */
export interface InstanceConnectGrant {
    readonly region: string;
    /** The cluster's name: its instances carry it in CLUSTER_NAME_TAG. */
    readonly clusterName: string;
    /** The user's own login name: the only OS user they may push a key for. */
    readonly osUser: string;
    /** The endpoint's ARN, when the environment has one. */
    readonly endpointArn?: string;
    /** No grant from 00:00 UTC on this day (YYYY-MM-DD). */
    readonly expires?: string;
}

/** The IAM policy document of one user's grant (plain JSON). */
export function instanceConnectPolicy(grant: InstanceConnectGrant): { Version: string; Statement: Record<string, unknown>[] } {
    // IAM stops the whole grant at the user's end date (aws:CurrentTime is the request's time, UTC).
    const until: Record<string, unknown> = grant.expires === undefined ? {} : { DateLessThan: { "aws:CurrentTime": `${grant.expires}T00:00:00Z` } };
    const statements: Record<string, unknown>[] = [
        {
            Sid: "PushKeyToThisClusterAsOwnUser",
            Effect: "Allow",
            Action: SEND_SSH_PUBLIC_KEY,
            Resource: `arn:${partitionOf(grant.region)}:ec2:${grant.region}:*:instance/*`,
            Condition: { StringEquals: { [`aws:ResourceTag/${CLUSTER_NAME_TAG}`]: grant.clusterName, "ec2:osuser": grant.osUser }, ...until },
        },
        {
            // The CLI looks the instance (and the endpoint) up; Describe* takes no resource-level permission.
            Sid: "FindTheInstance",
            Effect: "Allow",
            Action: ["ec2:DescribeInstances", "ec2:DescribeInstanceConnectEndpoints"],
            Resource: "*",
            ...(grant.expires === undefined ? {} : { Condition: until }),
        },
    ];
    if (grant.endpointArn !== undefined && grant.endpointArn !== "") {
        statements.push({
            Sid: "TunnelThroughThisEndpointToSsh",
            Effect: "Allow",
            Action: OPEN_TUNNEL,
            Resource: grant.endpointArn,
            Condition: {
                NumericEquals: { "ec2-instance-connect:remotePort": String(SSH_PORT) },
                NumericLessThanEquals: { "ec2-instance-connect:maxTunnelDuration": String(MAX_TUNNEL_SECONDS) },
                ...until,
            },
        });
    }
    return { Version: "2012-10-17", Statement: statements };
}

/** Whether a user may log in today (UTC; default the clock's): allowed, and before their end date (the agents expire the account on it). */
export function hasAccess(user: { readonly access: string; readonly expires?: string }, today: string = todayUtc()): boolean {
    return user.access === "allowed" && (user.expires === undefined || user.expires > today);
}

/** Whether a user gets a grant today (UTC; default the clock's): Instance Connect on for them, and hasAccess. */
export function grantsInstanceConnect(
    user: { readonly instanceConnect: boolean; readonly access: string; readonly expires?: string },
    today: string = todayUtc(),
): boolean {
    return user.instanceConnect && hasAccess(user, today);
}

/**
 * What a user needs besides the command: AWS credentials of their IAM user (the command signs
 * SendSSHPublicKey as them). A user this program creates has none: no console password, no access key.
 */
export function instanceConnectNote(iamUserName: string, created: boolean): string {
    return created
        ? `Needs AWS credentials of IAM user ${iamUserName}, who was created without any: an administrator gives them an access key ` +
              `(aws iam create-access-key --user-name ${iamUserName}) for their own AWS CLI profile.`
        : `Runs with IAM user ${iamUserName}'s own AWS credentials (an access key in their AWS CLI profile): the grant is on that user.`;
}

/** The command a user runs to log in through EC2 Instance Connect (AWS CLI v2's `ec2-instance-connect ssh`). */
export function instanceConnectCommand(args: { region: string; instanceId: string; osUser: string; endpointId?: string }): string {
    const through = args.endpointId === undefined ? "" : ` --connection-type eice --eice-options endpointId=${args.endpointId}`;
    return `aws ec2-instance-connect ssh --region ${args.region} --instance-id ${args.instanceId} --os-user ${args.osUser}${through}`;
}

export interface InstanceConnectEndpointArgs {
    readonly vpcId: pulumi.Input<string>;
    /** Where the endpoint's network interface lives; it reaches every address of the VPC. */
    readonly subnetId: pulumi.Input<string>;
    readonly clusterName: string;
}

/**
 * The VPC's EC2 Instance Connect Endpoint, for nodes without a public address (compute and login nodes,
 * a head node in a private subnet), with a security group that lets it open SSH to the VPC only. Client
 * IP preservation stays on (the API's default), so the nodes' SSH sources (cluster.sshAllowedIps) still
 * decide who may connect.
 */
export class InstanceConnectEndpoint extends pulumi.ComponentResource {
    readonly endpointId: pulumi.Output<string>;
    readonly arn: pulumi.Output<string>;

    constructor(name: string, args: InstanceConnectEndpointArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pcluster-access:users:InstanceConnectEndpoint", name, {}, opts);
        const vpc = aws.ec2.getVpcOutput({ id: args.vpcId }, { parent: this });
        const group = new aws.ec2.SecurityGroup(
            `${name}-sg`,
            {
                vpcId: args.vpcId,
                description: `EC2 Instance Connect Endpoint of ${args.clusterName}: SSH to the VPC only`,
                egress: [{ protocol: "tcp", fromPort: SSH_PORT, toPort: SSH_PORT, cidrBlocks: [vpc.cidrBlock], description: "SSH to the cluster's nodes" }],
                tags: { [CLUSTER_NAME_TAG]: args.clusterName },
            },
            { parent: this },
        );
        const endpoint = new aws.ec2transitgateway.InstanceConnectEndpoint(
            name,
            { subnetId: args.subnetId, securityGroupIds: [group.id], preserveClientIp: true, tags: { Name: `${args.clusterName}-instance-connect` } },
            { parent: this },
        );
        this.endpointId = endpoint.id;
        this.arn = endpoint.arn;
        this.registerOutputs({ endpointId: this.endpointId, arn: this.arn });
    }
}

/** One user's grant: an inline policy on their IAM user, named after the environment (several may coexist). */
export function instanceConnectUserPolicy(
    name: string,
    user: { readonly iamUserName: pulumi.Input<string> },
    grant: Omit<InstanceConnectGrant, "endpointArn"> & { readonly endpointArn?: pulumi.Input<string> },
    opts: pulumi.CustomResourceOptions,
): aws.iam.UserPolicy {
    return new aws.iam.UserPolicy(
        name,
        {
            user: user.iamUserName,
            name: `${grant.clusterName}-instance-connect`,
            policy: pulumi
                .output(grant.endpointArn)
                .apply((endpointArn) =>
                    JSON.stringify(instanceConnectPolicy({ region: grant.region, clusterName: grant.clusterName, osUser: grant.osUser, expires: grant.expires, endpointArn })),
                ),
        },
        opts,
    );
}
