/**
 * EC2 Instance Connect beside the roster on a node (issue 16), with real sshd and the real ssh client: the
 * ec2-instance-connect package's AuthorizedKeysCommand, played by a stand-in that prints the key "pushed"
 * for a user (the real one reads it from IMDS), keeps working next to the agent's key files, whether the
 * package passes it on sshd's command line (its systemd drop-in) or appends it to sshd_config (Amazon
 * Linux 2), where the agent's next cycle moves its own Match block back below it.
 */
import * as assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Cluster, ENVIRONMENT } from "./support/cluster";
import { KeyPair, makeKeyPair, Node, ssh } from "./support/node";
import type { Roster } from "./support/roster";

/** Where the rpm puts the command (aws/aws-ec2-instance-connect-config rpmsrc/SPECS/generic.spec). */
const COMMAND = "/opt/aws/bin/eic_run_authorized_keys";
const PUSHED = "/etc/eic-pushed";
/** The package's sshd settings, as its systemd drop-in passes them (src/rpm_systemd/sshd.service.d/ec2-instance-connect.conf). */
const PACKAGE_OPTIONS = [`AuthorizedKeysCommand ${COMMAND} %u %f`, "AuthorizedKeysCommandUser ec2-instance-connect"];

describe("roster-agent.sh beside EC2 Instance Connect's key command (real sshd)", function () {
    this.timeout(120_000);
    let cluster: Cluster;
    let head: Node;
    let keysDir: string;
    let keys: Record<string, KeyPair>;
    let generation = 10;

    const roster = (): Roster => ({
        environment: ENVIRONMENT,
        generation: generation++,
        users: [
            { name: "alice", uid: 2001, keys: [keys.alice] },
            { name: "bob", uid: 2002, keys: [keys.bob] },
        ],
    });

    /** EC2 Instance Connect pushes `key` for `user` (the stand-in serves it, as IMDS would for 60 s). */
    const push = (user: string, key: KeyPair) => head.execOk("/bin/sh", ["-c", `mkdir -p ${PUSHED} && echo '${key.type} ${key.blob}' > ${PUSHED}/${user}`]);
    const unpush = (user: string) => head.execOk("rm", ["-f", `${PUSHED}/${user}`]);

    before(async () => {
        keysDir = mkdtempSync(path.join(tmpdir(), "pca-eic-keys-"));
        keys = {};
        for (const name of ["alice", "bob", "pushed", "admin"]) keys[name] = await makeKeyPair(keysDir, name);
        cluster = await Cluster.start();
        head = await cluster.addNode("HeadNode");
        // What the package installs: its system user and the command (root-owned, as sshd requires).
        await head.execOk("useradd", ["-r", "-M", "-s", "/sbin/nologin", "ec2-instance-connect"]);
        // An account the roster does not manage (the image's default user, say): it logs in by the command alone.
        await head.execOk("useradd", ["-m", "localadmin"]);
        await head.execOk("/bin/sh", [
            "-c",
            `mkdir -p /opt/aws/bin && printf '%s\\n' '#!/bin/sh' '[ -f ${PUSHED}/"$1" ] && cat ${PUSHED}/"$1"' 'exit 0' > ${COMMAND} && chmod 0755 ${COMMAND}`,
        ]);
        await cluster.publish(roster());
        await cluster.syncOk(head);
        await head.startSshd(PACKAGE_OPTIONS);
    });
    after(async () => {
        await cluster?.close();
        rmSync(keysDir, { recursive: true, force: true });
    });

    it("a roster user logs in with their roster key, and with a key pushed for them; a pushed key opens only its own user", async () => {
        assert.equal((await ssh(head, "alice", keys.alice, "id -un")).stdout, "alice\n");
        assert.equal((await ssh(head, "alice", keys.pushed, "true")).status, 255);
        await push("alice", keys.pushed);
        const pushed = await ssh(head, "alice", keys.pushed, "id -un");
        assert.equal(pushed.status, 0, pushed.stderr);
        assert.equal(pushed.stdout, "alice\n");
        // Pushed for alice: bob cannot use it; his roster key still works.
        assert.equal((await ssh(head, "bob", keys.pushed, "true")).status, 255);
        assert.equal((await ssh(head, "bob", keys.bob, "id -un")).stdout, "bob\n");
        // Gone after its 60 seconds: refused again, the roster key unaffected.
        await unpush("alice");
        assert.equal((await ssh(head, "alice", keys.pushed, "true")).status, 255);
        assert.equal((await ssh(head, "alice", keys.alice, "true")).status, 0);
    });

    it("an account the roster does not manage logs in by the command too (the agent's Match block leaves it global)", async () => {
        assert.equal((await ssh(head, "localadmin", keys.admin, "true")).status, 255);
        await push("localadmin", keys.admin);
        assert.equal((await ssh(head, "localadmin", keys.admin, "id -un")).stdout, "localadmin\n");
        await unpush("localadmin");
    });

    it("when the package appends its lines after the agent's block (inside its Match), the next cycle puts the block back last and the command is global again", async () => {
        const config = "/etc/ssh/sshd_config";
        const effective = async (user: string) =>
            (await head.execOk("/usr/sbin/sshd", ["-T", "-C", `user=${user},host=localhost,addr=127.0.0.1`, "-f", config])).split("\n").find((line) => line.startsWith("authorizedkeyscommand "));
        // Amazon Linux 2's way: the settings appended to the end of sshd_config.
        await head.execOk("/bin/sh", ["-c", `printf '%s\\n' ${PACKAGE_OPTIONS.map((option) => `'${option}'`).join(" ")} >> ${config}`]);
        // Inside the trailing `Match Group pcluster-access`: roster users only, the default user would lose it.
        assert.equal(await effective("localadmin"), "authorizedkeyscommand none");
        assert.equal(await effective("alice"), `authorizedkeyscommand ${COMMAND} %u %f`);
        await cluster.publish(roster());
        await cluster.syncOk(head);
        const text = await head.execOk("cat", [config]);
        assert.ok(text.indexOf(PACKAGE_OPTIONS[0]) < text.indexOf("# BEGIN pcluster-access"), text);
        assert.match(text, /# END pcluster-access\n$/);
        assert.equal(await effective("localadmin"), `authorizedkeyscommand ${COMMAND} %u %f`);
        assert.equal(await effective("alice"), `authorizedkeyscommand ${COMMAND} %u %f`);
    });
});
