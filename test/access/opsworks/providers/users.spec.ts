import * as assert from "node:assert/strict";
import {
    CreateStackCommand,
    CreateUserProfileCommand,
    DeleteUserProfileCommand,
    DescribePermissionsCommand,
    DescribeUserProfilesCommand,
    SetPermissionCommand,
    UpdateUserProfileCommand,
} from "@aws-sdk/client-opsworks";
import {
    BLOCKED_MARKER,
    PermissionInputs,
    PermissionOutputs,
    permissionProvider,
    UserProfileInputs,
    UserProfileOutputs,
    userProfileProvider,
} from "../../../../components/access/opsworks/providers";
import { checkSshPublicKey } from "../../../../components/sshPublicKey";
import { ed25519PrivateKey, ed25519PublicKey } from "../../../support/keys";
import { EngineResource } from "./engine";
import {
    consoleClient,
    operations,
    permissionInputs,
    profileInputs,
    REGION,
    rejection,
    stackInputs,
    storedKey,
    useEmulator,
    userArn,
} from "./support";

/** One roster entry of one environment: a profile and a permission on that environment's stack. */
class User {
    readonly profile = new EngineResource<UserProfileInputs, UserProfileOutputs>(userProfileProvider);
    readonly permission = new EngineResource<PermissionInputs, PermissionOutputs>(permissionProvider);

    constructor(
        readonly name: string,
        readonly stackId: string,
        public key = ed25519PublicKey(`${name}@laptop`),
    ) {}

    /** `pulumi up` with this user in the config; `blocked` and `revoked` as the program maps them. */
    async up(settings: { key?: string; blocked?: boolean; revoked?: boolean; sudo?: boolean } = {}): Promise<string[]> {
        const ssh = !settings.revoked;
        const profileStep = await this.profile.up(
            profileInputs(this.name, { sshPublicKey: settings.key ?? this.key, blocked: settings.blocked ?? false }),
        );
        const permissionStep = await this.permission.up(
            permissionInputs(this.name, this.stackId, { allowSsh: ssh, allowSudo: ssh && (settings.sudo ?? false) }),
        );
        return [profileStep, permissionStep];
    }

    async refresh(): Promise<void> {
        await this.profile.refresh();
        await this.permission.refresh();
    }

    /** The user left the config: the engine deletes the permission first (it depends on the profile). */
    async remove(): Promise<void> {
        await this.permission.remove();
        await this.profile.remove();
    }

    get arn(): string {
        return userArn(this.name);
    }
}

function fingerprint(key: string): string {
    const result = checkSshPublicKey(key);
    assert.ok(result.ok);
    return result.fingerprint;
}

