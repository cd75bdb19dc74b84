/** The status row's counts (bench): a fresh read GETs every record once; a cached poll only the changed ones. */
import * as assert from "node:assert/strict";
import { measureStatusRequests } from "./measureStatus";

describe("node status requests, counted by moto", function () {
    this.timeout(120_000);
    it("a fresh read is 1 LIST page, one GET per record and the roster's; a cached poll GETs only changed records", async () => {
        const m = await measureStatusRequests(40, 3);
        assert.deepEqual(m.fresh, { list: 1, get: 41, put: 0, ec2: 1, other: 0 });
        assert.deepEqual(m.cached, { list: 1, get: 3, put: 0, ec2: 1, other: 0 });
        assert.equal(m.behindAfter, 37);
    });
});
