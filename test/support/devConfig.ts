/**
 * A stack file's config as the program reads it, and helpers to derive variants of it for tests. The
 * default is the article's OpsWorks stack (Pulumi.article.yaml), which the program, policy and plan
 * specs were written against; specs of the roster environment pass DEV_STACK_FILE (Pulumi.dev.yaml).
 */
import * as path from "node:path";
import type { RawConfigInput } from "../../components/config";
import { readStackConfig } from "../../scripts/offline/stackConfig";

export const REPO_ROOT = path.join(__dirname, "..", "..");
/** The environment a user would deploy today: roster backend, v3. */
export const DEV_STACK_FILE = path.join(REPO_ROOT, "Pulumi.dev.yaml");
/** The article's environment: OpsWorks backend. */
export const ARTICLE_STACK_FILE = path.join(REPO_ROOT, "Pulumi.article.yaml");

/** `namespace:key` to string, exactly as `pulumi` would hand the stack file to the program. */
function stackConfig(stackFile: string): Record<string, string> {
    return readStackConfig(path.join(REPO_ROOT, "Pulumi.yaml"), stackFile).config;
}

/** A stack file's config (the article's by default) as parsed values, for parseEnvironmentConfig; absent keys stay absent. */
export function devRawConfig(stackFile = ARTICLE_STACK_FILE): { region: string; cluster: any; network: any; access?: any; opsworks?: any; pcs?: any; roster?: any; users: any[]; pool?: any } {
    const config = stackConfig(stackFile);
    const read = (key: string) => (config[`pcluster-access:${key}`] === undefined ? undefined : JSON.parse(config[`pcluster-access:${key}`]));
    return {
        region: config["aws:region"],
        cluster: read("cluster"),
        network: read("network"),
        access: read("access"),
        opsworks: read("opsworks"),
        pcs: read("pcs"),
        roster: read("roster"),
        users: read("users"),
        ...(read("pool") === undefined ? {} : { pool: read("pool") }),
    };
}

/** Back to the stack-config form, for runProgram. */
export function toStackConfig(raw: RawConfigInput): Record<string, string> {
    const config: Record<string, string> = {};
    if (raw.region !== undefined) {
        config["aws:region"] = String(raw.region);
    }
    for (const key of ["cluster", "network", "access", "opsworks", "pcs", "roster", "users", "pool"] as const) {
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
        // ParallelCluster 2 has no Amazon Linux 2023: its Amazon Linux is 2.
        if (raw.cluster.os === "alinux2023") {
            raw.cluster.os = "alinux2";
        }
    }
}