describe("OpsWorks UserProfile and Permission providers", () => {
    const emulator = useEmulator();
    let stackId: string;

    async function newStack(name = "pcluster-users"): Promise<string> {
        const client = consoleClient();
        const input = stackInputs({ name });
        const { StackId } = await client.send(
            new CreateStackCommand({
                Name: input.name,
                Region: input.region,
                VpcId: input.vpcId,
                DefaultSubnetId: input.defaultSubnetId,
                ServiceRoleArn: input.serviceRoleArn,
                DefaultInstanceProfileArn: input.defaultInstanceProfileArn,
            }),
        );
        client.destroy();
        return StackId!;
    }

    async function permissionsOf(arn: string): Promise<Array<{ StackId?: string; AllowSsh?: boolean; AllowSudo?: boolean; Level?: string }>> {
        const client = consoleClient();
        try {
            return (await client.send(new DescribePermissionsCommand({ IamUserArn: arn }))).Permissions ?? [];
        } finally {
            client.destroy();
        }
    }

    /** Acts at the console, outside the providers, and forgets the calls it made. */
    async function byHand(act: (client: ReturnType<typeof consoleClient>) => Promise<unknown>): Promise<void> {
        const client = consoleClient();
        try {
            await act(client);
        } finally {
            client.destroy();
            emulator().resetCalls();
        }
    }

    /** alice in this environment (inA) and in a second one with its own stack (inB), both deployed with inA's key. */
    async function aliceInTwoEnvironments(): Promise<{ inA: User; inB: User; stackB: string }> {
        const stackB = await newStack("pcluster-users-b");
        const inA = new User("alice", stackId);
        await inA.up();
        const inB = new User("alice", stackB, inA.key);
        await inB.up();
        return { inA, inB, stackB };
    }

    beforeEach(async () => {
        stackId = await newStack();
        emulator().resetCalls();
    });

    describe("creating a user", () => {
        it("is CreateUserProfile then SetPermission, retrying the propagation error", async () => {
            const alice = new User("alice", stackId);
            assert.deepEqual(await alice.up({ sudo: true }), ["created", "created"]);
            assert.deepEqual(
                emulator().calls.map(({ operation, status, errorCode }) => ({ operation, status, errorCode })),
                [
                    { operation: "CreateUserProfile", status: 200, errorCode: undefined },
                    { operation: "SetPermission", status: 400, errorCode: "ResourceNotFoundException" },
                    { operation: "SetPermission", status: 200, errorCode: undefined },
                ],
            );
            assert.deepEqual(emulator().calls[2].request, {
                StackId: stackId,
                IamUserArn: alice.arn,
                AllowSsh: true,
                AllowSudo: true,
                Level: "iam_only",
            });
            assert.equal(await storedKey(alice.arn), alice.key);
            assert.deepEqual(await permissionsOf(alice.arn), [
                { StackId: stackId, IamUserArn: alice.arn, AllowSsh: true, AllowSudo: true, Level: "iam_only" },
            ]);
        });

        it("takes 2 calls once the user has propagated", async () => {
            emulator().settings.propagationFailures = 0;
            await new User("alice", stackId).up();
            assert.deepEqual(operations(emulator()), ["CreateUserProfile", "SetPermission"]);
        });

        it("does not let the propagation wait use up the attempts that throttling needs", async () => {
            emulator().settings.propagationFailures = 2;
            emulator().faults.failNth("SetPermission", 1, "ThrottlingException", "Rate exceeded");
            emulator().faults.failNth("SetPermission", 2, "ThrottlingException", "Rate exceeded");
            emulator().faults.failNth("SetPermission", 4, "ThrottlingException", "Rate exceeded");
            const alice = new User("alice", stackId);
            await alice.profile.up(profileInputs("alice"));
            emulator().resetCalls();
            await alice.permission.up(permissionInputs("alice", stackId, { retry: { maxAttempts: 3, baseDelayMs: 0 } }));
            assert.deepEqual(emulator().calls.map((call) => call.errorCode ?? "ok"), [
                "ThrottlingException",
                "ThrottlingException",
                "ResourceNotFoundException",
                "ThrottlingException",
                "ResourceNotFoundException",
                "ok",
            ]);
        });

        it("gives up on a propagation that never completes, with AWS's error naming the user", async () => {
            emulator().settings.propagationFailures = 99;
            const alice = new User("alice", stackId);
            await alice.profile.up(profileInputs("alice"));
            const message = await rejection(alice.permission.up(permissionInputs("alice", stackId)));
            assert.equal(
                message,
                `OpsWorks permission for ${alice.arn} on stack ${stackId} in ${REGION}: SetPermission failed: ` +
                    `ResourceNotFoundException: Unable to find user with ARN ${alice.arn}`,
            );
            assert.equal(emulator().callCount("SetPermission"), 5);
        });
    });

    describe("budgets after creation", () => {
        it("decides a no-op in diff with 0 calls", async () => {
            const alice = new User("alice", stackId);
            await alice.up();
            emulator().resetCalls();
            assert.deepEqual(await alice.up(), ["same", "same"]);
            assert.equal(emulator().callCount(), 0);
        });

        it("rotates a key with 1 call", async () => {
            const alice = new User("alice", stackId);
            await alice.up();
            emulator().resetCalls();
            const rotated = ed25519PublicKey("alice@new-laptop");
            assert.deepEqual(await alice.up({ key: rotated }), ["updated", "same"]);
            assert.deepEqual(emulator().calls, [
                { operation: "UpdateUserProfile", region: REGION, request: { IamUserArn: alice.arn, SshPublicKey: rotated }, status: 200 },
            ]);
            assert.equal(await storedKey(alice.arn), rotated);
        });

        it("refreshes a user with 2 calls", async () => {
            const alice = new User("alice", stackId);
            await alice.up();
            emulator().resetCalls();
            await alice.refresh();
            assert.deepEqual(operations(emulator()), ["DescribeUserProfiles", "DescribePermissions"]);
            assert.deepEqual(await alice.up(), ["same", "same"]);
        });
    });

    describe("check", () => {
        it("refuses empty, private and garbled keys before any call, naming sshPublicKey without echoing the key", async () => {
            const privateKey = ed25519PrivateKey();
            const cases: Array<[string, string]> = [
                ["", "sshPublicKey: the key is empty."],
                [privateKey, "sshPublicKey: this is a private key."],
                ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGarbled", "sshPublicKey: the key could not be read as an OpenSSH public key"],
                [BLOCKED_MARKER, "sshPublicKey: the key has no base64 part"],
            ];
            for (const [key, start] of cases) {
                const result = await userProfileProvider.check!({} as UserProfileInputs, profileInputs("alice", { sshPublicKey: key }));
                assert.equal(result.failures?.length, 1);
                assert.equal(result.failures![0].property, "");
                assert.ok(result.failures![0].reason.startsWith(start), result.failures![0].reason);
                assert.ok(!result.failures![0].reason.includes(privateKey.split("\n")[1]));
            }
            assert.equal(emulator().callCount(), 0);
        });

        it("names the property of every other refused input and normalises the key", async () => {
            const key = ed25519PublicKey("alice@laptop");
            const good = await userProfileProvider.check!({} as UserProfileInputs, profileInputs("alice", { sshPublicKey: `  ${key}\n` }));
            assert.deepEqual(good.failures, []);
            assert.equal(good.inputs?.sshPublicKey, key);
            const bad = await userProfileProvider.check!({} as UserProfileInputs, {
                ...profileInputs("alice"),
                iamUserArn: "alice",
                sshUsername: "adam.black",
                blocked: "no" as unknown as boolean,
            });
            assert.deepEqual(bad.failures, [
                { property: "iamUserArn", reason: 'must be an IAM user ARN (arn:aws:iam::<account>:user/<name>); got "alice"' },
                {
                    property: "sshUsername",
                    reason: "must be 1 to 32 letters, digits, '-' or '_' (OpsWorks drops other characters: adam.black would become adamblack); got \"adam.black\"",
                },
                { property: "blocked", reason: 'must be true or false; got "no"' },
            ]);
            const permission = await permissionProvider.check!({} as PermissionInputs, {
                ...permissionInputs("alice", "not-a-stack"),
                level: "manage",
            });
            assert.deepEqual(permission.failures?.map((failure) => failure.property), ["stackId", "level"]);
            const defaulted = await permissionProvider.check!({} as PermissionInputs, { ...permissionInputs("alice", stackId), level: undefined! });
            assert.equal(defaulted.inputs?.level, "iam_only");
        });
    });

    describe("adopting a profile that already exists", () => {
        it("adopts a profile and permission made by hand following the article, with no write when they match", async () => {
            emulator().settings.propagationFailures = 0;
            const alice = new User("alice", stackId);
            await byHand(async (client) => {
                await client.send(new CreateUserProfileCommand({ IamUserArn: alice.arn, SshUsername: "alice", SshPublicKey: alice.key }));
                await client.send(
                    new SetPermissionCommand({ StackId: stackId, IamUserArn: alice.arn, AllowSsh: true, AllowSudo: false, Level: "iam_only" }),
                );
            });
            assert.deepEqual(await alice.up(), ["created", "created"]);
            assert.deepEqual(
                emulator().calls.map((call) => `${call.operation} ${call.status}`),
                ["CreateUserProfile 400", "DescribeUserProfiles 200", "SetPermission 200"],
            );
            assert.equal(await storedKey(alice.arn), alice.key);
            assert.deepEqual(await alice.up(), ["same", "same"]);
        });

        it("brings an imported profile that no stack uses yet to the desired username and key", async () => {
            const alice = new User("alice", stackId);
            await byHand(async (client) => {
                // "Import IAM users" in the console: no key, username derived from the IAM user.
                await client.send(new CreateUserProfileCommand({ IamUserArn: alice.arn, SshUsername: "alice-imported" }));
            });
            await alice.profile.up(profileInputs("alice", { sshPublicKey: alice.key }));
            assert.deepEqual(operations(emulator()), ["CreateUserProfile", "DescribeUserProfiles", "DescribePermissions", "UpdateUserProfile"]);
            assert.deepEqual(emulator().calls[3].request, { IamUserArn: alice.arn, SshUsername: "alice", SshPublicKey: alice.key });
            assert.equal(await storedKey(alice.arn), alice.key);
        });

        it("surfaces other CreateUserProfile refusals unchanged", async () => {
            emulator().faults.failNth("CreateUserProfile", 1, "ValidationException", "Invalid IAM user ARN");
            const message = await rejection(new User("alice", stackId).up());
            assert.equal(
                message,
                `OpsWorks user profile for ${userArn("alice")} in ${REGION}: CreateUserProfile failed: ValidationException: Invalid IAM user ARN`,
            );
            assert.deepEqual(operations(emulator()), ["CreateUserProfile", "DescribeUserProfiles"]);
        });
    });

    describe("two environments listing the same IAM user in one region", () => {
        it("reports a different key as an error instead of overwriting it, and adopts an equal one", async () => {
            const stackB = await newStack("pcluster-users-b");
            const inA = new User("alice", stackId);
            await inA.up();
            const keyB = ed25519PublicKey("alice@other-laptop");
            const inB = new User("alice", stackB, keyB);
            emulator().resetCalls();
            const message = await rejection(inB.up());
            assert.equal(
                message,
                `OpsWorks user profile for ${inA.arn} in ${REGION}: a profile for this user already exists with ` +
                    `SSH username 'alice' and key ${fingerprint(inA.key)}, and stack(s) ${stackId} give the user SSH. ` +
                    "A profile is shared by every stack in the region, so writing " +
                    `SSH username 'alice' and key ${fingerprint(keyB)} would change the login on those stacks too; it was not changed. ` +
                    "Make the environments agree: configure the stored SSH username and key here, " +
                    "or change them where they were set (the other environment, or by hand).",
            );
            assert.equal(emulator().callCount("UpdateUserProfile"), 0);
            assert.equal(await storedKey(inA.arn), inA.key);

            inB.key = inA.key;
            assert.deepEqual(await inB.up(), ["created", "created"]);
            assert.deepEqual(await permissionsOf(inA.arn).then((list) => list.map((p) => p.StackId)), [stackId, stackB]);
        });

        it("does not take turns: a refresh that finds the other environment's key makes the next up fail, not overwrite", async () => {
            const { inA, inB } = await aliceInTwoEnvironments();

            const rotated = ed25519PublicKey("alice@new-laptop");
            inA.key = rotated;
            await inA.up();
            await inB.refresh();
            assert.equal(inB.profile.outputs.sshPublicKey, rotated);
            emulator().resetCalls();
            const message = await rejection(inB.up());
            assert.equal(
                message,
                `OpsWorks user profile for ${inA.arn} in ${REGION}: the profile was changed outside this environment: ` +
                    `OpsWorks holds SSH username 'alice' and key ${fingerprint(rotated)}, this environment last wrote ` +
                    `SSH username 'alice' and key ${fingerprint(inB.key)}. Another environment that lists this IAM user in the region, ` +
                    `or a hand edit, changed it; writing SSH username 'alice' and key ${fingerprint(inB.key)} now would only start ` +
                    "a tug of war, so nothing was written. Make the environments agree: configure the stored SSH username and key " +
                    "(or access: blocked if it holds the blocked marker) here to accept them, then change them in one place only.",
            );
            assert.equal(emulator().callCount(), 0);
            assert.equal(await storedKey(inA.arn), rotated);

            inB.key = rotated;
            emulator().resetCalls();
            assert.deepEqual(await inB.up(), ["updated", "same"]);
            assert.equal(emulator().callCount(), 0);
            await inA.refresh();
            assert.deepEqual(await inA.up(), ["same", "same"]);
        });

        it("blocks the user on every stack of the region: the profile is regional", async () => {
            const { inA, inB } = await aliceInTwoEnvironments();
            await inA.up({ blocked: true });
            assert.equal(await storedKey(inA.arn), BLOCKED_MARKER);
            await inB.refresh();
            assert.equal(inB.profile.outputs.blocked, true);
            const message = await rejection(inB.up());
            assert.match(message, /OpsWorks holds SSH username 'alice' and the blocked marker/);
            assert.deepEqual(await inB.up({ blocked: true }), ["updated", "same"]);
        });
    });

    describe("a change made by hand in the console", () => {
        it("is detected by refresh; a permission is put back on the next up", async () => {
            const alice = new User("alice", stackId);
            await alice.up();
            await byHand((client) => client.send(new SetPermissionCommand({ StackId: stackId, IamUserArn: alice.arn, AllowSudo: true })));
            await alice.refresh();
            assert.equal(alice.permission.outputs.allowSudo, true);
            emulator().resetCalls();
            assert.deepEqual(await alice.up(), ["same", "updated"]);
            assert.deepEqual(operations(emulator()), ["SetPermission"]);
            assert.equal((await permissionsOf(alice.arn))[0].AllowSudo, false);
        });

        it("to the shared key is reported, and accepted by configuring the stored key", async () => {
            const alice = new User("alice", stackId);
            await alice.up();
            const handKey = ed25519PublicKey("alice@console");
            await byHand((client) => client.send(new UpdateUserProfileCommand({ IamUserArn: alice.arn, SshPublicKey: handKey })));
            await alice.refresh();
            assert.equal(alice.profile.outputs.sshPublicKey, handKey);
            assert.match(await rejection(alice.up()), /the profile was changed outside this environment/);
            assert.deepEqual(await alice.up({ key: handKey }), ["updated", "same"]);
            emulator().resetCalls();
            const next = ed25519PublicKey("alice@next");
            await alice.up({ key: next });
            assert.deepEqual(operations(emulator()), ["UpdateUserProfile"]);
        });

        it("that deleted the profile or the stack's permission makes refresh drop them and the next up recreate them", async () => {
            const alice = new User("alice", stackId);
            await alice.up();
            await byHand((client) => client.send(new DeleteUserProfileCommand({ IamUserArn: alice.arn })));
            await alice.refresh();
            assert.equal(alice.profile.state, undefined);
            assert.equal(alice.permission.state, undefined);
            assert.deepEqual(await alice.up(), ["created", "created"]);
        });
    });

    describe("access states", () => {
        it("blocked: the key becomes a marker that is not a key and not empty; SSH stays allowed; unblocking restores the key", async () => {
            const alice = new User("alice", stackId);
            await alice.up({ blocked: true });
            assert.equal(await storedKey(alice.arn), BLOCKED_MARKER);
            assert.notEqual(BLOCKED_MARKER.trim(), "");
            assert.equal(checkSshPublicKey(BLOCKED_MARKER).ok, false);
            assert.deepEqual(await permissionsOf(alice.arn).then((list) => list.map((p) => p.AllowSsh)), [true]);

            const rotated = ed25519PublicKey("alice@new-laptop");
            emulator().resetCalls();
            assert.deepEqual(await alice.up({ blocked: true, key: rotated }), ["updated", "same"]);
            assert.equal(emulator().callCount(), 0);

            assert.deepEqual(await alice.up({ key: rotated }), ["updated", "same"]);
            assert.deepEqual(emulator().calls.map((call) => call.request), [{ IamUserArn: alice.arn, SshPublicKey: rotated }]);
            assert.equal(await storedKey(alice.arn), rotated);
        });

        it("granting sudo is one SetPermission call; the profile is untouched", async () => {
            const alice = new User("alice", stackId);
            await alice.up();
            emulator().resetCalls();
            assert.deepEqual(await alice.up({ sudo: true }), ["same", "updated"]);
            assert.deepEqual(emulator().calls.map((call) => [call.operation, call.request]), [
                ["SetPermission", { StackId: stackId, IamUserArn: alice.arn, AllowSsh: true, AllowSudo: true, Level: "iam_only" }],
            ]);
        });

        it("revoked: SSH is turned off on this stack with one call; the profile is untouched", async () => {
            const alice = new User("alice", stackId);
            await alice.up({ sudo: true });
            emulator().resetCalls();
            assert.deepEqual(await alice.up({ revoked: true }), ["same", "updated"]);
            assert.deepEqual(emulator().calls.map((call) => [call.operation, call.request]), [
                ["SetPermission", { StackId: stackId, IamUserArn: alice.arn, AllowSsh: false, AllowSudo: false, Level: "iam_only" }],
            ]);
            assert.equal(await storedKey(alice.arn), alice.key);
        });
    });

    describe("a user who leaves the config", () => {
        const refusal = (arn: string, stack: string): string =>
            `OpsWorks permission for ${arn} on stack ${stack} in ${REGION}: refusing to delete a permission that still gives SSH. ` +
            "Deleting it makes the OpsWorks agent delete the user's account and home directory on every instance of the stack. " +
            "If the user was removed from the config by mistake, put them back. To stop the login and keep the account and " +
            "home directory, set access: blocked. To remove the account, set access: revoked and run pulumi up; after that " +
            "the user can be removed from the config.";

        it("is refused while the permission gives SSH (allowed or blocked), with no call and the state kept", async () => {
            const alice = new User("alice", stackId);
            await alice.up();
            const bob = new User("bob", stackId);
            await bob.up({ blocked: true });
            emulator().resetCalls();
            assert.equal(await rejection(alice.remove()), refusal(alice.arn, stackId));
            assert.equal(await rejection(bob.remove()), refusal(bob.arn, stackId));
            assert.equal(emulator().callCount(), 0);
            assert.notEqual(alice.permission.state, undefined);
            assert.notEqual(alice.profile.state, undefined);
            assert.deepEqual(await permissionsOf(alice.arn).then((list) => list.map((p) => p.AllowSsh)), [true]);
        });

        it("after an explicit revoke: the stack's permission is set to nothing and the profile deleted", async () => {
            const alice = new User("alice", stackId);
            await alice.up({ sudo: true });
            await alice.up({ revoked: true });
            emulator().resetCalls();
            await alice.remove();
            assert.deepEqual(emulator().calls.map((call) => [call.operation, call.request]), [
                ["SetPermission", { StackId: stackId, IamUserArn: alice.arn, AllowSsh: false, AllowSudo: false }],
                ["DescribePermissions", { IamUserArn: alice.arn }],
                ["DeleteUserProfile", { IamUserArn: alice.arn }],
            ]);
            const client = consoleClient();
            assert.equal(
                await rejection(client.send(new DescribeUserProfilesCommand({ IamUserArns: [alice.arn] }))),
                `Unable to find user with ARN ${alice.arn}`,
            );
            client.destroy();
        });

        it("after a revoke here keeps the profile that another stack still gives SSH", async () => {
            const { inA, inB, stackB } = await aliceInTwoEnvironments();
            await inB.up({ revoked: true });
            emulator().resetCalls();
            await inB.remove();
            assert.deepEqual(operations(emulator()), ["SetPermission", "DescribePermissions"]);
            assert.equal(await storedKey(inA.arn), inA.key);
            assert.deepEqual(
                (await permissionsOf(inA.arn)).map((p) => [p.StackId, p.AllowSsh]),
                [
                    [stackId, true],
                    [stackB, false],
                ],
            );
        });
    });

    describe("partial failures and hard failures", () => {
        it("a permission that failed after its profile was created is completed by the next up, without duplicate or orphan", async () => {
            const alice = new User("alice", stackId);
            const denied = "User: arn:aws:iam::123456789012:user/deployer is not authorized to perform: opsworks:SetPermission";
            emulator().faults.failNth("SetPermission", 1, "AccessDeniedException", denied);
            const message = await rejection(alice.up());
            assert.equal(
                message,
                `OpsWorks permission for ${alice.arn} on stack ${stackId} in ${REGION}: SetPermission failed: AccessDeniedException: ${denied}`,
            );
            assert.notEqual(alice.profile.state, undefined);
            assert.equal(alice.permission.state, undefined);
            emulator().resetCalls();
            assert.deepEqual(await alice.up(), ["same", "created"]);
            assert.deepEqual(operations(emulator()), ["SetPermission", "SetPermission"]);
            const client = consoleClient();
            const { UserProfiles } = await client.send(new DescribeUserProfilesCommand({}));
            client.destroy();
            assert.deepEqual(UserProfiles?.map((profile) => profile.IamUserArn), [alice.arn]);
            assert.deepEqual(await permissionsOf(alice.arn).then((list) => list.map((p) => [p.StackId, p.AllowSsh])), [[stackId, true]]);
        });

        it("a profile created whose answer was lost is adopted on the SDK's retry, not duplicated", async () => {
            emulator().faults.failNth("CreateUserProfile", 1, "InternalFailure", "An internal error occurred.", { status: 500, afterApply: true });
            const alice = new User("alice", stackId);
            await alice.profile.up(profileInputs("alice", { sshPublicKey: alice.key }));
            assert.deepEqual(
                emulator().calls.map((call) => `${call.operation} ${call.status}`),
                ["CreateUserProfile 500", "CreateUserProfile 400", "DescribeUserProfiles 200"],
            );
            assert.equal(await storedKey(alice.arn), alice.key);
        });

        it("a hard failure surfaces AWS's code and message and names the user", async () => {
            const invalid = "The security token included in the request is invalid.";
            emulator().faults.failNth("CreateUserProfile", 1, "UnrecognizedClientException", invalid);
            const message = await rejection(new User("carol", stackId).up());
            assert.equal(
                message,
                `OpsWorks user profile for ${userArn("carol")} in ${REGION}: CreateUserProfile failed: UnrecognizedClientException: ${invalid}`,
            );
            assert.deepEqual(operations(emulator()), ["CreateUserProfile"]);
        });
    });
});
