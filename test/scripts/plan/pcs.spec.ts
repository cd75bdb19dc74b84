import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { EXIT, plan } from "../../../scripts/plan";
import { REPO_ROOT } from "../../support/devConfig";
import { onPcs, poolStackConfig, poolStackFile } from "../../support/pool";

/** The MIME parts of a user data file as cloud-init's parser (Python's email package) reads them. */
export function mimeParts(file: string): { type: string; body: string }[] {
    const script = "import email,json,sys; m=email.message_from_bytes(open(sys.argv[1],'rb').read()); print(json.dumps([{'type': p.get_content_type(), 'body': p.get_payload(decode=True).decode()} for p in m.walk() if not p.is_multipart()]))";
    return JSON.parse(execFileSync("python3", ["-c", script, file], { encoding: "utf8" })) as { type: string; body: string }[];
}

describe("npm run plan: an AWS PCS environment (Pulumi.pcs.yaml)", () => {
    let dir: string;
    beforeEach(() => {
        dir = mkdtempSync(path.join(tmpdir(), "pca-plan-pcs-"));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    const options = (configFile = path.join(REPO_ROOT, "Pulumi.pcs.yaml")) => ({ stack: "pcs", configFile, projectFile: path.join(REPO_ROOT, "Pulumi.yaml"), outDir: dir });

    function pcsFileWith(change: (config: Record<string, any>) => void): string {
        const document = YAML.parse(readFileSync(path.join(REPO_ROOT, "Pulumi.pcs.yaml"), "utf8"));
        change(document.config);
        const file = path.join(dir, "Pulumi.variant.yaml");
        writeFileSync(file, YAML.stringify(document));
        return file;
    }

    it("plans with exit 0: the PCS cluster, its login node group and queues, and each launch template's user data in out/<stack>/", async () => {
        const result = await plan(options());
        assert.equal(result.exitCode, EXIT.ok, result.stderr);
        assert.match(
            result.stdout,
            /\nAWS PCS:\n {2}cluster hpc-pcs \(pcs_[0-9a-f]{10}\), Slurm 25\.11\n {2}login node group login: 2 x c6i\.large\n {2}queue compute: node group compute, c6i\.2xlarge, 0-8 instances, ondemand\n {2}queue spot: node group spot, c6i\.4xlarge, 0-16 instances, spot\n\nUsers \(3\):\n/,
        );
        for (const [count, type] of [
            [1, "aws-native:pcs:Cluster"],
            [3, "aws-native:pcs:ComputeNodeGroup"],
            [2, "aws-native:pcs:Queue"],
            [2, "aws:ec2/launchTemplate:LaunchTemplate"],
            [1, "aws:efs/fileSystem:FileSystem"],
            [2, "aws:efs/mountTarget:MountTarget"],
        ] as const) {
            assert.match(result.stdout, new RegExp(`\\n {2}${count} {2}${type.replace(/[/:]/g, "\\$&")}\\n`), type);
        }
        // No ParallelCluster configuration on PCS.
        assert.doesNotMatch(result.stdout, /ClusterConfiguration/);
        assert.match(result.stdout, /\nWrote .*plan\.json, .*roster\.txt, .*user-data-login\.mime and .*user-data-compute\.mime\.\n/);
        assert.equal(existsSync(path.join(dir, "pcs", "cluster-config.yaml")), false);

        const planned = JSON.parse(readFileSync(path.join(dir, "pcs", "plan.json"), "utf8")) as { resources: { type: string; name: string; inputs: Record<string, any> }[] };
        const byName = (name: string) => planned.resources.find((resource) => resource.name === name)!.inputs;
        const bucket = byName("hpc-pcs-scripts-roster-agent").bucket as string;
        const efs = planned.resources.find((resource) => resource.type === "aws:efs/fileSystem:FileSystem")!;
        assert.deepEqual(efs.inputs.encrypted, true);
        // PCS's rule for the node role: named AWSPCS... (and under /aws-pcs/), allowed to register.
        assert.deepEqual([byName("hpc-pcs-pcs-login-role").name, byName("hpc-pcs-pcs-login-role").path], ["AWSPCS-hpc-pcs-login", "/aws-pcs/"]);
        assert.deepEqual(JSON.parse(byName("hpc-pcs-pcs-compute-register").policy).Statement, [{ Effect: "Allow", Action: ["pcs:RegisterComputeNodeGroupInstance"], Resource: "*" }]);
        assert.equal(byName("hpc-pcs-pcs-login-nodes").iamInstanceProfileArn, "arn:aws:iam::123456789012:instance-profile/aws-pcs/AWSPCS-hpc-pcs-login");
        // The tag EC2 Instance Connect grants are scoped to, as on ParallelCluster's nodes.
        assert.deepEqual(byName("hpc-pcs-pcs-compute-template").tagSpecifications[0].tags["parallelcluster:cluster-name"], "hpc-pcs");
        assert.deepEqual(byName("hpc-pcs-pcs-login-sg").ingress.map((rule: any) => [rule.protocol, rule.fromPort, rule.toPort, rule.cidrBlocks]), [["tcp", 22, 22, ["203.0.113.0/24"]]]);

        const login = mimeParts(path.join(dir, "pcs", "user-data-login.mime"));
        const compute = mimeParts(path.join(dir, "pcs", "user-data-compute.mime"));
        assert.deepEqual([login.map((part) => part.type), compute.map((part) => part.type)], [["text/x-shellscript"], ["text/x-shellscript"]]);
        const setting = (body: string, name: string) => new RegExp(`^export ${name}='([^']*)'$`, "m").exec(body)?.[1];
        const words = setting(login[0].body, "PCA_SETUP_WORDS")!.split(" ");
        assert.deepEqual(words.slice(0, 5), ["roster", `s3://${bucket}/roster.txt`, `s3://${bucket}/agent.tar`, "60", "hpc-pcs"]);
        assert.match(words[5], /^[A-Za-z0-9+/]{100,200}={0,2}$/);
        assert.deepEqual(
            ["PCA_NODE_TYPE", "PCA_HOMES", "PCA_HOME_FSTYPE", "PCA_AGENT_URL"].map((name) => [setting(login[0].body, name), setting(compute[0].body, name)]),
            [
                ["LoginNode", "ComputeFleet"],
                ["locked", ""],
                ["nfs4", "nfs4"],
                [`s3://${bucket}/agent.tar`, `s3://${bucket}/agent.tar`],
            ],
        );
        // Both mount the EFS file system the program creates.
        assert.match(setting(login[0].body, "PCA_HOME_SOURCE")!, /^fs-0[0-9a-f]{16}\.efs\.eu-west-1\.amazonaws\.com:\/$/);
        assert.equal(setting(compute[0].body, "PCA_HOME_SOURCE"), setting(login[0].body, "PCA_HOME_SOURCE"));
        assert.equal(setting(compute[0].body, "PCA_SETUP_WORDS"), words.join(" "));
        // The launch template carries exactly that user data, base64-encoded.
        assert.equal(Buffer.from(byName("hpc-pcs-pcs-login-template").userData, "base64").toString(), readFileSync(path.join(dir, "pcs", "user-data-login.mime"), "utf8"));
    });

    it("without pcs.amiId: the sample AMI for the Slurm version, with the plan's warning that it is for demonstration", async () => {
        const result = await plan(options(pcsFileWith((config) => delete config["pcluster-access:pcs"].amiId)));
        assert.equal(result.exitCode, EXIT.ok, result.stderr);
        assert.match(result.stdout, /pcs\.amiId: not set, so every node group runs AWS's newest PCS sample AMI \(aws-pcs-sample_ami-al2023-x86_64-slurm-25\.11\*\), which AWS provides for demonstration, not production/);
    });

    it("an existing EFS file system or FSx for Lustre: mounted from it, nothing created for /home", async () => {
        const efs = await plan(options(pcsFileWith((config) => (config["pcluster-access:pcs"].homes = { efsFileSystemId: "fs-0123456789abcdef0" }))));
        assert.equal(efs.exitCode, EXIT.ok, efs.stderr);
        assert.doesNotMatch(efs.stdout, /aws:efs\//);
        assert.match(readFileSync(path.join(dir, "pcs", "user-data-compute.mime"), "utf8"), /^export PCA_HOME_SOURCE='fs-0123456789abcdef0\.efs\.eu-west-1\.amazonaws\.com:\/'$/m);
        const lustre = await plan(options(pcsFileWith((config) => (config["pcluster-access:pcs"].homes = { fsxLustre: { dnsName: "fs-0123456789abcdef0.fsx.eu-west-1.amazonaws.com", mountName: "abcdef12" } }))));
        assert.equal(lustre.exitCode, EXIT.ok, lustre.stderr);
        const text = readFileSync(path.join(dir, "pcs", "user-data-login.mime"), "utf8");
        assert.match(text, /^export PCA_HOME_FSTYPE='lustre'$/m);
        assert.match(text, /^export PCA_HOME_SOURCE='fs-0123456789abcdef0\.fsx\.eu-west-1\.amazonaws\.com@tcp:\/abcdef12'$/m);
    });

    it("docs/pcs.md shows Pulumi.pcs.yaml as it is, so the stack file the docs show is the one the plan checks", () => {
        const doc = readFileSync(path.join(REPO_ROOT, "docs", "pcs.md"), "utf8");
        const shown = /\n## A complete PCS stack file\n[^]*?\n```yaml\n([^]*?)```\n/.exec(doc)?.[1];
        assert.equal(shown, readFileSync(path.join(REPO_ROOT, "Pulumi.pcs.yaml"), "utf8"));
    });

    it("a PCS config with a ParallelCluster-only key: exit 2, the key named, nothing planned", async () => {
        const result = await plan(options(pcsFileWith((config) => (config["pcluster-access:cluster"].headNode = { instanceType: "t3.large" }))));
        assert.equal(result.exitCode, EXIT.invalidConfig);
        assert.match(result.stderr, /cluster\.headNode: is a ParallelCluster setting, but cluster\.service is pcs/);
        assert.equal(result.stdout, "");
    });
});

describe("npm run plan: an AWS PCS cluster subscribed to a pool", () => {
    let dir: string;
    before(() => {
        dir = mkdtempSync(path.join(tmpdir(), "pca-plan-pcs-pool-"));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("reads its own document and the pool's agent and key, as a ParallelCluster subscriber does", async () => {
        const pool = await plan({ stack: "users", configFile: poolStackFile("users"), projectFile: path.join(REPO_ROOT, "Pulumi.yaml"), outDir: dir });
        assert.equal(pool.exitCode, EXIT.ok, pool.stderr);
        // hpc-cpu of the pool's example, on PCS instead of ParallelCluster.
        const config = onPcs(poolStackConfig("hpc-cpu"));
        const stackFile = path.join(dir, "Pulumi.hpc-cpu.yaml");
        writeFileSync(stackFile, YAML.stringify({ config }));
        const result = await plan({ stack: "hpc-cpu", configFile: stackFile, projectFile: path.join(REPO_ROOT, "Pulumi.yaml"), outDir: dir });
        assert.equal(result.exitCode, EXIT.ok, result.stderr);
        assert.match(result.stdout, /\nAWS PCS:\n {2}cluster hpc-cpu \(pcs_[0-9a-f]{10}\), Slurm 25\.11\n/);
        const words = /^export PCA_SETUP_WORDS='([^']*)'$/m.exec(readFileSync(path.join(dir, "hpc-cpu", "user-data-login.mime"), "utf8"))![1].split(" ");
        assert.match(words[1], /^s3:\/\/users-scripts-bucket-[0-9a-f]{7}\/pool\/hpc-cpu\/roster\.txt$/);
        assert.match(words[2], /^s3:\/\/users-scripts-bucket-[0-9a-f]{7}\/agent\.tar$/);
        assert.equal(words[4], "hpc-cpu");
    });
});
