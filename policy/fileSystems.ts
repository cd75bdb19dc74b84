/**
 * discouraged-scratch-file-system: FSx for Lustre scratch deployment types keep one copy of the data on
 * one file server and take no backups. Fine for scratch, surprising for a home for results.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { configurationModelOf } from "./lib/clusterConfiguration";
import { isKnown } from "./lib/known";
import { configWithDefaults, stringList } from "./lib/policyConfig";

export interface ScratchFileSystemConfig {
    /** FSx for Lustre deployment types that neither replicate nor back up data. */
    readonly scratchDeploymentTypes: readonly string[];
}

export const SCRATCH_FILE_SYSTEM_DEFAULTS: ScratchFileSystemConfig = { scratchDeploymentTypes: ["SCRATCH_1", "SCRATCH_2"] };

export const discouragedScratchFileSystem: ResourceValidationPolicy = {
    name: "discouraged-scratch-file-system",
    description: "Checks whether the cluster mounts an FSx for Lustre scratch file system, whose data is not replicated and has no backups.",
    enforcementLevel: "advisory",
    configSchema: {
        properties: {
            scratchDeploymentTypes: stringList(
                "FSx for Lustre deployment types reported as scratch.",
                SCRATCH_FILE_SYSTEM_DEFAULTS.scratchDeploymentTypes,
            ),
        },
    },
    validateResource: (args, reportViolation) => {
        const model = configurationModelOf(args);
        if (model === undefined) {
            return;
        }
        const { scratchDeploymentTypes } = configWithDefaults(args, SCRATCH_FILE_SYSTEM_DEFAULTS);
        for (const fileSystem of model.fileSystems) {
            const type = fileSystem.deploymentType;
            if (fileSystem.existing || !isKnown(type) || (type !== undefined && !scratchDeploymentTypes.includes(type))) {
                continue;
            }
            const mounted = typeof fileSystem.mountDir === "string" ? ` at ${fileSystem.mountDir}` : "";
            const kind = type ?? "ParallelCluster's default deployment type, a scratch one";
            reportViolation(
                `FSx for Lustre file system ${fileSystem.name}${mounted} is ${kind}: scratch file systems do not replicate data and have no backups, ` +
                    "so a failed file server loses what is on it. Keep only data you can recreate there, or use a PERSISTENT deployment type.",
            );
        }
    },
};
