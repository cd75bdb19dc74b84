/** The bench's roster row measurement, checked on a small roster: the exact requests of each operation. */
import * as assert from "node:assert/strict";
import { measureRosterCalls } from "./measureRoster";

describe("roster measurement (the bench's roster row, 5 users)", () => {
    it("create, rotate one, change all and revoke one are 1 kms:Sign and 1 write each; a no-op is nothing; a refresh 1 read", async () => {
        const counts = await measureRosterCalls(5);
        assert.deepEqual(counts, {
            users: 5,
            create: { writes: 1, reads: 0, signs: 1, otherKms: 0 },
            noop: { writes: 0, reads: 0, signs: 0, otherKms: 0 },
            rotateOne: { writes: 1, reads: 0, signs: 1, otherKms: 0 },
            changeAll: { writes: 1, reads: 0, signs: 1, otherKms: 0 },
            revokeOne: { writes: 1, reads: 0, signs: 1, otherKms: 0 },
            refresh: { writes: 0, reads: 1, signs: 0, otherKms: 0 },
        });
    });
});
