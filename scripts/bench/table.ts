/**
 * Plain-text tables for the bench's stdout: a title, aligned columns (a column of figures right-aligned,
 * as numbers read best, any other left-aligned), and notes under the table that name each reference and
 * formula.
 */

export interface Table {
    readonly title: string;
    readonly columns: readonly string[];
    readonly rows: readonly (readonly string[])[];
    /** Lines printed under the rows: where a reference comes from, how a figure was computed. */
    readonly notes?: readonly string[];
}

const INDENT = "  ";
const GAP = "  ";
/** A cell that starts like a figure: "1,000", "0.46x", "-", "200/200", "5N + 1". */
const FIGURE = /^(?:[-+]?[\d.]|-$)/;

/** The table as lines joined by "\n", with no trailing newline; throws when a row's width is wrong. */
export function formatTable(table: Table): string {
    table.rows.forEach((row, index) => {
        if (row.length !== table.columns.length) {
            throw new RangeError(`${table.title}: row ${index + 1} has ${row.length} cells for ${table.columns.length} columns`);
        }
    });
    const widths = table.columns.map((column, c) => Math.max(column.length, ...table.rows.map((row) => row[c].length)));
    const right = table.columns.map((_, c) => table.rows.length > 0 && table.rows.every((row) => FIGURE.test(row[c])));
    const line = (cells: readonly string[]): string =>
        INDENT + cells.map((cell, c) => (right[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join(GAP).trimEnd();
    return [
        table.title,
        line(table.columns),
        line(widths.map((width) => "-".repeat(width))),
        ...table.rows.map(line),
        ...(table.notes ?? []).map((note) => INDENT + note),
    ].join("\n");
}

/** 1234 as "1,234". */
export function formatCount(value: number): string {
    return value.toLocaleString("en-US", { maximumFractionDigits: 0 });
}

/** Milliseconds as seconds, "12.34 s" style without the unit. */
export function formatSeconds(ms: number, digits = 2): string {
    return (ms / 1000).toFixed(digits);
}

/** Kibibytes (what `process.resourceUsage().maxRSS` gives) as mebibytes with one decimal. */
export function formatMiB(kib: number): string {
    return (kib / 1024).toFixed(1);
}

/** A ratio as "2.34x". */
export function formatRatio(value: number): string {
    return `${value.toFixed(2)}x`;
}

/** A share as "62%". */
export function formatPercent(share: number): string {
    return `${Math.round(share * 100)}%`;
}
