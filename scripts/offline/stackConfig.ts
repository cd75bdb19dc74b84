/**
 * Reads Pulumi.yaml and a stack's Pulumi.<stack>.yaml the way the Pulumi CLI hands them to a program:
 * `namespace:key` to a string, structured values JSON-encoded, keys without a namespace in the project's.
 */
import { readFileSync } from "node:fs";
import * as YAML from "yaml";

export interface StackConfigFile {
    readonly project: string;
    readonly config: Record<string, string>;
}

export class StackConfigFileError extends Error {}

export function readStackConfig(projectFile: string, stackFile: string): StackConfigFile {
    const project = YAML.parse(readText(projectFile)) as { name?: unknown } | null;
    if (typeof project?.name !== "string") {
        throw new StackConfigFileError(`${projectFile}: has no project name (name: ...).`);
    }
    const stack = YAML.parse(readText(stackFile)) as { config?: Record<string, unknown> } | null;
    const config: Record<string, string> = {};
    for (const [key, value] of Object.entries(stack?.config ?? {})) {
        const fullKey = key.includes(":") ? key : `${project.name}:${key}`;
        if (value !== null && typeof value === "object" && "secure" in value) {
            throw new StackConfigFileError(
                `${stackFile}: ${fullKey} is a secret; the offline plan cannot decrypt it. Use a stack file without secrets (--config-file).`,
            );
        }
        config[fullKey] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return { project: project.name, config };
}

function readText(file: string): string {
    try {
        return readFileSync(file, "utf8");
    } catch (error) {
        throw new StackConfigFileError(`${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)}).`);
    }
}
