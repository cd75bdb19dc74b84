/**
 * PCA_HOMES=locked: on AWS PCS there is no head node, so the login nodes make the homes on the shared /home,
 * one at a time (an flock on the shared file system). Two login nodes syncing at once each make only the homes
 * the other did not; a node without the setting (a compute node) makes none; a bad value is refused.
 */
import * as assert from "node:assert/strict";
import { existsSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { Cluster, ENVIRONMENT } from "./support/cluster";
import type { KeyPair, Node } from "./support/node";

describe("roster-agent.sh with PCA_HOMES=locked (AWS PCS login nodes)", function () {
    this.timeout(180_000);
    let cluster: Cluster;
    let keys: Record<string, KeyPair>;
    const names = ["alice", "bob", "carol", "dave", "erin", "frank"];

    before(async () => {
        cluster = await Cluster.start();
        keys = await cluster.makeKeys(names);
        await cluster.publish({ environment: ENVIRONMENT, generation: 1, users: names.map((name, i) => ({ name, uid: 2001 + i, keys: [keys[name]] })) });
    });
    after(async () => cluster?.close());

    const agentLog = (node: Node) => readFileSync(path.join(node.dir, "var/log/pcluster-access-roster.log"), "utf8");
    const made = (node: Node) => [...agentLog(node).matchAll(/created home \/home\/(\S+) with an intra-cluster key pair/g)].map((match) => match[1]);

    it("two login nodes at once: every home made by exactly one of them, with one key pair; a compute node makes none", async () => {
        const compute = await cluster.addNode("ComputeFleet");
        await cluster.syncOk(compute);
        assert.deepEqual(names.filter((name) => existsSync(path.join(cluster.home, name))), []);

        const [one, two] = [await cluster.addNode("LoginNode", { PCA_HOMES: "locked" }), await cluster.addNode("LoginNode", { PCA_HOMES: "locked" })];
        const results = await Promise.all([cluster.sync(one), cluster.sync(two)]);
        results.forEach((result) => assert.equal(result.status, 0, result.stderr));
        assert.deepEqual([...made(one), ...made(two)].sort(), names);
        names.forEach((name, i) => {
            assert.equal(statSync(path.join(cluster.home, name, ".ssh", "id_ed25519")).uid, 2001 + i);
            assert.equal(
                readFileSync(path.join(cluster.home, name, ".ssh", "authorized_keys"), "utf8"),
                readFileSync(path.join(cluster.home, name, ".ssh", "id_ed25519.pub"), "utf8"),
                name,
            );
        });
        assert.equal(existsSync(path.join(cluster.home, ".pcluster-access-homes.lock")), true);
        // The next cycles make nothing.
        cluster.takeCommands();
        await Promise.all([cluster.syncOk(one), cluster.syncOk(two)]);
        assert.deepEqual(cluster.takeCommands(), []);
    });

    it("a home another node made while this one waited is left alone", async () => {
        await cluster.publish({
            environment: ENVIRONMENT,
            generation: 2,
            users: [...names.map((name, i) => ({ name, uid: 2001 + i, keys: [keys[name]] })), { name: "grace", uid: 2010, keys: [keys.alice] }],
        });
        const node = await cluster.addNode("LoginNode", { PCA_HOMES: "locked" });
        // Another login node holds the lock, and makes grace's home once this node is waiting for it (its flock runs).
        const holderScript = [
            "exec 9>>/home/.pcluster-access-homes.lock",
            "flock 9",
            "for _ in $(seq 600); do pgrep -f '[f]lock -w 60' >/dev/null && break; sleep 0.1; done",
            "mkdir /home/grace",
            "echo made",
        ].join("\n");
        const [holder, result] = await Promise.all([node.exec("/bin/bash", ["-c", holderScript], cluster.agentEnv()), cluster.sync(node)]);
        assert.equal(holder.stdout, "made\n", holder.stderr);
        assert.equal(result.status, 0, result.stderr);
        assert.match(agentLog(node), /home \/home\/grace was made by another node/);
        assert.equal(existsSync(path.join(cluster.home, "grace", ".ssh")), false);
    });

    it("refuses a PCA_HOMES other than empty or locked, changing nothing", async () => {
        const node = await cluster.addNode("LoginNode", { PCA_HOMES: "yes" });
        const result = await cluster.sync(node);
        assert.notEqual(result.status, 0);
        assert.match(result.stderr, /PCA_HOMES 'yes' is not empty or locked/);
    });
});
