/**
 * Format 2's dates and keys on a node with real sshd (issue 16): a user's EXPIRES becomes the account's
 * shadow expiry, which sshd (through PAM) refuses from 00:00 UTC that day whether or not the agent runs
 * again; up to 10 keys per user in the root-owned key file; a key's EXPIRES becomes sshd's
 * `expiry-time` in the form the node's OpenSSH reads (9.1+: UTC with Z; 7.7 to 9.0: system time; before
 * 7.7: none, and the agent drops the key at the sync after its date, an unchanged roster's included).
 * Older OpenSSH releases are played by a wrapper that answers `-V` as they do and runs this sshd otherwise.
 */
import * as assert from "node:assert/strict";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { Cluster, ENVIRONMENT } from "./support/cluster";
import { KeyPair, makeKeyPair, Node, ssh } from "./support/node";
import { Roster, RosterUser, utcDate } from "./support/roster";

const DAY_S = 86_400;
const dayOf = (date: string): number => Date.parse(`${date}T00:00:00Z`) / 1000 / DAY_S;
/** The agent's expiry-time stamp for a date: the last second before it, UTC. */
const lastSecondBefore = (date: string): string => new Date((dayOf(date) * DAY_S - 1) * 1000).toISOString().replace(/[-T:]/g, "").slice(0, 14);

