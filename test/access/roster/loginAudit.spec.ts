/**
 * The login audit queries' parsing, against the lines they read: sshd's own line for a real login (real
 * sshd and ssh inside a mount namespace, test/scripts/node/agent/support), the agent's key and refusal lines
 * as its log part writes them, and stream names as the CloudWatch agent makes them. The fingerprint sshd
 * logs is the one the program computes for the user's key (the users output, the plan's table), so the
 * two join. CloudWatch Logs Insights itself cannot run here: its regexes are RE2, and these patterns use
 * only what RE2 and JavaScript read alike (named groups, classes, escapes).
 */
import * as assert from "node:assert/strict";
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { PATTERNS, QUERIES } from "../../../components/access/roster/loginAudit";
import { checkSshPublicKey } from "../../../components/sshPublicKey";
import { makeKeyPair, Node, ssh, type KeyPair } from "../../scripts/node/agent/support/node";

const groups = (pattern: string, line: string): Record<string, string> | undefined => new RegExp(pattern).exec(line)?.groups;

describe("login audit queries: parsing the lines they read", function () {
    this.timeout(60_000);
    let dir: string;
    let node: Node;
    let key: KeyPair;

    before(async () => {
        dir = mkdtempSync(path.join(tmpdir(), "pca-audit-"));
        node = await Node.start(path.join(dir, "home"));
        key = await makeKeyPair(dir, "alice-laptop");
        await node.execOk("useradd", ["-m", "-s", "/bin/bash", "alice"]);
        await node.execOk("install", ["-d", "-m", "700", "-o", "alice", "-g", "alice", "/home/alice/.ssh"]);
        await node.execOk("bash", ["-c", `printf '%s %s\\n' '${key.type}' '${key.blob}' > /home/alice/.ssh/authorized_keys && chown alice: /home/alice/.ssh/authorized_keys && chmod 600 /home/alice/.ssh/authorized_keys`]);
        await node.startSshd();
    });
    after(async () => {
        await node?.stop();
        rmSync(dir, { recursive: true, force: true });
    });

    it("reads user, address, key type and the program's fingerprint from real sshd's login line", async () => {
        const login = await ssh(node, "alice", key, "true");
        assert.equal(login.status, 0, login.stderr);
        const line = node.sshdLog.split("\n").find((l) => l.includes("Accepted publickey for alice"));
        assert.ok(line, `no login line in sshd's log:\n${node.sshdLog}`);
        const fields = groups(PATTERNS.acceptedLogin, line);
        const program = checkSshPublicKey(readFileSync(`${key.privateKey}.pub`, "utf8"));
        assert.ok(program.ok);
        assert.deepEqual({ ...fields, port: "P" }, { user: "alice", address: "127.0.0.1", port: "P", keyType: "ED25519", fingerprint: program.fingerprint });
        // The syslog form of the same line, as /var/log/secure (or auth.log) holds it and the stream ships it.
        assert.equal(groups(PATTERNS.acceptedLogin, `Dec  7 05:01:02 ip-10-0-1-17 sshd[4242]: ${line.trim()}`)?.fingerprint, program.fingerprint);
    });

    it("reads the agent's key line and its refusal line", () => {
        const keyLine = "2026-12-07T05:00:01Z roster-agent: key SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s user alice generation 12";
        assert.deepEqual({ ...groups(PATTERNS.keyOwner, keyLine) }, { fingerprint: "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s", user: "alice", generation: "12" });
        const refusal = `2026-12-07T05:00:01Z roster-agent: ERROR: refused the roster (ETag "9b2cf535f27731c974343645a3985328"): the signature does not verify with this node's key (forged, signed with another key, or truncated); nothing changed`;
        assert.deepEqual({ ...groups(PATTERNS.refusal, refusal) }, {
            etag: `"9b2cf535f27731c974343645a3985328"`,
            reason: "the signature does not verify with this node's key (forged, signed with another key, or truncated)",
        });
    });

    it("takes the instance id from a stream name, a hostname with dots included", () => {
        assert.equal(groups(PATTERNS.streamInstance, "ip-10-0-1-17.i-0abc1234def567890.sshd-auth")?.instanceId, "i-0abc1234def567890");
        assert.equal(groups(PATTERNS.streamInstance, "queue1-st-c5large-1.ec2.internal.i-0abc1234.pcluster-access-roster")?.instanceId, "i-0abc1234");
    });

    it("saves three queries, each parsing with exactly these patterns", () => {
        assert.deepEqual(QUERIES.map((query) => query.name), ["logins by user and key", "key owners by generation", "roster refusals by node"]);
        assert.ok(QUERIES[0].query.includes(`| parse @message /${PATTERNS.acceptedLogin}/`));
        assert.ok(QUERIES[2].query.includes(`| parse @message /${PATTERNS.refusal}/`));
        // Logs Insights ends a regex at an unescaped slash: none of the patterns has one.
        for (const pattern of Object.values(PATTERNS)) assert.doesNotMatch(pattern, /(?<!\\)\//);
    });
});
