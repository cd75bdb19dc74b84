/**
 * The dev stack's config as the program reads it, and helpers to derive variants of it for tests.
 */
import * as path from "node:path";
import type { RawConfigInput } from "../../components/config";
import { readStackConfig } from "../../scripts/offline/stackConfig";

export const REPO_ROOT = path.join(__dirname, "..", "..");

/** `namespace:key` to string, exactly as `pulumi` would hand the stack file to the program. */
function stackConfig(stackFile: string): Record<string, string> {
    return readStackConfig(path.join(REPO_ROOT, "Pulumi.yaml"), stackFile).config;
}

/** A stack file's config (the dev stack's by default) as parsed values, for parseEnvironmentConfig. */
export function devRawConfig(stackFile = path.join(REPO_ROOT, "Pulumi.dev.yaml")): { region: string; cluster: any; network: any; opsworks: any; users: any[] } {
    const config = stackConfig(stackFile);
    return {
        region: config["aws:region"],
        cluster: JSON.parse(config["pcluster-access:cluster"]),
        network: JSON.parse(config["pcluster-access:network"]),
        opsworks: JSON.parse(config["pcluster-access:opsworks"]),
        users: JSON.parse(config["pcluster-access:users"]),
    };
}

/** Back to the stack-config form, for runProgram. */
export function toStackConfig(raw: RawConfigInput): Record<string, string> {
    const config: Record<string, string> = {};
    if (raw.region !== undefined) {
        config["aws:region"] = String(raw.region);
    }
    for (const key of ["cluster", "network", "opsworks", "users"] as const) {
        if (raw[key] !== undefined) {
            config[`pcluster-access:${key}`] = JSON.stringify(raw[key]);
        }
    }
    return config;
}

/** Keys only ParallelCluster 3 takes (a v2 config that sets them is refused). */
const V3_ONLY_CLUSTER_KEYS = ["deploy", "parallelClusterVersion", "serviceToken", "queueUpdateStrategy", "loginNodes"];

/** Switches a raw config to `format`; for v2 the v3-only keys the dev stack sets are dropped. */
export function setFormat(raw: { cluster: Record<string, unknown> }, format: string): void {
    raw.cluster.format = format;
    if (format === "v2") {
        V3_ONLY_CLUSTER_KEYS.forEach((key) => delete raw.cluster[key]);
    }
}
