/**
 * The plan remembers (issue 23 §1): each passing plan leaves out/<stack>/state.json in the format
 * `pulumi stack export` writes, and the next plan starts from it as `pulumi preview` starts from a
 * deployed stack: UIDs and GIDs stay, a silent removal is refused, a passed end date expires a user.
 */
import * as assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { EXIT, plan, type PlanOptions } from "../../../scripts/plan";
import { runProgram } from "../../../scripts/offline/runProgram";
import { REPO_ROOT } from "../../support/devConfig";

const DAY = 24 * 60 * 60 * 1000;
const EXPORT_FIXTURE = path.join(REPO_ROOT, "test", "fixtures", "stack-export-roster.json");
const CAROL = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDz0l8ZXlmGnq0wS5g1lqvRCs0Q8l1g8a5aTnVf0T8Tb carol@example.org";

describe("npm run plan remembers the stack's state", () => {
    let dir: string;
    beforeEach(() => {
        dir = mkdtempSync(path.join(tmpdir(), "pca-plan-state-"));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    /** The dev stack file with one change, written to the temp dir under `name`. */
    function devFileWith(change: (config: Record<string, any>) => void, name = "Pulumi.dev.yaml"): string {
        const document = YAML.parse(readFileSync(path.join(REPO_ROOT, "Pulumi.dev.yaml"), "utf8"));
        change(document.config);
        const file = path.join(dir, name);
        writeFileSync(file, YAML.stringify(document));
        return file;
    }
    const options = (configFile: string, extra: Partial<PlanOptions> = {}): PlanOptions => ({
        stack: "dev",
        configFile,
        projectFile: path.join(REPO_ROOT, "Pulumi.yaml"),
        outDir: path.join(dir, "out"),
        startFrom: "remembered",
        ...extra,
    });
    const read = (file: string) => readFileSync(path.join(dir, "out", "dev", file), "utf8");
    const devFile = path.join(REPO_ROOT, "Pulumi.dev.yaml");
    const addCarol = (config: Record<string, any>) => {
        config["pcluster-access:users"].push({ iamUser: "carol", create: true, sshPublicKey: CAROL, groups: ["cfd"] });
    };

    it("writes state.json in the export format: version 3, the stack's outputs on its root, each resource with its type, id, inputs and outputs", async () => {
        const now = Date.parse("2026-12-07T12:00:00Z");
        const result = await plan(options(devFile, { now }));
        assert.equal(result.exitCode, EXIT.ok, result.stderr);
        assert.match(result.stdout, new RegExp(`\\nStarting from nothing: a first deployment \\(no ${dir}/out/dev/state\\.json yet\\)\\.\\n`));
        const state = JSON.parse(read("state.json"));
        assert.equal(state.version, 3);
        assert.equal(state.deployment.manifest.time, "2026-12-07T12:00:00.000Z");
        const [root, ...resources] = state.deployment.resources;
        assert.deepEqual([root.urn, root.type, root.custom], ["urn:pulumi:dev::pcluster-access::pulumi:pulumi:Stack::pcluster-access-dev", "pulumi:pulumi:Stack", false]);
        assert.deepEqual(root.outputs.users.map((user: { iamUser: string; uid: number }) => [user.iamUser, user.uid]), [["alice", 2001], ["bob", 2002], ["adam.black", 2003]]);
        // The plan's 34 resources are the stack and 33 others.
        assert.equal(resources.length, 33);
        const roster = resources.find((resource: { type: string }) => resource.type === "pulumi-nodejs:dynamic/roster:Roster");
        assert.equal(roster.custom, true);
        assert.match(roster.id, /^hpc-dev-scripts-bucket-[0-9a-f]{7}\/roster\.txt$/);
        assert.match(roster.inputs.__provider, /^sha256:[0-9a-f]{64}$/);
        assert.deepEqual(roster.outputs.allocation.groups, { cfd: 2004, genomics: 2005 });
        assert.equal(roster.outputs.generation, now / 1000);
        assert.match(result.stdout, new RegExp(`\\nWrote ${dir}/out/dev/plan\\.json, ${dir}/out/dev/roster\\.txt, ${dir}/out/dev/state\\.json and ${dir}/out/dev/cluster-config\\.yaml\\.\\n$`));
    });

    it("keeps every UID and GID when a user is added (a first deployment would have moved both groups)", async () => {
        assert.equal((await plan(options(devFile))).exitCode, EXIT.ok);
        const withCarol = devFileWith(addCarol);
        const second = await plan(options(withCarol));
        assert.equal(second.exitCode, EXIT.ok, second.stderr);
        assert.match(second.stdout, new RegExp(`\\nStarting from ${dir}/out/dev/state\\.json \\(the state the last passing plan left, \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\)\\.\\n`));
        assert.match(second.stdout, /\n {2}carol {7}carol {9}2006 {2}yes/);
        const roster = read("roster.txt");
        assert.match(roster, /\ngroup cfd 2004 adamblack,alice,carol\ngroup genomics 2005 adamblack,bob\n/);
        assert.match(roster, /\nuser adamblack 2003 2003 allowed nosudo -\n[^]*\nuser alice 2001 2001 allowed sudo -\n[^]*\nuser bob 2002 2002 allowed nosudo -\n[^]*\nuser carol 2006 2006 allowed nosudo -\n/);

        // What the plan did before it remembered: carol takes 2004, and both project groups move.
        const fresh = await plan(options(withCarol, { startFrom: "fresh" }));
        assert.equal(fresh.exitCode, EXIT.ok, fresh.stderr);
        assert.match(fresh.stdout, /\nStarting from nothing: a first deployment\.\n/);
        assert.match(read("roster.txt"), /\ngroup cfd 2005 adamblack,alice,carol\ngroup genomics 2006 adamblack,bob\n/);
    });

    it("shows what a second plan changes: users changed, blocked, renamed, added; numbers kept; the roster's summary", async () => {
        const now = Date.parse("2026-12-07T12:00:00Z");
        assert.equal((await plan(options(devFile, { now }))).exitCode, EXIT.ok);
        const same = await plan(options(devFile, { now: now + DAY }));
        assert.ok(
            same.stdout.includes(
                "\nRoster: generation 1796644800 (2026-12-07 12:00:00 UTC), unchanged: nothing is written; 3 users (3 allowed), 2 groups, 3 keys.\n\n" +
                    `Changes since ${dir}/out/dev/state.json:\n  users: no change\n  UIDs and GIDs: none moves (3 users and 2 groups keep theirs)\n  resources: 0 to create, 0 to delete\n\n`,
            ),
            same.stdout,
        );
        const edited = devFileWith((config) => {
            const users = config["pcluster-access:users"];
            users[0].sudo = false;
            users[0].groups = ["cfd", "genomics"];
            users[1].access = "blocked";
            users[2].sshUsername = "adam";
            addCarol(config);
        });
        const result = await plan(options(edited, { now: now + 2 * DAY }));
        assert.equal(result.exitCode, EXIT.ok, result.stderr);
        assert.ok(
            result.stdout.includes(
                "\nRoster: generation 1796817600 (2026-12-09 12:00:00 UTC), a new document; 4 users (3 allowed, 1 blocked), 2 groups, 3 keys.\n\n" +
                    `Changes since ${dir}/out/dev/state.json:\n` +
                    "  changed  alice       sudo yes → no; groups cfd → cfd,genomics\n" +
                    "  blocked  bob         was allowed\n" +
                    "  renamed  adam.black  login adamblack → adam, UID 2003 kept\n" +
                    "  added    carol       login carol, UID 2006, allowed, groups cfd\n" +
                    "  UIDs and GIDs: none moves (3 users and 2 groups keep theirs)\n" +
                    "  resources: 1 to create, 0 to delete\n\n",
            ),
            result.stdout,
        );
        // The user table says what the nodes will do: blocked bob keeps his group, but no ssh and no key.
        assert.match(result.stdout, /\n {2}bob {9}bob {11}2002 {2}no {3}no {4}blocked {2}- {8}0 {5}no {16}genomics\n/);
        // roster.txt is that document: the generation the summary gives, bob without his key.
        assert.match(read("roster.txt"), /\ngeneration 1796817600\n[^]*\nuser bob 2002 2002 blocked nosudo -\nuser carol /);
    });

    it("shows a UID that an explicit uid moves, and a revoked user leaving the config", async () => {
        const revoked = devFileWith((config) => {
            config["pcluster-access:users"][1].access = "revoked";
        });
        const first = await plan(options(revoked));
        assert.equal(first.exitCode, EXIT.ok, first.stderr);
        // A revoked user has nothing on the nodes: no ssh, no sudo, no key, no group.
        assert.match(first.stdout, /\n {2}bob {9}bob {11}2002 {2}no {3}no {4}revoked {2}- {8}0 {5}no {16}-\n/);
        const edited = devFileWith((config) => {
            config["pcluster-access:users"].splice(1, 1);
            config["pcluster-access:users"][0].uid = 3001;
            config["pcluster-access:users"][0].sshPublicKeys = [config["pcluster-access:users"][0].sshPublicKey, CAROL.replace("carol@", "alice@")];
            delete config["pcluster-access:users"][0].sshPublicKey;
        }, "Pulumi.edited.yaml");
        const result = await plan(options(edited));
        assert.equal(result.exitCode, EXIT.ok, result.stderr);
        assert.ok(
            result.stdout.includes(
                `Changes since ${dir}/out/dev/state.json:\n` +
                    "  changed  alice  1 key added\n" +
                    "  left     bob    leaves the config (was revoked; UID 2002 stays theirs)\n" +
                    "  UIDs and GIDs: 1 would move:\n" +
                    "    user alice: UID 2001 → 3001 (an explicit uid in the config). Files on shared storage stay owned by 2001, which is retired for good; chown them, or set uid: 2001 back.\n",
            ),
            result.stdout,
        );
        assert.match(read("roster.txt"), /\nuser bob 2002 2002 revoked nosudo -\n/);
    });

    it("refuses removing a user who still has SSH on the article's OpsWorks stack, as the permission's delete would", async () => {
        const article = path.join(REPO_ROOT, "Pulumi.article.yaml");
        assert.equal((await plan(options(article, { stack: "article" }))).exitCode, EXIT.ok);
        const document = YAML.parse(readFileSync(article, "utf8"));
        document.config["pcluster-access:users"].splice(1, 1);
        const file = path.join(dir, "Pulumi.article.yaml");
        writeFileSync(file, YAML.stringify(document));
        const result = await plan(options(file, { stack: "article" }));
        assert.equal(result.exitCode, EXIT.invalidConfig);
        assert.equal(result.stdout, "");
        assert.match(
            result.stderr,
            new RegExp(
                "^The change is refused: `pulumi up` would stop at a delete; nothing was created\\.\n" +
                    "pulumi-nodejs:dynamic/opsworks:Permission hpc-dev-users-bob-permission: OpsWorks permission for arn:aws:iam::123456789012:user/bob on stack [0-9a-f-]{36} in eu-west-1: " +
                    "refusing to delete a permission that still gives SSH\\. Deleting it makes the OpsWorks agent delete the user's account and home directory on every instance of the stack\\. " +
                    "If the user was removed from the config by mistake, put them back\\. To stop the login and keep the account and home directory, set access: blocked\\. " +
                    "To remove the account, set access: revoked and run pulumi up; after that the user can be removed from the config\\.$",
            ),
        );
    });

    it("refuses a user removed from the config while they still have an account, as a preview does, and keeps the state", async () => {
        assert.equal((await plan(options(devFile))).exitCode, EXIT.ok);
        const before = read("state.json");
        const result = await plan(options(devFileWith((config) => config["pcluster-access:users"].splice(1, 1))));
        assert.equal(result.exitCode, EXIT.invalidConfig);
        assert.equal(result.stdout, "");
        assert.equal(
            result.stderr,
            "The change is refused by the pulumi-nodejs:dynamic/roster:Roster hpc-dev-users-roster, as `pulumi preview` refuses it; nothing was created.\n" +
                "The roster cannot be written:\n" +
                "user bob (bob) is allowed on the cluster but missing from the config. Removing them would leave an account no roster speaks for. " +
                "If they were removed by mistake, put them back. To stop the login and keep the account and home directory, set access: blocked. " +
                "To remove the account, set access: revoked and run pulumi up; after that they can be removed from the config.",
        );
        assert.equal(read("state.json"), before);
    });

    it("passes the unchanged stack the day after a user's end date and shows them expired; only a user new to the roster is refused", async () => {
        const day = Date.parse("2027-03-01T12:00:00Z");
        const withDate = devFileWith((config) => {
            config["pcluster-access:users"][1].expires = "2027-03-02";
        });
        const first = await plan(options(withDate, { now: day }));
        assert.equal(first.exitCode, EXIT.ok, first.stderr);
        assert.match(first.stdout, /\n {2}bob {9}bob {11}2002 {2}yes {2}no {4}allowed {2}2027-03-02/);

        const dayAfter = day + 2 * DAY;
        const second = await plan(options(withDate, { now: dayAfter }));
        assert.equal(second.exitCode, EXIT.ok, second.stderr);
        assert.match(second.stdout, /\n {2}bob {9}bob {11}2002 {2}no {3}no {4}expired {2}2027-03-02/);
        // Nothing changed: the roster keeps its generation (no write).
        assert.match(read("roster.txt"), new RegExp(`\\ngeneration ${day / 1000}\\n`));

        const fresh = await plan(options(withDate, { now: dayAfter, startFrom: "fresh" }));
        assert.equal(fresh.exitCode, EXIT.invalidConfig);
        assert.match(fresh.stderr, /user bob \(bob\): expires 2027-03-02 has already passed \(today is 2027-03-03 UTC\), and the user is new to this roster/);
    });

    it("starts from a real `pulumi stack export`: its UIDs, GIDs, tombstones and generation; secret outputs it cannot open count as absent", async () => {
        const now = Date.parse("2026-12-07T12:00:00Z");
        const result = await plan(options(devFile, { now, startFrom: { stateFile: EXPORT_FIXTURE } }));
        assert.equal(result.exitCode, EXIT.ok, result.stderr);
        assert.match(
            result.stdout,
            new RegExp(`\\nStarting from ${EXPORT_FIXTURE} \\(a stack export, 2026-11-30T09:12:44\\.118397Z; its secret outputs fsx cannot be opened offline and count as absent\\)\\.\\n`),
        );
        const roster = read("roster.txt");
        assert.match(roster, new RegExp(`\\ngeneration ${now / 1000}\\n`));
        assert.match(roster, /\ngroup cfd 2005 adamblack,alice\ngroup genomics 2006 adamblack,bob\n/);
        assert.match(roster, /\nuser adamblack 2004 2004 allowed nosudo -\n/);
        // dave was revoked and then left the config: his UID stays retired, as a tombstone.
        assert.match(roster, /\nuser dave 2003 2003 revoked nosudo -\n/);
    });

    it("refuses a state file it cannot use, naming the file and the fix", async () => {
        const notJson = path.join(dir, "not.json");
        writeFileSync(notJson, "{ not json");
        const broken = await plan(options(devFile, { startFrom: { stateFile: notJson } }));
        assert.equal(broken.exitCode, EXIT.invalidConfig);
        // JSON.parse's own words vary with the Node release; the rest is ours.
        assert.match(broken.stderr, new RegExp(`^${notJson}: is not JSON \\(.+\\)\\. Give a file \`pulumi stack export --file FILE\` wrote\\.$`));
        const cases: [string, string][] = [
            [JSON.stringify({ version: 2, deployment: { resources: [] } }), "is a version 2 deployment; the plan reads version 3, which every Pulumi CLI since 3.0 writes. Export it again with a current `pulumi stack export`."],
            [JSON.stringify({ version: 3 }), 'is not a stack export (no "deployment"). Give a file `pulumi stack export --file FILE` wrote.'],
        ];
        for (const [text, message] of cases) {
            const file = path.join(dir, "export.json");
            writeFileSync(file, text);
            const result = await plan(options(devFile, { startFrom: { stateFile: file } }));
            assert.equal(result.exitCode, EXIT.invalidConfig);
            assert.equal(result.stderr, `${file}: ${message}`);
        }
        // The Roster's allocation encrypted by the stack's secrets provider: the plan cannot know the UIDs.
        const exported = JSON.parse(readFileSync(EXPORT_FIXTURE, "utf8"));
        const roster = exported.deployment.resources.find((resource: { type: string }) => resource.type === "pulumi-nodejs:dynamic/roster:Roster");
        roster.outputs.allocation = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:AAAA" };
        const file = path.join(dir, "secret.json");
        writeFileSync(file, JSON.stringify(exported));
        const secret = await plan(options(devFile, { startFrom: { stateFile: file } }));
        assert.equal(secret.exitCode, EXIT.invalidConfig);
        assert.equal(
            secret.stderr,
            `${file}: ${roster.urn} outputs.allocation is a secret encrypted by the stack's secrets provider, which the offline plan cannot open. ` +
                "Export with `pulumi stack export --show-secrets --file FILE` (keep that file private), or plan with --fresh.",
        );
    });
});

describe("the mock cloud's stack references", () => {
    const program = path.join(REPO_ROOT, "test", "fixtures", "stackReferenceProgram.ts");
    const run = (stackReferences?: Record<string, Record<string, unknown>>) =>
        runProgram({ project: "pcluster-access", stack: "pool", config: {}, cloud: { region: "eu-west-1", stackReferences }, programPath: program, echoDiagnostics: false });

    it("reads another stack's outputs by the name a StackReference gives", async () => {
        const result = await run({ "organization/pcluster-access/users": { users: [{ iamUser: "alice" }] } });
        assert.deepEqual(result.stackOutputs.usersOutput, [{ iamUser: "alice" }]);
    });

    it("reads a stack it was not given as one with no outputs (the program names what it misses)", async () => {
        const result = await run();
        assert.equal(result.stackOutputs.usersOutput, undefined);
    });
});
