/**
 * The FSx for Lustre file system the cluster mounts: settings for ParallelCluster to create one (already
 * checked against its capacity and deployment-type rules by the config schema) or an existing file
 * system's id. ParallelCluster creates and owns the file system; this component carries the decision
 * and makes it visible as an output.
 */
import * as pulumi from "@pulumi/pulumi";
import type { FsxSettingsConfig } from "./config/model";

export interface FsxSettingsArgs {
    /** Validated settings; undefined when the cluster mounts no FSx file system. */
    readonly settings?: FsxSettingsConfig;
}

export class FsxSettings extends pulumi.ComponentResource {
    /** The settings as rendered into the cluster configuration, or undefined. */
    readonly settings: FsxSettingsConfig | undefined;
    /** One line for people: what will be mounted where. */
    readonly summary: pulumi.Output<string>;

    constructor(name: string, args: FsxSettingsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("pcluster-access:storage:FsxSettings", name, {}, opts);
        this.settings = args.settings;
        this.summary = pulumi.output(describeFsx(args.settings));
        this.registerOutputs({ summary: this.summary });
    }
}

export function describeFsx(settings: FsxSettingsConfig | undefined): string {
    if (settings === undefined) {
        return "no FSx for Lustre file system";
    }
    if (settings.mode === "existing") {
        return `existing FSx for Lustre ${settings.fileSystemId} at ${settings.mountDir}`;
    }
    const throughput = settings.perUnitStorageThroughput === undefined ? "" : `, ${settings.perUnitStorageThroughput} MB/s/TiB`;
    const scratch = settings.deploymentType.startsWith("SCRATCH") ? " (scratch: not replicated, no backups)" : "";
    return `new FSx for Lustre ${settings.deploymentType} ${settings.storageCapacity} GiB${throughput} at ${settings.mountDir}${scratch}`;
}
