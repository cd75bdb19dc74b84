/**
 * The UID/GID allocation as a pure function: numbers never move for anyone when others are added,
 * removed, reordered or renamed; retired numbers are never handed out again; explicit numbers win.
 */
import * as assert from "node:assert/strict";
import { allocate, type Allocation, type AllocationRequest, type UserRequest } from "../../../components/access/roster/allocation";

const RANGE = { first: 2001, last: 60000 };

function ok(previous: Allocation | undefined, request: AllocationRequest): Allocation {
    const result = allocate(previous, request);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
    return result.allocation;
}

function problems(previous: Allocation | undefined, request: AllocationRequest): readonly string[] {
    const result = allocate(previous, request);
    assert.equal(result.ok, false, "expected the allocation to be refused");
    return (result as { problems: readonly string[] }).problems;
}

const user = (key: string, extra: Partial<UserRequest> = {}): UserRequest => ({ key, name: key, ...extra });
const uids = (allocation: Allocation) => Object.fromEntries(Object.entries(allocation.users).map(([key, value]) => [key, value.uid]));

describe("roster UID/GID allocation", () => {
    const first = ok(undefined, { range: RANGE, users: [user("alice"), user("bob"), user("carol")], groups: [{ name: "cfd" }, { name: "genomics", gid: 3002 }] });

    it("hands out numbers from the range's start in config order, users first, then groups", () => {
        assert.deepEqual(uids(first), { alice: 2001, bob: 2002, carol: 2003 });
        assert.deepEqual(first.groups, { cfd: 2004, genomics: 3002 });
        assert.deepEqual([first.retiredUsers, first.retiredGroups, first.retiredNumbers], [{}, {}, []]);
    });

    it("is stable: the same request gives the same allocation", () => {
        assert.deepEqual(ok(first, { range: RANGE, users: [user("alice"), user("bob"), user("carol")], groups: [{ name: "cfd" }, { name: "genomics", gid: 3002 }] }), first);
    });

    it("reordering users and groups moves nobody", () => {
        const next = ok(first, { range: RANGE, users: [user("carol"), user("alice"), user("bob")], groups: [{ name: "genomics", gid: 3002 }, { name: "cfd" }] });
        assert.deepEqual(uids(next), { alice: 2001, bob: 2002, carol: 2003 });
        assert.deepEqual(next.groups, { cfd: 2004, genomics: 3002 });
    });

    it("adding users and groups gives them new numbers and moves nobody", () => {
        const next = ok(first, { range: RANGE, users: [user("dave"), user("alice"), user("bob"), user("carol")], groups: [{ name: "cfd" }, { name: "genomics", gid: 3002 }, { name: "physics" }] });
        assert.deepEqual(uids(next), { alice: 2001, bob: 2002, carol: 2003, dave: 2005 });
        assert.deepEqual(next.groups, { cfd: 2004, genomics: 3002, physics: 2006 });
    });

    it("renaming a user's login keeps their UID (keyed by IAM user) and moves nobody else", () => {
        const next = ok(first, { range: RANGE, users: [user("alice", { name: "alice2" }), user("bob"), user("carol")], groups: [{ name: "cfd" }, { name: "genomics", gid: 3002 }] });
        assert.deepEqual(next.users.alice, { uid: 2001, name: "alice2" });
        assert.deepEqual(uids(next), { alice: 2001, bob: 2002, carol: 2003 });
    });

    it("a removed user's UID and a removed group's GID are retired: never given to anyone else, even much later", () => {
        const removed = ok(first, { range: RANGE, users: [user("alice"), user("carol")], groups: [{ name: "genomics", gid: 3002 }] });
        assert.deepEqual(uids(removed), { alice: 2001, carol: 2003 });
        assert.deepEqual(removed.retiredUsers, { bob: { uid: 2002, name: "bob" } });
        assert.deepEqual(removed.retiredGroups, { cfd: 2004 });
        const later = ok(ok(removed, { range: RANGE, users: [user("alice"), user("carol")], groups: [{ name: "genomics", gid: 3002 }] }), {
            range: RANGE,
            users: [user("alice"), user("carol"), user("erin"), user("frank")],
            groups: [{ name: "genomics", gid: 3002 }, { name: "chemistry" }],
        });
        assert.deepEqual(uids(later), { alice: 2001, carol: 2003, erin: 2005, frank: 2006 });
        assert.deepEqual(later.groups, { genomics: 3002, chemistry: 2007 });
        assert.deepEqual(later.retiredUsers, { bob: { uid: 2002, name: "bob" } });
    });

    it("a retired user or group that comes back gets their own number back", () => {
        const removed = ok(first, { range: RANGE, users: [user("alice"), user("carol")], groups: [] });
        const back = ok(removed, { range: RANGE, users: [user("alice"), user("bob"), user("carol")], groups: [{ name: "cfd" }] });
        assert.deepEqual(uids(back), { alice: 2001, bob: 2002, carol: 2003 });
        assert.deepEqual(back.groups, { cfd: 2004 });
        assert.deepEqual([back.retiredUsers, back.retiredGroups], [{}, { genomics: 3002 }]);
    });

    it("refuses an explicit number another user, group or retired holder has, naming both", () => {
        const removed = ok(first, { range: RANGE, users: [user("alice"), user("carol")], groups: [{ name: "cfd" }, { name: "genomics", gid: 3002 }] });
        assert.deepEqual(problems(removed, { range: RANGE, users: [user("alice"), user("carol"), user("dave", { uid: 2002 })], groups: [{ name: "cfd" }, { name: "genomics", gid: 3002 }] }), [
            "user dave: uid 2002 is user bob's number in this environment (kept for good, even after they left: files on shared storage carry it). Choose another number, or leave it out to have one allocated.",
        ]);
        assert.deepEqual(problems(first, { range: RANGE, users: [user("alice"), user("bob"), user("carol", { uid: 3002 })], groups: [{ name: "cfd" }, { name: "genomics", gid: 3002 }] }), [
            "user carol: uid 3002 is group genomics's number in this environment (kept for good, even after they left: files on shared storage carry it). Choose another number, or leave it out to have one allocated.",
        ]);
        assert.deepEqual(problems(undefined, { range: RANGE, users: [user("a", { uid: 5000 }), user("b", { uid: 5000 })], groups: [] }), [
            "user b: uid 5000 is already user a's. Choose another number, or leave it out to have one allocated.",
        ]);
    });

    it("an explicit uid wins over the kept one, and the old number is retired for good", () => {
        const moved = ok(first, { range: RANGE, users: [user("alice", { uid: 4000 }), user("bob"), user("carol")], groups: [{ name: "cfd" }, { name: "genomics", gid: 3002 }] });
        assert.deepEqual(uids(moved), { alice: 4000, bob: 2002, carol: 2003 });
        assert.deepEqual(moved.retiredNumbers, [2001]);
        const next = ok(moved, { range: RANGE, users: [user("alice", { uid: 4000 }), user("bob"), user("carol"), user("dave")], groups: [{ name: "cfd" }, { name: "genomics", gid: 3002 }] });
        assert.equal(next.users.dave.uid, 2005);
        assert.deepEqual(problems(next, { range: RANGE, users: [user("alice", { uid: 4000 }), user("bob"), user("carol"), user("dave"), user("erin", { uid: 2001 })], groups: [] }), [
            "user erin: uid 2001 is a number this environment retired. Choose another number, or leave it out to have one allocated.",
        ]);
    });

    it("an explicit number claimed by a later entry is not handed to an earlier new one", () => {
        const allocation = ok(undefined, { range: RANGE, users: [user("alice"), user("bob", { uid: 2001 })], groups: [] });
        assert.deepEqual(uids(allocation), { alice: 2002, bob: 2001 });
    });

    it("takes another environment's number from the IAM tag, and refuses a tag that disagrees with the config or clashes here", () => {
        assert.deepEqual(uids(ok(first, { range: RANGE, users: [user("alice"), user("bob"), user("carol"), user("dave", { pinned: 7001 })], groups: [] })).dave, 7001);
        assert.deepEqual(problems(first, { range: RANGE, users: [user("alice"), user("bob"), user("carol"), user("dave", { pinned: 7001, uid: 7002 })], groups: [] }), [
            "user dave: the config gives uid 7002, but the IAM user's pcluster-access:uid tag says 7001 (the number another environment of this account gave them). Set uid: 7001, so both environments agree on who owns their files.",
        ]);
        assert.deepEqual(problems(first, { range: RANGE, users: [user("alice"), user("bob"), user("carol"), user("dave", { pinned: 2002 })], groups: [] }), [
            "user dave: the IAM user's pcluster-access:uid tag says 2002 (the number another environment of this account gave them), but here 2002 is already user bob's. " +
                "Environments that share storage must agree on every number: give the holder here the same number it has there, or deploy these environments on storage they do not share.",
        ]);
    });

    it("says when the range is used up, for every entry that got no number", () => {
        assert.deepEqual(problems(undefined, { range: { first: 2001, last: 2002 }, users: [user("a"), user("b"), user("c")], groups: [{ name: "g" }] }), [
            "user c: roster.uidRange 2001-2002 has no free number left. Widen roster.uidRange.",
            "group g: roster.uidRange 2001-2002 has no free number left. Widen roster.uidRange.",
        ]);
    });
});
