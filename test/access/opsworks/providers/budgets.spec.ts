/**
 * The API-call budgets of issue 3, measured as requests the emulator received, and convergence under
 * injected throttling. Terraform's removed resources, for comparison: 5 calls to create a user, 2N+2
 * for a no-change plan, 2N+4 to change one key.
 */
import * as assert from "node:assert/strict";
import { measureThrottledCreate, measureUserCalls } from "./measure";

describe("OpsWorks API-call budgets", () => {
    it("N=10 users: create 2 calls each, no-op 0, rotating one key 1, refresh 2 per user", async () => {
        const counts = await measureUserCalls(10);
        assert.deepEqual(
            { create: counts.create, noop: counts.noop, rotateOne: counts.rotateOne, refresh: counts.refresh },
            { create: 20, noop: 0, rotateOne: 1, refresh: 20 },
        );
    });

    it("while new users propagate, each create adds exactly one retried SetPermission", async () => {
        const counts = await measureUserCalls(10, { propagationFailures: 1 });
        assert.equal(counts.create, 30);
        assert.equal(counts.noop, 0);
    });

    it("with 30% of calls throttled, 50 users are created in one run with 10 attempts per call", async () => {
        const result = await measureThrottledCreate(50, { rate: 0.3, seed: 1, maxAttempts: 10 });
        assert.deepEqual(result.failed, []);
        assert.equal(result.createdFirstPass, 50);
        assert.deepEqual(result.stored, { profiles: 50, sshPermissions: 50 });
        assert.ok(result.throttled > 0, "the emulator throttled nothing");
        assert.equal(result.requests, 150 + result.throttled, "every request beyond 2 per user and 1 propagation retry was a throttled one");
    });

    it("with 30% throttled and only 5 attempts, re-running up completes every user without error", async () => {
        const result = await measureThrottledCreate(50, { rate: 0.3, seed: 1, maxAttempts: 5, maxPasses: 3 });
        assert.deepEqual(result.failed, []);
        assert.deepEqual(result.stored, { profiles: 50, sshPermissions: 50 });
    });
});
