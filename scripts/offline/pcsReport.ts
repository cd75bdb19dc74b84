/**
 * The plan's AWS PCS section: the cluster, its login node group and queues (from the `pcs` stack output), and
 * each launch template's user data written beside plan.json, so an administrator can read what every node
 * runs at boot.
 */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import type { PcsSummary } from "../../components/pcs/pcsCluster";

/** The PCS section's lines. */
export function formatPcs(summary: PcsSummary): string {
    const lines = [
        `  cluster ${summary.name} (${summary.id}), Slurm ${summary.slurmVersion}`,
        `  login node group ${summary.loginNodeGroup.name}: ${summary.loginNodeGroup.count} x ${summary.loginNodeGroup.instanceType}`,
        ...summary.queues.map(
            (queue) =>
                `  queue ${queue.name}: node group ${queue.nodeGroup}, ${queue.instanceTypes.join(", ")}, ${queue.minInstances}-${queue.maxInstances} instances, ${queue.purchaseOption.toLowerCase()}`,
        ),
    ];
    return lines.join("\n");
}

/** Writes `user-data-<kind>.mime` per launch template into `dir`; returns the paths written. */
export function writeUserData(summary: PcsSummary, dir: string): string[] {
    return Object.entries(summary.userData).map(([kind, text]) => {
        const file = path.join(dir, `user-data-${kind}.mime`);
        writeFileSync(file, text);
        return file;
    });
}
