/**
 * The cluster's network: a new VPC (awsx) with a public subnet per zone for the head node and private
 * subnets behind a NAT gateway for the compute fleet, or an existing VPC whose subnets are looked up so a
 * preview fails on a subnet that does not exist or lies in another VPC.
 */
import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import type { NetworkSettings } from "./config/model";

export interface NetworkArgs {
    /** Create a VPC or adopt an existing one; decides which resources exist, so a plain value. */
    readonly settings: NetworkSettings;
}

export class Network extends pulumi.ComponentResource {
    readonly vpcId: pulumi.Output<string>;
    /** The head node's subnet: public, so administrators and users can reach it over SSH. */
    readonly headNodeSubnetId: pulumi.Output<string>;
    /** Every compute subnet, one per zone: queues that may span zones run in all of them. */
    readonly computeSubnetIds: pulumi.Output<string[]>;
    /** The first compute subnet: queues that cannot span zones (EFA, placement group, created FSx) and v2. */
    readonly primaryComputeSubnetId: pulumi.Output<string>;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pcluster-access:network:Network", name, {}, opts);
        const settings = args.settings;
        if (settings.mode === "create") {
            const vpc = new awsx.ec2.Vpc(
                `${name}-vpc`,
                {
                    cidrBlock: settings.cidrBlock,
                    numberOfAvailabilityZones: settings.availabilityZones,
                    subnetStrategy: "Auto",
                    subnetSpecs: [
                        { type: awsx.ec2.SubnetType.Public, name: "head" },
                        { type: awsx.ec2.SubnetType.Private, name: "compute" },
                    ],
                    // One NAT gateway: compute nodes reach S3, OpsWorks and the package mirrors through it.
                    natGateways: { strategy: awsx.ec2.NatGatewayStrategy.Single },
                    enableDnsHostnames: true,
                },
                { parent: this },
            );
            this.vpcId = vpc.vpcId;
            this.headNodeSubnetId = vpc.publicSubnetIds.apply((ids) => ids[0]);
            this.computeSubnetIds = vpc.privateSubnetIds;
        } else {
            const vpc = aws.ec2.getVpcOutput({ id: settings.vpcId }, { parent: this });
            this.vpcId = vpc.id;
            this.headNodeSubnetId = this.subnetInVpc("network.existing.headNodeSubnetId", settings.headNodeSubnetId, settings.vpcId).apply(
                (subnet) => subnet.id,
            );
            this.computeSubnetIds = pulumi
                .all(settings.computeSubnetIds.map((id, i) => this.subnetInVpc(`network.existing.computeSubnetIds[${i}]`, id, settings.vpcId)))
                .apply((subnets) => this.onePerZone(subnets));
        }
        this.primaryComputeSubnetId = this.computeSubnetIds.apply((ids) => ids[0]);
        this.registerOutputs({
            vpcId: this.vpcId,
            headNodeSubnetId: this.headNodeSubnetId,
            computeSubnetIds: this.computeSubnetIds,
            primaryComputeSubnetId: this.primaryComputeSubnetId,
        });
    }

    /** Looks the subnet up (failing the preview when it does not exist) and checks it is in the VPC. */
    private subnetInVpc(path: string, subnetId: string, vpcId: string): pulumi.Output<{ id: string; availabilityZone: string }> {
        return aws.ec2.getSubnetOutput({ id: subnetId }, { parent: this }).apply((subnet) => {
            if (subnet.vpcId !== vpcId) {
                throw new pulumi.ResourceError(
                    `${path}: ${subnetId} is in ${subnet.vpcId}, not in network.existing.vpcId ${vpcId}. List subnets of that VPC.`,
                    this,
                );
            }
            return { id: subnet.id, availabilityZone: subnet.availabilityZone };
        });
    }

    /**
     * A queue spanning the compute subnets gets them all, and ParallelCluster refuses two subnets of one zone
     * in a queue (QueueSubnetsValidator: EC2 Fleet takes one subnet per zone).
     */
    private onePerZone(subnets: readonly { id: string; availabilityZone: string }[]): string[] {
        subnets.forEach((subnet, i) => {
            const first = subnets.findIndex((other) => other.availabilityZone === subnet.availabilityZone);
            if (first < i) {
                throw new pulumi.ResourceError(
                    `network.existing.computeSubnetIds[${i}]: ${subnet.id} is in ${subnet.availabilityZone}, like computeSubnetIds[${first}] ` +
                        `(${subnets[first].id}); ParallelCluster refuses two subnets of one zone in a queue. List one subnet per zone.`,
                    this,
                );
            }
        });
        return subnets.map((subnet) => subnet.id);
    }
}
