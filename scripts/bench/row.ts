/** What each row module gives the bench: its tables, its goals with verdicts, and every raw number. */
import type { BenchOptions } from "./args";
import type { Goal } from "./goals";
import type { Table } from "./table";

export interface RowResult {
    readonly tables: readonly Table[];
    readonly goals: readonly Goal[];
    /** Written to out/bench.json under the row's name. */
    readonly raw: unknown;
}

/** Measures one row; throws only when a measurement itself fails (a missed goal is a result). */
export type Row = (options: BenchOptions) => Promise<RowResult>;
