/**
 * The node agent judged as an HPC administrator would: real sshd, real ssh client and keys, real
 * accounts and sudo, in a namespace that plays the head node. Each test publishes a whole roster with a
 * higher generation, runs one cycle, and checks what a user sees.
 */
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Cluster, ENVIRONMENT } from "./support/cluster";
import { hostAccountFiles } from "./support/host";
import { KeyPair, makeKeyPair, Node, NODE_PATH, ssh } from "./support/node";
import { Roster, RosterGroup, RosterUser } from "./support/roster";

describe("roster-agent.sh on a head node: logins, sudo, groups, blocking and revoking", function () {
    this.timeout(120_000);
    const hostBefore = hostAccountFiles();
    let cluster: Cluster;
    let head: Node;
    let keysDir: string;
    let keys: Record<string, KeyPair>;
    let generation = 10;

    before(async () => {
        keysDir = mkdtempSync(path.join(tmpdir(), "pca-keys-"));
        keys = {};
        for (const name of ["alice", "alice2", "adam", "bob", "carol", "dave", "mallory"]) keys[name] = await makeKeyPair(keysDir, name);
        cluster = await Cluster.start();
        head = await cluster.addNode("HeadNode");
        await cluster.publish(roster());
        await cluster.syncOk(head);
        // Started after the first cycle, as on a node: post-install runs before users log in.
        await head.startSshd();
        // A group-owned setgid project directory, as an administrator makes one on shared storage.
        await head.execOk("/bin/sh", ["-c", "mkdir -m 2770 /home/cfd-share && chgrp cfd /home/cfd-share"]);
    });
    after(async () => {
        await cluster?.close();
        rmSync(keysDir, { recursive: true, force: true });
    });

    const alice: RosterUser = { name: "alice", uid: 2001, sudo: true };
    const bob: RosterUser = { name: "bob", uid: 2002 };
    // A private GID other than the UID: created with groupadd, where the others take useradd -U.
    const adam: RosterUser = { name: "adam", uid: 2003, gid: 2103 };
    const carol: RosterUser = { name: "carol", uid: 2004 };
    const cfd = (members: string[]): RosterGroup => ({ name: "cfd", gid: 3001, members });

    /** The base roster, with any user replaced by name and the cfd group's members. */
    function roster(changes: RosterUser[] = [], members = ["adam", "alice"]): Roster {
        const users = new Map([alice, bob, adam, carol].map((u) => [u.name, u]));
        for (const change of changes) users.set(change.name, change);
        return {
            environment: ENVIRONMENT,
            generation: generation++,
            groups: [cfd(members)],
            users: [...users.values()].map((u) => ({ ...u, keys: u.keys ?? (u.state && u.state !== "allowed" ? [] : [keys[u.name]]) })),
        };
    }

    async function publishAndSync(r: Roster): Promise<void> {
        await cluster.publish(r);
        await cluster.syncOk(head);
    }

    it("an allowed user logs in with the roster's key and gets the roster's UID, GID and groups", async () => {
        const result = await ssh(head, "alice", keys.alice, "id");
        assert.equal(result.status, 0, result.stderr);
        assert.equal(result.stdout, "uid=2001(alice) gid=2001(alice) groups=2001(alice),999(pcluster-access),3001(cfd)\n".replace(
            "999", (await head.execOk("getent", ["group", "pcluster-access"])).split(":")[2]));
        const adamId = await ssh(head, "adam", keys.adam, "id -u; id -g");
        assert.equal(adamId.stdout, "2003\n2103\n");
    });

    it("refuses another user's key and an unknown user", async () => {
        assert.equal((await ssh(head, "alice", keys.bob, "true")).status, 255);
        assert.equal((await ssh(head, "mallory", keys.mallory, "true")).status, 255);
    });

    it("sudo: the sudo user can `sudo -n true`, the others cannot", async () => {
        const yes = await ssh(head, "alice", keys.alice, "sudo -n true");
        assert.equal(yes.status, 0, yes.stderr);
        const no = await ssh(head, "bob", keys.bob, "sudo -n true");
        assert.equal(no.status, 1);
        assert.match(no.stderr, /sudo: a password is required/);
        assert.equal(readFileSync(head.etc("sudoers.d/pcluster-access"), "utf8"),
            "# pcluster-access: sudo for the roster's users. Written by roster-agent.sh; do not edit.\nalice ALL=(ALL) NOPASSWD:ALL\n");
        assert.equal((statSync(head.etc("sudoers.d/pcluster-access")).mode & 0o777).toString(8), "440");
    });

    it("the head node created each home with the skeleton and an intra-cluster key pair that logs in", async () => {
        const listing = await head.execOk("/bin/sh", ["-c", "stat -c '%a %U %G %n' /home/alice /home/alice/.ssh /home/alice/.ssh/id_ed25519 /home/alice/.bashrc"]);
        assert.equal(listing, [
            "700 alice alice /home/alice", "700 alice alice /home/alice/.ssh",
            "600 alice alice /home/alice/.ssh/id_ed25519", "644 alice alice /home/alice/.bashrc", "",
        ].join("\n"));
        // MPI over SSH: from a session, the user's own cluster key reaches the node again.
        const hop = await ssh(head, "alice", keys.alice,
            `ssh -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -p ${head.port} alice@127.0.0.1 id -u`);
        assert.equal(hop.stdout, "2001\n", hop.stderr);
    });

    it("project group: a member writes to the setgid directory; once removed, a new session after one cycle cannot", async () => {
        const write = await ssh(head, "adam", keys.adam, "touch /home/cfd-share/adam.txt && stat -c %G /home/cfd-share/adam.txt");
        assert.equal(write.stdout, "cfd\n", write.stderr);
        const outsider = await ssh(head, "bob", keys.bob, "touch /home/cfd-share/bob.txt");
        assert.equal(outsider.status, 1);

        await publishAndSync(roster([], ["alice"]));
        assert.equal((await head.execOk("getent", ["group", "cfd"])).trim(), "cfd:x:3001:alice");
        const after = await ssh(head, "adam", keys.adam, "id -G; touch /home/cfd-share/adam2.txt");
        assert.equal(after.stdout, "2103 " + (await head.execOk("getent", ["group", "pcluster-access"])).split(":")[2] + "\n");
        assert.equal(after.status, 1);
        assert.match(after.stderr, /Permission denied/);
    });

    it("key rotation: after one cycle the old key is refused and the new one accepted", async () => {
        await publishAndSync(roster([{ ...alice, keys: [keys.alice2] }]));
        assert.equal((await ssh(head, "alice", keys.alice, "true")).status, 255);
        assert.equal((await ssh(head, "alice", keys.alice2, "id -u")).stdout, "2001\n");
        assert.equal(readFileSync(head.etc("pcluster-access/authorized_keys/alice"), "utf8"),
            `${keys.alice2.type} ${keys.alice2.blob} alice@${ENVIRONMENT}\n`);
    });

    it("blocked: refused with every key, home and UID kept; unblocked: accepted again", async () => {
        await ssh(head, "bob", keys.bob, "echo results > ~/results.txt");
        await publishAndSync(roster([{ ...bob, state: "blocked" }]));
        assert.equal((await ssh(head, "bob", keys.bob, "true")).status, 255);
        assert.equal(existsSync(head.etc("pcluster-access/authorized_keys/bob")), false);
        assert.equal((await head.execOk("getent", ["passwd", "bob"])).split(":")[2], "2002");
        assert.equal(await head.execOk("cat", ["/home/bob/results.txt"]), "results\n");
        // Bob's own ~/.ssh/authorized_keys does not let him in either: the account is expired.
        await head.execOk("/bin/sh", ["-c", `cat /etc/pcluster-access/authorized_keys/alice >> /home/bob/.ssh/authorized_keys`]);
        assert.equal((await ssh(head, "bob", keys.alice2, "true")).status, 255);

        await publishAndSync(roster());
        const back = await ssh(head, "bob", keys.bob, "id -u; cat ~/results.txt");
        assert.equal(back.stdout, "2002\nresults\n", back.stderr);
    });

    it("revoked: refused, sessions ended, account and sudo gone, home kept; its UID is never given to a later user", async () => {
        await ssh(head, "carol", keys.carol, "echo thesis > ~/thesis.txt");
        const session = spawn("ssh", ["-F", "/dev/null", "-i", keys.carol.privateKey, "-p", String(head.port), "-o", "BatchMode=yes",
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "carol@127.0.0.1", "sleep 300"],
        { env: { PATH: NODE_PATH, HOME: keysDir }, stdio: "ignore" });
        const ended = new Promise<number | null>((resolve) => session.on("exit", (code) => resolve(code)));
        await waitFor(async () => (await head.exec("pgrep", ["-u", "2004", "sleep"])).status === 0);

        await publishAndSync(roster([{ ...carol, state: "revoked" }]));
        assert.equal(await ended, 255);
        assert.equal((await ssh(head, "carol", keys.carol, "true")).status, 255);
        assert.equal((await head.exec("getent", ["passwd", "carol"])).status, 2);
        assert.equal((await head.exec("getent", ["group", "carol"])).status, 2);
        assert.equal(await head.execOk("stat", ["-c", "%u %g %n", "/home/carol/thesis.txt"]), "2004 2004 /home/carol/thesis.txt\n");
        assert.equal(existsSync(head.etc("pcluster-access/authorized_keys/carol")), false);
        assert.equal(await head.execOk("cat", ["/var/lib/pcluster-access/roster/retired"]), "2004 carol\n");

        // A roster that gives the tombstone's UID to a new user is not a valid document: nothing changes.
        const passwd = readFileSync(head.etc("passwd"), "utf8");
        await cluster.publish(roster([{ ...carol, state: "revoked" }, { name: "dave", uid: 2004, keys: [keys.dave] }]));
        assert.equal((await cluster.sync(head)).status, 1);
        assert.equal(readFileSync(head.etc("passwd"), "utf8"), passwd);
        // Nor does one that forgot the tombstone: the node remembers the retired UID and skips the user.
        await publishAndSync({ ...roster(), users: roster().users.filter((u) => u.name !== "carol").concat({ name: "dave", uid: 2004, keys: [keys.dave] }) });
        assert.equal((await head.exec("getent", ["passwd", "dave"])).status, 2);
        assert.equal((await head.exec("getent", ["passwd", "2004"])).status, 2);
        // A later user with a fresh UID is created as usual.
        await publishAndSync(roster([{ ...carol, state: "revoked" }, { name: "dave", uid: 2005, keys: [keys.dave] }]));
        assert.equal((await ssh(head, "dave", keys.dave, "id -u")).stdout, "2005\n");
    });

    it("a no-op cycle makes exactly one S3 request and runs no account command", async () => {
        cluster.takeCommands();
        await cluster.moto.startRecording();
        const result = await cluster.syncOk(head);
        const requests = await cluster.moto.recordedRequests();
        assert.deepEqual(requests.map((r) => r.replace(/\?.*$/, "")), [`GET /pca-hpc-dev-roster/roster/hpc-dev.txt`]);
        assert.deepEqual(cluster.takeCommands(), []);
        assert.match(result.stderr, /roster-agent: roster unchanged \(304\): nothing to do\n$/);
    });

    it("left the host's account files, sudoers and sshd config untouched", () => {
        assert.deepEqual(hostAccountFiles(), hostBefore);
    });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!(await check())) {
        if (Date.now() > until) throw new Error("timed out waiting");
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
}
