/**
 * The key rule (FORMAT-2 `option home-keys`, default `cluster`): from outside the cluster's network only the
 * roster's keys open a managed account; ~/.ssh/authorized_keys (where the intra-cluster key lives, for MPI)
 * opens it only from inside, or from anywhere with `anywhere`. Real sshd, real ssh clients bound to two
 * loopback source addresses: 127.0.0.2 inside (the fake IMDS's VPC CIDR block), 127.0.0.3 outside; 127.0.0.1
 * is the node itself. The cluster's network comes from IMDS (support/imds.ts stands in for it).
 */
import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { AGENT_SOURCE_DIR } from "../../../../components/access/roster/agentBundle";
import { Cluster, ENVIRONMENT } from "./support/cluster";
import { KeyPair, makeKeyPair, Node, ssh } from "./support/node";
import { Roster } from "./support/roster";

const INSIDE = "127.0.0.2";
const OUTSIDE = "127.0.0.3";

describe("roster-agent.sh key rule: only roster keys from outside the cluster's network", function () {
    this.timeout(120_000);
    let cluster: Cluster;
    let head: Node;
    let rosterKey: KeyPair;
    let planted: KeyPair;
    let clusterKey: KeyPair;
    let generation = 1;

    const roster = (): Roster => ({ environment: ENVIRONMENT, generation: generation++, users: [{ name: "alice", uid: 2001, keys: [rosterKey] }] });
    const login = async (key: KeyPair, from: string): Promise<number> => (await ssh(head, "alice", key, "id -u", from)).status;

    before(async () => {
        cluster = await Cluster.start();
        rosterKey = await makeKeyPair(cluster.dir, "alice-roster");
        planted = await makeKeyPair(cluster.dir, "alice-planted");
        head = await cluster.addNode("HeadNode");
        await cluster.publish(roster());
        await cluster.syncOk(head);
        // The head node made the intra-cluster key pair; a key the user adds to their own file beside it.
        clusterKey = { privateKey: path.join(cluster.home, "alice", ".ssh", "id_ed25519"), type: "", blob: "" };
        await head.execOk("/bin/sh", ["-c", `echo '${planted.type} ${planted.blob} planted' >> /home/alice/.ssh/authorized_keys`]);
        await head.startSshd();
    });
    after(async () => cluster?.close());

    it("writes an inside block (both key files) before the roster-only block, with the VPC's CIDR blocks from IMDS", () => {
        const config = readFileSync(head.etc("ssh/sshd_config"), "utf8");
        assert.ok(config.endsWith([
            "# BEGIN pcluster-access: roster users' keys (roster-agent.sh keeps this block last; do not edit)",
            `Match Group pcluster-access Address 127.0.0.1/32,::1/128,${INSIDE}/32`,
            "    AuthorizedKeysFile /etc/pcluster-access/authorized_keys/%u .ssh/authorized_keys",
            "Match Group pcluster-access",
            "    AuthorizedKeysFile /etc/pcluster-access/authorized_keys/%u",
            "# END pcluster-access",
            "",
        ].join("\n")), config);
        // One token (IMDSv2), then the interface's MAC and its VPC's blocks; IPv6 answers 404 (no IPv6 block).
        assert.deepEqual(cluster.imds.requests, [
            "PUT /latest/api/token", "GET /latest/meta-data/mac",
            `GET /latest/meta-data/network/interfaces/macs/${cluster.imds.mac}/vpc-ipv4-cidr-blocks`,
            `GET /latest/meta-data/network/interfaces/macs/${cluster.imds.mac}/vpc-ipv6-cidr-blocks`,
        ]);
    });

    it("from outside: the roster key opens the account; a key added to ~/.ssh/authorized_keys and the intra-cluster key do not", async () => {
        assert.equal(await login(rosterKey, OUTSIDE), 0);
        assert.equal(await login(planted, OUTSIDE), 255);
        assert.equal(await login(clusterKey, OUTSIDE), 255);
    });

    it("from inside the cluster's network and from the node itself: the intra-cluster key works (MPI over SSH), as do the others", async () => {
        assert.equal(await login(clusterKey, INSIDE), 0);
        assert.equal(await login(planted, INSIDE), 0);
        assert.equal(await login(rosterKey, INSIDE), 0);
        assert.equal(await login(clusterKey, "127.0.0.1"), 0);
    });

    it("follows the VPC's blocks: a CIDR block IMDS adds (a secondary VPC block, IPv6) is inside from the next applied generation", async () => {
        cluster.imds.ipv4 = [`${INSIDE}/32`, `${OUTSIDE}/32`];
        cluster.imds.ipv6 = ["2600:1f18:42f:a800::/56"];
        await cluster.publish(roster());
        await cluster.syncOk(head);
        await head.waitForSshd();
        assert.match(readFileSync(head.etc("ssh/sshd_config"), "utf8"),
            new RegExp(`\nMatch Group pcluster-access Address 127\\.0\\.0\\.1/32,::1/128,127\\.0\\.0\\.2/32,127\\.0\\.0\\.3/32,2600:1f18:42f:a800::/56\n`));
        assert.equal(await login(planted, OUTSIDE), 0);
        cluster.imds.ipv4 = [`${INSIDE}/32`];
        cluster.imds.ipv6 = [];
        await cluster.publish(roster());
        await cluster.syncOk(head);
        await head.waitForSshd();
        assert.equal(await login(planted, OUTSIDE), 255);
    });

    it("option home-keys anywhere (the setting: the document's option, which the parser puts in doc_options) opens ~/.ssh/authorized_keys from anywhere", async () => {
        // The block as a cycle writes it for `anywhere`: the agent's own parts, sourced in the node, with its settings.
        const parts = ["settings", "log", "sshd"].map((p) => `source ${path.join(AGENT_SOURCE_DIR, "agent", `${p}.sh`)}`).join("; ");
        await head.execOk("/bin/bash", ["-c", `set -euo pipefail; ${parts}; ensure_sshd_block anywhere`], cluster.agentEnv());
        await head.waitForSshd();
        assert.ok(readFileSync(head.etc("ssh/sshd_config"), "utf8").endsWith([
            "# BEGIN pcluster-access: roster users' keys (roster-agent.sh keeps this block last; do not edit)",
            "Match Group pcluster-access",
            "    AuthorizedKeysFile /etc/pcluster-access/authorized_keys/%u .ssh/authorized_keys",
            "# END pcluster-access",
            "",
        ].join("\n")));
        assert.equal(await login(planted, OUTSIDE), 0);
        assert.equal(await login(rosterKey, OUTSIDE), 0);
        // Back to the default with the next applied generation.
        await cluster.publish(roster());
        await cluster.syncOk(head);
        await head.waitForSshd();
        assert.equal(await login(planted, OUTSIDE), 255);
    });

    it("a document without an `option home-keys` line means cluster (FORMAT.md): ~/.ssh/authorized_keys only from inside", async () => {
        await cluster.publish({ ...roster(), options: ["option instance-connect off"] });
        await cluster.syncOk(head);
        await head.waitForSshd();
        assert.match(readFileSync(head.etc("ssh/sshd_config"), "utf8"),
            /\nMatch Group pcluster-access Address 127\.0\.0\.1\/32,::1\/128,127\.0\.0\.2\/32\n {4}AuthorizedKeysFile \/etc\/pcluster-access\/authorized_keys\/%u \.ssh\/authorized_keys\nMatch Group pcluster-access\n {4}AuthorizedKeysFile \/etc\/pcluster-access\/authorized_keys\/%u\n# END pcluster-access\n$/);
        assert.equal(await login(planted, OUTSIDE), 255);
        assert.equal(await login(planted, INSIDE), 0);
        assert.equal(await login(rosterKey, OUTSIDE), 0);
    });

    it("a new node whose IMDS does not answer gets the roster-only rule, never the open one, and retries", async () => {
        cluster.imds.down = true;
        let login2: Node;
        try {
            login2 = await cluster.addNode("LoginNode");
            await cluster.publish(roster());
            const result = await cluster.sync(login2);
            assert.equal(result.status, 1);
            assert.ok(readFileSync(login2.etc("ssh/sshd_config"), "utf8").endsWith([
                "# BEGIN pcluster-access: roster users' keys (roster-agent.sh keeps this block last; do not edit)",
                "Match Group pcluster-access",
                "    AuthorizedKeysFile /etc/pcluster-access/authorized_keys/%u",
                "# END pcluster-access",
                "",
            ].join("\n")));
            await login2.startSshd();
            // The shared home's ~/.ssh/authorized_keys (the planted key, the intra-cluster key) opens nothing, from anywhere.
            for (const from of [OUTSIDE, INSIDE]) {
                assert.equal((await ssh(login2, "alice", planted, "true", from)).status, 255);
                assert.equal((await ssh(login2, "alice", clusterKey, "true", from)).status, 255);
            }
            assert.equal((await ssh(login2, "alice", rosterKey, "id -u", OUTSIDE)).stdout, "2001\n");
        } finally {
            cluster.imds.down = false;
        }
        // IMDS back: the next cycle writes the cluster rule.
        await cluster.syncOk(login2);
        await login2.waitForSshd();
        assert.equal((await ssh(login2, "alice", clusterKey, "true", INSIDE)).status, 0);
    });

    it("IMDS not answering: the block is left as it is, and the generation is not recorded (the next cycle tries again)", async () => {
        const before = readFileSync(head.etc("ssh/sshd_config"), "utf8");
        const applied = readFileSync(path.join(head.dir, "var/lib/pcluster-access/roster/generation"), "utf8");
        cluster.imds.down = true;
        try {
            await cluster.publish(roster());
            const result = await cluster.sync(head);
            assert.equal(result.status, 1);
            assert.match(result.stderr, /WARNING: could not read the cluster's network from IMDS \(http:\/\/127\.0\.0\.1:\d+\): sshd's pcluster-access block left as it is\n/);
            assert.equal(readFileSync(head.etc("ssh/sshd_config"), "utf8"), before);
            assert.equal(readFileSync(path.join(head.dir, "var/lib/pcluster-access/roster/generation"), "utf8"), applied);
            assert.equal(await login(planted, OUTSIDE), 255);
        } finally {
            cluster.imds.down = false;
        }
        await cluster.syncOk(head);
        await head.waitForSshd();
        assert.equal(await login(rosterKey, OUTSIDE), 0);
    });
});
