/**
 * discouraged-update-needing-fleet-stop: ParallelCluster refuses some configuration changes while the
 * compute fleet runs, and its CloudFormation custom resource never stops the fleet (cluster_schema.py's
 * update policies; reference/cluster-custom-resource.md). Such an update fails after ParallelCluster's
 * validation, twenty minutes in, and rolls back. This advises before: it compares the configuration the
 * stack deployed last (`deployedText`, which the program passes from its previous outputs) with the one
 * it is about to deploy.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import * as YAML from "yaml";
import { at, isList, isObject, plainProps, type Plain } from "./lib/known";
import { CLUSTER_CONFIGURATION } from "./lib/resourceTypes";

const FIX =
    "Stop the compute fleet first (pcluster update-compute-fleet --cluster-name <cluster> --status STOP_REQUESTED), run pulumi up, then start it (START_REQUESTED).";

export const discouragedUpdateNeedingFleetStop: ResourceValidationPolicy = {
    name: "discouraged-update-needing-fleet-stop",
    description:
        "Checks that an update of a deployed cluster changes nothing ParallelCluster can only change with the compute fleet stopped, given the configuration's QueueUpdateStrategy.",
    enforcementLevel: "advisory",
    validateResource: (args, reportViolation) => {
        if (args.type !== CLUSTER_CONFIGURATION) {
            return;
        }
        const props = plainProps(args.props);
        if (props.format !== "v3" || typeof props.text !== "string" || typeof props.deployedText !== "string") {
            return;
        }
        const before = parse(props.deployedText);
        const after = parse(props.text);
        if (before === undefined || after === undefined) {
            return;
        }
        const strategy = str(at(after, "Scheduling", "SlurmSettings", "QueueUpdateStrategy")) ?? "COMPUTE_FLEET_STOP";
        const changes = fleetStopChanges(before, after, strategy);
        if (changes.length > 0) {
            reportViolation(
                `This update changes what ParallelCluster applies only with the compute fleet stopped (QueueUpdateStrategy ${strategy}): ${changes.join("; ")}. ` +
                    `While the fleet runs, the update fails after ParallelCluster's validation and CloudFormation rolls it back. ${FIX}`,
            );
        }
    },
};

function parse(text: string): Plain | undefined {
    try {
        const value = YAML.parse(text) as Plain;
        return isObject(value) ? value : undefined;
    } catch {
        return undefined;
    }
}

function str(value: Plain): string | undefined {
    return typeof value === "string" ? value : undefined;
}

function byName(value: Plain): Map<string, Plain> {
    const entries = isList(value) ? value : [];
    return new Map(entries.flatMap((entry): [string, Plain][] => (typeof at(entry, "Name") === "string" ? [[at(entry, "Name") as string, entry]] : [])));
}

const same = (a: Plain, b: Plain): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Each change the strategy cannot apply to a running fleet, in words. */
export function fleetStopChanges(before: Plain, after: Plain, strategy: string): string[] {
    const changes: string[] = [];
    // Fields whose update policy is COMPUTE_FLEET_STOP: no strategy applies them to a running fleet.
    for (const key of ["ScaledownIdletime", "EnableMemoryBasedScheduling", "Database"]) {
        const was = at(before, "Scheduling", "SlurmSettings", key);
        const is = at(after, "Scheduling", "SlurmSettings", key);
        if (!same(was, is)) {
            changes.push(`Scheduling.SlurmSettings.${key} changes`);
        }
    }
    const oldQueues = byName(at(before, "Scheduling", "SlurmQueues"));
    const newQueues = byName(at(after, "Scheduling", "SlurmQueues"));
    for (const [name, oldQueue] of oldQueues) {
        const newQueue = newQueues.get(name);
        if (newQueue === undefined) {
            // Removing queues or compute resources: only TERMINATE applies it to a running fleet.
            if (strategy !== "TERMINATE") {
                changes.push(`queue ${name} is removed`);
            }
            continue;
        }
        // Queue settings under QUEUE_UPDATE_STRATEGY: DRAIN and TERMINATE apply them, the default does not.
        if (strategy === "COMPUTE_FLEET_STOP") {
            for (const key of ["CapacityType", "ComputeSettings", "CustomActions", "Networking"]) {
                if (!same(at(oldQueue, key), at(newQueue, key))) {
                    changes.push(`queue ${name}'s ${key} changes`);
                }
            }
        }
        const oldResources = byName(at(oldQueue, "ComputeResources"));
        const newResources = byName(at(newQueue, "ComputeResources"));
        for (const [resourceName, oldResource] of oldResources) {
            const newResource = newResources.get(resourceName);
            const where = `queue ${name}, compute resource ${resourceName}`;
            if (newResource === undefined) {
                if (strategy !== "TERMINATE") {
                    changes.push(`${where} is removed`);
                }
                continue;
            }
            for (const key of ["InstanceType", "Instances", "DisableSimultaneousMultithreading"]) {
                if (!same(at(oldResource, key), at(newResource, key))) {
                    changes.push(`${where}: ${key} changes`);
                }
            }
            if (strategy === "COMPUTE_FLEET_STOP" && !same(at(oldResource, "Efa"), at(newResource, "Efa"))) {
                changes.push(`${where}: Efa changes`);
            }
            const oldMax = at(oldResource, "MaxCount");
            const newMax = at(newResource, "MaxCount");
            if (strategy !== "TERMINATE" && typeof oldMax === "number" && typeof newMax === "number" && newMax < oldMax) {
                changes.push(`${where}: MaxCount shrinks from ${oldMax} to ${newMax}`);
            }
        }
    }
    return changes;
}
