import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { DescribeStacksCommand, RegisterInstanceCommand, DeregisterInstanceCommand, UpdateStackCommand } from "@aws-sdk/client-opsworks";
import { stackProvider, StackInputs, StackOutputs } from "../../../../components/access/opsworks/providers";
import { EngineResource } from "./engine";
import { ACCOUNT, consoleClient, FAST, operations, REGION, rejection, stackInputs, useEmulator } from "./support";

describe("OpsWorks Stack provider", () => {
    const emulator = useEmulator();

    async function created(inputs = stackInputs()): Promise<EngineResource<StackInputs, StackOutputs>> {
        const stack = new EngineResource(stackProvider);
        await stack.up(inputs);
        emulator().resetCalls();
        return stack;
    }

    it("checks every input, naming the property, and defaults to Chef 12", async () => {
        const ok = await stackProvider.check!({} as StackInputs, stackInputs({ configurationManager: undefined }));
        assert.deepEqual(ok.failures, []);
        assert.deepEqual(ok.inputs?.configurationManager, { name: "Chef", version: "12" });

        const bad = await stackProvider.check!({} as StackInputs, {
            region: "eu-north-1",
            name: "",
            vpcId: "vpc-1",
            defaultSubnetId: "sn-1",
            serviceRoleArn: "aws-opsworks-service-role",
            defaultInstanceProfileArn: `arn:aws:iam::${ACCOUNT}:role/not-a-profile`,
            configurationManager: { name: "Puppet", version: "12" },
            retry: { maxAttempts: 0 },
        });
        assert.deepEqual(
            bad.failures?.map((failure) => failure.property),
            ["region", "name", "vpcId", "defaultSubnetId", "serviceRoleArn", "defaultInstanceProfileArn", "configurationManager", "retry"],
        );
        assert.equal(
            bad.failures?.[0].reason,
            "must be a region that served OpsWorks Stacks (ap-northeast-1, ap-northeast-2, ap-south-1, ap-southeast-1, " +
                "ap-southeast-2, ca-central-1, eu-central-1, eu-west-1, eu-west-2, eu-west-3, sa-east-1, us-east-1, us-east-2, " +
                'us-west-1, us-west-2); got "eu-north-1"',
        );
        assert.equal(bad.failures?.[7].reason, "maxAttempts must be a whole number from 1 to 20; got 0");
        assert.equal(emulator().callCount(), 0);
    });

    it("does not judge values that are unknown during a preview", async () => {
        const unknown = pulumi.runtime.unknownValue;
        const result = await stackProvider.check!({} as StackInputs, stackInputs({ vpcId: unknown, serviceRoleArn: unknown }));
        assert.deepEqual(result.failures, []);
    });

    it("creates the stack with one call and derives the ARN OpsWorks reports", async () => {
        const stack = new EngineResource(stackProvider);
        assert.equal(await stack.up(stackInputs()), "created");
        assert.deepEqual(operations(emulator()), ["CreateStack"]);
        const client = consoleClient();
        const { Stacks } = await client.send(new DescribeStacksCommand({ StackIds: [stack.outputs.stackId] }));
        client.destroy();
        const live = Stacks![0];
        assert.equal(stack.state?.id, live.StackId);
        assert.equal(stack.outputs.arn, live.Arn);
        assert.deepEqual(
            { region: live.Region, vpc: live.VpcId, subnet: live.DefaultSubnetId, manager: live.ConfigurationManager },
            { region: REGION, vpc: "vpc-0a1b2c3d4e5f60718", subnet: "subnet-0a1b2c3d4e5f60718", manager: { Name: "Chef", Version: "12" } },
        );
    });

    it("decides a no-op in diff with no call, and replaces the stack for region, VPC or service role", async () => {
        const stack = await created();
        const same = await stackProvider.diff!(stack.state!.id, stack.outputs, stackInputs());
        assert.deepEqual(same, { changes: false, replaces: [], deleteBeforeReplace: false });
        for (const change of [
            { region: "eu-west-2" },
            { vpcId: "vpc-0ffffffffffffffff" },
            { serviceRoleArn: `arn:aws:iam::${ACCOUNT}:role/other` },
        ]) {
            const diff = await stackProvider.diff!(stack.state!.id, stack.outputs, stackInputs(change));
            assert.deepEqual(diff, { changes: true, replaces: Object.keys(change), deleteBeforeReplace: false });
        }
        assert.equal(emulator().callCount(), 0);
    });

    it("updates name, subnet and instance profile in place with one call; a retry change needs none", async () => {
        const stack = await created();
        assert.equal(await stack.up(stackInputs({ retry: { maxAttempts: 3, baseDelayMs: 0 } })), "updated");
        assert.equal(emulator().callCount(), 0);
        assert.equal(await stack.up(stackInputs({ name: "renamed", defaultSubnetId: "subnet-0fedcba9876543210" })), "updated");
        assert.deepEqual(operations(emulator()), ["UpdateStack"]);
        assert.deepEqual(emulator().calls[0].request, {
            StackId: stack.state!.id,
            Name: "renamed",
            DefaultSubnetId: "subnet-0fedcba9876543210",
            DefaultInstanceProfileArn: `arn:aws:iam::${ACCOUNT}:instance-profile/aws-opsworks-ec2-role`,
            ConfigurationManager: { Name: "Chef", Version: "12" },
        });
    });

    it("sees a change made by hand on refresh (one call) and puts it back on the next up", async () => {
        const stack = await created();
        const client = consoleClient();
        await client.send(new UpdateStackCommand({ StackId: stack.state!.id, Name: "renamed-by-hand" }));
        client.destroy();
        emulator().resetCalls();
        assert.equal(await stack.refresh(), "read");
        assert.deepEqual(operations(emulator()), ["DescribeStacks"]);
        assert.equal(stack.outputs.name, "renamed-by-hand");
        assert.equal(await stack.up(stackInputs()), "updated");
        assert.deepEqual(operations(emulator()), ["DescribeStacks", "UpdateStack"]);
        assert.equal((emulator().calls[1].request as { Name?: string }).Name, "pcluster-users");
    });

    it("drops a stack deleted by hand from state on refresh", async () => {
        const stack = await created();
        await stackProvider.delete!(stack.state!.id, stack.outputs);
        assert.equal(await stack.refresh(), "gone");
        assert.equal(stack.state, undefined);
    });

    it("refuses deletion with AWS's error while instances are registered; succeeds after deregistration", async () => {
        const stack = await created();
        const client = consoleClient();
        const identity = JSON.stringify({ instanceId: "i-0123456789abcdef0", region: REGION });
        const { InstanceId } = await client.send(
            new RegisterInstanceCommand({ StackId: stack.state!.id, InstanceIdentity: { Document: identity } }),
        );
        const message = await rejection(stack.remove());
        assert.equal(
            message,
            `OpsWorks stack pcluster-users in ${REGION}: DeleteStack failed: ValidationException: ` +
                `Cannot delete stack ${stack.state!.id}: 1 instance(s) are still registered. Deregister them first`,
        );
        assert.notEqual(stack.state, undefined);
        await client.send(new DeregisterInstanceCommand({ InstanceId }));
        client.destroy();
        await stack.remove();
        assert.equal(stack.state, undefined);
    });

    it("retries throttling and 5xx within the configured attempts, then surfaces AWS's code and message", async () => {
        emulator().faults.failNth("CreateStack", 1, "ThrottlingException", "Rate exceeded");
        emulator().faults.http500("CreateStack", 1);
        const stack = new EngineResource(stackProvider);
        await stack.up(stackInputs());
        assert.deepEqual(operations(emulator()), ["CreateStack", "CreateStack", "CreateStack"]);

        emulator().resetCalls();
        emulator().faults.http500("CreateStack");
        const message = await rejection(new EngineResource(stackProvider).up(stackInputs({ retry: { ...FAST, maxAttempts: 4 } })));
        assert.equal(message, `OpsWorks stack pcluster-users in ${REGION}: CreateStack failed: InternalFailure: An internal error occurred.`);
        assert.equal(emulator().callCount("CreateStack"), 4);
    });
});
