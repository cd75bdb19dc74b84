/**
 * The pool's config rules (a pool stack: users, roster and pcluster-access:pool, no cluster; a cluster stack
 * subscribed with access.pool): every problem at once, each naming its key path and the fix.
 */
import * as assert from "node:assert/strict";
import { formatProblems, parseEnvironmentConfig, parsePoolStackConfig, type RawConfigInput } from "../../components/config";
import { devRawConfig } from "../support/devConfig";
import { poolStackFile } from "../support/pool";

type Raw = ReturnType<typeof devRawConfig>;

/** A stack of the pool example (test/fixtures/pool), with one change. */
function poolRaw(stack: string, change: (raw: Raw) => void = () => undefined): RawConfigInput {
    const raw = devRawConfig(poolStackFile(stack));
    for (const key of ["cluster", "network", "access", "opsworks", "roster", "users"] as const) {
        if (raw[key] === undefined) {
            delete raw[key];
        }
    }
    change(raw);
    return raw;
}

function refused(result: ReturnType<typeof parsePoolStackConfig> | ReturnType<typeof parseEnvironmentConfig>): string[] {
    assert.equal(result.ok, false, "expected the config to be refused");
    return formatProblems((result as { problems: readonly { path: string; message: string }[] }).problems).split("\n");
}

describe("stack config: a pool of users and its subscribers", () => {
    it("reads the example pool: who may log in on each cluster, by user and by group, sudo, region and account", () => {
        const result = parsePoolStackConfig(poolRaw("users"));
        assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
        assert.deepEqual(result.config.clusters, [
            { name: "hpc-cpu", region: "eu-west-1", allowed: ["alice", "bob"], sudo: ["alice"] },
            { name: "hpc-gpu", region: "us-east-1", allowed: ["bob"], sudo: [] },
            { name: "hpc-partner", region: "eu-west-1", account: "210987654321", allowed: ["bob"], sudo: [] },
        ]);
        assert.deepEqual(result.config.users.map((user) => [user.iamUserName, user.sudo, user.groups]), [["alice", false, ["cfd"]], ["bob", false, ["genomics"]]]);
    });

    it("refuses unknown users and groups, sudo where the user may not log in, per-user sudo, Instance Connect and a cluster in the pool stack", () => {
        const raw = poolRaw("users", (r) => {
            r.pool.clusters["hpc-cpu"] = { users: ["alice", "carol"], groups: ["physics"], sudo: { users: ["bob"], groups: ["nobody"] } };
            r.pool.clusters["bad_name"] = { account: "1234" };
            r.users[0].sudo = true;
            r.roster.instanceConnect = true;
            r.cluster = { name: "hpc-pool" };
        });
        assert.deepEqual(refused(parsePoolStackConfig(raw)), [
            "cluster: is given in a pool stack (pcluster-access:pool), which keeps users and no cluster. Remove pcluster-access:cluster, and put the cluster in a stack of its own that subscribes with pcluster-access:access: {backend: roster, pool: <organization/project/this stack>}.",
            "pool.clusters.bad_name.account: must be a 12-digit AWS account id (quote it in YAML: '210987654321').",
            "roster.instanceConnect: is not available in a pool yet: each cluster's Instance Connect endpoint and grants belong to its own stack. Remove it (default false).",
            "users[0].sudo: is per cluster in a pool. Remove it, and list alice under pool.clusters.<name>.sudo.users (or one of their groups under sudo.groups).",
        ]);
        delete (raw as Raw).cluster;
        (raw as Raw).pool.clusters.bad_name = {};
        delete (raw as Raw).roster.instanceConnect;
        delete (raw as Raw).users[0].sudo;
        assert.deepEqual(refused(parsePoolStackConfig(raw)), [
            "pool.clusters.hpc-cpu.users[1]: 'carol' is not a user of this pool. Add them to pcluster-access:users, or use one of: alice, bob.",
            "pool.clusters.hpc-cpu.groups[0]: 'physics' is not a project group. Add {name: physics} to roster.groups, or use one of: cfd, genomics.",
            "pool.clusters.hpc-cpu.sudo.groups[0]: 'nobody' is not a project group. Add {name: nobody} to roster.groups, or use one of: cfd, genomics.",
            "pool.clusters.hpc-cpu.sudo: gives bob sudo, but bob may not log in on hpc-cpu. Add them to pool.clusters.hpc-cpu.users (or one of their groups to pool.clusters.hpc-cpu.groups), or remove the sudo.",
            "pool.clusters.bad_name: 'bad_name' is not a valid cluster name: letters, digits and '-', starting with a letter, at most 60 characters. Use the subscribing stack's cluster.name.",
        ]);
    });

    it("reads a subscribed cluster as the pool backend, and refuses users, roster or opsworks settings of its own", () => {
        const result = parseEnvironmentConfig(poolRaw("hpc-cpu"));
        assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
        assert.deepEqual(result.config.access, { backend: "pool", pool: "organization/pcluster-access/users" });
        assert.deepEqual(result.config.users, []);
        const own = poolRaw("hpc-cpu", (r) => {
            r.users = [{ iamUser: "alice", sshPublicKey: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMHdLqVDPsd5n4YBq+RB+LA/q3fUizN2MDVjy5icQIVM" }];
            r.roster = { groups: [] };
        });
        assert.deepEqual(refused(parseEnvironmentConfig(own)), [
            "roster: is given, but this stack subscribes to the pool organization/pcluster-access/users (access.pool), which keeps the users, project groups and the signing key. Remove pcluster-access:roster; change them in the pool stack's config.",
            "users: is given, but this stack subscribes to the pool organization/pcluster-access/users (access.pool), which keeps the users, project groups and the signing key. Remove pcluster-access:users; change them in the pool stack's config.",
        ]);
        assert.deepEqual(refused(parseEnvironmentConfig(poolRaw("hpc-cpu", (r) => (r.access.pool = "users")))), [
            "access.pool: must be the pool's Pulumi stack reference, organization/project/stack (e.g. org/pcluster-access/users).",
        ]);
        assert.deepEqual(refused(parseEnvironmentConfig(poolRaw("hpc-cpu", (r) => (r.pool = { clusters: {} })))), [
            "pool: makes this a pool stack, which has users and no cluster: remove pcluster-access:cluster and pcluster-access:network (put the cluster in a stack of its own that subscribes with access: {backend: roster, pool: <this stack>}), or remove pcluster-access:pool.",
        ]);
    });
});
