/**
 * Runs program variants for the policy tests: the real program (index.ts) with some resources' inputs
 * edited as they are registered, or the real components put together differently. Edits use
 * pulumi.runtime.registerStackTransformation: registerResourceTransform needs the engine's callback
 * server, which the mock runtime does not have ("The Pulumi CLI does not support transforms").
 */
import * as path from "node:path";
import type * as pulumi from "@pulumi/pulumi";
import type { ParallelClusterEnvironmentArgs } from "../../../components/environment";
import type { MockCloudOptions } from "../../../scripts/offline/mockCloud";
import type { ProgramRun } from "../../../scripts/offline/runProgram";
import { runDev, type DevRaw } from "../../support/program";

export type Props = Record<string, unknown>;

/** Replaces the inputs of every resource of `type` (and, if given, whose name ends with `nameSuffix`). */
export interface ResourceEdit {
    readonly type: string;
    readonly nameSuffix?: string;
    readonly edit: (props: Props) => Props;
    /** Replaces its resource options too (protect, say). */
    readonly options?: (opts: pulumi.ResourceOptions) => pulumi.ResourceOptions;
}

export type Program =
    /** index.ts, with `edits` applied. */
    | "index"
    /** ParallelClusterEnvironment built as index.ts does, with `environment` overriding its args. */
    | "environment"
    /** The OpsWorks stack and users components without any cluster configuration. */
    | "users-without-cluster";

export interface VariantOptions {
    readonly program?: Program;
    /** Changes to the dev stack's config. */
    readonly change?: (raw: DevRaw) => void;
    readonly edits?: readonly ResourceEdit[];
    readonly environment?: Partial<Omit<ParallelClusterEnvironmentArgs, "config">>;
    /** A first preview: outputs of resources not yet created are unknown. */
    readonly preview?: boolean;
    readonly cloud?: Partial<MockCloudOptions>;
    /** Default: the article's OpsWorks stack file (test/support/devConfig.ts). */
    readonly stackFile?: string;
}

const PROGRAMS: Record<Program, string> = {
    index: path.join(__dirname, "..", "variants", "editedProgram.ts"),
    environment: path.join(__dirname, "..", "variants", "environmentProgram.ts"),
    "users-without-cluster": path.join(__dirname, "..", "variants", "usersWithoutCluster.ts"),
};

let active: VariantOptions = {};

/** The variant being run; read by the variant modules while they load. */
export function activeVariant(): VariantOptions {
    return active;
}

export async function runVariant(options: VariantOptions = {}): Promise<ProgramRun> {
    active = options;
    try {
        return await runDev(options.change, { preview: options.preview ?? false, ...options.cloud }, undefined, PROGRAMS[options.program ?? "index"], options.stackFile);
    } finally {
        active = {};
    }
}
