/**
 * The account files written in one batch under shadow-utils' own lock, as shadow writes them, and every way a
 * cycle can fail to write them without recording the generation: another process holding the lock (an
 * administrator's vipw: useradd waits about 15 s, then fails), the marker group that cannot be created. The
 * next cycle completes the generation. Then renames: the account follows its UID.
 */
import * as assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { Cluster, ENVIRONMENT } from "./support/cluster";
import { KeyPair, Node, ssh } from "./support/node";
import { Roster, RosterUser } from "./support/roster";

describe("roster-agent.sh account files: one batch under shadow's lock", function () {
    this.timeout(120_000);
    let cluster: Cluster;
    let keys: Record<string, KeyPair>;

    before(async () => {
        cluster = await Cluster.start();
        keys = await cluster.makeKeys(["alice", "bob", "carol"]);
    });
    after(async () => cluster?.close());

    const user = (name: string, uid: number, extra: Partial<RosterUser> = {}): RosterUser => ({ name, uid, keys: [keys[name] ?? keys.alice], ...extra });
    const generationOf = (node: Node): string => readFileSync(path.join(node.dir, "var/lib/pcluster-access/roster/generation"), "utf8");
    const lines = (node: Node, file: string, names: string[]): string[] =>
        readFileSync(node.etc(file), "utf8").split("\n").filter((l) => names.includes(l.split(":")[0]));

    it("writes lines shadow's own checkers accept, with a backup and the files' owners and modes kept", async () => {
        const node = await cluster.addNode("ComputeFleet");
        const modes = await node.execOk("stat", ["-c", "%a %U %G %n", "/etc/passwd", "/etc/group", "/etc/shadow", "/etc/gshadow"]);
        const passwdBefore = readFileSync(node.etc("passwd"), "utf8");
        await cluster.publish({
            environment: ENVIRONMENT, generation: 1, groups: [{ name: "cfd", gid: 3001, members: ["alice", "bob"] }],
            users: [user("alice", 2001, { sudo: true }), user("bob", 2002, { state: "blocked", keys: [] })],
        });
        await cluster.syncOk(node);
        assert.equal(await node.execOk("stat", ["-c", "%a %U %G %n", "/etc/passwd", "/etc/group", "/etc/shadow", "/etc/gshadow"]), modes);
        assert.equal(readFileSync(node.etc("passwd-"), "utf8"), passwdBefore);
        assert.deepEqual(lines(node, "passwd", ["alice", "bob"]), ["alice:x:2001:2001:pcluster-access:/home/alice:/bin/bash", "bob:x:2002:2002:pcluster-access:/home/bob:/bin/bash"]);
        const today = Math.floor(Date.now() / 86_400_000);
        assert.deepEqual(lines(node, "shadow", ["alice", "bob"]).map((l) => l.replace(`:${today}:`, ":TODAY:")), ["alice:*:TODAY::::::", "bob:*:TODAY:::::1:"]);
        // Project groups are made first (the user loop adds their members), then each user's private group.
        assert.deepEqual(lines(node, "group", ["alice", "bob", "cfd"]), ["cfd:x:3001:alice,bob", "alice:x:2001:", "bob:x:2002:"]);
        assert.deepEqual(lines(node, "gshadow", ["alice", "bob", "cfd"]), ["cfd:!::alice,bob", "alice:!::", "bob:!::"]);
        assert.match((await node.execOk("getent", ["group", "pcluster-access"])).trim(), /^pcluster-access:x:\d+:alice,bob$/);
        // shadow's checkers read the files as its tools will; no lock file is left behind.
        for (const check of [["pwck", "-r", "-q"], ["grpck", "-r"]]) {
            const result = await node.exec(check[0], check.slice(1));
            assert.equal(result.status, 0, `${check.join(" ")}: ${result.stdout}${result.stderr}`);
        }
        assert.equal((await node.execOk("/bin/sh", ["-c", "ls /etc | grep -c '\\.lock$' || true"])).trim(), "0");
        // And they keep working on them: an administrator's useradd after the batch.
        await node.execOk("useradd", ["-M", "-u", "2500", "localuser"]);
        assert.equal((await node.execOk("id", ["-nG", "alice"])).trim(), "alice pcluster-access cfd");
    });

    it("another process holds the account files (an administrator's vipw): nothing written, generation not recorded; the next cycle completes it", async () => {
        const node = await cluster.addNode("LoginNode");
        await cluster.publish({ environment: ENVIRONMENT, generation: 2, users: [user("alice", 2001)] });
        await cluster.syncOk(node);
        // vipw takes shadow's lock (lckpwdf and /etc/passwd.lock) and holds it while its editor runs (vipw runs
        // "EDITOR FILE" through the shell: the `;:` swallows the file name).
        await node.execOk("/bin/sh", ["-c", "EDITOR='sleep 60;:' setsid vipw </dev/null >/dev/null 2>&1 &"]);
        await waitFor(() => existsSync(node.etc("passwd.lock")));
        const passwd = readFileSync(node.etc("passwd"), "utf8");
        await cluster.publish({ environment: ENVIRONMENT, generation: 3, users: [user("alice", 2001), user("bob", 2002)] });
        const held = await cluster.sync(node);
        assert.equal(held.status, 1);
        assert.match(held.stderr, /WARNING: could not lock the account files \(chpasswd could not lock \/etc\/passwd and shadow: .*\): no account changed this cycle\n/);
        assert.match(held.stderr, /WARNING: generation 3 applied with failures \(\d+ commands\): the next cycle applies it again\n$/);
        assert.ok(held.wallMs > 10_000, `gave up after ${held.wallMs} ms, before shadow's own wait`);
        assert.equal(readFileSync(node.etc("passwd"), "utf8"), passwd);
        assert.equal(generationOf(node), "2\n");
        assert.equal(existsSync(node.etc("group.lock")), false);

        await node.execOk("pkill", ["-f", "sleep 60"]);
        await waitFor(() => !existsSync(node.etc("passwd.lock")));
        await cluster.syncOk(node);
        assert.equal(generationOf(node), "3\n");
        assert.equal((await node.execOk("getent", ["passwd", "bob"])).split(":")[2], "2002");
    });

    it("the marker group cannot be created: the cycle ends with its summary warning, nothing else changed, generation not recorded", async () => {
        const node = await cluster.addNode("LoginNode");
        // No free system GID: groupadd -r fails (login.defs SYS_GID range of one taken GID).
        const defs = node.etc("login.defs");
        writeFileSync(defs, readFileSync(defs, "utf8").replace(/^#?\s*SYS_GID_MIN.*$/m, "SYS_GID_MIN 0").replace(/^#?\s*SYS_GID_MAX.*$/m, "SYS_GID_MAX 0"));
        await cluster.publish({ environment: ENVIRONMENT, generation: 4, users: [user("alice", 2001)] });
        const passwd = readFileSync(node.etc("passwd"), "utf8");
        const result = await cluster.sync(node);
        assert.equal(result.status, 1);
        assert.match(result.stderr, /WARNING: could not create the marker group pcluster-access: no account is managed this cycle\n/);
        assert.match(result.stderr, /WARNING: generation 4 applied with failures \(\d+ commands\): the next cycle applies it again\n$/);
        assert.equal(readFileSync(node.etc("passwd"), "utf8"), passwd);
        assert.equal(existsSync(path.join(node.dir, "var/lib/pcluster-access/roster/generation")), false);
    });

    describe("renames: the account follows its UID", () => {
        let head: Node;
        let compute: Node;
        let generation = 10;
        const roster = (users: RosterUser[]): Roster => ({
            environment: ENVIRONMENT, generation: generation++, groups: [{ name: "cfd", gid: 3001, members: users.filter((u) => u.state !== "revoked").map((u) => u.name) }], users,
        });

        before(async () => {
            head = await cluster.addNode("HeadNode");
            compute = await cluster.addNode("ComputeFleet");
            await cluster.publish(roster([user("carol", 2301, { sudo: true, keys: [keys.carol] })]));
            await cluster.syncOk(head);
            await cluster.syncOk(compute);
            await head.startSshd();
            await compute.startSshd();
            await ssh(head, "carol", keys.carol, "echo thesis > ~/thesis.txt");
        });

        it("renames the login name, private group, key file, sudo line and memberships; the head node moves the home, compute only the passwd field", async () => {
            await cluster.publish(roster([user("carola", 2301, { sudo: true, keys: [keys.carol] })]));
            const onHead = await cluster.syncOk(head);
            assert.match(onHead.stderr, /renaming carol to carola \(UID 2301: the roster gives that user the new name\)\n/);
            await cluster.syncOk(compute);
            for (const node of [head, compute]) {
                assert.equal((await node.execOk("getent", ["passwd", "carola"])).trim(), "carola:x:2301:2301:pcluster-access:/home/carola:/bin/bash");
                assert.equal((await node.exec("getent", ["passwd", "carol"])).status, 2);
                assert.equal((await node.execOk("getent", ["group", "carola"])).trim(), "carola:x:2301:");
                assert.equal((await node.execOk("id", ["-nG", "carola"])).trim(), "carola pcluster-access cfd");
                assert.equal(existsSync(node.etc("pcluster-access/authorized_keys/carol")), false);
                assert.equal(readFileSync(node.etc("sudoers.d/pcluster-access"), "utf8").split("\n")[1], "carola ALL=(ALL) NOPASSWD:ALL");
                for (const check of [["pwck", "-r", "-q"], ["grpck", "-r"]]) assert.equal((await node.exec(check[0], check.slice(1))).status, 0, check[0]);
            }
            assert.equal(existsSync(path.join(cluster.home, "carol")), false);
            // The user logs in under the new name on both nodes and still owns their files; the old name is gone.
            for (const node of [head, compute]) {
                const session = await ssh(node, "carola", keys.carol, "id -un; pwd; cat thesis.txt; stat -c %U thesis.txt .ssh/id_ed25519");
                assert.equal(session.stdout, "carola\n/home/carola\nthesis\ncarola\ncarola\n", session.stderr);
                assert.equal((await ssh(node, "carol", keys.carol, "true")).status, 255);
            }
        });

        it("a rename onto a local account the agent did not create is skipped with a warning, and the generation is not recorded", async () => {
            await head.execOk("useradd", ["-M", "-u", "2400", "carla"]);
            const before = generationOf(head);
            await cluster.publish(roster([user("carla", 2301, { keys: [keys.carol] })]));
            const result = await cluster.sync(head);
            assert.equal(result.status, 1);
            assert.match(result.stderr, /WARNING: skipped carla: renaming carola \(UID 2301\): carla is a local account that pcluster-access did not create; pcluster-access leaves it alone, fix the clash by hand\n/);
            assert.equal(generationOf(head), before);
            assert.equal((await head.execOk("getent", ["passwd", "carla"])).split(":")[2], "2400");
            assert.equal((await head.execOk("getent", ["passwd", "carola"])).split(":")[2], "2301");
        });
    });
});

async function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!check()) {
        if (Date.now() > until) throw new Error("timed out waiting");
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
}
