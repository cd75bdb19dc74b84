/**
 * The administrator's documents as the docs specs read them: README.md and every docs/*.md, their
 * inline code spans, fenced blocks, and the `<!-- plan-edit ... -->` markers that tie a YAML block of
 * the guide to the plan run that checks it.
 */
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { REPO_ROOT } from "../support/devConfig";

export interface Doc {
    /** Relative to the repository, e.g. `docs/config-reference.md`. */
    readonly file: string;
    readonly text: string;
}

/** README.md, then docs/*.md in name order. */
export function guideDocs(): Doc[] {
    const docs = readdirSync(path.join(REPO_ROOT, "docs"))
        .filter((name) => name.endsWith(".md"))
        .sort()
        .map((name) => `docs/${name}`);
    return ["README.md", ...docs].map((file) => ({ file, text: readFileSync(path.join(REPO_ROOT, file), "utf8") }));
}

export interface Fence {
    readonly info: string;
    readonly body: string;
    /** 1-based line of the opening fence. */
    readonly line: number;
    /** The HTML comment on the line before the fence (blank lines skipped), if any. */
    readonly marker?: string;
}

/** Every fenced block (```), with its info string and the comment just above it. */
export function fences(text: string): Fence[] {
    const lines = text.split("\n");
    const found: Fence[] = [];
    for (let i = 0; i < lines.length; i++) {
        const open = /^\s*```(\S*)\s*$/.exec(lines[i]);
        if (!open) {
            continue;
        }
        let end = i + 1;
        while (end < lines.length && !/^\s*```\s*$/.test(lines[end])) {
            end++;
        }
        let above = i - 1;
        while (above >= 0 && lines[above].trim() === "") {
            above--;
        }
        const comment = above >= 0 ? /^<!--\s*(.*?)\s*-->$/.exec(lines[above].trim()) : null;
        found.push({ info: open[1], body: lines.slice(i + 1, end).join("\n"), line: i + 1, ...(comment ? { marker: comment[1] } : {}) });
        i = end;
    }
    return found;
}

/** The text outside fenced blocks (for inline code spans). */
export function prose(text: string): string {
    return text.replace(/^\s*```[^\n]*\n[\s\S]*?^\s*```\s*$/gm, "");
}

/** Every inline code span of the prose: `...`. */
export function codeSpans(text: string): string[] {
    return [...prose(text).matchAll(/`([^`\n]+)`/g)].map((match) => match[1]);
}

/** Every shell command line: lines of sh blocks and inline code spans, comments cut. */
export function commandLines(text: string): string[] {
    const fromBlocks = fences(text)
        .filter((fence) => fence.info === "sh" || fence.info === "bash")
        .flatMap((fence) => fence.body.split("\n"));
    return [...fromBlocks, ...codeSpans(text)].map((line) => line.replace(/\s+#.*$/, "").trim()).filter((line) => line !== "");
}
