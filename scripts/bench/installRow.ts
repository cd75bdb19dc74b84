/**
 * Row 5, install and test-suite time: `git clone` of this repository's committed HEAD into a temporary
 * folder, then `npm ci` and `npm test` there, each timed once, so a regression in either shows. The
 * children get the environment without npm's own `npm_*` variables, as a fresh shell would.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { run as runChild } from "../../test/support/run";
import { REPO_ROOT } from "../../test/support/devConfig";
import { assertExitedZero, tail } from "./childRun";
import type { Goal } from "./goals";
import { progress } from "./progress";
import type { RowResult } from "./row";
import { formatSeconds } from "./table";

/** Mocha's "N passing" / "M failing" summary, the last one printed; undefined when absent. */
export function mochaCounts(output: string): { passing?: number; failing?: number } {
    const last = (pattern: RegExp): number | undefined => {
        const matches = [...output.matchAll(pattern)];
        return matches.length > 0 ? Number(matches[matches.length - 1][1]) : undefined;
    };
    return { passing: last(/^ *(\d+) passing/gm), failing: last(/^ *(\d+) failing/gm) };
}

function freshEnv(): NodeJS.ProcessEnv {
    return Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.toLowerCase().startsWith("npm_")));
}

export async function installRow(): Promise<RowResult> {
    const dir = mkdtempSync(path.join(tmpdir(), "pca-bench-clone-"));
    const clone = path.join(dir, "pcluster-access");
    try {
        const env = freshEnv();
        const cloned = await runChild("git", ["clone", "--quiet", REPO_ROOT, clone], env, dir);
        assertExitedZero("git clone", cloned);
        const commit = (await runChild("git", ["rev-parse", "--short", "HEAD"], env, clone)).stdout.trim();
        progress(`install: cloned ${commit}; npm ci`);
        const install = await runChild("npm", ["ci", "--no-audit", "--no-fund"], env, clone);
        assertExitedZero("npm ci", install);
        progress(`install: npm ci took ${formatSeconds(install.wallMs, 1)} s; npm test`);
        const test = await runChild("npm", ["test"], env, clone);
        const counts = mochaCounts(test.stdout);
        progress(`install: npm test took ${formatSeconds(test.wallMs, 1)} s, exit ${test.status}`);
        const goal: Goal = {
            row: "install",
            goal: "npm test passes in a fresh clone",
            measured: `exit ${test.status}, ${counts.passing ?? 0} passing, ${counts.failing ?? 0} failing`,
            met: test.status === 0,
        };
        return {
            tables: [
                {
                    title: `5. Install and test suite (fresh git clone of ${commit}, each once)`,
                    columns: ["step", "wall s", "result"],
                    rows: [
                        ["npm ci", formatSeconds(install.wallMs, 1), "exit 0"],
                        ["npm test", formatSeconds(test.wallMs, 1), `exit ${test.status}, ${counts.passing ?? 0} passing, ${counts.failing ?? 0} failing`],
                    ],
                    notes: [
                        "npm ci: from the npm cache when warm, so its time depends on the machine's cache and network.",
                        "npm test: typecheck (root and policy), eslint, shellcheck and mocha, as CI runs it.",
                    ],
                },
            ],
            goals: [goal],
            raw: {
                commit,
                npmCiMs: install.wallMs,
                npmTestMs: test.wallMs,
                npmTestStatus: test.status,
                ...counts,
                npmTestTail: test.status === 0 ? undefined : tail(test.stdout + test.stderr, 40),
            },
        };
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}
