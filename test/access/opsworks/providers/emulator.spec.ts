import * as assert from "node:assert/strict";
import {
    CreateStackCommand,
    CreateUserProfileCommand,
    DeleteStackCommand,
    DescribeInstancesCommand,
    DescribePermissionsCommand,
    DescribeStackProvisioningParametersCommand,
    DescribeStacksCommand,
    DescribeUserProfilesCommand,
    DeregisterInstanceCommand,
    OpsWorksClient,
    RegisterInstanceCommand,
    SetPermissionCommand,
    UpdateStackCommand,
} from "@aws-sdk/client-opsworks";
import { ACCOUNT, consoleClient, REGION, rejection, useEmulator, userArn } from "./support";

interface RawAnswer {
    status: number;
    body: { __type?: string; message?: string; [member: string]: unknown };
}

/** A hand-made JSON 1.1 request, to reach what the SDK would never send. */
async function raw(
    url: string,
    operation: string,
    body: unknown,
    options: { region?: string; headers?: Record<string, string | undefined>; text?: string } = {},
): Promise<RawAnswer> {
    const headers: Record<string, string> = {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": `OpsWorks_20130218.${operation}`,
        Authorization:
            `AWS4-HMAC-SHA256 Credential=AKIAEXAMPLE/20240101/${options.region ?? REGION}/opsworks/aws4_request, ` +
            "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0123abcd",
    };
    for (const [name, value] of Object.entries(options.headers ?? {})) {
        if (value === undefined) {
            delete headers[name];
        } else {
            headers[name] = value;
        }
    }
    const response = await fetch(url, { method: "POST", headers, body: options.text ?? JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as RawAnswer["body"] };
}

const STACK = {
    Name: "pcluster-users",
    Region: REGION,
    VpcId: "vpc-0a1b2c3d4e5f60718",
    DefaultSubnetId: "subnet-0a1b2c3d4e5f60718",
    ServiceRoleArn: `arn:aws:iam::${ACCOUNT}:role/aws-opsworks-service-role`,
    DefaultInstanceProfileArn: `arn:aws:iam::${ACCOUNT}:instance-profile/aws-opsworks-ec2-role`,
    ConfigurationManager: { Name: "Chef", Version: "12" },
};

const IDENTITY = (instanceId: string): string =>
    JSON.stringify({ instanceId, region: REGION, accountId: ACCOUNT, availabilityZone: `${REGION}a` });

describe("OpsWorks emulator", () => {
    const emulator = useEmulator();
    let client: OpsWorksClient;

    before(() => {
        client = consoleClient();
    });
    after(() => {
        client.destroy();
    });

    async function createStack(): Promise<string> {
        return (await client.send(new CreateStackCommand(STACK))).StackId!;
    }

    describe("wire protocol and signature scope", () => {
        it("refuses a request without an Authorization header", async () => {
            const answer = await raw(emulator().url, "DescribeStacks", {}, { headers: { Authorization: undefined } });
            assert.deepEqual(answer, {
                status: 400,
                body: { __type: "MissingAuthenticationTokenException", message: "Missing Authentication Token" },
            });
        });

        it("refuses a credential scoped to another service or to a region without OpsWorks", async () => {
            const s3 = await raw(emulator().url, "DescribeStacks", {}, {
                headers: {
                    Authorization: "AWS4-HMAC-SHA256 Credential=AKIA/20240101/eu-west-1/s3/aws4_request, SignedHeaders=host, Signature=00",
                },
            });
            assert.deepEqual(s3.body, { __type: "InvalidSignatureException", message: "Credential should be scoped to correct service: 'opsworks'. " });
            const region = await raw(emulator().url, "DescribeStacks", {}, { region: "eu-north-1" });
            assert.deepEqual(region.body, { __type: "InvalidSignatureException", message: "Credential should be scoped to a valid region. " });
        });

        it("refuses unknown operations, a wrong content type and a body that is not JSON", async () => {
            const unknown = await raw(emulator().url, "CreateLayer", {});
            assert.deepEqual(unknown.body, {
                __type: "UnknownOperationException",
                message: "Unknown or unsupported operation: X-Amz-Target 'OpsWorks_20130218.CreateLayer'",
            });
            const contentType = await raw(emulator().url, "DescribeStacks", {}, { headers: { "Content-Type": "application/json" } });
            assert.deepEqual(contentType.body, { __type: "SerializationException", message: "Content-Type must be application/x-amz-json-1.1" });
            const notJson = await raw(emulator().url, "DescribeStacks", undefined, { text: "{StackIds:" });
            assert.deepEqual(notJson.body, { __type: "SerializationException", message: "The request body is not valid JSON" });
        });

        it("logs every call with its operation, region, request, status and error code", async () => {
            await raw(emulator().url, "DescribeStacks", {}, { region: "us-east-2" });
            await raw(emulator().url, "DescribeStacks", { StackIds: ["nope"] });
            assert.deepEqual(emulator().calls, [
                { operation: "DescribeStacks", region: "us-east-2", request: {}, status: 200 },
                {
                    operation: "DescribeStacks",
                    region: REGION,
                    request: { StackIds: ["nope"] },
                    status: 400,
                    errorCode: "ResourceNotFoundException",
                },
            ]);
            assert.equal(emulator().callCount("DescribeStacks"), 2);
            assert.equal(emulator().callCount("CreateStack"), 0);
            emulator().resetCalls();
            assert.equal(emulator().callCount(), 0);
        });
    });

    describe("validation against AWS's service model", () => {
        it("names every missing required member, as Coral does", async () => {
            const answer = await raw(emulator().url, "CreateStack", { Name: "x" });
            assert.deepEqual(answer, {
                status: 400,
                body: {
                    __type: "ValidationException",
                    message:
                        "3 validation errors detected: " +
                        "Value null at 'region' failed to satisfy constraint: Member must not be null; " +
                        "Value null at 'serviceRoleArn' failed to satisfy constraint: Member must not be null; " +
                        "Value null at 'defaultInstanceProfileArn' failed to satisfy constraint: Member must not be null",
                },
            });
        });

        it("refuses wrong types, enum values, null members and unknown members", async () => {
            const stackId = await createStack();
            const answer = await raw(emulator().url, "UpdateStack", {
                StackId: stackId,
                UseCustomCookbooks: "yes",
                DefaultRootDeviceType: "nvme",
                AgentVersion: null,
                VpcId: "vpc-0123456789abcdef0",
            });
            assert.equal(answer.body.__type, "ValidationException");
            assert.equal(
                answer.body.message,
                "4 validation errors detected: " +
                    "Value 'yes' at 'useCustomCookbooks' failed to satisfy constraint: Member must be of type boolean; " +
                    "Value 'nvme' at 'defaultRootDeviceType' failed to satisfy constraint: Member must satisfy enum value set: [ebs, instance-store]; " +
                    "Value null at 'agentVersion' failed to satisfy constraint: Member must be omitted rather than null; " +
                    "Unknown member 'VpcId' at 'input': the model has no such member",
            );
        });

        it("validates nested lists and structures", async () => {
            const answer = await raw(emulator().url, "DescribeStacks", { StackIds: ["a", 7] });
            assert.equal(
                answer.body.message,
                "1 validation error detected: Value '7' at 'stackIds.2.member' failed to satisfy constraint: Member must be of type string",
            );
        });
    });

    describe("stacks", () => {
        it("creates a Chef 12 stack in a VPC and describes it with an ARN ending in '/'", async () => {
            const stackId = await createStack();
            const { Stacks } = await client.send(new DescribeStacksCommand({ StackIds: [stackId] }));
            assert.equal(Stacks?.length, 1);
            const stack = Stacks![0];
            assert.equal(stack.Arn, `arn:aws:opsworks:${REGION}:${ACCOUNT}:stack/${stackId}/`);
            assert.deepEqual(stack.ConfigurationManager, { Name: "Chef", Version: "12" });
            assert.equal(stack.VpcId, STACK.VpcId);
            assert.equal(stack.DefaultSubnetId, STACK.DefaultSubnetId);
        });

        it("enforces the documented CreateStack rules", async () => {
            const cases: Array<[Record<string, unknown>, string]> = [
                [{ ServiceRoleArn: "aws-opsworks-service-role" }, "Invalid Service Role Arn"],
                [{ DefaultSubnetId: undefined }, "DefaultSubnetId is required when VpcId is specified"],
                [{ Region: "us-west-2" }, "A stack in us-west-2 cannot be created through the eu-west-1 endpoint; use the us-west-2 endpoint"],
                [
                    { ConfigurationManager: { Name: "Chef", Version: "14" } },
                    "Unsupported configuration manager: Chef 14. Supported: Chef 12, 11.10, 11.4 (Linux) and 12.2 (Windows)",
                ],
            ];
            for (const [change, message] of cases) {
                const answer = await raw(emulator().url, "CreateStack", { ...STACK, ...change });
                assert.deepEqual(answer.body, { __type: "ValidationException", message });
            }
            assert.equal(emulator().callCount("CreateStack"), cases.length);
        });

        it("answers an unknown stack id with ResourceNotFoundException and an empty id list with ValidationException", async () => {
            const unknown = await raw(emulator().url, "DescribeStacks", { StackIds: ["0b1c"] });
            assert.deepEqual(unknown.body, { __type: "ResourceNotFoundException", message: "Unable to find stack with ID 0b1c" });
            const empty = await raw(emulator().url, "DescribeStacks", { StackIds: [] });
            assert.deepEqual(empty.body, {
                __type: "ValidationException",
                message: "StackIds must not be an empty list; omit it to describe every stack",
            });
        });

        it("does not let the service role change", async () => {
            const stackId = await createStack();
            const message = await rejection(
                client.send(new UpdateStackCommand({ StackId: stackId, ServiceRoleArn: `arn:aws:iam::${ACCOUNT}:role/other` })),
            );
            assert.equal(message, "You cannot update a stack's service role");
            await client.send(new UpdateStackCommand({ StackId: stackId, ServiceRoleArn: STACK.ServiceRoleArn, Name: "renamed" }));
            const { Stacks } = await client.send(new DescribeStacksCommand({ StackIds: [stackId] }));
            assert.deepEqual([Stacks?.[0].Name, Stacks?.[0].ServiceRoleArn], ["renamed", STACK.ServiceRoleArn]);
        });

        it("refuses to delete a stack with registered instances, and deletes it once they are deregistered", async () => {
            const stackId = await createStack();
            const { InstanceId } = await client.send(
                new RegisterInstanceCommand({ StackId: stackId, InstanceIdentity: { Document: IDENTITY("i-0123456789abcdef0") } }),
            );
            const message = await rejection(client.send(new DeleteStackCommand({ StackId: stackId })));
            assert.equal(message, `Cannot delete stack ${stackId}: 1 instance(s) are still registered. Deregister them first`);
            await client.send(new DeregisterInstanceCommand({ InstanceId }));
            await client.send(new DeleteStackCommand({ StackId: stackId }));
            assert.equal(await rejection(client.send(new DeleteStackCommand({ StackId: stackId }))), `Unable to find stack with ID ${stackId}`);
        });

        it("gives the provisioning parameters `aws opsworks register` reads", async () => {
            const stackId = await createStack();
            const answer = await client.send(new DescribeStackProvisioningParametersCommand({ StackId: stackId }));
            assert.equal(answer.AgentInstallerUrl, `https://opsworks-instance-agent-${REGION}.s3.amazonaws.com/ID/opsworks-agent-installer.tgz`);
            assert.equal(answer.Parameters?.assets_download_bucket, `opsworks-instance-assets-${REGION}.s3.amazonaws.com`);
        });
    });

    describe("user profiles and permissions", () => {
        it("keeps one profile per IAM user and region, and drops punctuation from the SSH username", async () => {
            const arn = userArn("adam.black");
            await client.send(new CreateUserProfileCommand({ IamUserArn: arn, SshPublicKey: "ssh-ed25519 AAAA" }));
            const again = await raw(emulator().url, "CreateUserProfile", { IamUserArn: arn });
            assert.deepEqual(again.body, { __type: "ValidationException", message: `A user profile already exists for ${arn}` });
            const { UserProfiles } = await client.send(new DescribeUserProfilesCommand({ IamUserArns: [arn] }));
            assert.deepEqual(UserProfiles, [
                { IamUserArn: arn, Name: "adam.black", SshUsername: "adamblack", SshPublicKey: "ssh-ed25519 AAAA", AllowSelfManagement: false },
            ]);
            const elsewhere = await raw(emulator().url, "DescribeUserProfiles", { IamUserArns: [arn] }, { region: "us-east-1" });
            assert.deepEqual(elsewhere.body, { __type: "ResourceNotFoundException", message: `Unable to find user with ARN ${arn}` });
        });

        it("fails SetPermission for a new profile until it has propagated (the first call by default)", async () => {
            const stackId = await createStack();
            const arn = userArn("alice");
            await client.send(new CreateUserProfileCommand({ IamUserArn: arn }));
            const request = { StackId: stackId, IamUserArn: arn, AllowSsh: true, AllowSudo: true, Level: "iam_only" };
            const first = await raw(emulator().url, "SetPermission", request);
            assert.deepEqual(first, { status: 400, body: { __type: "ResourceNotFoundException", message: `Unable to find user with ARN ${arn}` } });
            const second = await raw(emulator().url, "SetPermission", request);
            assert.deepEqual(second, { status: 200, body: {} });
            const { Permissions } = await client.send(new DescribePermissionsCommand({ StackId: stackId }));
            assert.deepEqual(Permissions, [{ StackId: stackId, IamUserArn: arn, AllowSsh: true, AllowSudo: true, Level: "iam_only" }]);
        });

        it("makes the propagation delay configurable", async () => {
            emulator().settings.propagationFailures = 3;
            const stackId = await createStack();
            const arn = userArn("bob");
            await client.send(new CreateUserProfileCommand({ IamUserArn: arn }));
            const statuses: number[] = [];
            for (let attempt = 0; attempt < 4; attempt++) {
                statuses.push((await raw(emulator().url, "SetPermission", { StackId: stackId, IamUserArn: arn, AllowSsh: true })).status);
            }
            assert.deepEqual(statuses, [400, 400, 400, 200]);
        });

        it("keeps omitted SetPermission members, refuses unknown levels and a change of one's own level", async () => {
            emulator().settings.propagationFailures = 0;
            const stackId = await createStack();
            const arn = userArn("carol");
            await client.send(new CreateUserProfileCommand({ IamUserArn: arn }));
            await client.send(new SetPermissionCommand({ StackId: stackId, IamUserArn: arn, AllowSsh: true, AllowSudo: true }));
            await client.send(new SetPermissionCommand({ StackId: stackId, IamUserArn: arn, AllowSudo: false }));
            const { Permissions } = await client.send(new DescribePermissionsCommand({ StackId: stackId, IamUserArn: arn }));
            assert.deepEqual(Permissions, [{ StackId: stackId, IamUserArn: arn, AllowSsh: true, AllowSudo: false, Level: "iam_only" }]);
            assert.equal(
                await rejection(client.send(new SetPermissionCommand({ StackId: stackId, IamUserArn: arn, Level: "admin" }))),
                "Invalid permission level: admin. Valid levels: deny, show, deploy, manage, iam_only",
            );
            const self = emulator().settings.callerArn;
            await client.send(new CreateUserProfileCommand({ IamUserArn: self }));
            assert.equal(
                await rejection(client.send(new SetPermissionCommand({ StackId: stackId, IamUserArn: self, Level: "manage" }))),
                "Unable to change own permission level. Only AllowSsh and AllowSudo allowed.",
            );
        });

        it("describes permissions by stack, by user, or both", async () => {
            emulator().settings.propagationFailures = 0;
            const [stackA, stackB] = [await createStack(), await createStack()];
            for (const name of ["alice", "bob"]) {
                await client.send(new CreateUserProfileCommand({ IamUserArn: userArn(name) }));
                for (const stackId of [stackA, stackB]) {
                    await client.send(new SetPermissionCommand({ StackId: stackId, IamUserArn: userArn(name), AllowSsh: true }));
                }
            }
            const byStack = await client.send(new DescribePermissionsCommand({ StackId: stackA }));
            assert.deepEqual(byStack.Permissions?.map((p) => p.IamUserArn), [userArn("alice"), userArn("bob")]);
            const byUser = await client.send(new DescribePermissionsCommand({ IamUserArn: userArn("bob") }));
            assert.deepEqual(byUser.Permissions?.map((p) => p.StackId), [stackA, stackB]);
            const both = await client.send(new DescribePermissionsCommand({ StackId: stackB, IamUserArn: userArn("alice") }));
            assert.deepEqual(both.Permissions, [
                { StackId: stackB, IamUserArn: userArn("alice"), AllowSsh: true, AllowSudo: false, Level: "iam_only" },
            ]);
            const neither = await raw(emulator().url, "DescribePermissions", {});
            assert.deepEqual(neither.body, { __type: "ValidationException", message: "Please provide a stack ID, an IAM user ARN, or both" });
        });
    });

    describe("instances", () => {
        it("registers an EC2 instance from its identity document, and an on-premises one without", async () => {
            const stackId = await createStack();
            const ec2 = await client.send(
                new RegisterInstanceCommand({
                    StackId: stackId,
                    Hostname: "compute-1",
                    PrivateIp: "10.0.1.5",
                    InstanceIdentity: { Document: IDENTITY("i-0123456789abcdef0"), Signature: "sig" },
                }),
            );
            const onPremises = await client.send(new RegisterInstanceCommand({ StackId: stackId, Hostname: "lab-box" }));
            const { Instances } = await client.send(new DescribeInstancesCommand({ StackId: stackId }));
            const summary = Instances?.map(({ InstanceId, Ec2InstanceId, Status, InfrastructureClass, RegisteredBy, Hostname, StackId }) => ({
                InstanceId,
                Ec2InstanceId,
                Status,
                InfrastructureClass,
                RegisteredBy,
                Hostname,
                StackId,
            }));
            assert.deepEqual(summary, [
                {
                    InstanceId: ec2.InstanceId,
                    Ec2InstanceId: "i-0123456789abcdef0",
                    Status: "online",
                    InfrastructureClass: "ec2",
                    RegisteredBy: emulator().settings.callerArn,
                    Hostname: "compute-1",
                    StackId: stackId,
                },
                {
                    InstanceId: onPremises.InstanceId,
                    Ec2InstanceId: undefined,
                    Status: "online",
                    InfrastructureClass: "on-premises",
                    RegisteredBy: emulator().settings.callerArn,
                    Hostname: "lab-box",
                    StackId: stackId,
                },
            ]);
        });

        it("refuses a second registration of the same EC2 instance and a bad identity document", async () => {
            const stackId = await createStack();
            const identity = { Document: IDENTITY("i-0aaaaaaaaaaaaaaaa") };
            await client.send(new RegisterInstanceCommand({ StackId: stackId, InstanceIdentity: identity }));
            assert.equal(
                await rejection(client.send(new RegisterInstanceCommand({ StackId: stackId, InstanceIdentity: identity }))),
                `Instance i-0aaaaaaaaaaaaaaaa is already registered with stack ${stackId}`,
            );
            assert.equal(
                await rejection(client.send(new RegisterInstanceCommand({ StackId: stackId, InstanceIdentity: { Document: "{}" } }))),
                "InstanceIdentity.Document has no valid instanceId",
            );
        });

        it("needs exactly one of StackId, LayerId and InstanceIds, and knows unknown instance ids", async () => {
            const stackId = await createStack();
            const message = "Please provide either one or more instance IDs or one stack ID or one layer ID";
            assert.equal(await rejection(client.send(new DescribeInstancesCommand({}))), message);
            assert.equal(await rejection(client.send(new DescribeInstancesCommand({ StackId: stackId, InstanceIds: ["x"] }))), message);
            assert.equal(await rejection(client.send(new DescribeInstancesCommand({ InstanceIds: ["x"] }))), "Unable to find instance with ID x");
            assert.equal(await rejection(client.send(new DeregisterInstanceCommand({ InstanceId: "x" }))), "Unable to find instance with ID x");
        });
    });

    describe("fault injection", () => {
        it("throttles a seeded share of calls, the same calls for the same seed", async () => {
            const pattern = async (): Promise<string[]> => {
                emulator().reset();
                emulator().faults.throttle(0.5, 42);
                const answers: string[] = [];
                for (let call = 0; call < 20; call++) {
                    const { status, body } = await raw(emulator().url, "DescribeStacks", {});
                    answers.push(status === 200 ? "ok" : `${status} ${body.__type}: ${body.message}`);
                }
                return answers;
            };
            const first = await pattern();
            assert.deepEqual(await pattern(), first);
            const throttled = first.filter((answer) => answer !== "ok");
            assert.ok(throttled.length > 0 && throttled.length < 20, `expected some but not all of 20 calls throttled, got ${throttled.length}`);
            assert.deepEqual(new Set(throttled), new Set(["400 ThrottlingException: Rate exceeded"]));
        });

        it("answers HTTP 500 for an operation a given number of times", async () => {
            emulator().faults.http500("DescribeStacks", 2);
            const statuses = [];
            for (let call = 0; call < 3; call++) {
                statuses.push((await raw(emulator().url, "DescribeStacks", {})).status);
            }
            assert.deepEqual(statuses, [500, 500, 200]);
            assert.deepEqual(emulator().calls[0].errorCode, "InternalFailure");
        });

        it("fails the Nth call of an operation, before or after applying it", async () => {
            emulator().faults.failNth("CreateStack", 2, "LimitExceededException", "Too many stacks");
            await createStack();
            assert.equal(await rejection(createStack()), "Too many stacks");
            await createStack();
            assert.equal((await client.send(new DescribeStacksCommand({}))).Stacks?.length, 2);

            emulator().faults.failNth("CreateStack", 1, "InternalFailure", "lost", { status: 500, afterApply: true });
            const lost = await raw(emulator().url, "CreateStack", STACK);
            assert.equal(lost.status, 500);
            assert.equal((await client.send(new DescribeStacksCommand({}))).Stacks?.length, 3);
        });

        it("delays the answers of one operation while others are answered", async () => {
            emulator().faults.delay(300, "DescribeStacks");
            const finished: string[] = [];
            const slow = raw(emulator().url, "DescribeStacks", {}).then(() => finished.push("DescribeStacks"));
            const fast = raw(emulator().url, "DescribeUserProfiles", {}).then(() => finished.push("DescribeUserProfiles"));
            await Promise.all([slow, fast]);
            assert.deepEqual(finished, ["DescribeUserProfiles", "DescribeStacks"]);
        });

        it("clears every fault", async () => {
            emulator().faults.http500("DescribeStacks");
            emulator().faults.throttle(1);
            emulator().faults.failNth("DescribeStacks", 1, "X", "y");
            emulator().faults.delay(5000);
            emulator().faults.clear();
            assert.equal((await raw(emulator().url, "DescribeStacks", {})).status, 200);
        });
    });
});
