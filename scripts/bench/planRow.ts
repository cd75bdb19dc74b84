/**
 * Row 1, offline plan scaling: the real `npm run plan` path (scripts/plan.ts under ts-node, as the npm
 * script runs it) as a child process per run, on the dev stack grown to 10, 100 and 1,000 users (3
 * queues, as the dev stack has) and to 1, 5 and 20 queues (10 users). Each run's wall time is taken from
 * spawn to exit and its peak RSS comes from a preload (rssPreload.ts); the table shows the median of
 * the runs. A start-up series loads the plan's modules without planning, to show what start-up costs.
 * Runs are interleaved (every stack once, then again) so a slow spell of the machine hits all alike.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { run as runChild } from "../../test/support/run";
import { REPO_ROOT } from "../../test/support/devConfig";
import { ed25519PublicKey } from "../../test/support/keys";
import type { BenchOptions } from "./args";
import { assertExitedZero } from "./childRun";
import type { Goal } from "./goals";
import { progress } from "./progress";
import type { RowResult } from "./row";
import { writeGrownStack, type StackSize } from "./stackFile";
import { ratio, spread, type Spread } from "./stats";
import { formatCount, formatMiB, formatPercent, formatRatio, formatSeconds } from "./table";

const PLAN_SCRIPT = path.join(REPO_ROOT, "scripts", "plan.ts");
const PRELOAD = path.join(__dirname, "rssPreload.ts");
const STACK = "bench";

/** The goal: start-up dominates, so 1,000 users plan within 3x of 10 users. */
const MAX_USERS_RATIO = 3;

interface Subject {
    readonly label: string;
    /** Undefined for the start-up series, which plans nothing. */
    readonly size?: StackSize;
}

const BASE: StackSize = { users: 10, queues: 3 };
const SUBJECTS: readonly Subject[] = [
    { label: "start-up only" },
    { label: "10 users", size: BASE },
    { label: "100 users", size: { users: 100, queues: 3 } },
    { label: "1,000 users", size: { users: 1000, queues: 3 } },
    { label: "1 queue", size: { users: 10, queues: 1 } },
    { label: "5 queues", size: { users: 10, queues: 5 } },
    { label: "20 queues", size: { users: 10, queues: 20 } },
];

interface PlanRun {
    readonly wallMs: number;
    readonly maxRssKiB: number;
}

interface SubjectResult {
    readonly label: string;
    readonly size?: StackSize;
    /** Resources the plan registered (from its plan.json). */
    readonly resources?: number;
    readonly runs: PlanRun[];
    readonly wallMs: Spread;
    readonly maxRssKiB: Spread;
}

