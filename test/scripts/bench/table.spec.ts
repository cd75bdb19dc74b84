import * as assert from "node:assert/strict";
import { formatCount, formatMiB, formatPercent, formatRatio, formatSeconds, formatTable } from "../../../scripts/bench/table";

describe("bench tables", () => {
    it("aligns columns of figures right and other columns left, with notes under the rows", () => {
        const text = formatTable({
            title: "2. Calls",
            columns: ["N", "operation", "calls", "formula"],
            rows: [
                ["10", "create N users", "20 (30)", "5N + 1"],
                ["500", "refresh", "1,000", "2N + 2"],
                ["-", "no-op", "0", "-"],
            ],
            notes: ["formula: Terraform's."],
        });
        assert.equal(
            text,
            [
                "2. Calls",
                "    N  operation         calls  formula",
                "  ---  --------------  -------  -------",
                "   10  create N users  20 (30)   5N + 1",
                "  500  refresh           1,000   2N + 2",
                "    -  no-op                 0        -",
                "  formula: Terraform's.",
            ].join("\n"),
        );
    });

    it("a column with any word in it is left-aligned, and trailing spaces are trimmed", () => {
        assert.equal(
            formatTable({ title: "T", columns: ["a", "b"], rows: [["x", "12"], ["yy", "no"]] }),
            "T\n  a   b\n  --  --\n  x   12\n  yy  no",
        );
    });

    it("a table without rows prints its header", () => {
        assert.equal(formatTable({ title: "T", columns: ["name", "s"], rows: [] }), "T\n  name  s\n  ----  -");
    });

    it("refuses a row whose width does not match the columns", () => {
        assert.throws(() => formatTable({ title: "3. Faults", columns: ["a", "b"], rows: [["1", "2"], ["3"]] }), {
            name: "RangeError",
            message: "3. Faults: row 2 has 1 cells for 2 columns",
        });
    });

    it("formats counts, seconds, MiB, ratios and shares", () => {
        assert.equal(formatCount(2689), "2,689");
        assert.equal(formatCount(1000.4), "1,000");
        assert.equal(formatSeconds(18672.4), "18.67");
        assert.equal(formatSeconds(18672.4, 1), "18.7");
        assert.equal(formatMiB(747520), "730.0");
        assert.equal(formatRatio(5.0871), "5.09x");
        assert.equal(formatPercent(0.4649), "46%");
    });
});
