/**
 * ParallelCluster 2.x configuration as ordered INI sections, in the article's structure and key order:
 * [aws], [global], [cluster default], [fsx ...], [vpc std-vpc], a [queue ...] per queue and a
 * [compute_resource ...] per compute resource. Booleans and numbers are written as configparser reads them.
 */
import * as pulumi from "@pulumi/pulumi";
import type { ClusterSettings } from "../../config/model";
import { DEFAULT_SSH_ALLOWED_IPS } from "../../config/parallelClusterRules";
import { headNodeOf, type ClusterWiring } from "./wiring";

export type IniValue = pulumi.Input<string>;
export type IniSection = readonly [name: string, entries: readonly (readonly [key: string, value: IniValue])[]];

/** The article's names for the single cluster template and its VPC settings. */
const CLUSTER_TEMPLATE = "default";
const VPC_SETTINGS = "std-vpc";

/** Keys whose value the article writes in double quotes: post_install_args is word-split by the node. */
export const V2_QUOTED_KEYS: ReadonlySet<string> = new Set(["post_install_args"]);

export function buildV2Sections(cluster: ClusterSettings, wiring: ClusterWiring): IniSection[] {
    const clusterEntries: [string, IniValue][] = [["key_name", cluster.keyName]];
    const arns = wiring.access.iamPolicyArns;
    if (arns.length > 0) {
        // Plain ARNs join at once; a policy the backend creates joins once its ARN is known.
        clusterEntries.push(["additional_iam_policies", arns.every((arn) => typeof arn === "string") ? arns.join(",") : pulumi.all([...arns]).apply((known) => known.join(","))]);
    }
    clusterEntries.push(
        ["master_instance_type", headNodeOf(cluster).instanceType],
        ["post_install", wiring.access.postInstallScript],
        ["s3_read_resource", wiring.scriptReadResourceArn],
        ["post_install_args", joinWords(wiring.access.postInstallArgs)],
        ["scheduler", "slurm"],
        ["queue_settings", cluster.queues.map((queue) => queue.name).join(",")],
    );
    optional(clusterEntries, "master_root_volume_size", headNodeOf(cluster).rootVolumeSize);
    optional(clusterEntries, "compute_root_volume_size", cluster.computeRootVolumeSize);
    clusterEntries.push(["base_os", cluster.os]);
    optional(clusterEntries, "custom_ami", cluster.customAmi);
    if (cluster.fsx) {
        clusterEntries.push(["fsx_settings", cluster.fsx.name]);
    }
    clusterEntries.push(["vpc_settings", VPC_SETTINGS]);

    const sections: IniSection[] = [
        ["aws", [["aws_region_name", wiring.region]]],
        ["global", [["update_check", "true"], ["sanity_check", "true"], ["cluster_template", CLUSTER_TEMPLATE]]],
        [`cluster ${CLUSTER_TEMPLATE}`, clusterEntries],
    ];
    if (cluster.fsx) {
        sections.push([`fsx ${cluster.fsx.name}`, fsxEntries(cluster.fsx)]);
    }
    sections.push([
        `vpc ${VPC_SETTINGS}`,
        [
            ["vpc_id", wiring.vpcId],
            ["master_subnet_id", wiring.headNodeSubnetId],
            ["compute_subnet_id", wiring.primaryComputeSubnetId],
            ...(cluster.sshAllowedIps === DEFAULT_SSH_ALLOWED_IPS ? [] : [["ssh_from", cluster.sshAllowedIps] as const]),
        ],
    ]);
    for (const queue of cluster.queues) {
        const entries: [string, IniValue][] = [
            ["compute_resource_settings", queue.computeResources.map((resource) => resource.name).join(",")],
        ];
        optional(entries, "placement_group", queue.placementGroup);
        optional(entries, "enable_efa", queue.efa || undefined);
        optional(entries, "disable_hyperthreading", queue.disableHyperthreading || undefined);
        entries.push(["compute_type", queue.capacityType]);
        sections.push([`queue ${queue.name}`, entries]);
    }
    for (const resource of cluster.queues.flatMap((queue) => queue.computeResources)) {
        const entries: [string, IniValue][] = [["instance_type", resource.instanceType]];
        optional(entries, "min_count", resource.minCount || undefined);
        entries.push(["max_count", String(resource.maxCount)]);
        sections.push([`compute_resource ${resource.name}`, entries]);
    }
    return sections;
}

function fsxEntries(fsx: NonNullable<ClusterSettings["fsx"]>): [string, IniValue][] {
    if (fsx.mode === "existing") {
        return [["shared_dir", fsx.mountDir], ["fsx_fs_id", fsx.fileSystemId]];
    }
    const entries: [string, IniValue][] = [
        ["shared_dir", fsx.mountDir],
        ["storage_capacity", String(fsx.storageCapacity)],
        ["deployment_type", fsx.deploymentType],
    ];
    optional(entries, "per_unit_storage_throughput", fsx.perUnitStorageThroughput);
    return entries;
}

/** v2 passes one string that the node word-splits; a single argument stays the plain value (the article's). */
function joinWords(args: readonly pulumi.Input<string>[]): IniValue {
    if (args.length === 1) {
        return args[0];
    }
    return args.every((arg) => typeof arg === "string") ? args.join(" ") : pulumi.all([...args]).apply((words) => words.join(" "));
}

/** Adds `key = value` only when the setting departs from ParallelCluster's default. */
function optional(entries: [string, IniValue][], key: string, value: string | number | boolean | undefined): void {
    if (value !== undefined) {
        entries.push([key, String(value)]);
    }
}
