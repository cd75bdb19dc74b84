/**
 * The pool's example stacks (test/fixtures/pool: a pool and three subscribed clusters) run under the mock
 * runtime: the pool first, then each cluster reading the pool's outputs through its stack reference.
 */
import * as path from "node:path";
import * as YAML from "yaml";
import { readFileSync } from "node:fs";
import type { PoolOutput } from "../../components/access/pool";
import type { MockCloudOptions } from "../../scripts/offline/mockCloud";
import { runProgram, type ProgramRun } from "../../scripts/offline/runProgram";
import { readStackConfig } from "../../scripts/offline/stackConfig";
import { REPO_ROOT } from "./devConfig";

export const POOL_DIR = path.join(REPO_ROOT, "test", "fixtures", "pool");
export const POOL_REFERENCE = "organization/pcluster-access/users";

/** A stack file of test/fixtures/pool, by stack name (`users`, `hpc-cpu`, ...). */
export function poolStackFile(stack: string): string {
    return path.join(POOL_DIR, `Pulumi.${stack}.yaml`);
}

/** The stack file's `config` mapping, to change and write back (YAML). */
export function poolStackConfig(stack: string): Record<string, any> {
    return (YAML.parse(readFileSync(poolStackFile(stack), "utf8")) as { config: Record<string, any> }).config;
}

/** Runs one stack of the example (or `config`, a changed copy of its mapping) under the mock runtime. */
export async function runPoolStack(stack: string, cloud: Partial<MockCloudOptions> = {}, config?: Record<string, unknown>): Promise<ProgramRun> {
    const file = readStackConfig(path.join(REPO_ROOT, "Pulumi.yaml"), poolStackFile(stack));
    const flat = config === undefined ? file.config : Object.fromEntries(Object.entries(config).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]));
    return runProgram({ project: file.project, stack, config: flat, cloud: { region: flat["aws:region"] ?? "eu-west-1", ...cloud }, echoDiagnostics: false });
}

/** Runs a cluster stack subscribed to `pool` (the pool run's `pool` output). */
export function runSubscriber(stack: string, pool: PoolOutput, cloud: Partial<MockCloudOptions> = {}, config?: Record<string, unknown>): Promise<ProgramRun> {
    return runPoolStack(stack, { stackReferences: { [POOL_REFERENCE]: { pool } }, ...cloud }, config);
}

/** A pool cluster's config mapping (poolStackConfig) moved to AWS PCS: the ParallelCluster-only keys dropped, PCS's added. */
export function onPcs(config: Record<string, any>): Record<string, any> {
    const cluster = config["pcluster-access:cluster"];
    for (const key of ["format", "deploy", "parallelClusterVersion", "headNode", "loginNodes"]) delete cluster[key];
    cluster.service = "pcs";
    cluster.queues[0].computeResources[0].instanceType = "c6i.2xlarge";
    config["pcluster-access:pcs"] = { amiId: "ami-0123456789abcdef0", loginNodes: { instanceType: "c6i.large" } };
    return config;
}
