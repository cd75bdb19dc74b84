import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { expectedBackoffMs, expectedThrottleWaitMs } from "../../../scripts/bench/backoff";
import { formatGoal } from "../../../scripts/bench/goals";
import { TERRAFORM_CALLS } from "../../../scripts/bench/terraformCalls";
import { REPO_ROOT } from "../../support/devConfig";

describe("bench references", () => {
    it("npm run bench first installs what its rows run for real (sshd, sudo, the AWS CLI, shellcheck), as npm test does", () => {
        const scripts = (JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
        assert.equal(scripts.bench, "bash scripts/test-deps.sh && ts-node --transpile-only scripts/bench.ts");
        assert.ok(scripts.test.startsWith("bash scripts/test-deps.sh && "), scripts.test);
    });

    it("Terraform's calls per reference/opsworks.md, for N = 10, 100, 500", () => {
        const at = (users: number) => Object.fromEntries(Object.entries(TERRAFORM_CALLS).map(([operation, cost]) => [operation, cost.calls(users)]));
        assert.deepEqual(at(10), { create: 51, noop: 22, rotateOne: 24, refresh: 22 });
        assert.deepEqual(at(100), { create: 501, noop: 202, rotateOne: 204, refresh: 202 });
        assert.deepEqual(at(500), { create: 2501, noop: 1002, rotateOne: 1004, refresh: 1002 });
        assert.deepEqual(
            Object.values(TERRAFORM_CALLS).map((cost) => cost.formula),
            ["5N + 1", "2N + 2", "2N + 4", "2N + 2"],
        );
    });

    it("expected throttling wait per call: p^n times half of base * 2^(n-1), for retries 1 to maxAttempts - 1", () => {
        assert.equal(expectedThrottleWaitMs(0, 5, 100), 0);
        // 0.5 * 50 + 0.25 * 100 + 0.125 * 200 + 0.0625 * 400
        assert.equal(expectedThrottleWaitMs(0.5, 5, 100), 100);
        // Only one retry with two attempts.
        assert.equal(expectedThrottleWaitMs(0.5, 2, 100), 25);
        assert.equal(expectedThrottleWaitMs(1, 1, 100), 0);
    });

    it("caps each wait as retry.ts does", () => {
        // Ceilings 100, 200, 300, 300 with a cap of 300 ms; every attempt throttled.
        assert.equal(expectedThrottleWaitMs(1, 5, 100, 300), 50 + 100 + 150 + 150);
    });

    it("refuses a throttling rate outside 0..1", () => {
        assert.throws(() => expectedThrottleWaitMs(1.5, 5, 100), { name: "RangeError", message: "throttle rate must be within 0..1, got 1.5" });
    });

    it("a run's expected back-off adds half the base for each propagation retry", () => {
        assert.equal(expectedBackoffMs({ throttleRate: 0, sequences: 600, propagationRetries: 200, maxAttempts: 5, baseDelayMs: 100 }), 10_000);
        assert.equal(expectedBackoffMs({ throttleRate: 0.5, sequences: 10, propagationRetries: 2, maxAttempts: 5, baseDelayMs: 100 }), 1000 + 100);
        assert.equal(expectedBackoffMs({ throttleRate: 1, sequences: 1, propagationRetries: 1, maxAttempts: 2, baseDelayMs: 100, capMs: 10 }), 5 + 5);
    });

    it("a goal's summary line says met or NOT met, then the row, the goal and the figure", () => {
        assert.equal(
            formatGoal({ row: "plan", goal: "1,000 users plan within 3x of 10 users", measured: "5.09x", met: false }),
            "goal NOT met  plan: 1,000 users plan within 3x of 10 users (measured 5.09x)",
        );
        assert.equal(formatGoal({ row: "api", goal: "N = 10: no more calls", measured: "91%", met: true }), "goal met      api: N = 10: no more calls (measured 91%)");
    });
});
