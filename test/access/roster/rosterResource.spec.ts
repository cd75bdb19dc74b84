/**
 * The Roster provider against moto's S3 over HTTP (AWS_ENDPOINT_URL_S3), as the stored configuration's
 * provider is tested: writes are counted as object versions in a versioned bucket, so "one PutObject"
 * and "nothing written" are what S3 itself recorded.
 */
import * as assert from "node:assert/strict";
import { todayUtc } from "../../../components/access/roster/clock";
import { nextGeneration, planRoster, RosterError } from "../../../components/access/roster/planner";
import { rosterProvider as provider, type RosterInputs, type RosterOutputs, type RosterUserInput } from "../../../components/access/roster/rosterResource";
import { objectText as readObjectText, objectVersions, useMotoS3 } from "../../support/motoS3";
import { roundTrip, type AnyProvider } from "../../support/serializedProvider";
import { ECDSA_ADAM, ED25519_ALICE, EXAMPLE_AGENT_SHA256, EXAMPLE_OPTIONS } from "./support";

const REGION = "eu-west-1";
const BUCKET = "hpc-dev-scripts-bucket-roster1";

const user = (iamUser: string, extra: Partial<RosterUserInput> = {}): RosterUserInput => ({
    iamUser,
    name: iamUser.replace(/[^a-z0-9_-]/g, ""),
    state: "allowed",
    sudo: false,
    keys: [ED25519_ALICE],
    groups: [],
    ...extra,
});

