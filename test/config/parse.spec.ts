import * as assert from "node:assert/strict";
import { parseEnvironmentConfig } from "../../components/config";
import { devRawConfig, setFormat } from "../support/devConfig";
import * as keys from "../support/keys";
import { configWith as dev, problems } from "../support/configProblems";

const SSH_RULE = "lowercase letters, digits, '-' and '_', starting with a letter or '_', at most 32 characters";

describe("stack config", () => {
    it("accepts the dev stack and resolves every default and derived name", () => {
        const result = parseEnvironmentConfig(devRawConfig());
        assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
        const { config } = result;
        assert.equal(config.region, "eu-west-1");
        assert.deepEqual(config.network, { mode: "create", cidrBlock: "10.0.0.0/16", availabilityZones: 2 });
        assert.deepEqual(config.access, { backend: "opsworks", opsworks: { mode: "create", stackName: "hpc-dev-users", maxAttempts: 10 } });
        assert.deepEqual(
            config.cluster.queues.map((queue) => [queue.name, queue.computeResources.map((resource) => `${resource.name}:${resource.instanceType}:${resource.minCount}-${resource.maxCount}`)]),
            [["compute", ["c5n-18xl:c5n.18xlarge:0-10"]], ["standard", ["m5n-24xl:m5n.24xlarge:0-10"]], ["highmem", ["r5n-24xl:r5n.24xlarge:0-10"]]],
        );
        assert.deepEqual(config.cluster.fsx, { mode: "create", name: "scratchfs", mountDir: "/fsx", storageCapacity: 1200, deploymentType: "SCRATCH_2" });
        assert.deepEqual(
            config.users.map((user) => [user.iamUserName, user.sshUsername, user.create, user.sudo, user.access]),
            [["alice", "alice", true, true, "allowed"], ["bob", "bob", false, false, "allowed"], ["adam.black", "adamblack", true, false, "allowed"]],
        );
    });

    it("applies defaults: v3, ondemand, no EFA, min 0 max 10, create network, roster backend from 2001 syncing every 60 s, no users", () => {
        const result = parseEnvironmentConfig({
            region: "us-east-1",
            cluster: { name: "small", os: "alinux2023", keyName: "admin", headNode: { instanceType: "t3.medium" }, queues: [{ name: "q", computeResources: [{ instanceType: "c6i.large" }] }] },
        });
        assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
        assert.equal(result.config.cluster.format, "v3");
        assert.deepEqual(result.config.cluster.queues[0], {
            name: "q", efa: false, disableHyperthreading: false, capacityType: "ondemand", spansSubnets: true,
            computeResources: [{ name: "c6i-large", instanceType: "c6i.large", minCount: 0, maxCount: 10 }],
        });
        assert.deepEqual(result.config.network, { mode: "create", cidrBlock: "10.0.0.0/16", availabilityZones: 2 });
        assert.deepEqual(result.config.access, { backend: "roster", roster: { syncIntervalSeconds: 60, uidRange: { first: 2001, last: 60000 }, groups: [], instanceConnect: false, signingKeyVersion: 1, signers: [] } });
        assert.deepEqual(result.config.users, []);
    });

    it("reports every missing key at once, each with what to set", () => {
        assert.deepEqual(problems({}), [
            "cluster: is required: describe the cluster under pcluster-access:cluster (see Pulumi.dev.yaml).",
            "aws:region: is required: run `pulumi config set aws:region eu-west-1` (a region that had OpsWorks Stacks).",
        ]);
        assert.deepEqual(problems({ region: "eu-west-1", cluster: { queues: [{}] } }), [
            "cluster.name: is required: name the cluster, e.g. hpc-dev.",
            "cluster.os: is required: choose the node OS, e.g. alinux2023.",
            "cluster.keyName: is required: give the name of an EC2 key pair in the region.",
            "cluster.headNode: is required: give headNode.instanceType, e.g. t3.large.",
            "cluster.queues[0].name: is required.",
            "cluster.queues[0].computeResources: is required.",
        ]);
    });

    it("reports problems in several keys together, and unknown keys by name", () => {
        const raw = dev((r) => {
            r.region = "eu-north-1";
            r.cluster.headNode.rootVolumeSize = 20;
            r.cluster.queues[1].computeResources[0].maxCount = 0;
            r.cluster.queues[2].efaa = true;
            r.users[0].sshPublicKye = r.users[0].sshPublicKey;
            r.users[2].access = "disabled";
        });
        assert.deepEqual(problems(raw), [
            "cluster.queues[1].computeResources[0].maxCount: must be at least 1.",
            "cluster.queues[2].efaa: is not a known key. Check its spelling against the config reference in README.md.",
            "users[0].sshPublicKye: is not a known key. Check its spelling against the config reference in README.md.",
            "users[2].access: must be one of: allowed, blocked, revoked (got 'disabled').",
            "aws:region: 'eu-north-1' never had OpsWorks Stacks, which this environment's users live in. Use one of: ap-northeast-1, ap-northeast-2, ap-south-1, ap-southeast-1, ap-southeast-2, ca-central-1, eu-central-1, eu-west-1, eu-west-2, eu-west-3, sa-east-1, us-east-1, us-east-2, us-west-1, us-west-2.",
            "cluster.headNode.rootVolumeSize: 20 GiB is smaller than the root volume of ParallelCluster 3.16.3's official AMIs (50 GiB), which ParallelCluster refuses (RootVolumeSizeValidator). " +
                "Set at least 50, or remove the key to take the AMI's size.",
        ]);
    });

    it("says which type a value must have", () => {
        assert.deepEqual(problems(dev((r) => { r.cluster.queues[0].efa = "yes"; r.users[1].sudo = 1; r.cluster.queues[0].computeResources[0].maxCount = 2.5; })), [
            "cluster.queues[0].computeResources[0].maxCount: must be a whole number, not 2.5.",
            "cluster.queues[0].efa: must be a boolean, not 'yes'.",
            "users[1].sudo: must be a boolean, not 1.",
        ]);
    });

    describe("cluster rules per format", () => {
        it("cluster names", () => {
            assert.deepEqual(problems(dev((r) => { r.cluster.name = "1st_cluster"; })), [
                "cluster.name: '1st_cluster' is not a valid cluster name: letters, digits and '-', starting with a letter, at most 60 characters.",
            ]);
        });

        it("the OS must exist in the chosen format (v3: in the release, test/config/releases.spec.ts), with a hint when it belongs to the other", () => {
            assert.deepEqual(problems(dev((r) => { r.cluster.os = "centos7"; })), [
                "cluster.os: 'centos7' is not an OS of ParallelCluster 3.16.3 (3.9.3 was the last release with centos7). Use one of: alinux2023, ubuntu2204, ubuntu2404, rhel8, rhel9, rocky8, rocky9.",
            ]);
            assert.deepEqual(problems(dev((r) => { r.cluster.os = "ubuntu1604"; })), [
                "cluster.os: 'ubuntu1604' is not an OS of ParallelCluster 3.16.3. Use one of: alinux2023, ubuntu2204, ubuntu2404, rhel8, rhel9, rocky8, rocky9.",
            ]);
            assert.deepEqual(problems(dev((r) => { setFormat(r, "v2"); r.cluster.os = "alinux2023"; })), [
                "cluster.os: 'alinux2023' is not an OS of ParallelCluster v2 ('alinux2023' is a v3 value). Use one of: alinux2, ubuntu1804, ubuntu2004, centos7.",
            ]);
            assert.deepEqual(problems(dev((r) => { setFormat(r, "v2"); r.cluster.os = "windows"; })), [
                "cluster.os: 'windows' is not an OS of ParallelCluster v2. Use one of: alinux2, ubuntu1804, ubuntu2004, centos7.",
            ]);
        });

        it("v2: at most 5 queues and 3 compute resources per queue, distinct instance types, cluster-wide resource names", () => {
            const raw = dev((r) => {
                setFormat(r, "v2");
                r.cluster.os = "centos7";
                const extra = (name: string) => ({ ...r.cluster.queues[0], name, computeResources: [{ instanceType: "c5.large", name: `${name}-cr` }] });
                r.cluster.queues.push(extra("q4"), extra("q5"), extra("q6"));
                r.cluster.queues[0].computeResources.push({ instanceType: "c5.xlarge" }, { instanceType: "c5.2xlarge" }, { instanceType: "c5.xlarge", name: "other" });
                r.cluster.queues[1].computeResources[0].instanceType = "c5n.18xlarge";
            });
            assert.deepEqual(problems(raw), [
                "cluster.queues: v2 allows at most 5 queues; 6 are listed. Merge or remove queues.",
                "cluster.queues[0].computeResources: v2 allows at most 3 compute resources per queue; 4 are listed. Split the queue.",
                "cluster.queues[0].computeResources[3].instanceType: c5.xlarge is already cluster.queues[0].computeResources[1]; v2 needs distinct instance types within a queue. Raise that resource's maxCount instead.",
                "cluster.queues[1].computeResources[0].name: 'c5n-18xl' is already the name of cluster.queues[0].computeResources[0]; v2 compute_resource sections are cluster-wide. Set a unique cluster.queues[1].computeResources[0].name.",
            ]);
        });

        it("queue and compute resource names: pattern, length, 'default', uniqueness", () => {
            const raw = dev((r) => {
                r.cluster.queues[0].name = "Compute";
                r.cluster.queues[1].name = "default";
                r.cluster.queues[2].name = "compute";
                r.cluster.queues.push({ ...structuredClone(r.cluster.queues[2]), name: "compute" });
                r.cluster.queues[2].computeResources.push({ instanceType: "r5n.24xlarge" });
                r.cluster.queues[3].computeResources[0].name = "a-name-that-is-far-too-long";
            });
            assert.deepEqual(problems(raw), [
                "cluster.queues[0].name: 'Compute' is not a valid queue name: lowercase letters, digits and '-', starting with a letter, at most 25 characters.",
                "cluster.queues[1].name: 'default' is reserved by ParallelCluster; choose another queue name.",
                "cluster.queues[2].computeResources[1].name: compute resource 'r5n-24xl' is already cluster.queues[2].computeResources[0]. Give each a unique name.",
                "cluster.queues[3].name: queue 'compute' is already cluster.queues[2]. Queue names must be unique.",
                "cluster.queues[3].computeResources[0].name: 'a-name-that-is-far-too-long' is not a valid compute resource name: lowercase letters, digits and '-', starting with a letter, at most 25 characters.",
            ]);
        });

        it("counts: min <= max", () => {
            assert.deepEqual(problems(dev((r) => { r.cluster.queues[0].computeResources[0].minCount = 11; })), [
                "cluster.queues[0].computeResources[0].minCount: minCount (11) is above maxCount (10). Lower minCount or raise maxCount.",
            ]);
        });

        it("EFA needs a placement group", () => {
            assert.deepEqual(problems(dev((r) => { delete r.cluster.queues[2].placementGroup; })), [
                "cluster.queues[2].placementGroup: EFA needs a placement group: set placementGroup: DYNAMIC (or an existing group's name), or set efa: false.",
            ]);
        });

        it("SSH sources: ParallelCluster's default (anywhere) unless narrowed to a CIDR block, or a prefix list in v3", () => {
            const accepted = (value: string | undefined, format = "v3") => {
                const result = parseEnvironmentConfig(dev((r) => { r.cluster.sshAllowedIps = value; if (format === "v2") { r.cluster.format = "v2"; r.cluster.os = "centos7"; } }));
                assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
                return result.config.cluster.sshAllowedIps;
            };
            assert.equal(accepted(undefined), "0.0.0.0/0");
            assert.equal(accepted("203.0.113.0/24"), "203.0.113.0/24");
            assert.equal(accepted("198.51.100.7/32", "v2"), "198.51.100.7/32");
            assert.equal(accepted("pl-0123456789abcdef0"), "pl-0123456789abcdef0");
            const refused = (value: string, format = "v3") =>
                problems(dev((r) => { r.cluster.sshAllowedIps = value; if (format === "v2") { r.cluster.format = "v2"; r.cluster.os = "centos7"; } }));
            assert.deepEqual(refused("pl-0123456789abcdef0", "v2"), [
                "cluster.sshAllowedIps: 'pl-0123456789abcdef0' a prefix list is a v3 setting; v2's ssh_from takes an IPv4 CIDR block such as 203.0.113.0/24.",
            ]);
            assert.deepEqual(refused("203.0.113.7/24"), ["cluster.sshAllowedIps: '203.0.113.7/24' has host bits set; the block is 203.0.113.0/24."]);
            assert.deepEqual(refused("office"), [
                "cluster.sshAllowedIps: 'office' must be an IPv4 CIDR block such as 203.0.113.0/24 (your office or VPN range) or a prefix list id such as pl-0123456789abcdef0.",
            ]);
            assert.deepEqual(refused("10.0.0.0/33", "v2"), ["cluster.sshAllowedIps: '10.0.0.0/33' must be an IPv4 CIDR block such as 203.0.113.0/24 (your office or VPN range)."]);
        });

        it("root volumes of at least the AMI's: the release's in v3 (test/config/releases.spec.ts), 35 GiB in v2", () => {
            assert.deepEqual(problems(dev((r) => { r.cluster.computeRootVolumeSize = 49; })), [
                "cluster.computeRootVolumeSize: 49 GiB is smaller than the root volume of ParallelCluster 3.16.3's official AMIs (50 GiB), which ParallelCluster refuses (RootVolumeSizeValidator). " +
                    "Set at least 50, or remove the key to take the AMI's size.",
            ]);
            assert.ok(parseEnvironmentConfig(dev((r) => { r.cluster.computeRootVolumeSize = 50; })).ok);
            assert.deepEqual(problems(dev((r) => { setFormat(r, "v2"); r.cluster.os = "centos7"; r.cluster.computeRootVolumeSize = 34; })), [
                "cluster.computeRootVolumeSize: must be at least 35 GiB (ParallelCluster 2's AMIs).",
            ]);
            assert.deepEqual(problems(dev((r) => { r.cluster.headNode.rootVolumeSize = 0; })), ["cluster.headNode.rootVolumeSize: must be a positive number of GiB."]);
        });
    });

    describe("FSx rules", () => {
        const fsx = (settings: object, format: "v2" | "v3" = "v3") =>
            problems(dev((r) => { r.cluster.fsx = { mountDir: "/fsx", ...settings }; if (format === "v2") { setFormat(r, "v2"); r.cluster.os = "centos7"; } }));

        it("capacity per deployment type", () => {
            assert.deepEqual(fsx({ deploymentType: "SCRATCH_2", storageCapacity: 3600 }), [
                "cluster.fsx.storageCapacity: 3600 GiB is not a valid capacity: SCRATCH_2 takes 1200 or a multiple of 2400 GiB.",
            ]);
            assert.deepEqual(fsx({ deploymentType: "SCRATCH_1", storageCapacity: 4800 }), [
                "cluster.fsx.storageCapacity: 4800 GiB is not a valid capacity: SCRATCH_1 takes 1200, 2400 or a multiple of 3600 GiB.",
            ]);
            assert.equal(parseEnvironmentConfig(dev((r) => { r.cluster.fsx.deploymentType = "SCRATCH_1"; r.cluster.fsx.storageCapacity = 7200; })).ok, true);
        });

        it("throughput always for the PERSISTENT types, from each one's own list, never for SCRATCH; PERSISTENT_2 only in v3", () => {
            assert.deepEqual(fsx({ deploymentType: "PERSISTENT_1", storageCapacity: 2400 }), [
                "cluster.fsx.perUnitStorageThroughput: PERSISTENT_1 needs a throughput of 50, 100 or 200 MB/s per TiB of storage. Set one of these values.",
            ]);
            assert.deepEqual(fsx({ deploymentType: "PERSISTENT_2", storageCapacity: 2400 }), [
                "cluster.fsx.perUnitStorageThroughput: PERSISTENT_2 needs a throughput of 125, 250, 500 or 1000 MB/s per TiB of storage. Set one of these values.",
            ]);
            assert.deepEqual(fsx({ deploymentType: "PERSISTENT_2", storageCapacity: 2400, perUnitStorageThroughput: 200 }), [
                "cluster.fsx.perUnitStorageThroughput: PERSISTENT_2 needs a throughput of 125, 250, 500 or 1000 MB/s per TiB of storage (not 200). Set one of these values.",
            ]);
            assert.deepEqual(fsx({ deploymentType: "PERSISTENT_1", storageCapacity: 2400, perUnitStorageThroughput: 125 }), [
                "cluster.fsx.perUnitStorageThroughput: PERSISTENT_1 needs a throughput of 50, 100 or 200 MB/s per TiB of storage (not 125). Set one of these values.",
            ]);
            assert.deepEqual(fsx({ deploymentType: "SCRATCH_2", storageCapacity: 1200, perUnitStorageThroughput: 50 }), [
                "cluster.fsx.perUnitStorageThroughput: only the PERSISTENT types take a throughput; remove it for SCRATCH_2.",
            ]);
            for (const [deploymentType, perUnitStorageThroughput] of [["PERSISTENT_1", 50], ["PERSISTENT_1", 200], ["PERSISTENT_2", 125], ["PERSISTENT_2", 1000]] as const) {
                assert.equal(parseEnvironmentConfig(dev((r) => { r.cluster.fsx = { mountDir: "/fsx", deploymentType, storageCapacity: 2400, perUnitStorageThroughput }; })).ok, true);
            }
            assert.deepEqual(fsx({ deploymentType: "PERSISTENT_2", storageCapacity: 2400 }, "v2"), [
                "cluster.fsx.deploymentType: 'PERSISTENT_2' is not a v2 FSx deployment type. Use one of: SCRATCH_1, SCRATCH_2, PERSISTENT_1.",
            ]);
        });

        it("an existing file system takes no creation settings", () => {
            assert.deepEqual(fsx({ fileSystemId: "fs-0123456789abcdef0", storageCapacity: 1200 }), [
                "cluster.fsx.storageCapacity: an existing file system (fileSystemId) takes no creation settings. Remove this key, or remove fileSystemId to create one.",
            ]);
            assert.deepEqual(fsx({ fileSystemId: "fsx-1" }), ["cluster.fsx.fileSystemId: must be a file system id such as fs-0123456789abcdef0."]);
        });
    });

    describe("network rules", () => {
        const existing = { vpcId: "vpc-0123456789abcdef0", headNodeSubnetId: "subnet-0123456789abcdef0", computeSubnetIds: ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0bbbbbbbbbbbbbbbb"] };

        it("create or existing, not both; CIDR shape", () => {
            assert.deepEqual(problems(dev((r) => { r.network.existing = { ...existing, computeSubnetIds: ["subnet-0aaaaaaaaaaaaaaaa"] }; })), [
                "network: give either network.create or network.existing, not both.",
            ]);
            assert.deepEqual(problems(dev((r) => { r.network.create.cidrBlock = "10.0.0.0/8"; })), [
                "network.create.cidrBlock: must have a prefix between /16 and /24 (AWS VPC limits, with room for subnets).",
            ]);
            assert.deepEqual(problems(dev((r) => { r.network.create.cidrBlock = "10.0.300.0/16"; })), ["network.create.cidrBlock: must be an IPv4 CIDR block such as 10.0.0.0/16."]);
        });

        it("EFA and other queues together on two existing subnets, as on a created network; v2 takes one compute subnet; no subnet twice", () => {
            const mixed = parseEnvironmentConfig(dev((r) => { r.network = { existing }; r.cluster.queues[1].efa = false; delete r.cluster.queues[1].placementGroup; r.cluster.fsx = { mountDir: "/fsx", fileSystemId: "fs-0123456789abcdef0" }; }));
            assert.ok(mixed.ok, JSON.stringify(!mixed.ok && mixed.problems));
            assert.deepEqual(mixed.config.cluster.queues.map((queue) => [queue.name, queue.spansSubnets]), [["compute", false], ["standard", true], ["highmem", false]]);
            assert.deepEqual(problems(dev((r) => { r.network = { existing }; setFormat(r, "v2"); r.cluster.os = "centos7"; })), [
                "network.existing.computeSubnetIds: v2 takes a single compute subnet (compute_subnet_id). List one subnet, or use format: v3.",
            ]);
            assert.deepEqual(
                problems(dev((r) => { r.network = { existing: { ...existing, computeSubnetIds: ["subnet-0aaaaaaaaaaaaaaaa", "subnet-0aaaaaaaaaaaaaaaa"] } }; r.cluster.queues.forEach((q: any) => { q.efa = false; }); })),
                ["network.existing.computeSubnetIds[1]: subnet-0aaaaaaaaaaaaaaaa is listed twice. List each subnet once."],
            );
            assert.deepEqual(problems(dev((r) => { r.network = { existing: { ...existing, vpcId: "vpc-1" } }; })), ["network.existing.vpcId: must be a VPC id such as vpc-0123456789abcdef0."]);
        });
    });

    describe("OpsWorks rules", () => {
        it("stack name or existing stack id, not both; ids are UUIDs", () => {
            assert.deepEqual(problems(dev((r) => { r.opsworks.existingStackId = "2f18b4cb-4de5-4429-a149-ff7da9f0d8ee"; })), [
                "opsworks: give either opsworks.stackName (create a stack) or opsworks.existingStackId (adopt one), not both.",
            ]);
            assert.deepEqual(problems(dev((r) => { r.opsworks = { existingStackId: "my-stack" }; })), [
                "opsworks.existingStackId: must be an OpsWorks stack id (a UUID such as 2f18b4cb-4de5-4429-a149-ff7da9f0d8ee).",
            ]);
            const adopted = parseEnvironmentConfig(dev((r) => { r.opsworks = { existingStackId: "2f18b4cb-4de5-4429-a149-ff7da9f0d8ee" }; }));
            assert.ok(adopted.ok);
            assert.deepEqual(adopted.ok && adopted.config.access.backend === "opsworks" && adopted.config.access.opsworks, { mode: "existing", stackId: "2f18b4cb-4de5-4429-a149-ff7da9f0d8ee", maxAttempts: 10 });
        });
    });

    describe("user rules", () => {
        it("IAM users: name or ARN, unique, and an ARN cannot be created", () => {
            const arn = "arn:aws:iam::123456789012:user/engineering/alice";
            assert.deepEqual(problems(dev((r) => { r.users[1].iamUser = arn; r.users[1].create = true; r.users[2].iamUser = "bad name!"; })), [
                "users[2].iamUser: must be an IAM user name (letters, digits and +=,.@_-, at most 64) or an IAM user ARN (arn:aws:iam::123456789012:user/alice).",
                "users[1].create: an ARN names a user that already exists; give the plain user name to create it, or set create: false.",
                "users[1].iamUser: IAM user 'alice' is already users[0]. List each user once.",
                "users[1].sshUsername: 'alice' is already the SSH username of users[0]. Set a unique users[1].sshUsername.",
            ]);
            const byArn = parseEnvironmentConfig(dev((r) => { r.users[1].iamUser = "arn:aws:iam::123456789012:user/ops/carol"; }));
            assert.ok(byArn.ok);
            assert.deepEqual([byArn.config.users[1].iamUserName, byArn.config.users[1].iamUserArn, byArn.config.users[1].sshUsername], ["carol", "arn:aws:iam::123456789012:user/ops/carol", "carol"]);
        });

        it("derives the SSH username by OpsWorks' rule and explains when it is unusable", () => {
            assert.deepEqual(problems(dev((r) => { r.users[2].iamUser = "Adam.Black"; })), [
                `users[2].sshUsername: 'AdamBlack' (OpsWorks derives it from IAM user 'Adam.Black') is not a valid Linux login (${SSH_RULE}). Set users[2].sshUsername, for example to 'adamblack'.`,
            ]);
            assert.deepEqual(problems(dev((r) => { r.users[2].iamUser = "9lives"; })), [
                `users[2].sshUsername: '9lives' (OpsWorks derives it from IAM user '9lives') is not a valid Linux login (${SSH_RULE}). Set users[2].sshUsername, for example to 'lives'.`,
            ]);
        });

        it("never a system account or the OS image's default user, and unique", () => {
            assert.deepEqual(problems(dev((r) => { r.users[0].sshUsername = "root"; r.users[1].sshUsername = "ec2-user"; r.users[2].sshUsername = "slurm"; })), [
                "users[0].sshUsername: 'root' is a system or service account on the cluster nodes. Set users[0].sshUsername.",
                "users[1].sshUsername: 'ec2-user' is the OS image's default user, which the administrators' EC2 key pair logs in as. Set users[1].sshUsername.",
                "users[2].sshUsername: 'slurm' is a system or service account on the cluster nodes. Set users[2].sshUsername.",
            ]);
            assert.deepEqual(problems(dev((r) => { r.users[2].sshUsername = "bob"; })), [
                "users[2].sshUsername: 'bob' is already the SSH username of users[1]. Set a unique users[2].sshUsername.",
            ]);
        });

        it("refuses bad keys with the key checker's message, never echoing a private key", () => {
            const secret = keys.ed25519PrivateKey();
            const lines = problems(dev((r) => { r.users[0].sshPublicKey = secret; r.users[1].sshPublicKey = keys.rsaPublicKey(1024); }));
            assert.deepEqual(lines, [
                "users[0].sshPublicKey: this is a private key. Remove it from the configuration, treat it as leaked and replace it; paste the public half instead (the one line of the .pub file).",
                "users[1].sshPublicKey: this RSA key has 1024 bits; at least 2048 are required. Generate a new one with `ssh-keygen -t ed25519` (or `-t rsa -b 4096`).",
            ]);
            assert.ok(!lines.join("\n").includes(secret.split("\n")[1]));
        });

        it("stores the key normalised", () => {
            const key = keys.ed25519PublicKey("someone@example");
            const result = parseEnvironmentConfig(dev((r) => { r.users[0].sshPublicKey = `  ${key}  \n`; }));
            assert.ok(result.ok);
            assert.deepEqual(result.config.users[0].sshPublicKeys, [{ key }]);
        });
    });
});
