/**
 * The providers travel in Pulumi state as serialized closures and run from there in the dynamic-provider
 * host (which `require`s the text from the project directory and calls its `handler`). These tests
 * serialize each provider as the SDK does, load the text the same way, and drive the loaded copy against
 * the emulator; and they check the resource classes' tokens and outputs under Pulumi's mock runtime.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import {
    Permission,
    PermissionInputs,
    permissionProvider,
    Stack,
    StackInputs,
    stackProvider,
    UserProfile,
    UserProfileInputs,
    userProfileProvider,
} from "../../../../components/access/opsworks/providers";
import { ed25519PublicKey } from "../../../support/keys";
import { roundTrip, type AnyProvider } from "../../../support/serializedProvider";
import { operations, permissionInputs, profileInputs, rejection, stackInputs, useEmulator } from "./support";

describe("OpsWorks providers in Pulumi state", () => {
    const emulator = useEmulator();

    it("serialize, and the SDK is required at call time rather than captured", async () => {
        for (const provider of [stackProvider, userProfileProvider, permissionProvider]) {
            const { text } = await roundTrip(provider as AnyProvider);
            assert.match(text, /require\("@aws-sdk\/client-opsworks"\)/);
            assert.doesNotMatch(text, /OpsWorksClient\s*=\s*\{/);
        }
    });

    it("work from their serialized form against the emulator", async () => {
        const stack = (await roundTrip(stackProvider as AnyProvider)).loaded;
        const profile = (await roundTrip(userProfileProvider as AnyProvider)).loaded;
        const permission = (await roundTrip(permissionProvider as AnyProvider)).loaded;

        const stackChecked = await stack.check!({}, stackInputs());
        const { id: stackId } = await stack.create(stackChecked.inputs as StackInputs);
        const profileChecked = await profile.check!({}, profileInputs("alice"));
        assert.deepEqual(profileChecked.failures, []);
        await profile.create(profileChecked.inputs as UserProfileInputs);
        const emptyKey = profileInputs("bob", { sshPublicKey: "" });
        const refused = await profile.check!({}, emptyKey);
        assert.deepEqual(refused.failures, (await userProfileProvider.check!({} as UserProfileInputs, emptyKey)).failures);
        assert.ok(refused.failures?.[0].reason.startsWith("sshPublicKey: the key is empty."));
        const permissionChecked = await permission.check!({}, permissionInputs("alice", stackId));
        await permission.create(permissionChecked.inputs as PermissionInputs);
        assert.deepEqual(operations(emulator()), ["CreateStack", "CreateUserProfile", "SetPermission", "SetPermission"]);
        const deleteMessage = await rejection(permission.delete!(`${stackId}/alice`, permissionChecked.inputs));
        assert.match(deleteMessage, /refusing to delete a permission that still gives SSH/);
    });
});

describe("OpsWorks resource classes under Pulumi's mock runtime", () => {
    const registered: pulumi.runtime.MockResourceArgs[] = [];

    before(async () => {
        await pulumi.runtime.setMocks(
            {
                newResource: (args) => {
                    registered.push(args);
                    const outputs = args.type.endsWith(":Stack") ? { stackId: "0d2f2b9c-5d7e-4e4b-9a57-8f1c2d3e4f50", arn: "arn:stack/" } : {};
                    return { id: `${args.name}-id`, state: { ...args.inputs, ...outputs } };
                },
                call: (args) => {
                    throw new Error(`unexpected call ${args.token}`);
                },
            },
            "opsworks-test",
            "test",
            false,
        );
    });

    it("register with the pulumi-nodejs:dynamic/opsworks tokens, their inputs and a serialized provider", async () => {
        const stack = new Stack("stack", stackInputs());
        const key = ed25519PublicKey("alice@laptop");
        const profile = new UserProfile("alice-profile", {
            region: "eu-west-1",
            iamUserArn: "arn:aws:iam::123456789012:user/alice",
            sshUsername: "alice",
            sshPublicKey: key,
            blocked: false,
        });
        const permission = new Permission(
            "alice-permission",
            {
                region: "eu-west-1",
                stackId: stack.stackId,
                iamUserArn: profile.iamUserArn,
                allowSsh: true,
                allowSudo: false,
            },
            { dependsOn: [profile] },
        );
        const [stackId, arn, allowSsh] = await new Promise<[string, string, boolean]>((resolve) =>
            pulumi.all([stack.stackId, stack.arn, permission.allowSsh]).apply(resolve),
        );
        assert.deepEqual([stackId, arn, allowSsh], ["0d2f2b9c-5d7e-4e4b-9a57-8f1c2d3e4f50", "arn:stack/", true]);
        const byType = Object.fromEntries(registered.map((args) => [args.type, args.inputs]));
        assert.deepEqual(Object.keys(byType).sort(), [
            "pulumi-nodejs:dynamic/opsworks:Permission",
            "pulumi-nodejs:dynamic/opsworks:Stack",
            "pulumi-nodejs:dynamic/opsworks:UserProfile",
        ]);
        const profileInputsSeen = byType["pulumi-nodejs:dynamic/opsworks:UserProfile"];
        assert.equal(profileInputsSeen.sshPublicKey, key);
        assert.equal(profileInputsSeen.blocked, false);
        const permissionInputsSeen = byType["pulumi-nodejs:dynamic/opsworks:Permission"];
        assert.equal(permissionInputsSeen.stackId, stackId);
        assert.equal(permissionInputsSeen.iamUserArn, "arn:aws:iam::123456789012:user/alice");
        for (const inputs of Object.values(byType)) {
            assert.match(String(inputs.__provider), /exports\.handler/);
        }
    });
});
