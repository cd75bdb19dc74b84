import * as assert from "node:assert/strict";
import { median, ratio, spread } from "../../../scripts/bench/stats";

describe("bench statistics", () => {
    it("median: the middle value of an odd count, whatever the order", () => {
        assert.equal(median([5, 1, 4, 2, 3]), 3);
        assert.equal(median([7]), 7);
    });

    it("median: the mean of the two middle values of an even count", () => {
        assert.equal(median([4, 1, 3, 2]), 2.5);
    });

    it("median does not reorder its input", () => {
        const values = [3, 1, 2];
        median(values);
        assert.deepEqual(values, [3, 1, 2]);
    });

    it("median of nothing is an error", () => {
        assert.throws(() => median([]), { name: "RangeError", message: "median of no values" });
    });

    it("ratio divides by a positive base and refuses any other", () => {
        assert.equal(ratio(18, 6), 3);
        assert.throws(() => ratio(1, 0), { name: "RangeError", message: "ratio to a base of 0" });
        assert.throws(() => ratio(1, -2), { name: "RangeError", message: "ratio to a base of -2" });
        assert.throws(() => ratio(1, Number.NaN), { name: "RangeError", message: "ratio to a base of NaN" });
    });

    it("spread gives median, smallest and largest", () => {
        assert.deepEqual(spread([3.5, 1, 9, 2, 4]), { median: 3.5, min: 1, max: 9 });
    });
});
