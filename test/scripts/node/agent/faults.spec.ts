/**
 * Never act on doubt: every fetch failure and every document the agent cannot trust leaves the node's
 * account files byte-identical, runs no account command, exits 1 and says why in the log. The bad
 * documents are served by moto; the HTTP faults moto cannot produce (403, 500, a body cut short) by
 * a loopback server (support/faultServer.ts) that the endpoint setting points at for one cycle.
 */
import * as assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { Cluster, ENVIRONMENT, ROSTER_URL } from "./support/cluster";
import { FaultServer } from "./support/faultServer";
import { freePort, makeKeyPair, Node } from "./support/node";
import { renderRoster, Roster, rosterBody, sealed } from "./support/roster";

describe("roster-agent.sh never acts on doubt", function () {
    this.timeout(120_000);
    let cluster: Cluster;
    let head: Node;
    let good: Roster;

    before(async () => {
        cluster = await Cluster.start();
        head = await cluster.addNode("HeadNode");
        const key = await makeKeyPair(cluster.dir, "alice");
        good = {
            environment: ENVIRONMENT, generation: 5,
            groups: [{ name: "cfd", gid: 3001, members: ["alice"] }],
            users: [{ name: "alice", uid: 2001, sudo: true, keys: [key] }, { name: "bob", uid: 2002, state: "blocked" }],
        };
        await cluster.publish(good);
        await cluster.syncOk(head);
    });
    after(async () => cluster?.close());

    /** Every file the agent could change on the node, by content. */
    function snapshot(): Record<string, string> {
        const files = ["passwd", "group", "shadow", "gshadow", "sudoers.d/pcluster-access", "ssh/sshd_config"].map((f) => head.etc(f));
        const keysDir = head.etc("pcluster-access/authorized_keys");
        files.push(...readdirSync(keysDir).map((f) => path.join(keysDir, f)));
        const state = path.join(head.dir, "var/lib/pcluster-access/roster");
        files.push(path.join(state, "generation"), path.join(state, "etag"), path.join(state, "retired"), path.join(state, "groups"));
        return Object.fromEntries(files.map((f) => [f, existsSync(f) ? readFileSync(f, "latin1") : "absent"]));
    }

    /** One cycle that must change nothing; returns its last log line. */
    async function refusedCycle(env: NodeJS.ProcessEnv = {}): Promise<string> {
        const before = snapshot();
        cluster.takeCommands();
        const result = await cluster.sync(head, env);
        assert.equal(result.status, 1, result.stderr);
        assert.deepEqual(snapshot(), before);
        assert.deepEqual(cluster.takeCommands(), []);
        return result.stderr.trimEnd().split("\n").at(-1)?.replace(/^\S+ /, "") ?? "";
    }

    async function refusedDocument(body: string, reason: string): Promise<void> {
        await cluster.publish(body);
        const line = await refusedCycle();
        assert.match(line, new RegExp(`^roster-agent: WARNING: refused the roster \\(ETag "[0-9a-f]{32}"\\): ${escape(reason)}; nothing changed$`));
    }

    it("S3 unreachable", async () => {
        const closed = `http://127.0.0.1:${await freePort()}`;
        const line = await refusedCycle({ PCA_S3_ENDPOINT_URL: closed });
        assert.equal(line, "roster-agent: WARNING: nothing changed this cycle: the roster could not be fetched");
        const log = await head.execOk("tail", ["-n", "2", "/var/log/pcluster-access-roster.log"]);
        assert.match(log, new RegExp(`WARNING: fetching ${escape(ROSTER_URL)} failed \\(exit 255\\): .*Could not connect to the endpoint URL`));
    });

    for (const [fault, error] of [
        ["403", "failed (exit 254):  An error occurred (AccessDenied) when calling the GetObject operation (reached max retries: 0): Access Denied"],
        ["500", "failed (exit 254):  An error occurred (InternalError) when calling the GetObject operation (reached max retries: 0)"],
        ["cut", "failed (exit 255):  45 read, but total bytes expected is 4096."],
    ] as const) {
        it(`S3 answers ${fault === "cut" ? "200 with a body cut short of its Content-Length" : fault}`, async () => {
            const server = await FaultServer.start(fault);
            try {
                const line = await refusedCycle({ PCA_S3_ENDPOINT_URL: server.url });
                assert.equal(line, "roster-agent: WARNING: nothing changed this cycle: the roster could not be fetched");
                assert.equal(server.requests.length, 1);
                assert.match(server.requests[0], /^GET \/pca-hpc-dev-roster\/roster\/hpc-dev\.txt/);
                const log = await head.execOk("tail", ["-n", "2", "/var/log/pcluster-access-roster.log"]);
                assert.ok(log.includes(error), log);
            } finally {
                await server.close();
            }
        });
    }

    it("a truncated object (cut at a line end: no end line)", async () => {
        const whole = renderRoster({ ...good, generation: 6 });
        await refusedDocument(whole.slice(0, whole.lastIndexOf("user bob")), "the last line is not an end line (truncated or corrupt)");
    });

    it("a truncated object (cut mid-line)", async () => {
        const whole = renderRoster({ ...good, generation: 6 });
        await refusedDocument(whole.slice(0, whole.length - 10), "the last line does not end with a line feed (truncated)");
    });

    it("garbage", async () => {
        await refusedDocument("\u0000\u00ff<html>Service Unavailable</html>\r\n", "the document has bytes that are not printable ASCII");
    });

    it("a body that does not match its checksum (a UID changed after sealing)", async () => {
        const whole = renderRoster({ ...good, generation: 6 });
        await refusedDocument(whole.replace("user alice 2001", "user alice 2009"),
            "the end line's SHA-256 does not match the document (corrupt or truncated)");
    });

    it("an older generation", async () => {
        await refusedDocument(renderRoster({ ...good, generation: 4 }), "generation 4 is lower than the applied 5");
    });

    it("a later format whose envelope is not one (line 4 must be the agent line, FORMAT-2.md)", async () => {
        await refusedDocument(renderRoster({ ...good, generation: 6 }, 2), "line 4 is not 'agent SHA256' (lowercase hex)");
    });

    it("another environment's roster", async () => {
        await refusedDocument(renderRoster({ ...good, generation: 6, environment: "hpc-prod" }),
            "the document is for environment 'hpc-prod', this node is in 'hpc-dev'");
    });

    it("a line that breaks the rules: sudo for a blocked user", async () => {
        const body = rosterBody({ ...good, generation: 6 }).replace("user bob 2002 2002 blocked nosudo", "user bob 2002 2002 blocked sudo");
        await refusedDocument(sealed(body), "line 7: sudo 'sudo' (only allowed users may have sudo)");
    });

    it("the same generation again is not applied again, and the next good one is", async () => {
        await cluster.publish(renderRoster({ ...good, users: [good.users[0]] }));
        const same = await cluster.syncOk(head);
        assert.match(same.stderr, /roster generation 5 is already applied: nothing to do\n$/);
        assert.equal((await head.execOk("getent", ["passwd", "bob"])).split(":")[0], "bob");
        await cluster.publish({ ...good, generation: 6, users: [{ ...good.users[0], sudo: false }, good.users[1]] });
        await cluster.syncOk(head);
        assert.equal(readFileSync(head.etc("sudoers.d/pcluster-access"), "utf8").includes("alice"), false);
    });
});

function escape(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
