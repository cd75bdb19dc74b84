import * as assert from "node:assert/strict";
import { BenchArgsError, parseBenchArgs } from "../../../scripts/bench/args";

describe("bench arguments", () => {
    it("measures every row with five plan runs by default", () => {
        assert.deepEqual(parseBenchArgs([]), {
            quick: false,
            runs: 5,
            outFile: "out/bench.json",
            rows: ["plan", "api", "faults", "deregistration", "agent", "roster", "status", "revoke", "install"],
        });
    });

    it("--quick takes three runs and leaves out the install row", () => {
        assert.deepEqual(parseBenchArgs(["--quick"]), {
            quick: true,
            runs: 3,
            outFile: "out/bench.json",
            rows: ["plan", "api", "faults", "deregistration", "agent", "roster", "status", "revoke"],
        });
    });

    it("--runs, --out and --only override, rows kept in bench order", () => {
        assert.deepEqual(parseBenchArgs(["--quick", "--runs", "1", "--out", "/tmp/b.json", "--only", "install, plan"]), {
            quick: true,
            runs: 1,
            outFile: "/tmp/b.json",
            rows: ["plan", "install"],
        });
    });

    it("refuses a run count that is not a whole number of at least 1", () => {
        for (const runs of ["0", "2.5", "-1", "five"]) {
            assert.throws(() => parseBenchArgs([`--runs=${runs}`]), {
                name: "Error",
                constructor: BenchArgsError,
                message: `--runs must be a whole number of at least 1, not '${runs}'.`,
            });
        }
    });

    it("refuses unknown rows, naming them and the rows there are", () => {
        assert.throws(() => parseBenchArgs(["--only", "plan,speed,disk"]), {
            constructor: BenchArgsError,
            message: "--only: unknown row 'speed', 'disk'. Rows: plan, api, faults, deregistration, agent, roster, status, revoke, install.",
        });
    });

    it("refuses unknown options and positionals with node's own message", () => {
        assert.throws(() => parseBenchArgs(["--fast"]), (error: Error) => {
            assert.ok(error instanceof BenchArgsError);
            assert.match(error.message, /^Unknown option '--fast'/);
            return true;
        });
        assert.throws(() => parseBenchArgs(["plan"]), (error: Error) => {
            assert.ok(error instanceof BenchArgsError);
            assert.match(error.message, /^Unexpected argument 'plan'/);
            return true;
        });
    });
});
