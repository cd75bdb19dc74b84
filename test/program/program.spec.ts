import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { ConfigError } from "../../components/config";
import { MOCK_ACCOUNT_ID } from "../../scripts/offline/mockCloud";
import { named, ofType, parentName, runDev } from "../support/program";
import { setFormat } from "../support/devConfig";

const STACK_TYPE = "pulumi-nodejs:dynamic/opsworks:Stack";
const PROFILE_TYPE = "pulumi-nodejs:dynamic/opsworks:UserProfile";
const PERMISSION_TYPE = "pulumi-nodejs:dynamic/opsworks:Permission";
const CONFIG_TYPE = "pulumi-nodejs:dynamic/pcluster:ClusterConfiguration";

describe("the program under Pulumi's mock runtime", () => {
    describe("the article's stack (OpsWorks backend)", () => {
        let run: Awaited<ReturnType<typeof runDev>>;
        const calls: string[] = [];
        before(async () => {
            run = await runDev(undefined, {}, (event) => event.kind === "call" && calls.push(event.type));
        });

        it("registers exactly these resources, each under its component", () => {
            const tree = run.resources.map((resource) => `${parentName(run, resource) ?? "-"} > ${resource.type} ${resource.name}`).sort();
            assert.deepEqual(tree, [
                "- > pulumi:pulumi:Stack pcluster-access-dev",
                "hpc-dev > pcluster-access:cluster:ClusterConfiguration hpc-dev-cluster-config",
                "hpc-dev > pcluster-access:network:Network hpc-dev-network",
                "hpc-dev > pcluster-access:opsworks:OpsWorksStack hpc-dev-opsworks",
                "hpc-dev > pcluster-access:storage:FsxSettings hpc-dev-fsx",
                "hpc-dev > pcluster-access:storage:PostInstallAsset hpc-dev-scripts",
                "hpc-dev > pcluster-access:users:ClusterUsers hpc-dev-users",
                "hpc-dev > pulumi-nodejs:dynamic/pcluster:EnvironmentName pcluster-access-environment-name",
                "hpc-dev-cluster-config > pulumi-nodejs:dynamic/pcluster:ClusterConfiguration hpc-dev-cluster-config-object",
                "hpc-dev-network > awsx:ec2:Vpc hpc-dev-network-vpc",
                "hpc-dev-opsworks > aws:iam/instanceProfile:InstanceProfile hpc-dev-opsworks-instance-profile",
                "hpc-dev-opsworks > aws:iam/role:Role hpc-dev-opsworks-instance-role",
                "hpc-dev-opsworks > aws:iam/role:Role hpc-dev-opsworks-service-role",
                "hpc-dev-opsworks > aws:iam/rolePolicy:RolePolicy hpc-dev-opsworks-service-policy",
                "hpc-dev-opsworks > pulumi-nodejs:dynamic/opsworks:Stack hpc-dev-opsworks-stack",
                "hpc-dev-scripts > aws:s3/bucket:Bucket hpc-dev-scripts-bucket",
                "hpc-dev-scripts > aws:s3/bucketObjectv2:BucketObjectv2 hpc-dev-scripts-script",
                "hpc-dev-scripts > aws:s3/bucketOwnershipControls:BucketOwnershipControls hpc-dev-scripts-ownership",
                "hpc-dev-scripts > aws:s3/bucketPolicy:BucketPolicy hpc-dev-scripts-tls-only",
                "hpc-dev-scripts > aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock hpc-dev-scripts-public-access-block",
                "hpc-dev-scripts > aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration hpc-dev-scripts-encryption",
                "hpc-dev-scripts > aws:s3/bucketVersioning:BucketVersioning hpc-dev-scripts-versioning",
                "hpc-dev-users > aws:iam/user:User hpc-dev-users-adam.black-iam-user",
                "hpc-dev-users > aws:iam/user:User hpc-dev-users-alice-iam-user",
                "hpc-dev-users > pulumi-nodejs:dynamic/opsworks:Permission hpc-dev-users-adam.black-permission",
                "hpc-dev-users > pulumi-nodejs:dynamic/opsworks:Permission hpc-dev-users-alice-permission",
                "hpc-dev-users > pulumi-nodejs:dynamic/opsworks:Permission hpc-dev-users-bob-permission",
                "hpc-dev-users > pulumi-nodejs:dynamic/opsworks:UserProfile hpc-dev-users-adam.black-profile",
                "hpc-dev-users > pulumi-nodejs:dynamic/opsworks:UserProfile hpc-dev-users-alice-profile",
                "hpc-dev-users > pulumi-nodejs:dynamic/opsworks:UserProfile hpc-dev-users-bob-profile",
                "pcluster-access-dev > pcluster-access:index:ParallelClusterEnvironment hpc-dev",
            ]);
        });

        it("creates a VPC with the configured CIDR and zones, one NAT gateway, public and private subnets", () => {
            const vpc = named(run, "hpc-dev-network-vpc");
            assert.equal(vpc.inputs.cidrBlock, "10.0.0.0/16");
            assert.equal(vpc.inputs.numberOfAvailabilityZones, 2);
            assert.deepEqual(vpc.inputs.natGateways, { strategy: "Single" });
            assert.deepEqual(vpc.inputs.subnetSpecs, [{ type: "Public", name: "head" }, { type: "Private", name: "compute" }]);
        });

        it("creates a Chef 12 OpsWorks stack in the cluster's VPC and region, on the head node's subnet", () => {
            const stack = named(run, "hpc-dev-opsworks-stack");
            const vpc = named(run, "hpc-dev-network-vpc").outputs;
            assert.equal(stack.inputs.region, "eu-west-1");
            assert.equal(stack.inputs.name, "hpc-dev-users");
            assert.equal(stack.inputs.vpcId, vpc.vpcId);
            assert.equal(stack.inputs.defaultSubnetId, (vpc.publicSubnetIds as string[])[0]);
            assert.deepEqual(stack.inputs.configurationManager, { name: "Chef", version: "12" });
            assert.equal(stack.inputs.serviceRoleArn, named(run, "hpc-dev-opsworks-service-role").outputs.arn);
            assert.equal(stack.inputs.defaultInstanceProfileArn, named(run, "hpc-dev-opsworks-instance-profile").outputs.arn);
            assert.deepEqual(stack.inputs.retry, { maxAttempts: 10 });
            assert.deepEqual(JSON.parse(String(named(run, "hpc-dev-opsworks-service-role").inputs.assumeRolePolicy)).Statement[0].Principal, { Service: "opsworks.amazonaws.com" });
        });

        it("gives each user a profile and an iam_only permission on this stack, keyed by IAM user name", () => {
            const stackId = named(run, "hpc-dev-opsworks-stack").outputs.stackId;
            const profiles = ofType(run, PROFILE_TYPE).map((profile) => ({ name: profile.name, ...profile.inputs, __provider: undefined }));
            const config = YAML.parse(readFileSync(path.join(__dirname, "../../Pulumi.dev.yaml"), "utf8")).config["pcluster-access:users"];
            const keyOf = (iamUser: string) => config.find((user: { iamUser: string }) => user.iamUser === iamUser).sshPublicKey;
            const retry = { maxAttempts: 10 };
            assert.deepEqual(profiles, [
                { name: "hpc-dev-users-adam.black-profile", region: "eu-west-1", iamUserArn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/adam.black`, sshUsername: "adamblack", sshPublicKey: keyOf("adam.black"), blocked: false, retry, __provider: undefined },
                { name: "hpc-dev-users-alice-profile", region: "eu-west-1", iamUserArn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/alice`, sshUsername: "alice", sshPublicKey: keyOf("alice"), blocked: false, retry, __provider: undefined },
                { name: "hpc-dev-users-bob-profile", region: "eu-west-1", iamUserArn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/bob`, sshUsername: "bob", sshPublicKey: keyOf("bob"), blocked: false, retry, __provider: undefined },
            ]);
            const permissions = ofType(run, PERMISSION_TYPE).map((permission) => [permission.name, permission.inputs.stackId, permission.inputs.allowSsh, permission.inputs.allowSudo, permission.inputs.level]);
            assert.deepEqual(permissions, [
                ["hpc-dev-users-adam.black-permission", stackId, true, false, "iam_only"],
                ["hpc-dev-users-alice-permission", stackId, true, true, "iam_only"],
                ["hpc-dev-users-bob-permission", stackId, true, false, "iam_only"],
            ]);
        });

        it("creates IAM users only where asked, with no login or keys, and looks the others up", () => {
            assert.deepEqual(ofType(run, "aws:iam/user:User").map((user) => user.inputs), [
                { name: "adam.black", tags: { "pcluster-access:role": "cluster-user" } },
                { name: "alice", tags: { "pcluster-access:role": "cluster-user" } },
            ]);
            assert.equal(run.resources.filter((resource) => /LoginProfile|AccessKey/.test(resource.type)).length, 0);
            // And the region's instance type offerings, asked once (components/cluster/instanceTypeOfferings.ts).
            assert.deepEqual(calls.sort(), ["aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings", "aws:iam/getUser:getUser"]);
        });

        it("uploads the post-install script to a locked-down bucket, after the locks are in place", async () => {
            const bucket = named(run, "hpc-dev-scripts-bucket").outputs.bucket;
            const script = named(run, "hpc-dev-scripts-script");
            assert.equal(script.inputs.bucket, bucket);
            assert.equal(script.inputs.key, "post-install.sh");
            assert.equal(await (script.inputs.source as { path: Promise<string> }).path, path.join(__dirname, "../../scripts/node/post-install.sh"));
            assert.deepEqual(script.dependencies.map((urn) => urn.split("::").pop()).sort(), [
                "hpc-dev-scripts-bucket",
                "hpc-dev-scripts-encryption",
                "hpc-dev-scripts-ownership",
                "hpc-dev-scripts-public-access-block",
                "hpc-dev-scripts-tls-only",
                "hpc-dev-scripts-versioning",
            ]);
            assert.deepEqual(named(run, "hpc-dev-scripts-public-access-block").inputs, { bucket, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
            assert.deepEqual(named(run, "hpc-dev-scripts-versioning").inputs.versioningConfiguration, { status: "Enabled" });
            assert.deepEqual(named(run, "hpc-dev-scripts-encryption").inputs.rules, [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }]);
            assert.deepEqual(JSON.parse(String(named(run, "hpc-dev-scripts-tls-only").inputs.policy)).Statement, [
                { Sid: "DenyPlainHttp", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } },
            ]);
        });

        it("stores the rendered v3 configuration in the bucket, wired to the stack, the script and the network", () => {
            const stored = ofType(run, CONFIG_TYPE)[0];
            const bucket = named(run, "hpc-dev-scripts-bucket").outputs.bucket as string;
            const stackId = named(run, "hpc-dev-opsworks-stack").outputs.stackId;
            const vpc = named(run, "hpc-dev-network-vpc").outputs as { publicSubnetIds: string[]; privateSubnetIds: string[] };
            assert.equal(stored.inputs.bucket, bucket);
            assert.equal(stored.inputs.key, "cluster-config.yaml");
            assert.equal(stored.inputs.format, "v3");
            assert.deepEqual(YAML.parse(String(stored.inputs.text)), stored.inputs.document);
            const doc = YAML.parse(String(stored.inputs.text));
            assert.equal(doc.HeadNode.Networking.SubnetId, vpc.publicSubnetIds[0]);
            for (const node of [doc.HeadNode, ...doc.Scheduling.SlurmQueues]) {
                assert.deepEqual(node.CustomActions.OnNodeConfigured, { Script: `s3://${bucket}/post-install.sh`, Args: [stackId] });
                assert.deepEqual(node.Iam.S3Access, [{ BucketName: bucket, EnableWriteAccess: false }]);
            }
            assert.deepEqual(doc.Scheduling.SlurmQueues.map((queue: any) => queue.Networking.SubnetIds), [[vpc.privateSubnetIds[0]], [vpc.privateSubnetIds[0]], [vpc.privateSubnetIds[0]]]);
            assert.equal(run.stackOutputs.clusterConfiguration, stored.inputs.text);
        });

        it("exports the configuration, its URL, the stack id, the script URL and the user table", () => {
            const bucket = named(run, "hpc-dev-scripts-bucket").outputs.bucket;
            assert.equal(run.stackOutputs.clusterConfigurationUrl, `s3://${bucket}/cluster-config.yaml`);
            assert.equal(run.stackOutputs.clusterConfigurationFile, "cluster-config.yaml");
            assert.deepEqual(run.stackOutputs.access, { backend: "opsworks", opsworksStackId: named(run, "hpc-dev-opsworks-stack").outputs.stackId });
            assert.equal(run.stackOutputs.postInstallUrl, `s3://${bucket}/post-install.sh`);
            assert.deepEqual(run.stackOutputs.users, [
                { iamUser: "alice", iamUserArn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/alice`, sshUsername: "alice", ssh: true, sudo: true, access: "allowed" },
                { iamUser: "bob", iamUserArn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/bob`, sshUsername: "bob", ssh: true, sudo: false, access: "allowed" },
                { iamUser: "adam.black", iamUserArn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/adam.black`, sshUsername: "adamblack", ssh: true, sudo: false, access: "allowed" },
            ]);
            assert.equal(run.stackOutputs.fsx, "new FSx for Lustre SCRATCH_2 1200 GiB at /fsx (scratch: not replicated, no backups)");
        });
    });

    it("renames nothing when the roster is reordered", async () => {
        const names = (run: Awaited<ReturnType<typeof runDev>>) => run.resources.map((resource) => `${resource.type}::${resource.name}`).sort();
        const original = await runDev();
        const reordered = await runDev((raw) => raw.users.reverse());
        assert.deepEqual(names(reordered), names(original));
        assert.deepEqual((reordered.stackOutputs.users as { iamUser: string }[]).map((user) => user.iamUser), ["adam.black", "bob", "alice"]);
    });

    it("maps access states: blocked keeps SSH (the account survives) with the key replaced; revoked denies SSH and sudo", async () => {
        const run = await runDev((raw) => {
            raw.users[0].access = "blocked";
            raw.users[1].access = "revoked";
            raw.users[1].sudo = true;
        });
        assert.equal(named(run, "hpc-dev-users-alice-profile").inputs.blocked, true);
        assert.deepEqual([named(run, "hpc-dev-users-alice-permission").inputs.allowSsh, named(run, "hpc-dev-users-alice-permission").inputs.allowSudo], [true, true]);
        assert.equal(named(run, "hpc-dev-users-bob-profile").inputs.blocked, false);
        assert.deepEqual([named(run, "hpc-dev-users-bob-permission").inputs.allowSsh, named(run, "hpc-dev-users-bob-permission").inputs.allowSudo], [false, false]);
        assert.deepEqual((run.stackOutputs.users as { access: string; ssh: boolean; sudo: boolean }[]).map((user) => [user.access, user.ssh, user.sudo]), [["blocked", true, true], ["revoked", false, false], ["allowed", true, false]]);
    });

    it("adopts an existing OpsWorks stack: no stack or roles are created and everything points at its id", async () => {
        const stackId = "2f18b4cb-4de5-4429-a149-ff7da9f0d8ee";
        const run = await runDev((raw) => { raw.opsworks = { existingStackId: stackId }; });
        assert.deepEqual(ofType(run, STACK_TYPE), []);
        assert.deepEqual(ofType(run, "aws:iam/role:Role"), []);
        assert.deepEqual([...new Set(ofType(run, PERMISSION_TYPE).map((permission) => permission.inputs.stackId))], [stackId]);
        assert.deepEqual(run.stackOutputs.access, { backend: "opsworks", opsworksStackId: stackId });
        assert.deepEqual(YAML.parse(String(run.stackOutputs.clusterConfiguration)).HeadNode.CustomActions.OnNodeConfigured.Args, [stackId]);
    });

    it("adopts an existing VPC after looking up each subnet", async () => {
        const existing = { vpcId: "vpc-0123456789abcdef0", headNodeSubnetId: "subnet-0123456789abcdef0", computeSubnetIds: ["subnet-0aaaaaaaaaaaaaaaa"] };
        const calls: string[] = [];
        const run = await runDev((raw) => { raw.network = { existing }; }, { defaultVpcId: existing.vpcId }, (event) => event.kind === "call" && calls.push(event.type));
        assert.deepEqual(ofType(run, "awsx:ec2:Vpc"), []);
        assert.deepEqual(calls.sort(), ["aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings", "aws:ec2/getSubnet:getSubnet", "aws:ec2/getSubnet:getSubnet", "aws:ec2/getVpc:getVpc", "aws:iam/getUser:getUser"]);
        assert.equal(named(run, "hpc-dev-opsworks-stack").inputs.vpcId, existing.vpcId);
        const doc = YAML.parse(String(run.stackOutputs.clusterConfiguration));
        assert.equal(doc.HeadNode.Networking.SubnetId, existing.headNodeSubnetId);
        assert.deepEqual(doc.Scheduling.SlurmQueues[0].Networking.SubnetIds, existing.computeSubnetIds);
    });

    it("fails when an adopted subnet lies in another VPC, naming the key and the fix", async () => {
        const existing = { vpcId: "vpc-0123456789abcdef0", headNodeSubnetId: "subnet-0123456789abcdef0", computeSubnetIds: ["subnet-0aaaaaaaaaaaaaaaa"] };
        await assert.rejects(
            runDev((raw) => { raw.network = { existing }; }, { defaultVpcId: existing.vpcId, subnetVpcs: { "subnet-0aaaaaaaaaaaaaaaa": "vpc-0fffffffffffffff0" } }),
            { message: "network.existing.computeSubnetIds[0]: subnet-0aaaaaaaaaaaaaaaa is in vpc-0fffffffffffffff0, not in network.existing.vpcId vpc-0123456789abcdef0. List subnets of that VPC." },
        );
    });

    it("runs EFA queues in the first of two adopted subnets and other queues across both, one per zone", async () => {
        const existing = { vpcId: "vpc-0123456789abcdef0", headNodeSubnetId: "subnet-0123456789abcdef0", computeSubnetIds: ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"] };
        const run = await runDev((raw) => {
            raw.network = { existing };
            raw.cluster.queues[1] = { name: "standard", computeResources: [{ instanceType: "m5n.24xlarge" }] };
            raw.cluster.fsx = { name: "scratchfs", mountDir: "/fsx", fileSystemId: "fs-0123456789abcdef0" };
        }, { defaultVpcId: existing.vpcId });
        const queues = YAML.parse(String(run.stackOutputs.clusterConfiguration)).Scheduling.SlurmQueues;
        assert.deepEqual(queues.map((queue: { Networking: { SubnetIds: string[] } }) => queue.Networking.SubnetIds), [
            ["subnet-0aaaaaaaaaaaaaaaa"], existing.computeSubnetIds, ["subnet-0aaaaaaaaaaaaaaaa"],
        ]);
        assert.deepEqual(queues[1].ComputeResources, [{ Name: "m5n-24xl", Instances: [{ InstanceType: "m5n.24xlarge" }], MinCount: 0, MaxCount: 10 }]);
    });

    it("fails when two adopted compute subnets share a zone, naming both and the fix", async () => {
        const existing = { vpcId: "vpc-0123456789abcdef0", headNodeSubnetId: "subnet-0123456789abcdef0", computeSubnetIds: ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"] };
        await assert.rejects(
            runDev((raw) => { raw.network = { existing }; }, { defaultVpcId: existing.vpcId, subnetZones: { "subnet-0aaaaaaaaaaaaaaaa": "eu-west-1a", "subnet-0bbbbbbbbbbbbbbbb": "eu-west-1a" } }),
            {
                message:
                    "network.existing.computeSubnetIds[1]: subnet-0bbbbbbbbbbbbbbbb is in eu-west-1a, like computeSubnetIds[0] (subnet-0aaaaaaaaaaaaaaaa); " +
                    "ParallelCluster refuses two subnets of one zone in a queue. List one subnet per zone.",
            },
        );
    });

    it("fails when a user to be looked up does not exist in IAM", async () => {
        await assert.rejects(runDev(undefined, { existingIamUsers: ["alice", "adam.black"] }), { message: "NoSuchEntity: The user with name bob cannot be found." });
    });

    it("uses an ARN as given, with no lookup", async () => {
        const calls: string[] = [];
        const arn = "arn:aws:iam::210987654321:user/team/bob";
        const run = await runDev((raw) => { raw.users[1].iamUser = arn; }, {}, (event) => event.kind === "call" && calls.push(event.type));
        assert.deepEqual(calls, ["aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings"]);
        assert.equal(named(run, "hpc-dev-users-bob-profile").inputs.iamUserArn, arn);
    });

    it("renders v2 as the article's INI and stores it as cluster-config.ini", async () => {
        const run = await runDev((raw) => { setFormat(raw, "v2"); raw.cluster.os = "centos7"; });
        const stored = ofType(run, CONFIG_TYPE)[0];
        assert.equal(stored.inputs.key, "cluster-config.ini");
        assert.equal(stored.inputs.format, "v2");
        const text = String(run.stackOutputs.clusterConfiguration);
        const bucket = named(run, "hpc-dev-scripts-bucket").outputs.bucket;
        assert.match(text, new RegExp(`^post_install = s3://${bucket}/post-install\\.sh$`, "m"));
        assert.match(text, new RegExp(`^post_install_args = "${named(run, "hpc-dev-opsworks-stack").outputs.stackId}"$`, "m"));
        assert.match(text, /^additional_iam_policies = arn:aws:iam::aws:policy\/AWSOpsWorksInstanceRegistration,arn:aws:iam::aws:policy\/AWSOpsWorksRegisterCLI_EC2$/m);
    });

    it("registers nothing but the stack itself when the config is invalid, and reports every problem", async () => {
        const registered: string[] = [];
        await assert.rejects(
            runDev((raw) => { raw.users[0].sshPublicKey = ""; raw.cluster.queues[0].name = "Compute"; }, {}, (event) => event.kind === "register" && registered.push(event.type)),
            (error: unknown) => {
                assert.ok(error instanceof ConfigError);
                assert.deepEqual(error.problems.map((problem) => problem.path), ["users[0].sshPublicKey", "cluster.queues[0].name"]);
                assert.match(error.message, /^The stack config is invalid \(2 problems\); nothing was created\.\n/);
                return true;
            },
        );
        assert.deepEqual(registered, ["pulumi:pulumi:Stack"]);
    });
});
