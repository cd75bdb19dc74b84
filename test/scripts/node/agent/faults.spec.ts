/**
 * Never act on doubt: every fetch failure and every document the agent cannot trust leaves the node's
 * account files byte-identical, runs no account command, exits 1 and says why in the log and, as an error
 * (auth.err, FORMAT.md: monitoring keyed on errors must see a node that cannot read its roster), in syslog. The bad
 * documents are served by moto; the HTTP faults moto cannot produce (403, 500, a body cut short) by
 * a loopback server (support/faultServer.ts) that the endpoint setting points at for one cycle.
 */
import * as assert from "node:assert/strict";
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { Cluster, ENVIRONMENT, ROSTER_URL } from "./support/cluster";
import { FaultServer } from "./support/faultServer";
import { freePort, makeKeyPair, Node } from "./support/node";
import { renderRoster, Roster, rosterBody, sealed, signed } from "./support/roster";

describe("roster-agent.sh never acts on doubt", function () {
    this.timeout(120_000);
    let cluster: Cluster;
    let head: Node;
    let good: Roster;
    let syslog: string;
    let logger: string;

    before(async () => {
        cluster = await Cluster.start();
        // A logger that records its arguments: what the agent sends to syslog, with its priority.
        syslog = path.join(cluster.dir, "syslog.log");
        logger = path.join(cluster.dir, "logger");
        writeFileSync(logger, `#!/bin/sh\nprintf '%s\\n' "$*" >>"${syslog}"\n`);
        chmodSync(logger, 0o755);
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
        writeFileSync(syslog, "");
        const result = await cluster.sync(head, { PCA_LOGGER: logger, ...env });
        assert.equal(result.status, 1, result.stderr);
        assert.deepEqual(snapshot(), before);
        assert.deepEqual(cluster.takeCommands(), []);
        return result.stderr.trimEnd().split("\n").at(-1)?.replace(/^\S+ /, "") ?? "";
    }

    async function refusedDocument(body: string, reason: string): Promise<void> {
        await cluster.publish(body);
        const line = await refusedCycle();
        assert.match(line, new RegExp(`^roster-agent: ERROR: refused the roster \\(ETag "[0-9a-f]{32}"\\): ${escape(reason)}; nothing changed$`));
        assert.match(readFileSync(syslog, "utf8"), new RegExp(`^-t roster-agent -p auth\\.err -- refused the roster \\(ETag "[0-9a-f]{32}"\\): ${escape(reason)}; nothing changed\n$`));
    }

    /** The one syslog line of a failed fetch: an error, with the CLI's reason. */
    function fetchFailure(detail: RegExp): void {
        const lines = readFileSync(syslog, "utf8").trimEnd().split("\n");
        assert.equal(lines.length, 1, lines.join("\n"));
        assert.ok(lines[0].startsWith(`-t roster-agent -p auth.err -- nothing changed this cycle: the roster could not be fetched: fetching ${ROSTER_URL} failed `), lines[0]);
        assert.match(lines[0], detail);
    }

    it("S3 unreachable", async () => {
        const closed = `http://127.0.0.1:${await freePort()}`;
        const line = await refusedCycle({ PCA_S3_ENDPOINT_URL: closed });
        assert.match(line, new RegExp(`^roster-agent: ERROR: nothing changed this cycle: the roster could not be fetched: fetching ${escape(ROSTER_URL)} failed \\(exit 255\\): .*Could not connect to the endpoint URL`));
        fetchFailure(/failed \(exit 255\): .*Could not connect to the endpoint URL/);
    });

    it("the roster object gone (NoSuchKey)", async () => {
        const line = await refusedCycle({ PCA_ROSTER_URL: `${ROSTER_URL}.missing` });
        assert.match(line, /^roster-agent: ERROR: nothing changed this cycle: the roster could not be fetched: fetching .*\.missing failed \(exit 254\): .*NoSuchKey/);
        const lines = readFileSync(syslog, "utf8").trimEnd().split("\n");
        assert.deepEqual(lines.map((l) => l.split(" -- ")[0]), ["-t roster-agent -p auth.err"]);
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
                assert.ok(line.startsWith(`roster-agent: ERROR: nothing changed this cycle: the roster could not be fetched: fetching ${ROSTER_URL} ${error}`), line);
                assert.equal(server.requests.length, 1);
                assert.match(server.requests[0], /^GET \/pca-hpc-dev-roster\/roster\/hpc-dev\.txt/);
                fetchFailure(new RegExp(escape(error)));
            } finally {
                await server.close();
            }
        });
    }

    it("a truncated object (cut at a line end: no signature line)", async () => {
        const whole = renderRoster({ ...good, generation: 6 });
        await refusedDocument(whole.slice(0, whole.lastIndexOf("user bob")), "the last line is not a signature line (unsigned, truncated or corrupt)");
    });

    it("a truncated object (cut mid-line)", async () => {
        const whole = renderRoster({ ...good, generation: 6 });
        await refusedDocument(whole.slice(0, whole.length - 10), "the last line does not end with a line feed (truncated)");
    });

    it("garbage", async () => {
        await refusedDocument("\u0000\u00ff<html>Service Unavailable</html>\r\n", "the document has bytes that are not printable ASCII");
    });

    it("a body that does not match its checksum (a UID changed after sealing, then signed)", async () => {
        const whole = sealed(rosterBody({ ...good, generation: 6 }));
        await refusedDocument(signed(whole.replace("user alice 2001", "user alice 2009")),
            "the end line's SHA-256 does not match the document (corrupt or truncated)");
    });

    it("an older generation", async () => {
        await refusedDocument(renderRoster({ ...good, generation: 4 }), "generation 4 is lower than the applied 5");
    });

    it("a later format whose envelope is not one (line 4 must be the agent line, FORMAT.md)", async () => {
        const body = rosterBody({ ...good, generation: 6 }).replace(/^agent [0-9a-f]{64}\n/m, "");
        await refusedDocument(signed(sealed(body)), "line 4 is not 'agent SHA256' (lowercase hex)");
    });

    it("an unknown format version", async () => {
        await refusedDocument(renderRoster({ ...good, generation: 6 }, 3), "unknown format version 3 (this agent knows 2)");
    });

    it("another environment's roster", async () => {
        await refusedDocument(renderRoster({ ...good, generation: 6, environment: "hpc-prod" }),
            "the document is for environment 'hpc-prod', this node is in 'hpc-dev'");
    });

    it("a line that breaks the rules: sudo for a blocked user", async () => {
        const body = rosterBody({ ...good, generation: 6 }).replace("user bob 2002 2002 blocked nosudo -", "user bob 2002 2002 blocked sudo -");
        await refusedDocument(signed(sealed(body)), "line 10: sudo 'sudo' (only allowed users may have sudo)");
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
