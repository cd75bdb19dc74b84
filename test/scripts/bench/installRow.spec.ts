import * as assert from "node:assert/strict";
import { mochaCounts } from "../../../scripts/bench/installRow";

describe("bench install row: mocha's summary", () => {
    it("reads the last passing and failing counts", () => {
        const output = "  3 passing (1s)\n\n  ...\n  307 passing (2m)\n  2 failing\n\n  1) a test\n";
        assert.deepEqual(mochaCounts(output), { passing: 307, failing: 2 });
    });

    it("leaves out what mocha did not print", () => {
        assert.deepEqual(mochaCounts("  12 passing (3s)\n"), { passing: 12, failing: undefined });
        assert.deepEqual(mochaCounts("error TS2304: Cannot find name 'x'.\n"), { passing: undefined, failing: undefined });
    });

    it("ignores the words inside a test title", () => {
        assert.deepEqual(mochaCounts("    ✔ counts 5 passing users\n  1 passing (1s)\n"), { passing: 1, failing: undefined });
    });
});
