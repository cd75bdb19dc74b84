/**
 * Several nodes and the accounts the agent must not own: two namespaces share one /home as compute
 * nodes mount the head node's; local accounts and groups that clash with the roster are left alone; a
 * managed account the roster forgets is blocked, not deleted.
 */
import * as assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { Cluster, ENVIRONMENT } from "./support/cluster";
import { KeyPair, Node, ssh } from "./support/node";
import { Roster } from "./support/roster";

describe("roster-agent.sh across nodes and beside local accounts", function () {
    this.timeout(120_000);
    let cluster: Cluster;
    let keys: Record<string, KeyPair>;

    before(async () => {
        cluster = await Cluster.start();
        keys = await cluster.makeKeys(["alice", "bob", "eve", "frank", "ec2-user"]);
    });
    after(async () => cluster?.close());

    const passwdLine = async (node: Node, name: string): Promise<string> => (await node.execOk("getent", ["passwd", name])).trim();

    it("two nodes on one /home: the same UIDs on both, and only the head node creates homes", async () => {
        const roster: Roster = {
            environment: ENVIRONMENT, generation: 1,
            users: [{ name: "alice", uid: 2001, keys: [keys.alice] }, { name: "bob", uid: 2002, keys: [keys.bob] }],
        };
        await cluster.publish(roster);
        const compute = await cluster.addNode("ComputeFleet");
        const head = await cluster.addNode("HeadNode");

        // The compute node syncs first: accounts, but no home directory.
        cluster.takeCommands();
        await cluster.syncOk(compute);
        const computeCommands = cluster.takeCommands();
        assert.deepEqual(computeCommands.filter((c) => /^(ssh-keygen|chown) /.test(c)), []);
        assert.equal(existsSync(path.join(cluster.home, "alice")), false);

        await cluster.syncOk(head);
        assert.deepEqual(cluster.takeCommands().filter((c) => c.startsWith("ssh-keygen ")).length, 2);
        assert.equal(existsSync(path.join(cluster.home, "alice", ".ssh", "id_ed25519")), true);

        for (const name of ["alice", "bob"]) assert.equal(await passwdLine(compute, name), await passwdLine(head, name));
        assert.equal(await passwdLine(compute, "alice"), "alice:x:2001:2001:pcluster-access:/home/alice:/bin/bash");
        await compute.startSshd();
        await head.startSshd();
        const onCompute = await ssh(compute, "alice", keys.alice, "id -u; stat -c %u ~/.ssh/id_ed25519.pub");
        assert.equal(onCompute.stdout, "2001\n2001\n", onCompute.stderr);
        // MPI over SSH between the nodes: the head node's key pair, in the shared home, logs in on the compute node.
        const hop = await ssh(head, "alice", keys.alice,
            `ssh -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -p ${compute.port} alice@127.0.0.1 'id -u'`);
        assert.equal(hop.stdout, "2001\n", hop.stderr);
    });

    it("local accounts with a clashing name or UID, a protected name and a clashing group are left alone", async () => {
        const node = await cluster.addNode("LoginNode");
        await node.execOk("useradd", ["-u", "2011", "-m", "eve"]);
        await node.execOk("useradd", ["-u", "2010", "-M", "localuser"]);
        await node.execOk("useradd", ["-u", "1500", "-M", "ec2-user"]);
        await node.execOk("groupadd", ["-g", "3005", "localgroup"]);
        const before = ["passwd", "shadow"].map((f) => readFileSync(node.etc(f), "utf8").split("\n").filter((l) => /^(eve|localuser|ec2-user):/.test(l)));

        await cluster.publish({
            environment: ENVIRONMENT, generation: 2,
            groups: [{ name: "cfd", gid: 3005, members: ["alice"] }, { name: "staff", gid: 3006, members: ["alice"] }],
            users: [
                { name: "alice", uid: 2001, keys: [keys.alice] },
                { name: "ec2-user", uid: 2012, keys: [keys["ec2-user"]] },
                { name: "eve", uid: 2013, sudo: true, keys: [keys.eve] },
                { name: "frank", uid: 2010, keys: [keys.frank] },
            ],
        });
        const result = await cluster.syncOk(node);
        const warnings = result.stderr.split("\n").filter((l) => l.includes("WARNING")).map((l) => l.replace(/^\S+ roster-agent: WARNING: /, ""));
        assert.deepEqual(warnings, [
            "skipped group cfd: GID 3005 belongs to local group localgroup; pcluster-access leaves it alone, fix the clash by hand",
            "skipped group staff: a local group that pcluster-access did not create; pcluster-access leaves it alone, fix the clash by hand",
            "skipped ec2-user: a protected account name (PCA_PROTECTED); pcluster-access leaves it alone, fix the clash by hand",
            "skipped eve: a local account that pcluster-access did not create; pcluster-access leaves it alone, fix the clash by hand",
            "skipped frank: UID 2010 belongs to local account localuser; pcluster-access leaves it alone, fix the clash by hand",
        ]);
        const after = ["passwd", "shadow"].map((f) => readFileSync(node.etc(f), "utf8").split("\n").filter((l) => /^(eve|localuser|ec2-user):/.test(l)));
        assert.deepEqual(after, before);
        assert.equal((await node.exec("getent", ["passwd", "frank"])).status, 2);
        assert.equal((await node.execOk("id", ["-nG", "eve"])).trim(), "eve");
        assert.equal((await node.execOk("getent", ["group", "staff"])).trim().split(":").at(-1), "");
        for (const name of ["eve", "ec2-user", "frank"]) assert.equal(existsSync(node.etc(`pcluster-access/authorized_keys/${name}`)), false);
        assert.equal(readFileSync(node.etc("sudoers.d/pcluster-access"), "utf8").includes("eve"), false);
        assert.equal(await passwdLine(node, "alice"), "alice:x:2001:2001:pcluster-access:/home/alice:/bin/bash");
    });

    it("a managed account the roster no longer lists is blocked and kept, never deleted; a dropped project group is emptied and kept", async () => {
        const node = await cluster.addNode("LoginNode");
        await cluster.publish({
            environment: ENVIRONMENT, generation: 3, groups: [{ name: "cfd", gid: 3001, members: ["alice", "bob"] }],
            users: [{ name: "alice", uid: 2001, keys: [keys.alice] }, { name: "bob", uid: 2002, keys: [keys.bob] }],
        });
        await cluster.syncOk(node);
        assert.equal((await node.execOk("getent", ["group", "cfd"])).trim(), "cfd:x:3001:alice,bob");
        await node.startSshd();
        assert.equal((await ssh(node, "bob", keys.bob, "id -u")).stdout, "2002\n");

        await cluster.publish({ environment: ENVIRONMENT, generation: 4, users: [{ name: "alice", uid: 2001, keys: [keys.alice] }] });
        const result = await cluster.syncOk(node);
        assert.match(result.stderr, /WARNING: bob is not in the roster: blocking it \(account, home and UID kept\)\n/);
        assert.equal(await passwdLine(node, "bob"), "bob:x:2002:2002:pcluster-access:/home/bob:/bin/bash");
        assert.equal((await ssh(node, "bob", keys.bob, "true")).status, 255);
        assert.equal(existsSync(path.join(cluster.home, "bob")), true);
        assert.equal((await node.execOk("getent", ["group", "cfd"])).trim(), "cfd:x:3001:");
        // The next cycle finds it blocked already: no second warning, no command.
        cluster.takeCommands();
        await cluster.publish({ environment: ENVIRONMENT, generation: 5, users: [{ name: "alice", uid: 2001, keys: [keys.alice] }] });
        const again = await cluster.syncOk(node);
        assert.equal(again.stderr.includes("WARNING"), false, again.stderr);
        assert.deepEqual(cluster.takeCommands(), []);
    });

    it("with UsePAM no (sshd reads the shadow entry itself): key-only accounts log in, blocked ones are refused", async () => {
        const node = await cluster.addNode("LoginNode");
        const config = node.etc("ssh/sshd_config");
        writeFileSync(config, readFileSync(config, "utf8").replace(/^UsePAM yes$/m, "UsePAM no"));
        await cluster.publish({
            environment: ENVIRONMENT, generation: 6,
            users: [{ name: "alice", uid: 2001, keys: [keys.alice] }, { name: "bob", uid: 2002, state: "blocked" }],
        });
        await cluster.syncOk(node);
        assert.match(readFileSync(config, "utf8"), /\nUsePAM no\n/);
        await node.startSshd();
        // useradd's default password '!' would count as locked here: the agent sets '*'.
        assert.equal((await node.execOk("getent", ["shadow", "alice"])).split(":")[1], "*");
        assert.equal((await ssh(node, "alice", keys.alice, "id -u")).stdout, "2001\n");
        // bob's own authorized_keys (in the shared home) holds a key that works for nothing but the expiry check.
        await node.execOk("/bin/sh", ["-c", "cat /etc/pcluster-access/authorized_keys/alice >> /home/bob/.ssh/authorized_keys"]);
        assert.equal((await ssh(node, "bob", keys.alice, "true")).status, 255);
        // The control: unblocked, the same key in the same file lets bob in, so the expiry alone refused him.
        await cluster.publish({
            environment: ENVIRONMENT, generation: 7,
            users: [{ name: "alice", uid: 2001, keys: [keys.alice] }, { name: "bob", uid: 2002, keys: [keys.bob] }],
        });
        await cluster.syncOk(node);
        assert.equal((await ssh(node, "bob", keys.alice, "id -u")).stdout, "2002\n");
    });
});
