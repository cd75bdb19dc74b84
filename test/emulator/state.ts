/**
 * What the emulator remembers, per regional endpoint: stacks, user profiles, permissions and registered
 * instances. Records use the API's member names so answers are built without translation.
 */

/** A stack as DescribeStacks returns it (the Stack shape). */
export interface StackRecord {
    StackId: string;
    Name: string;
    Arn: string;
    Region: string;
    ServiceRoleArn: string;
    DefaultInstanceProfileArn: string;
    CreatedAt: string;
    VpcId?: string;
    DefaultSubnetId?: string;
    ConfigurationManager: { Name?: string; Version?: string };
    /** The other Stack members, stored as given. */
    [member: string]: unknown;
}

export interface ProfileRecord {
    IamUserArn: string;
    Name: string;
    SshUsername: string;
    SshPublicKey?: string;
    AllowSelfManagement: boolean;
}

export interface PermissionRecord {
    StackId: string;
    IamUserArn: string;
    AllowSsh: boolean;
    AllowSudo: boolean;
    Level: string;
}

export interface InstanceRecord {
    InstanceId: string;
    StackId: string;
    Hostname: string;
    Status: string;
    InfrastructureClass: "ec2" | "on-premises";
    RegisteredBy: string;
    CreatedAt: string;
    Arn: string;
    Ec2InstanceId?: string;
    PrivateIp?: string;
    PublicIp?: string;
}

export class RegionState {
    readonly stacks = new Map<string, StackRecord>();
    readonly profiles = new Map<string, ProfileRecord>();
    /** Keyed by `permissionKey(stackId, iamUserArn)`. */
    readonly permissions = new Map<string, PermissionRecord>();
    readonly instances = new Map<string, InstanceRecord>();
    /** SetPermission failures still owed to a new profile before it has "propagated". */
    readonly unpropagated = new Map<string, number>();
}

export function permissionKey(stackId: string, iamUserArn: string): string {
    return `${stackId} ${iamUserArn}`;
}

/** Settings every operation can read. */
export interface EmulatorSettings {
    /** Account used in ARNs the emulator makes up. */
    accountId: string;
    /** The caller's IAM ARN: RegisteredBy, and the user whose own permission level cannot be changed. */
    callerArn: string;
    /** How many SetPermission calls fail for a new profile before it has propagated. */
    propagationFailures: number;
    /** AgentInstallerUrl answered by DescribeStackProvisioningParameters; `{region}` is filled in. */
    agentInstallerUrl: string;
}

export interface OperationContext {
    readonly region: string;
    readonly state: RegionState;
    readonly settings: EmulatorSettings;
}

/** An operation's implementation; `input` has passed the service model's validation. */
export type Handler = (context: OperationContext, input: Record<string, unknown>) => object;
