/**
 * What `pulumi up` and `pulumi destroy` do to what already exists, under the mock runtime: the options the
 * engine would get (retainOnDelete, aliases, forceDestroy) and the rename guard's verdict. The engine's
 * own handling of those options is Pulumi's; it is not run here (no CLI).
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { ENVIRONMENT_NAME_RESOURCE, environmentNameProvider, renameProblem } from "../../components/environmentName";
import type { ProgramRun } from "../../scripts/offline/runProgram";
import { DEV_STACK_FILE } from "../support/devConfig";
import { named, ofType, runDev } from "../support/program";

const PROFILE_TYPE = "pulumi-nodejs:dynamic/opsworks:UserProfile";
const RENAME_REFUSED =
    "cluster.name changed from 'hpc-dev' to 'hpc-lab'. Every resource of this environment is named after the cluster, " +
    "so `up` would build a second environment (creating IAM users that already exist, a new VPC, bucket and OpsWorks stack) and delete this one. " +
    "To rename this environment, also set cluster.renamedFrom: hpc-dev (the same resources, under the new name). " +
    "For a separate environment, create a new Pulumi stack instead and set cluster.name back to 'hpc-dev' here.";

/** A dynamic resource's inputs without its serialized provider. */
function guardInputs(run: ProgramRun): Record<string, unknown> {
    return Object.fromEntries(Object.entries(named(run, ENVIRONMENT_NAME_RESOURCE).inputs).filter(([key]) => key !== "__provider"));
}

/** type::name of every resource but the stack, with the cluster name prefix replaced. */
function namesAs(run: ProgramRun, from: string, to: string): string[] {
    return run.resources
        .filter((resource) => resource.type !== "pulumi:pulumi:Stack")
        .map((resource) => `${resource.type}::${resource.name.startsWith(from) ? to + resource.name.slice(from.length) : resource.name}`)
        .sort();
}

