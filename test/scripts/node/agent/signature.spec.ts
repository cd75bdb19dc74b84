/**
 * The signed roster on a node (issue 19): the agent verifies the signature with real openssl against the
 * public key post-install gave it, before it reads anything else. Every document that this
 * environment's key did not sign over exactly these bytes is refused: the node's account files stay
 * byte-identical, no account command runs, and the refusal goes to syslog as an error.
 */
import * as assert from "node:assert/strict";
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { OTHER_SIGNING_KEY_FILE } from "../../../support/rosterSigning";
import { Cluster, ENVIRONMENT } from "./support/cluster";
import { KeyPair, makeKeyPair, Node, ssh } from "./support/node";
import { renderRoster, Roster, rosterBody, sealed } from "./support/roster";

describe("roster-agent.sh applies only what this environment signed", function () {
    this.timeout(120_000);
    let cluster: Cluster;
    let head: Node;
    let alice: KeyPair;
    let mallory: KeyPair;
    let good: Roster;
    let syslog: string;

    before(async () => {
        cluster = await Cluster.start();
        head = await cluster.addNode("HeadNode");
        alice = await makeKeyPair(cluster.dir, "alice");
        mallory = await makeKeyPair(cluster.dir, "mallory");
        // A logger that records its arguments: what the agent sends to syslog.
        syslog = path.join(cluster.dir, "syslog.log");
        const logger = path.join(cluster.dir, "logger");
        writeFileSync(logger, `#!/bin/sh\nprintf '%s\\n' "$*" >>"${syslog}"\n`);
        chmodSync(logger, 0o755);
        good = { environment: ENVIRONMENT, generation: 5, users: [{ name: "alice", uid: 2001, keys: [alice] }] };
        await cluster.publish(good);
        await cluster.syncOk(head);
        await head.startSshd();
    });
    after(async () => cluster?.close());

    /** Every file the agent could change on the node, by content. */
    function snapshot(): Record<string, string> {
        const files = ["passwd", "group", "shadow", "gshadow", "sudoers.d/pcluster-access", "ssh/sshd_config"].map((f) => head.etc(f));
        const keysDir = head.etc("pcluster-access/authorized_keys");
        files.push(...readdirSync(keysDir).map((f) => path.join(keysDir, f)));
        const state = path.join(head.dir, "var/lib/pcluster-access/roster");
        files.push(...["generation", "etag", "retired", "groups"].map((f) => path.join(state, f)));
        return Object.fromEntries(files.map((f) => [f, existsSync(f) ? readFileSync(f, "latin1") : "absent"]));
    }

    /** Publishes `body`, runs one cycle (with `env`) that must change nothing and refuse with `reason`, logged to syslog as an error. */
    async function refused(body: string, reason: string, env: NodeJS.ProcessEnv = {}): Promise<void> {
        await cluster.publish(body);
        const before = snapshot();
        cluster.takeCommands();
        writeFileSync(syslog, "");
        const result = await cluster.sync(head, { PCA_LOGGER: path.join(cluster.dir, "logger"), ...env });
        assert.equal(result.status, 1, result.stderr);
        assert.deepEqual(snapshot(), before);
        assert.deepEqual(cluster.takeCommands(), []);
        const line = result.stderr.trimEnd().split("\n").at(-1)?.replace(/^\S+ /, "") ?? "";
        assert.match(line, new RegExp(`^roster-agent: ERROR: refused the roster \\(ETag "[0-9a-f]{32}"\\): ${escape(reason)}; nothing changed$`));
        assert.match(readFileSync(syslog, "utf8"), new RegExp(`^-t roster-agent -p auth\\.err -- refused the roster \\(ETag "[0-9a-f]{32}"\\): ${escape(reason)}; nothing changed\n$`));
        // Mallory, whom every bad document below lets in, still cannot log in; alice still can.
        assert.equal((await ssh(head, "mallory", mallory, "true")).status, 255);
        assert.equal((await ssh(head, "alice", alice, "id -u")).stdout, "2001\n");
    }

    /** The good roster with mallory added, as an attacker who can write the bucket would publish it. */
    const withMallory = (generation: number): Roster => ({
        ...good, generation, users: [...good.users, { name: "mallory", uid: 2666, sudo: true, keys: [mallory] }],
    });

    const BAD_SIGNATURE = "the signature does not verify with this node's key (forged, signed with another key, or truncated)";

    it("a forged document: a signed one with a line changed and its end line recomputed", async () => {
        const genuine = renderRoster({ ...good, generation: 6 });
        const signature = genuine.slice(genuine.lastIndexOf("signature "));
        const forged = sealed(rosterBody(withMallory(6))) + signature;
        await refused(forged, BAD_SIGNATURE);
    });

    it("a document re-signed with another key", async () => {
        await refused(renderRoster(withMallory(7), 2, OTHER_SIGNING_KEY_FILE), BAD_SIGNATURE);
    });

    it("a truncated signature", async () => {
        const whole = renderRoster(withMallory(8));
        const cut = whole.slice(0, whole.length - 9) + "\n";
        await refused(cut, BAD_SIGNATURE);
    });

    it("a stripped signature: the document through its end line only", async () => {
        await refused(sealed(rosterBody(withMallory(9))), "the last line is not a signature line (unsigned, truncated or corrupt)");
    });

    it("a signature that is not base64, and one that is not a DER signature", async () => {
        await refused(`${sealed(rosterBody(withMallory(10)))}signature ecdsa-p256-sha256 not*base64\n`,
            "the last line is not a signature line (unsigned, truncated or corrupt)");
        await refused(`${sealed(rosterBody(withMallory(10)))}signature ecdsa-p256-sha256 AAAA\n`, BAD_SIGNATURE);
    });

    it("a valid signature over a different generation: moved onto another body, or an older signed document replayed", async () => {
        // The genuine signature of generation 11 under a body that says generation 12.
        const genuine = renderRoster({ ...good, generation: 11 });
        const moved = sealed(rosterBody({ ...good, generation: 12 })) + genuine.slice(genuine.lastIndexOf("signature "));
        await refused(moved, BAD_SIGNATURE);
        // A whole older document, validly signed: refused by its generation.
        await refused(renderRoster({ ...good, generation: 4 }), "generation 4 is lower than the applied 5");
    });

    it("a signature line that is not the last line: anything appended after it", async () => {
        await refused(`${renderRoster(withMallory(13))}user mallory 2666 2666 allowed sudo -\n`,
            "the last line is not a signature line (unsigned, truncated or corrupt)");
    });

    // Doubt changes nothing: a node that cannot check a signature applies nothing, not even what this environment
    // signed (here a genuine document that lets mallory in: a node that skipped the check would let her in).
    it("openssl missing: every document is refused, a genuine one too", async () => {
        await refused(renderRoster(withMallory(14)), "/nonexistent/openssl is not installed: the signature cannot be checked", { PCA_OPENSSL: "/nonexistent/openssl" });
    });

    it("openssl that fails to run (exits 1, says nothing): every document is refused, a genuine one too", async () => {
        await refused(renderRoster(withMallory(14)), BAD_SIGNATURE, { PCA_OPENSSL: "/bin/false" });
    });

    it("the next document this environment signed is applied", async () => {
        await cluster.publish(renderRoster({ ...good, generation: 14, users: [...good.users, { name: "bob", uid: 2002, keys: [mallory] }] }));
        await cluster.syncOk(head);
        assert.equal((await ssh(head, "bob", mallory, "id -u")).stdout, "2002\n");
    });
});

function escape(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
