/**
 * A stack in the OpsWorks emulator with instances registered the way the agent registers them
 * (RegisterInstance with the EC2 identity document), through the real SDK.
 */
import {
    CreateStackCommand,
    DescribeInstancesCommand,
    OpsWorksClient,
    RegisterInstanceCommand,
} from "@aws-sdk/client-opsworks";

/** One registered instance as the stack lists it. */
export interface Registered {
    readonly instanceId: string;
    readonly ec2InstanceId?: string;
    readonly infrastructureClass: string;
}

export class EmulatedStack {
    private constructor(
        private readonly client: OpsWorksClient,
        readonly stackId: string,
        readonly region: string,
    ) {}

    /** Creates a stack named `name` in `region` on the emulator at `url`. */
    static async create(url: string, region: string, name: string): Promise<EmulatedStack> {
        const client = new OpsWorksClient({
            endpoint: url,
            region,
            credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
            maxAttempts: 1,
        });
        const { StackId } = await client.send(
            new CreateStackCommand({
                Name: name,
                Region: region,
                ServiceRoleArn: "arn:aws:iam::123456789012:role/aws-opsworks-service-role",
                DefaultInstanceProfileArn: "arn:aws:iam::123456789012:instance-profile/aws-opsworks-ec2-role",
                ConfigurationManager: { Name: "Chef", Version: "12" },
            }),
        );
        return new EmulatedStack(client, StackId!, region);
    }

    /** Registers EC2 instances (in parallel, a few at a time); returns their OpsWorks ids in order. */
    async registerEc2(ec2Ids: readonly string[]): Promise<string[]> {
        const ids: string[] = [];
        for (let start = 0; start < ec2Ids.length; start += 25) {
            const batch = ec2Ids.slice(start, start + 25).map(async (ec2Id) => {
                const document = JSON.stringify({ instanceId: ec2Id, region: this.region, accountId: "123456789012" });
                const { InstanceId } = await this.client.send(
                    new RegisterInstanceCommand({
                        StackId: this.stackId,
                        InstanceIdentity: { Document: document, Signature: "stand-in signature" },
                    }),
                );
                return InstanceId!;
            });
            ids.push(...(await Promise.all(batch)));
        }
        return ids;
    }

    /** Registers an on-premises machine (no identity document); returns its OpsWorks id. */
    async registerOnPremises(hostname: string): Promise<string> {
        const { InstanceId } = await this.client.send(
            new RegisterInstanceCommand({ StackId: this.stackId, Hostname: hostname }),
        );
        return InstanceId!;
    }

    /** What the stack lists now. */
    async instances(): Promise<Registered[]> {
        const { Instances } = await this.client.send(new DescribeInstancesCommand({ StackId: this.stackId }));
        return (Instances ?? []).map((instance) => ({
            instanceId: instance.InstanceId!,
            ec2InstanceId: instance.Ec2InstanceId,
            infrastructureClass: instance.InfrastructureClass!,
        }));
    }

    close(): void {
        this.client.destroy();
    }
}

/** A well-formed EC2 instance id that no EC2 (moto included) ever issued: plays "EC2 forgot it". */
export function vanishedEc2Id(): string {
    const hex = [...Array(17)].map(() => Math.floor(Math.random() * 16).toString(16)).join("");
    return `i-${hex}`;
}
