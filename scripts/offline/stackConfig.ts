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
    const project = parseYaml(readText(projectFile), projectFile) as { name?: unknown } | null;
    if (typeof project?.name !== "string") {
        throw new StackConfigFileError(`${projectFile}: has no project name (name: ...).`);
    }
    const stack = parseYaml(readText(stackFile), stackFile) as { config?: Record<string, unknown> } | null;
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

/**
 * The file's YAML, or a StackConfigFileError naming the file, the line and the key the mistake is under,
 * as an administrator editing the file needs it (a YAML mistake is not "the config does not match the account").
 */
function parseYaml(text: string, file: string): unknown {
    try {
        return YAML.parse(text);
    } catch (error) {
        if (!(error instanceof YAML.YAMLError)) {
            throw error;
        }
        const lines = text.split("\n");
        let line = error.linePos?.[0]?.line ?? 1;
        const reason = error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
        // An unclosed quote is reported where the file ends; the mistake is where the quote opens.
        const quote = /closing (["'])quote/.exec(reason)?.[1];
        if (error.code === "MISSING_CHAR" && quote !== undefined) {
            for (let i = Math.min(line, lines.length) - 1; i >= 0; i--) {
                if (lines[i].split(quote).length % 2 === 0) {
                    line = i + 1;
                    break;
                }
            }
        }
        const key = keyPathAt(lines, line);
        throw new StackConfigFileError(`${file}:${line}: the YAML is broken${key === "" ? "" : ` at ${key}`}: ${reason}. Fix that line; nothing was planned.`);
    }
}

/** `config.pcluster-access:users[1].sshPublicKey`: the keys (and list items) that enclose line `line` (1-based). */
function keyPathAt(lines: readonly string[], line: number): string {
    const parts: string[] = [];
    let indent = Number.POSITIVE_INFINITY;
    for (let i = Math.min(line, lines.length) - 1; i >= 0; i--) {
        const match = /^( *)(- +)?([^\s#"'-][^#]*?):(?:\s|$)/.exec(lines[i]);
        if (match === null) {
            continue;
        }
        const dashIndent = match[1].length;
        const keyIndent = dashIndent + (match[2]?.length ?? 0);
        const itemStart = match[2] !== undefined && keyIndent === indent;
        if (keyIndent < indent) {
            parts.unshift(`.${match[3]}`);
        } else if (!itemStart) {
            continue;
        }
        indent = keyIndent;
        if (match[2] !== undefined) {
            parts.unshift(`[${listIndex(lines, i, dashIndent)}]`);
            indent = dashIndent;
        }
        if (indent === 0) {
            break;
        }
    }
    return parts.join("").replace(/^\./, "");
}

/** How many items of the same list come before the item starting on line `at`. */
function listIndex(lines: readonly string[], at: number, dashIndent: number): number {
    let index = 0;
    for (let j = at - 1; j >= 0; j--) {
        const text = lines[j];
        if (text.trim() === "" || text.trim().startsWith("#")) {
            continue;
        }
        const lineIndent = text.length - text.trimStart().length;
        if (lineIndent < dashIndent) {
            break;
        }
        if (lineIndent === dashIndent && text.trimStart().startsWith("- ")) {
            index++;
        }
    }
    return index;
}
