/**
 * The README's day-two tasks, run as an administrator would: each `<!-- plan-edit ... -->` YAML block is
 * applied to a copy of Pulumi.dev.yaml, in the README's order, and planned (scripts/plan.ts's `plan()`,
 * one out directory for all, so the plan's memory of the previous run carries over as a deployed stack's
 * would). Each must plan with exit 0 and give the user the marker names the values it names, in the
 * plan's own user rows (plan.json).
 */
import * as assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import type { UserRow } from "../../components/access/userRow";
import { EXIT, plan } from "../../scripts/plan";
import { DEV_STACK_FILE, REPO_ROOT } from "../support/devConfig";
import { fences, type Fence } from "./markdown";

/** The keys that name a list item, so an edit that shows `- iamUser: bob` changes bob's entry. */
const IDENTITY_KEYS = ["iamUser", "name"];

type Yaml = unknown;

function isMapping(value: Yaml): value is Record<string, Yaml> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The edit applied as the README describes it: the entries it shows, as they read after it; keys it does not show stay. */
export function applyEdit(target: Yaml, edit: Yaml): Yaml {
    // A list of named entries (users, groups) changes entry by entry; any other list (a user's groups) is as shown.
    if (Array.isArray(target) && Array.isArray(edit) && edit.every((item) => isMapping(item) && IDENTITY_KEYS.some((key) => key in item))) {
        const result = [...target];
        for (const item of edit) {
            const key = isMapping(item) ? IDENTITY_KEYS.find((candidate) => candidate in item) : undefined;
            const at = key === undefined ? -1 : result.findIndex((existing) => isMapping(existing) && existing[key] === (item as Record<string, Yaml>)[key]);
            if (at === -1) {
                result.push(item);
            } else {
                result[at] = applyEdit(result[at], item);
            }
        }
        return result;
    }
    if (isMapping(target) && isMapping(edit)) {
        const result: Record<string, Yaml> = { ...target };
        for (const [key, value] of Object.entries(edit)) {
            result[key] = key in target ? applyEdit(target[key], value) : value;
        }
        return result;
    }
    return edit;
}

interface Expectation {
    readonly user: string;
    readonly fields: Readonly<Record<string, string>>;
}

/** `plan-edit user=bob access=blocked groups=cfd,climate`. */
function expectationOf(marker: string): Expectation {
    const words = marker.split(/\s+/).slice(1);
    const pairs = Object.fromEntries(words.map((word) => word.split("=") as [string, string]));
    const { user, ...fields } = pairs;
    assert.ok(user, `plan-edit marker without user=: ${marker}`);
    return { user, fields };
}

/** A user row's field as the marker writes it: booleans, lists joined by commas. */
function shown(value: unknown): string {
    return Array.isArray(value) ? value.join(",") : String(value);
}

describe("the README's day-two edits, planned in order", () => {
    const readme = readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
    const edits = fences(readme).filter((fence): fence is Fence & { marker: string } => fence.marker?.startsWith("plan-edit") === true);
    let dir: string;
    let stackFile: string;
    let document: { config: Record<string, Yaml> };

    before(() => {
        dir = mkdtempSync(path.join(tmpdir(), "pca-guide-"));
        stackFile = path.join(dir, "Pulumi.dev.yaml");
        document = YAML.parse(readFileSync(DEV_STACK_FILE, "utf8"));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("has a plan-edit marker on every config block of the README's day-two section", () => {
        const dayTwo = /^## Day two[^\n]*\n([\s\S]*?)^## /m.exec(readme)?.[1] ?? "";
        const configBlocks = fences(dayTwo).filter((fence) => fence.info === "yaml" && /^\s*pcluster-access:/m.test(fence.body));
        assert.equal(edits.length, configBlocks.length);
        assert.ok(edits.length >= 9, `only ${edits.length} edits`);
    });

    for (const [index, marker] of fences(readme)
        .map((fence) => fence.marker)
        .filter((text): text is string => text?.startsWith("plan-edit") === true)
        .entries()) {
        it(`edit ${index + 1}: ${marker}`, async () => {
            const edit = edits[index];
            document.config = applyEdit(document.config, YAML.parse(edit.body)) as Record<string, Yaml>;
            writeFileSync(stackFile, YAML.stringify(document));
            const result = await plan({ stack: "dev", configFile: stackFile, projectFile: path.join(REPO_ROOT, "Pulumi.yaml"), outDir: dir, startFrom: "remembered" });
            assert.equal(result.exitCode, EXIT.ok, `README line ${edit.line}: ${result.stderr}`);
            const expected = expectationOf(marker);
            const rows = JSON.parse(readFileSync(path.join(dir, "dev", "plan.json"), "utf8")).users as UserRow[];
            const row = rows.find((candidate) => candidate.iamUser === expected.user);
            assert.ok(row, `no user ${expected.user} in the plan`);
            const actual = Object.fromEntries(Object.keys(expected.fields).map((field) => [field, shown((row as unknown as Record<string, unknown>)[field])]));
            assert.deepEqual(actual, expected.fields);
        });
    }

    it("merges an edit by the entries' names: changes the one shown, keeps the rest, appends a new one; other lists read as shown", () => {
        const users = [{ iamUser: "alice", sudo: true }, { iamUser: "bob", sudo: false, groups: ["cfd"] }];
        assert.deepEqual(applyEdit(users, [{ iamUser: "bob", access: "blocked" }, { iamUser: "carol" }]), [
            { iamUser: "alice", sudo: true },
            { iamUser: "bob", sudo: false, groups: ["cfd"], access: "blocked" },
            { iamUser: "carol" },
        ]);
        assert.deepEqual(applyEdit({ groups: [{ name: "cfd" }] }, { groups: [{ name: "cfd" }, { name: "climate" }], instanceConnect: true }), {
            groups: [{ name: "cfd" }, { name: "climate" }],
            instanceConnect: true,
        });
        assert.deepEqual(applyEdit([{ iamUser: "alice", groups: ["cfd"] }], [{ iamUser: "alice", groups: ["cfd", "climate"] }]), [{ iamUser: "alice", groups: ["cfd", "climate"] }]);
    });
});