export async function planRow(options: BenchOptions): Promise<RowResult> {
    const dir = mkdtempSync(path.join(tmpdir(), "pca-bench-plan-"));
    try {
        const files = new Map<Subject, string>();
        for (const subject of SUBJECTS) {
            if (subject.size) {
                const file = path.join(dir, `Pulumi.${subject.size.users}u-${subject.size.queues}q.yaml`);
                writeGrownStack(path.join(REPO_ROOT, "Pulumi.dev.yaml"), file, subject.size, (i) => ed25519PublicKey(`bench-user-${i + 1}@bench`));
                files.set(subject, file);
            }
        }
        const runs = new Map<Subject, PlanRun[]>(SUBJECTS.map((subject) => [subject, []]));
        const resources = new Map<Subject, number>();
        for (let run = 1; run <= options.runs; run++) {
            for (const subject of SUBJECTS) {
                const outDir = path.join(dir, "out");
                const measured = await planOnce(subject, files.get(subject), outDir, path.join(dir, "rss"));
                runs.get(subject)?.push(measured);
                if (subject.size) {
                    resources.set(subject, checkPlanOutput(subject.size, path.join(outDir, STACK)));
                }
                progress(`plan: ${subject.label}, run ${run}/${options.runs}: ${formatSeconds(measured.wallMs)} s, ${formatMiB(measured.maxRssKiB)} MiB`);
            }
        }
        return report(
            SUBJECTS.map((subject) => {
                const series = runs.get(subject) ?? [];
                return {
                    label: subject.label,
                    size: subject.size,
                    resources: resources.get(subject),
                    runs: series,
                    wallMs: spread(series.map((run) => run.wallMs)),
                    maxRssKiB: spread(series.map((run) => run.maxRssKiB)),
                };
            }),
            options.runs,
        );
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

/** One child process: the plan of `stackFile`, or only loading the plan's modules when there is none. */
async function planOnce(subject: Subject, stackFile: string | undefined, outDir: string, rssFile: string): Promise<PlanRun> {
    rmSync(rssFile, { force: true });
    const node = ["-r", "ts-node/register/transpile-only", "-r", PRELOAD];
    const args = stackFile
        ? [...node, PLAN_SCRIPT, "--stack", STACK, "--config-file", stackFile, "--out", outDir]
        : [...node, "-e", `require(${JSON.stringify(PLAN_SCRIPT)})`];
    const run = await runChild(process.execPath, args, { ...process.env, PCA_BENCH_RSS_FILE: rssFile }, REPO_ROOT);
    assertExitedZero(`plan of ${subject.label}`, run);
    let maxRssKiB: number;
    try {
        maxRssKiB = Number(readFileSync(rssFile, "utf8"));
    } catch (error) {
        throw new Error(`plan of ${subject.label}: the preload wrote no peak RSS (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
    return { wallMs: run.wallMs, maxRssKiB };
}

/** Checks the plan covered the whole generated stack; returns its resource count. */
function checkPlanOutput(size: StackSize, stackOut: string): number {
    const document = JSON.parse(readFileSync(path.join(stackOut, "plan.json"), "utf8")) as { resources: unknown[]; users: unknown[] };
    const config = YAML.parse(readFileSync(path.join(stackOut, "cluster-config.yaml"), "utf8")) as { Scheduling: { SlurmQueues: unknown[] } };
    const queues = config.Scheduling.SlurmQueues.length;
    if (document.users.length !== size.users || queues !== size.queues) {
        throw new Error(`plan of ${size.users} users and ${size.queues} queues shows ${document.users.length} users and ${queues} queues`);
    }
    return document.resources.length;
}

function report(results: readonly SubjectResult[], runs: number): RowResult {
    const find = (label: string): SubjectResult => results.find((result) => result.label === label) as SubjectResult;
    const base = find("10 users");
    const usersRatio = ratio(find("1,000 users").wallMs.median, base.wallMs.median);
    const rssRatio = ratio(find("1,000 users").maxRssKiB.median, base.maxRssKiB.median);
    const startupShare = ratio(find("start-up only").wallMs.median, base.wallMs.median);
    const goal: Goal = {
        row: "plan",
        goal: `1,000 users plan within ${MAX_USERS_RATIO}x of 10 users (wall time, medians)`,
        measured: formatRatio(usersRatio),
        met: usersRatio <= MAX_USERS_RATIO,
    };
    return {
        tables: [
            {
                title: `1. Offline plan scaling (npm run plan as a child process; median of ${runs} runs, every run exited 0)`,
                columns: ["stack", "users", "queues", "resources", "wall s", "min-max s", "vs 10 users", "peak RSS MiB", "vs 10 users"],
                rows: results.map((result) => [
                    result.label,
                    result.size ? formatCount(result.size.users) : "-",
                    result.size ? String(result.size.queues) : "-",
                    result.resources === undefined ? "-" : formatCount(result.resources),
                    formatSeconds(result.wallMs.median),
                    `${formatSeconds(result.wallMs.min)}-${formatSeconds(result.wallMs.max)}`,
                    formatRatio(ratio(result.wallMs.median, base.wallMs.median)),
                    formatMiB(result.maxRssKiB.median),
                    formatRatio(ratio(result.maxRssKiB.median, base.maxRssKiB.median)),
                ]),
                notes: [
                    "Stacks: Pulumi.dev.yaml (roster backend) grown; user i repeats dev user i mod 3 (create, sudo, access, groups) with its own name and a new ed25519 key;",
                    "queue i copies dev queue i mod 3 (v3). The user series has the dev stack's 3 queues, the queue series 10 users.",
                    "start-up only: node with ts-node loading scripts/plan.ts and everything it imports, planning nothing.",
                    `1,000 / 10 users: wall ${formatRatio(usersRatio)} (goal <= ${MAX_USERS_RATIO}x), peak RSS ${formatRatio(rssRatio)}; ` +
                        `start-up is ${formatPercent(startupShare)} of the 10-user plan's wall time.`,
                ],
            },
        ],
        goals: [goal],
        raw: { runsPerStack: runs, base: BASE, subjects: results, usersWallRatio: usersRatio, usersRssRatio: rssRatio, startupShareOf10Users: startupShare },
    };
}
