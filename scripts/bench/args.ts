/**
 * Command-line options of `npm run bench`. The default measures every row with five plan runs per stack;
 * `--quick` is for development: three runs and no install/test-suite row (it clones and installs).
 */
import { parseArgs } from "node:util";

/** The rows, in the order they run and print. */
const ROW_NAMES = ["plan", "api", "faults", "deregistration", "agent", "roster", "status", "revoke", "install"] as const;
export type RowName = (typeof ROW_NAMES)[number];

const DEFAULT_RUNS = 5;
const QUICK_RUNS = 3;
const DEFAULT_OUT_FILE = "out/bench.json";

export interface BenchOptions {
    /** Development mode: fewer plan runs, no install row. */
    readonly quick: boolean;
    /** Plan runs per stack file; the figure is their median. */
    readonly runs: number;
    /** Where every raw number goes. */
    readonly outFile: string;
    /** Rows to measure, in ROW_NAMES order. */
    readonly rows: readonly RowName[];
}

export const USAGE =
    "usage: npm run bench [-- [--quick] [--runs N] [--only ROW[,ROW...]] [--out FILE]]\n" +
    `  --quick      ${QUICK_RUNS} plan runs per stack instead of ${DEFAULT_RUNS}, and no install/test-suite row\n` +
    "  --runs N     plan runs per stack (the table shows their median)\n" +
    `  --only ROWS  measure only these rows: ${ROW_NAMES.join(", ")}\n` +
    `  --out FILE   where the raw numbers go (default ${DEFAULT_OUT_FILE})`;

/** A command line the bench cannot run with; the message says what to change. */
export class BenchArgsError extends Error {}

/** Parses the arguments after `npm run bench --`; throws BenchArgsError on anything it does not accept. */
export function parseBenchArgs(argv: readonly string[]): BenchOptions {
    let values: { quick?: boolean; runs?: string; only?: string; out?: string };
    try {
        ({ values } = parseArgs({
            args: [...argv],
            options: { quick: { type: "boolean" }, runs: { type: "string" }, only: { type: "string" }, out: { type: "string" } },
            allowPositionals: false,
        }));
    } catch (error) {
        throw new BenchArgsError((error as Error).message);
    }
    const quick = values.quick ?? false;
    return { quick, runs: parseRuns(values.runs, quick), outFile: values.out ?? DEFAULT_OUT_FILE, rows: parseRows(values.only, quick) };
}

function parseRuns(text: string | undefined, quick: boolean): number {
    if (text === undefined) {
        return quick ? QUICK_RUNS : DEFAULT_RUNS;
    }
    const runs = Number(text);
    if (!/^\d+$/.test(text) || runs < 1) {
        throw new BenchArgsError(`--runs must be a whole number of at least 1, not '${text}'.`);
    }
    return runs;
}

function parseRows(text: string | undefined, quick: boolean): RowName[] {
    if (text === undefined) {
        return ROW_NAMES.filter((row) => !(quick && row === "install"));
    }
    const asked = text.split(",").map((row) => row.trim());
    const unknown = asked.filter((row) => !(ROW_NAMES as readonly string[]).includes(row));
    if (unknown.length > 0) {
        throw new BenchArgsError(`--only: unknown row ${unknown.map((row) => `'${row}'`).join(", ")}. Rows: ${ROW_NAMES.join(", ")}.`);
    }
    return ROW_NAMES.filter((row) => asked.includes(row));
}
