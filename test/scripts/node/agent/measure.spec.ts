/**
 * The bench's agent measurement on a small roster, with its exact counts: what the bench row reports for
 * 1,000 users is checked here for 20.
 */
import * as assert from "node:assert/strict";
import { measureAgent } from "./measureAgent";

describe("agent measurement (the bench's agent row, 20 users)", function () {
    this.timeout(120_000);

    it("first apply, a no-op cycle, one user blocked, logins: exact requests and commands", async () => {
        const m = await measureAgent(20, 2, 3);
        assert.equal(m.firstApply.exitStatus, 0);
        assert.equal(m.firstApply.awsRequests, 1);
        // The account files in one batch under shadow's lock (chpasswd -e holds it); per user on the head node
        // only the home's ssh-keygen and chown; groupadd once for the marker group, one visudo check.
        const tools = (commands: string[]): Record<string, number> =>
            commands.reduce<Record<string, number>>((counts, c) => ({ ...counts, [c.split(" ")[0]]: (counts[c.split(" ")[0]] ?? 0) + 1 }), {});
        assert.deepEqual(tools(m.firstApply.accountCommands), { groupadd: 1, chpasswd: 1, "ssh-keygen": 20, chown: 20, visudo: 1 });

        assert.deepEqual({ ...m.noOp, wallMs: 0 }, { exitStatus: 0, wallMs: 0, awsRequests: 1, accountCommands: [], agentRuns: [], changedAccountLines: [] });
        // The compute node's first apply: the same batch, no homes (no ssh-keygen, no chown).
        assert.deepEqual(tools(m.computeFirstApply.accountCommands), { groupadd: 1, chpasswd: 1, visudo: 1 });

        assert.equal(m.oneChanged.user, "user00011");
        assert.deepEqual(m.oneChanged.accountCommands, ["chpasswd -e"]);
        assert.deepEqual(m.oneChanged.agentRuns, ["write /etc/shadow (one write each, under shadow's lock)", "rm -f /etc/pcluster-access/authorized_keys/user00011"]);
        assert.deepEqual(m.oneChanged.changedAccountLines.map((l) => l.replace(/:\d{5}:/, ":DAYS:")), ["shadow: user00011:*:DAYS:::::1:"]);
        assert.equal(m.oneChanged.awsRequests, 1);
        assert.deepEqual({ ...m.logins, medianMs: 0 }, { count: 3, awsRequests: 0, medianMs: 0, ok: 3 });
    });
});