describe("roster-agent.sh: access until a date, several keys, key dates under real sshd", function () {
    this.timeout(180_000);
    let cluster: Cluster;
    let head: Node;
    let keys: KeyPair[];
    let generation = 1;

    before(async () => {
        cluster = await Cluster.start();
        keys = [];
        for (let i = 0; i < 11; i++) keys.push(await makeKeyPair(cluster.dir, `key${i}`));
        head = await cluster.addNode("HeadNode");
        await cluster.publish(roster([]));
        await cluster.syncOk(head);
        await head.startSshd();
    });
    after(async () => cluster?.close());

    function roster(users: RosterUser[]): Roster {
        return { environment: ENVIRONMENT, generation: generation++, users: [{ name: "admin1", uid: 2000, keys: [keys[10]] }, ...users] };
    }

    /** A stand-in sshd binary that reports `release` to -V and runs the real sshd for everything else. */
    function sshdReporting(release: string): string {
        const file = path.join(cluster.dir, `sshd-${release}`);
        writeFileSync(file, `#!/bin/sh\nif [ "$1" = -V ]; then echo "${release}, OpenSSL 1.0.2k-fips  26 Jan 2017" >&2; exit 1; fi\nexec /usr/sbin/sshd "$@"\n`);
        chmodSync(file, 0o755);
        return file;
    }

    const shadowExpiry = async (name: string): Promise<string> => (await head.execOk("getent", ["shadow", name])).split(":")[7];
    const keyFile = (name: string): string => readFileSync(head.etc(`pcluster-access/authorized_keys/${name}`), "utf8");
    const login = async (name: string, key: KeyPair): Promise<number> => (await ssh(head, name, key, "true")).status;

    it("a user whose date is today is refused by sshd from the account expiry alone; tomorrow's logs in", async () => {
        const [today, tomorrow] = [utcDate(0), utcDate(1)];
        await cluster.publish(roster([{ name: "dora", uid: 2001, expires: today, keys: [keys[0]] }, { name: "erik", uid: 2002, expires: tomorrow, keys: [keys[1]] }]));
        await cluster.syncOk(head);
        // The shadow expiry field: the date as days since 1970-01-01, which pam_unix compares with today (>=).
        assert.deepEqual([await shadowExpiry("dora"), await shadowExpiry("erik")], [String(dayOf(today)), String(dayOf(tomorrow))]);
        // Dora's key is in her key file: only the account's expiry refuses her.
        assert.equal(keyFile("dora"), `${keys[0].type} ${keys[0].blob} dora@${ENVIRONMENT}\n`);
        assert.equal(await login("dora", keys[0]), 255);
        assert.equal(await login("erik", keys[1]), 0);

        // The date moved out, and taken away.
        await cluster.publish(roster([{ name: "dora", uid: 2001, expires: tomorrow, keys: [keys[0]] }, { name: "erik", uid: 2002, keys: [keys[1]] }]));
        await cluster.syncOk(head);
        assert.deepEqual([await shadowExpiry("dora"), await shadowExpiry("erik")], [String(dayOf(tomorrow)), ""]);
        assert.equal(await login("dora", keys[0]), 0);
    });

    it("with UsePAM no (sshd checks shadow itself, refusing only after sp_expire): the agent writes the day before the date", async () => {
        const [today, tomorrow] = [utcDate(0), utcDate(1)];
        const node = await cluster.addNode("LoginNode");
        const config = node.etc("ssh/sshd_config");
        writeFileSync(config, readFileSync(config, "utf8").replace(/^UsePAM yes$/m, "UsePAM no"));
        await cluster.publish(roster([{ name: "dora", uid: 2001, expires: today, keys: [keys[0]] }, { name: "erik", uid: 2002, expires: tomorrow, keys: [keys[1]] }]));
        await cluster.syncOk(node);
        await node.startSshd();
        const expiry = async (name: string): Promise<string> => (await node.execOk("getent", ["shadow", name])).split(":")[7];
        assert.deepEqual([await expiry("dora"), await expiry("erik")], [String(dayOf(today) - 1), String(dayOf(tomorrow) - 1)]);
        assert.deepEqual([(await ssh(node, "dora", keys[0], "true")).status, (await ssh(node, "erik", keys[1], "true")).status], [255, 0]);
    });

    it("10 keys per user all log in; a key whose date has come is left out while the others work", async () => {
        const [today, tomorrow] = [utcDate(0), utcDate(1)];
        const ten = keys.slice(0, 10).map((pair, i) => (i === 2 ? { pair, expires: today } : i === 3 ? { pair, expires: tomorrow } : pair));
        await cluster.publish(roster([{ name: "frank", uid: 2003, keys: ten }]));
        await cluster.syncOk(head);
        const expected = keys.slice(0, 10).filter((_, i) => i !== 2).map((pair, i) =>
            `${i === 2 ? `expiry-time="${lastSecondBefore(tomorrow)}Z" ` : ""}${pair.type} ${pair.blob} frank@${ENVIRONMENT}\n`).join("");
        assert.equal(keyFile("frank"), expected);
        const statuses = [];
        for (const pair of keys.slice(0, 10)) statuses.push(await login("frank", pair));
        assert.deepEqual(statuses, [0, 0, 255, 0, 0, 0, 0, 0, 0, 0]);
    });

    it("sshd itself refuses a key past its expiry-time: written by an agent whose clock is two days behind", async () => {
        const today = utcDate(0);
        await cluster.publish(roster([{ name: "gina", uid: 2004, keys: [keys[4], { pair: keys[5], expires: today }] }]));
        await cluster.syncOk(head, { PCA_NOW: String(Math.floor(Date.now() / 1000) - 2 * DAY_S) });
        assert.equal(keyFile("gina").split("\n")[1], `expiry-time="${lastSecondBefore(today)}Z" ${keys[5].type} ${keys[5].blob} gina@${ENVIRONMENT}`);
        assert.deepEqual([await login("gina", keys[5]), await login("gina", keys[4])], [255, 0]);
    });

    it("OpenSSH 7.7 to 9.0: expiry-time without Z, in the node's time zone, which sshd reads the same way", async () => {
        const today = utcDate(0);
        // A node whose system time zone is not UTC (sshd forks a fresh copy per connection, which reads it).
        await head.execOk("ln", ["-sf", "/usr/share/zoneinfo/Asia/Tokyo", "/etc/localtime"]);
        try {
            await cluster.publish(roster([{ name: "hugo", uid: 2005, keys: [keys[6], { pair: keys[7], expires: today }] }]));
            await cluster.syncOk(head, { PCA_SSHD: sshdReporting("OpenSSH_8.7p1"), PCA_NOW: String(Math.floor(Date.now() / 1000) - 2 * DAY_S) });
            const local = (await head.execOk("/usr/bin/env", ["-u", "TZ", "date", "-d", `@${dayOf(today) * DAY_S - 1}`, "+%Y%m%d%H%M%S"])).trim();
            // 23:59:59 UTC is 08:59:59 in Tokyo.
            assert.equal(local, `${lastSecondBefore(utcDate(1)).slice(0, 8)}085959`);
            assert.equal(keyFile("hugo").split("\n")[1], `expiry-time="${local}" ${keys[7].type} ${keys[7].blob} hugo@${ENVIRONMENT}`);
            assert.deepEqual([await login("hugo", keys[7]), await login("hugo", keys[6])], [255, 0]);
        } finally {
            await head.execOk("ln", ["-sf", "/usr/share/zoneinfo/Etc/UTC", "/etc/localtime"]);
        }
    });

    it("before OpenSSH 7.7 (Amazon Linux 2): no option; the sync after the date drops the key, even with the roster unchanged", async () => {
        const today = utcDate(0);
        const old = sshdReporting("OpenSSH_7.4p1");
        await cluster.publish(roster([{ name: "ines", uid: 2006, keys: [keys[8], { pair: keys[9], expires: today }] }]));
        await cluster.syncOk(head, { PCA_SSHD: old, PCA_NOW: String(Math.floor(Date.now() / 1000) - 2 * DAY_S) });
        assert.equal(keyFile("ines"), `${keys[8].type} ${keys[8].blob} ines@${ENVIRONMENT}\n${keys[9].type} ${keys[9].blob} ines@${ENVIRONMENT}\n`);
        assert.equal(await login("ines", keys[9]), 0);

        // The next cycle, by the real clock: the roster is unchanged (304), but a key date has come.
        const next = await cluster.syncOk(head, { PCA_SSHD: old });
        assert.match(next.stderr, /roster unchanged \(304\): nothing to do\n.*a key date has come since the roster was applied/s);
        assert.equal(keyFile("ines"), `${keys[8].type} ${keys[8].blob} ines@${ENVIRONMENT}\n`);
        assert.deepEqual([await login("ines", keys[9]), await login("ines", keys[8])], [255, 0]);
        // Nothing is due any more: the cycle after is the plain no-op.
        cluster.takeCommands();
        const quiet = await cluster.syncOk(head, { PCA_SSHD: old });
        assert.match(quiet.stderr, /roster unchanged \(304\): nothing to do\n$/);
        assert.deepEqual(cluster.takeCommands(), []);
    });
});
