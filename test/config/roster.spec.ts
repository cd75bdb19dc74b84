/**
 * The access backend choice and the roster backend's config rules: every problem at once, each naming
 * its key path and the fix.
 */
import * as assert from "node:assert/strict";
import { parseEnvironmentConfig, type RawConfigInput } from "../../components/config";
import { DEV_STACK_FILE, devRawConfig } from "../support/devConfig";
import { configWith, problems } from "../support/configProblems";

type Raw = ReturnType<typeof devRawConfig>;

/** The dev (roster) stack's config with one change applied. */
const roster = (change: (raw: Raw) => void): RawConfigInput => configWith(change, DEV_STACK_FILE);

describe("stack config: access backends and the roster", () => {
    it("accepts the dev stack: roster backend, its settings, groups and memberships", () => {
        const result = parseEnvironmentConfig(devRawConfig(DEV_STACK_FILE));
        assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
        assert.deepEqual(result.config.access, {
            backend: "roster",
            roster: { syncIntervalSeconds: 60, uidRange: { first: 2001, last: 60000 }, groups: [{ name: "cfd" }, { name: "genomics" }], instanceConnect: false, signingKeyVersion: 1, signers: [], awaitNodes: 120, awaitNodesStrict: false, nudge: false },
        });
        assert.deepEqual(result.config.users.map((user) => [user.sshUsername, user.uid, user.groups]), [
            ["alice", undefined, ["cfd"]],
            ["bob", undefined, ["genomics"]],
            ["adamblack", undefined, ["cfd", "genomics"]],
        ]);
    });

    it("roster is the default; its settings default too; explicit uid and gid are kept", () => {
        const result = parseEnvironmentConfig(roster((r) => {
            delete r.access;
            r.roster = { groups: [{ name: "cfd", gid: 3001 }, { name: "genomics" }] };
            r.users[0].uid = 5000;
        }));
        assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
        assert.deepEqual(result.config.access, { backend: "roster", roster: { syncIntervalSeconds: 60, uidRange: { first: 2001, last: 60000 }, groups: [{ name: "cfd", gid: 3001 }, { name: "genomics" }], instanceConnect: false, signingKeyVersion: 1, signers: [], awaitNodes: 120, awaitNodesStrict: false, nudge: false } });
        assert.equal(result.config.users[0].uid, 5000);
    });

    it("refuses the settings of the backend not chosen, with the fix", () => {
        assert.deepEqual(problems(roster((r) => { r.opsworks = { stackName: "x" }; })), [
            "opsworks: is the OpsWorks backend's settings, but access.backend is roster (the default). Remove pcluster-access:opsworks, or set pcluster-access:access to {backend: opsworks}.",
        ]);
        assert.deepEqual(problems(roster((r) => { r.access = { backend: "opsworks" }; })), [
            "roster: is the roster backend's settings, but access.backend is opsworks. Remove pcluster-access:roster, or set pcluster-access:access to {backend: roster}.",
            "users[0].groups: is a roster backend setting, but access.backend is opsworks (the OpsWorks agent picks UIDs and has no project groups). Remove it, or set pcluster-access:access to {backend: roster}.",
            "users[1].groups: is a roster backend setting, but access.backend is opsworks (the OpsWorks agent picks UIDs and has no project groups). Remove it, or set pcluster-access:access to {backend: roster}.",
            "users[2].groups: is a roster backend setting, but access.backend is opsworks (the OpsWorks agent picks UIDs and has no project groups). Remove it, or set pcluster-access:access to {backend: roster}.",
        ]);
        assert.deepEqual(problems(roster((r) => { r.access = { backend: "ldap" }; })), ["access.backend: must be one of: roster, opsworks (got 'ldap')."]);
    });

    it("the roster backend takes any region; OpsWorks keeps its region rule", () => {
        assert.ok(parseEnvironmentConfig(roster((r) => { r.region = "eu-north-1"; })).ok);
        const article = devRawConfig();
        article.region = "eu-north-1";
        assert.match(problems(article)[0], /^aws:region: 'eu-north-1' never had OpsWorks Stacks/);
    });

    it("sync interval: a multiple of 60 from 60 to 3600; range: 1000 to 60000, first <= last", () => {
        assert.deepEqual(problems(roster((r) => { r.roster.syncIntervalSeconds = 90; r.roster.uidRange = { first: 500, last: 70000 }; })), [
            "roster.syncIntervalSeconds: 90 is not a sync interval the node agent can keep: it runs from cron, so use a multiple of 60 from 60 to 3600 (default 60).",
            "roster.uidRange.first: 500 is below 1000: lower numbers belong to system accounts and ParallelCluster's own service accounts (400 and up). Use 1000 or more (default 2001).",
            "roster.uidRange.last: 70000 is above 60000 (useradd's UID_MAX). Use 60000 or less.",
        ]);
        assert.deepEqual(problems(roster((r) => { r.roster.uidRange = { first: 5000, last: 4000 }; })), ["roster.uidRange: first (5000) is above last (4000). Swap them."]);
        assert.deepEqual(problems(roster((r) => { r.roster.syncIntervalSeconds = 7200; })), [
            "roster.syncIntervalSeconds: 7200 is not a sync interval the node agent can keep: it runs from cron, so use a multiple of 60 from 60 to 3600 (default 60).",
        ]);
    });

    it("awaitNodes: one interval plus 60 s by default, 0 to 7200 when given; awaitNodesStrict needs a wait", () => {
        const resolved = (change: (r: Raw) => void) => {
            const result = parseEnvironmentConfig(roster(change));
            assert.ok(result.ok && result.config.access.backend === "roster");
            return result.config.access.roster;
        };
        assert.equal(resolved((r) => { r.roster.syncIntervalSeconds = 300; }).awaitNodes, 360);
        assert.equal(resolved((r) => { r.roster.awaitNodes = 0; }).awaitNodes, 0);
        const rule = "give the seconds to wait for every running node to report a new roster, from 1 to 7200, or 0 for no wait (default: syncIntervalSeconds + 60).";
        assert.deepEqual(problems(roster((r) => { r.roster.awaitNodes = -1; })), [`roster.awaitNodes: -1 is not a wait pulumi up can make: ${rule}`]);
        assert.deepEqual(problems(roster((r) => { r.roster.awaitNodes = 7201; })), [`roster.awaitNodes: 7201 is not a wait pulumi up can make: ${rule}`]);
        assert.deepEqual(problems(roster((r) => { r.roster.awaitNodes = 0; r.roster.awaitNodesStrict = true; })), [
            "roster.awaitNodesStrict: is true but roster.awaitNodes is 0: nothing is waited for, so nothing can fail. Give awaitNodes a number of seconds, or drop awaitNodesStrict.",
        ]);
    });

    it("groups: the username rule, no system group, no duplicate name or gid, gid in range; every problem at once", () => {
        assert.deepEqual(
            problems(roster((r) => {
                r.roster.groups = [{ name: "CFD" }, { name: "wheel" }, { name: "cfd", gid: 3001 }, { name: "cfd", gid: 3001 }, { name: "low", gid: 401 }, { nme: "x" }];
            })),
            [
                "roster.groups[5].name: is required.",
                "roster.groups[5].nme: is not a known key. Check its spelling against the config reference in docs/config-reference.md.",
                "roster.groups[0].name: 'CFD' is not a valid group name (lowercase letters, digits, '-' and '_', starting with a letter or '_', at most 32 characters).",
                "roster.groups[1].name: 'wheel' is a group or account the cluster's images already have. Choose another name.",
                "roster.groups[3].name: group 'cfd' is already roster.groups[2]. List each group once.",
                "roster.groups[3].gid: 3001 is already the gid of roster.groups[2]. Give each group its own gid, or leave gid out to have one allocated.",
                "roster.groups[4].gid: 401 is outside 1000-60000: lower numbers belong to system accounts and ParallelCluster's service accounts, higher ones to nobody and to ranges useradd does not hand out. Choose a number in that range, or leave it out to have one allocated.",
                "users[1].groups[0]: 'genomics' is not a project group. Add {name: genomics} to roster.groups, or use one of: CFD, wheel, cfd, low.",
                "users[2].groups[1]: 'genomics' is not a project group. Add {name: genomics} to roster.groups, or use one of: CFD, wheel, cfd, low.",
            ],
        );
    });

    it("users: unknown or repeated group, duplicate explicit uid, a uid that is a group's gid, a group named like a user", () => {
        assert.deepEqual(
            problems(roster((r) => {
                r.roster.groups = [{ name: "cfd", gid: 3001 }, { name: "bob" }];
                r.users[0].groups = ["cfd", "physics", "cfd"];
                r.users[0].uid = 3001;
                r.users[1].groups = [];
                r.users[1].uid = 5000;
                r.users[2].groups = [];
                r.users[2].uid = 5000;
            })),
            [
                "users[0].uid: 3001 is the gid of roster.groups[0], and a user's own group takes the uid as its gid. Choose another uid or gid.",
                "users[0].groups[1]: 'physics' is not a project group. Add {name: physics} to roster.groups, or use one of: cfd, bob.",
                "users[0].groups[2]: 'cfd' is listed twice. List each group once.",
                "roster.groups[1].name: 'bob' is the own group of users[1] (every user gets a group named like them). Rename the project group.",
                "users[2].uid: 5000 is already the uid of users[1]. Give each user their own uid, or leave uid out to have one allocated.",
            ],
        );
        assert.deepEqual(problems(roster((r) => { r.users[0].uid = 400; r.users[1].uid = "x"; })), [
            "users[1].uid: must be a number, not 'x'.",
            "users[0].uid: 400 is outside 1000-60000: lower numbers belong to system accounts and ParallelCluster's service accounts, higher ones to nobody and to ranges useradd does not hand out. Choose a number in that range, or leave it out to have one allocated.",
        ]);
    });
});
