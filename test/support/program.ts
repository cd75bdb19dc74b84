/**
 * Runs the real program (index.ts) under the mock runtime with the dev config or a variant of it, and
 * finds resources in the result.
 */
import type { RawConfigInput } from "../../components/config";
import type { MockCloudOptions } from "../../scripts/offline/mockCloud";
import { runProgram, type ProgramRun, type RegisteredResource } from "../../scripts/offline/runProgram";
import { devRawConfig, toStackConfig } from "./devConfig";

export type DevRaw = ReturnType<typeof devRawConfig>;

export async function runDev(
    change?: (raw: DevRaw) => void,
    cloud: Partial<MockCloudOptions> = {},
    observer?: Parameters<typeof runProgram>[0]["observer"],
    /** A variant of the program to run instead of index.ts. */
    programPath?: string,
    /** Default: the article's OpsWorks stack file (see devConfig.ts). */
    stackFile?: string,
): Promise<ProgramRun> {
    const raw = devRawConfig(stackFile);
    change?.(raw);
    return runProgram({
        project: "pcluster-access",
        stack: "dev",
        config: toStackConfig(raw as RawConfigInput),
        cloud: { region: raw.region ?? "eu-west-1", ...cloud },
        observer,
        programPath,
    });
}

export function ofType(run: ProgramRun, type: string): RegisteredResource[] {
    return run.resources.filter((resource) => resource.type === type);
}

export function named(run: ProgramRun, name: string): RegisteredResource {
    const found = run.resources.find((resource) => resource.name === name);
    if (!found) {
        throw new Error(`no resource named ${name}; have ${run.resources.map((resource) => resource.name).join(", ")}`);
    }
    return found;
}

/** The parent's name, or undefined for the stack. */
export function parentName(run: ProgramRun, resource: RegisteredResource): string | undefined {
    return run.resources.find((candidate) => candidate.urn === resource.parent)?.name;
}
