/**
 * `npm run bench [-- --quick] [--runs N] [--only ROWS] [--out FILE]`: the figures that show where the
 * project stands (issue 6). Each row is measured by its module in scripts/bench/ and printed as a table
 * on stdout, each figure beside its reference and goal; then one summary line per goal, met or not.
 * Every raw number goes to out/bench.json. Progress goes to stderr.
 * Exit codes: 0 every measurement ran (goals may be missed), 1 a measurement failed, 2 bad arguments.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import * as path from "node:path";
import { agentRow } from "./bench/agentRow";
import { apiRow } from "./bench/apiRow";
import { BenchArgsError, parseBenchArgs, USAGE, type BenchOptions, type RowName } from "./bench/args";
import { deregistrationRow } from "./bench/deregistrationRow";
import { faultsRow } from "./bench/faultsRow";
import { formatGoal, type Goal } from "./bench/goals";
import { installRow } from "./bench/installRow";
import { planRow } from "./bench/planRow";
import { progress } from "./bench/progress";
import { revokeRow } from "./bench/revokeRow";
import { rosterRow } from "./bench/rosterRow";
import type { Row } from "./bench/row";
import { statusRow } from "./bench/statusRow";
import { formatSeconds, formatTable } from "./bench/table";

const ROWS: Readonly<Record<RowName, Row>> = {
    plan: planRow,
    api: apiRow,
    faults: faultsRow,
    deregistration: deregistrationRow,
    agent: agentRow,
    roster: rosterRow,
    status: statusRow,
    revoke: revokeRow,
    install: installRow,
};

async function bench(options: BenchOptions): Promise<number> {
    const started = Date.now();
    const raw: Record<string, unknown> = {};
    const goals: Goal[] = [];
    const failures: string[] = [];
    for (const name of options.rows) {
        progress(`${name}: measuring`);
        try {
            const result = await ROWS[name](options);
            for (const table of result.tables) {
                process.stdout.write(`${formatTable(table)}\n\n`);
            }
            goals.push(...result.goals);
            raw[name] = result.raw;
        } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            failures.push(`${name}: ${message}`);
            raw[name] = { error: message };
            process.stdout.write(`${name}: the measurement failed: ${message}\n\n`);
        }
    }
    const wallMs = Date.now() - started;
    process.stdout.write(`Summary\n${goals.map((goal) => `  ${formatGoal(goal)}`).join("\n")}\n`);
    for (const failure of failures) {
        process.stdout.write(`  measurement FAILED  ${failure.split("\n")[0]}\n`);
    }
    process.stdout.write(`  bench wall time: ${formatSeconds(wallMs, 0)} s; raw numbers in ${options.outFile}\n`);
    mkdirSync(path.dirname(options.outFile), { recursive: true });
    const document = {
        finishedAt: new Date().toISOString(),
        wallMs,
        machine: { node: process.version, platform: process.platform, cpus: cpus().length, cpuModel: cpus()[0]?.model },
        options,
        goals,
        failures,
        rows: raw,
    };
    writeFileSync(options.outFile, `${JSON.stringify(document, null, 2)}\n`);
    return failures.length > 0 ? 1 : 0;
}

function main(): void {
    let options: BenchOptions;
    try {
        options = parseBenchArgs(process.argv.slice(2));
    } catch (error) {
        if (error instanceof BenchArgsError) {
            process.stderr.write(`${error.message}\n${USAGE}\n`);
            process.exit(2);
        }
        throw error;
    }
    bench(options).then(
        (code) => process.exit(code),
        (error: unknown) => {
            process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
            process.exit(1);
        },
    );
}

main();