describe("lifecycle: what an edit makes `up` and `destroy` do", () => {
    describe("a user's create: true flipped to false", () => {
        it("registers every created IAM user with retainOnDelete, so leaving the program never deletes it", async () => {
            const run = await runDev();
            assert.deepEqual(ofType(run, "aws:iam/user:User").map((user) => [user.inputs.name, user.retainOnDelete]), [["adam.black", true], ["alice", true]]);
        });

        it("does the same for the roster backend's created users (the dev stack)", async () => {
            const run = await runDev(undefined, {}, undefined, undefined, DEV_STACK_FILE);
            assert.deepEqual(ofType(run, "aws:iam/user:User").map((user) => [user.inputs.name, user.retainOnDelete]), [["adam.black", true], ["alice", true]]);
        });

        it("then looks the kept user up, and the user's profile and permission stay exactly as they were", async () => {
            const before = await runDev();
            const calls: string[] = [];
            const after = await runDev((raw) => { raw.users[0].create = false; }, {}, (event) => event.kind === "call" && calls.push(event.type));
            assert.deepEqual(ofType(after, "aws:iam/user:User").map((user) => user.inputs.name), ["adam.black"]);
            assert.deepEqual(calls.sort(), ["aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings", "aws:iam/getUser:getUser", "aws:iam/getUser:getUser"]);
            for (const name of ["hpc-dev-users-alice-profile", "hpc-dev-users-alice-permission"]) {
                assert.deepEqual(named(after, name).inputs, named(before, name).inputs, name);
            }
            assert.equal(ofType(after, PROFILE_TYPE).length, 3);
        });
    });

    describe("cluster.name renamed", () => {
        it("keeps the environment's name in a resource whose own name never changes", async () => {
            const run = await runDev();
            assert.deepEqual(guardInputs(run), { clusterName: "hpc-dev" });
        });

        it("refuses an unannounced rename in the provider's check (a preview fails before anything changes), with the fix", async () => {
            assert.equal(renameProblem(undefined, { clusterName: "hpc-dev" }), undefined);
            assert.equal(renameProblem("hpc-dev", { clusterName: "hpc-dev" }), undefined);
            assert.equal(renameProblem("hpc-dev", { clusterName: "hpc-lab", renamedFrom: "hpc-dev" }), undefined);
            assert.equal(renameProblem("hpc-dev", { clusterName: "hpc-lab" }), RENAME_REFUSED);
            assert.equal(renameProblem("hpc-dev", { clusterName: "hpc-lab", renamedFrom: "hpc-old" }), RENAME_REFUSED);
            const check = environmentNameProvider.check;
            assert.ok(check);
            assert.deepEqual(await check({ clusterName: "hpc-dev" }, { clusterName: "hpc-lab" }), {
                inputs: { clusterName: "hpc-lab" },
                failures: [{ property: "clusterName", reason: RENAME_REFUSED }],
            });
            assert.deepEqual(await check({ clusterName: "hpc-dev" }, { clusterName: "hpc-lab", renamedFrom: "hpc-dev" }), {
                inputs: { clusterName: "hpc-lab", renamedFrom: "hpc-dev" },
                failures: [],
            });
            assert.deepEqual(await environmentNameProvider.diff?.("environment", { clusterName: "hpc-dev" }, { clusterName: "hpc-lab", renamedFrom: "hpc-dev" }), { changes: true });
            assert.deepEqual(await environmentNameProvider.update?.("environment", { clusterName: "hpc-dev" }, { clusterName: "hpc-lab", renamedFrom: "hpc-dev" }), {
                outs: { clusterName: "hpc-lab", renamedFrom: "hpc-dev" },
            });
        });

        it("serializes the guard's provider, as state needs it", async () => {
            const serialized = await pulumi.runtime.serializeFunction(() => environmentNameProvider);
            assert.match(serialized.text, /renameProblem/);
        });

        it("with renamedFrom, moves the same resources to the new name: the environment is aliased and every child's name carries its parent's prefix", async () => {
            const before = await runDev();
            const after = await runDev((raw) => { raw.cluster.name = "hpc-lab"; raw.cluster.renamedFrom = "hpc-dev"; });
            const environment = named(after, "hpc-lab");
            assert.deepEqual(environment.aliasNames, ["hpc-dev"]);
            assert.deepEqual(guardInputs(after), { clusterName: "hpc-lab", renamedFrom: "hpc-dev" });
            // Pulumi gives a child of an aliased parent the alias with the parent's old name in place of the
            // new one when its name starts with the parent's (resource.ts inheritedChildAlias, and the engine
            // for alias specs): so every old resource is matched by exactly one new one.
            const byUrn = new Map(after.resources.map((resource) => [resource.urn, resource]));
            const unprefixed = after.resources.filter((resource) => {
                const parent = resource.parent === undefined ? undefined : byUrn.get(resource.parent);
                return parent !== undefined && parent.type !== "pulumi:pulumi:Stack" && !resource.name.startsWith(parent.name);
            });
            assert.deepEqual(unprefixed.map((resource) => resource.name), [ENVIRONMENT_NAME_RESOURCE]);
            assert.deepEqual(namesAs(after, "hpc-lab", "hpc-dev"), namesAs(before, "hpc-dev", "hpc-dev"));
            // The dev stack names its OpsWorks stack explicitly, so it keeps that name; a default one
            // (`<cluster>-users`) would follow the rename in place (the provider updates Name, no replacement).
            assert.equal(named(after, "hpc-lab-opsworks-stack").inputs.name, "hpc-dev-users");
        });

        it("refuses a renamedFrom that is not a previous name", async () => {
            await assert.rejects(runDev((raw) => { raw.cluster.renamedFrom = "hpc-dev"; }), {
                message: /cluster\.renamedFrom: 'hpc-dev' must be the cluster's previous name \(a valid cluster name other than cluster\.name\)\. Set it to the name you renamed from, or remove it\./,
            });
        });
    });

    describe("pulumi destroy", () => {
        it("empties the versioned script bucket (forceDestroy: every version and delete marker) instead of failing with BucketNotEmpty", async () => {
            const run = await runDev();
            assert.equal(named(run, "hpc-dev-scripts-bucket").inputs.forceDestroy, true);
        });
    });
});