describe("roster (dynamic provider, moto S3)", () => {
    const moto = useMotoS3(REGION, BUCKET);
    const s3 = () => moto().s3;

    const inputs = (key: string, users: RosterUserInput[], groups: { name: string; gid?: number }[] = []): RosterInputs => ({
        region: REGION,
        bucket: BUCKET,
        key,
        environment: "hpc-dev",
        signingKeyArn: moto().signingKey.arn,
        publicKey: moto().signingKey.publicKey,
        range: { first: 2001, last: 60000 },
        agentSha256: EXAMPLE_AGENT_SHA256,
        options: EXAMPLE_OPTIONS,
        users,
        groups,
        maxAttempts: 1,
    });

    const objectText = (key: string) => readObjectText(s3(), BUCKET, key);

    const versions = (key: string) => objectVersions(s3(), BUCKET, key);

    /** create, with the outputs every create of this provider returns. */
    async function create(values: RosterInputs): Promise<{ id: string; outs: RosterOutputs }> {
        const result = await provider.create!(values);
        assert.ok(result.outs);
        return { id: result.id, outs: result.outs };
    }

    /** What an `up` does: diff, then update only when diff says so (the engine's rule). */
    async function up(id: string, olds: RosterOutputs, news: RosterInputs): Promise<RosterOutputs> {
        const diff = await provider.diff!(id, olds, news);
        return diff.changes ? (await provider.update!(id, olds, news)).outs! : olds;
    }

    it("create writes the whole document once, with allocated UIDs, groups and members", async () => {
        const key = "create.txt";
        const created = await create(inputs(key, [user("alice", { sudo: true, groups: ["cfd"] }), user("bob"), user("adam.black", { keys: [ECDSA_ADAM], groups: ["cfd"] })], [{ name: "cfd" }]));
        assert.equal(created.id, `${BUCKET}/${key}`);
        assert.equal(await versions(key), 1);
        const text = await objectText(key);
        const lines = text.split("\n");
        assert.equal(lines[0], "pcluster-access-roster 2");
        assert.equal(lines[1], "environment hpc-dev");
        assert.equal(lines[2], `generation ${created.outs.generation}`);
        assert.equal(lines[3], `agent ${EXAMPLE_AGENT_SHA256}`);
        assert.deepEqual(lines.slice(4, -3), [
            "option home-keys cluster",
            "option instance-connect off",
            "group cfd 2004 adamblack,alice",
            "user adamblack 2003 2003 allowed nosudo -",
            `key adamblack ${ECDSA_ADAM.split(" ").slice(0, 2).join(" ")} -`,
            "user alice 2001 2001 allowed sudo -",
            `key alice ${ED25519_ALICE.split(" ").slice(0, 2).join(" ")} -`,
            "user bob 2002 2002 allowed nosudo -",
            `key bob ${ED25519_ALICE.split(" ").slice(0, 2).join(" ")} -`,
        ]);
        assert.match(lines.at(-3)!, /^end [0-9a-f]{64}$/);
        // The signature line (test/access/roster/signing.spec.ts verifies it), then the final LF.
        assert.match(lines.at(-2)!, /^signature ecdsa-p256-sha256 [A-Za-z0-9+/]+=*$/);
        assert.equal(lines.at(-1), "");
        assert.equal(created.outs.url, `s3://${BUCKET}/${key}`);
        assert.deepEqual(Object.fromEntries(Object.entries(created.outs.allocation.users).map(([name, value]) => [name, value.uid])), { alice: 2001, bob: 2002, "adam.black": 2003 });
    });

    it("a no-op up writes nothing; any number of user changes is one PutObject with a higher generation", async () => {
        const key = "changes.txt";
        const start = inputs(key, [user("alice", { sudo: true }), user("bob"), user("carol")]);
        const created = await create(start);
        const noop = await up(created.id, created.outs, start);
        assert.equal(noop, created.outs);
        assert.equal(await versions(key), 1);

        // Add two users, rotate alice's key, block bob, revoke carol, add a group: one write.
        const changed = inputs(key, [
            user("alice", { sudo: true, keys: [ECDSA_ADAM], groups: ["cfd"] }),
            user("bob", { state: "blocked" }),
            user("carol", { state: "revoked" }),
            user("dave", { groups: ["cfd"] }),
            user("erin"),
        ], [{ name: "cfd" }]);
        const updated = await up(created.id, created.outs, changed);
        assert.equal(await versions(key), 2);
        assert.ok(updated.generation > created.outs.generation, `${updated.generation} > ${created.outs.generation}`);
        const text = await objectText(key);
        assert.match(text, /^user bob 2002 2002 blocked nosudo -\nuser carol 2003 2003 revoked nosudo -\nuser dave 2004 2004 allowed nosudo -\n/m);
        assert.match(text, /^group cfd 2006 alice,dave$/m);
        assert.match(text, /^key alice ecdsa-sha2-nistp256 /m);
        assert.equal(await up(created.id, updated, changed), updated);
        assert.equal(await versions(key), 2);
    });

    it("refuses, before writing, a user who still has an account and is missing from the config; revoked ones leave as tombstones", async () => {
        const key = "safety.txt";
        const created = await create(inputs(key, [user("alice"), user("bob", { state: "blocked" }), user("carol", { state: "revoked" })]));
        const dropped = inputs(key, [user("carol", { state: "revoked" })]);
        const refusal = {
            message:
                "The roster cannot be written:\n" +
                "user alice (alice) is allowed on the cluster but missing from the config. Removing them would leave an account no roster speaks for. If they were removed by mistake, put them back. To stop the login and keep the account and home directory, set access: blocked. To remove the account, set access: revoked and run pulumi up; after that they can be removed from the config.\n" +
                "user bob (bob) is blocked on the cluster but missing from the config. Removing them would leave an account no roster speaks for. If they were removed by mistake, put them back. To stop the login and keep the account and home directory, set access: blocked. To remove the account, set access: revoked and run pulumi up; after that they can be removed from the config.",
        };
        await assert.rejects(provider.diff!(created.id, created.outs, dropped), refusal);
        await assert.rejects(provider.update!(created.id, created.outs, dropped), refusal);
        assert.equal(await versions(key), 1);

        // carol leaves the config: she stays in the document, revoked, with her UID; nobody gets 2003.
        const withoutCarol = await up(created.id, created.outs, inputs(key, [user("alice"), user("bob", { state: "blocked" }), user("dave")]));
        const text = await objectText(key);
        assert.match(text, /^user carol 2003 2003 revoked nosudo -$/m);
        assert.match(text, /^user dave 2004 2004 allowed nosudo -$/m);
        assert.deepEqual(withoutCarol.allocation.retiredUsers, { carol: { uid: 2003, name: "carol" } });
        await assert.rejects(provider.diff!(created.id, withoutCarol, inputs(key, [user("alice"), user("bob", { state: "blocked" }), user("dave")], [{ name: "carol" }])), {
            message:
                "The roster cannot be written:\ngroup carol: 'carol' is the name of a user in the roster (a revoked one stays as a tombstone), whose own group has it. Rename the project group.",
        });
    });

    it("refuses an allowed user without a usable key (the agents would refuse the whole document)", async () => {
        await assert.rejects(provider.create!(inputs("nokey.txt", [user("alice", { keys: [""] }), user("bob", { state: "blocked", keys: [] })])), {
            message: "The roster cannot be written:\nuser alice (alice) is allowed but has no usable key. Give their sshPublicKey, or set access: blocked.",
        });
        assert.equal(await versions("nokey.txt"), 0);
    });

    it("refuses a new user whose end date has passed; a user it already holds may pass their date (they show as expired)", async () => {
        const today = todayUtc();
        const past = "2020-01-01";
        // New to this roster (no UID in its state yet): refused before anything is written.
        await assert.rejects(provider.create!(inputs("expired.txt", [user("alice"), user("bob", { expires: past })])), {
            message:
                `The roster cannot be written:\nuser bob (bob): expires ${past} has already passed (today is ${today} UTC), and the user is new to this roster (no UID allocated yet in its state), ` +
                "so the account would be created expired. Set their expires to a later date, or leave expires out.",
        });
        assert.equal(await versions("expired.txt"), 0);
        // Held already (bob has UID 2002 in the state): the date may pass; today itself counts as passed.
        const created = await create(inputs("expired.txt", [user("alice"), user("bob", { keys: [{ key: ED25519_ALICE, expires: "2099-01-01" }] })]));
        const later = inputs("expired.txt", [user("alice"), user("bob", { expires: today })]);
        assert.equal((await provider.diff!(created.id, created.outs, later)).changes, true);
        const updated = await provider.update!(created.id, created.outs, later);
        assert.equal(updated.outs?.allocation.users.bob.uid, 2002);
        assert.equal(await versions("expired.txt"), 2);
        // A date is judged against the day it is planned on.
        assert.throws(() => planRoster(undefined, inputs("x", [user("carol", { expires: "2030-05-01" })]), "2030-05-01"), RosterError);
        assert.doesNotThrow(() => planRoster(undefined, inputs("x", [user("carol", { expires: "2030-05-02" })]), "2030-05-01"));
    });

    it("shows allocation problems at diff, so a preview stops them", async () => {
        const created = await create(inputs("clash.txt", [user("alice"), user("bob")]));
        await assert.rejects(provider.diff!(created.id, created.outs, inputs("clash.txt", [user("alice"), user("bob"), user("carol", { uid: 2001 })])), {
            message: "The roster cannot be written:\nuser carol: uid 2001 is already user alice's. Choose another number, or leave it out to have one allocated.",
        });
    });

    it("diff replaces for a new bucket or key; the generation never goes back, even for a new copy", async () => {
        const created = await create(inputs("move.txt", [user("alice")]));
        assert.deepEqual(await provider.diff!(created.id, created.outs, inputs("moved.txt", [user("alice")])), { changes: true, replaces: ["key"], deleteBeforeReplace: false });
        assert.equal(nextGeneration(7, 5), 8);
        assert.equal(nextGeneration(7, 1_800_000_000.9), 1_800_000_000);
        assert.equal(nextGeneration(undefined, 0), 1);
        assert.ok(created.outs.generation >= Math.floor(Date.now() / 1000) - 60);
    });

    it("check names missing properties; read shows a deleted object as gone", async () => {
        const result = await provider.check!({} as RosterInputs, { ...inputs("", [user("alice")]), environment: "" });
        assert.deepEqual(result.failures, [
            { property: "key", reason: "key must be a non-empty string" },
            { property: "environment", reason: "environment must be a non-empty string" },
        ]);
        const unsigned = await provider.check!({} as RosterInputs, { ...inputs("k.txt", [user("alice")]), signingKeyArn: "", publicKey: undefined as unknown as string });
        assert.deepEqual(unsigned.failures, [
            { property: "signingKeyArn", reason: "signingKeyArn must be a non-empty string" },
            { property: "publicKey", reason: "publicKey must be a non-empty string" },
        ]);
        const created = await create(inputs("gone.txt", [user("alice")]));
        assert.equal((await provider.read!(created.id, created.outs)).id, created.id);
        await provider.delete!(created.id, created.outs);
        assert.deepEqual(await provider.read!(created.id, created.outs), { id: "", props: {} });
    });

    it("works from its serialized form (as in Pulumi state): create, no-op diff, one-write update", async () => {
        const { text, loaded } = await roundTrip(provider as AnyProvider);
        assert.match(text, /require\("@aws-sdk\/client-s3"\)/);
        assert.match(text, /require\("@aws-sdk\/client-kms"\)/);
        const start = inputs("serialized.txt", [user("alice")]);
        const created = await loaded.create(start);
        assert.deepEqual(await loaded.diff!(created.id, created.outs, start), { changes: false, replaces: [], deleteBeforeReplace: false });
        const changed = inputs("serialized.txt", [user("alice", { state: "blocked" })]);
        assert.equal((await loaded.diff!(created.id, created.outs, changed)).changes, true);
        await loaded.update!(created.id, created.outs, changed);
        assert.equal(await versions("serialized.txt"), 2);
        assert.match(await objectText("serialized.txt"), /^user alice 2001 2001 blocked nosudo -$/m);
    });
});
