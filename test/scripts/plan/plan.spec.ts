import * as assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { verifiesWith } from "../../../components/access/roster/signing";
import * as YAML from "yaml";
import { EXIT, plan } from "../../../scripts/plan";
import { REPO_ROOT, setFormat } from "../../support/devConfig";

describe("npm run plan", () => {
    let dir: string;
    beforeEach(() => {
        dir = mkdtempSync(path.join(tmpdir(), "pca-plan-"));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    const options = (configFile = path.join(REPO_ROOT, "Pulumi.article.yaml"), stack = "article") => ({
        stack,
        configFile,
        projectFile: path.join(REPO_ROOT, "Pulumi.yaml"),
        outDir: dir,
    });

    /** The article's stack file with one change, written to the temp dir. */
    function devFileWith(change: (config: Record<string, any>) => void): string {
        const document = YAML.parse(readFileSync(path.join(REPO_ROOT, "Pulumi.article.yaml"), "utf8"));
        change(document.config);
        const file = path.join(dir, "Pulumi.variant.yaml");
        writeFileSync(file, YAML.stringify(document));
        return file;
    }

    it("plans the dev stack (roster backend): exit 0, only the scratch and sudo advice, UIDs and groups in the user table", async () => {
        const result = await plan({ ...options(path.join(REPO_ROOT, "Pulumi.dev.yaml"), "dev") });
        assert.equal(result.exitCode, EXIT.ok, result.stderr);
        assert.match(result.stdout, /^pcluster-access offline plan: stack dev \(Pulumi\.dev\.yaml\), region eu-west-1, against a mock cloud\n/);
        assert.match(result.stdout, /\nResources \(28\):\n/);
        // The roster's signing key and its component.
        assert.match(result.stdout, /\n {2}1 {2}aws:kms\/key:Key\n/);
        assert.match(result.stdout, /\n {2}1 {2}pulumi-nodejs:dynamic\/roster:Roster\n/);
        assert.doesNotMatch(result.stdout, /opsworks/i);
        assert.match(
            result.stdout,
            new RegExp(
                [
                    "\\nUsers \\(3\\):",
                    "  IAM user    SSH username  UID   ssh  sudo  access   expires  keys  instance connect  groups",
                    "  alice       alice         2001  yes  yes   allowed  -        1     no                cfd",
                    "  bob         bob           2002  yes  no    allowed  -        1     no                genomics",
                    "  adam\\.black  adamblack     2003  yes  no    allowed  -        1     no                cfd,genomics\\n",
                ].join("\\n"),
            ),
        );
        // The document the nodes would get, as the Roster's own renderer writes it.
        const roster = readFileSync(path.join(dir, "dev", "roster.txt"), "utf8");
        assert.match(roster, /^pcluster-access-roster \d+\nenvironment hpc-dev\ngeneration \d+\n/);
        assert.match(roster, /\nuser alice 2001 2001 allowed sudo[^\n]*\nkey alice ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMHdLqVDPsd5n4YBq\+RB\+LA\/q3fUizN2MDVjy5icQIVM/);
        // Signed with the plan's key: the PUBKEY every node of the plan gets verifies it, as openssl would on a node.
        const pubkey = (YAML.parse(readFileSync(path.join(dir, "dev", "cluster-config.yaml"), "utf8")).HeadNode.CustomActions.OnNodeConfigured.Args as string[])[5];
        const at = roster.lastIndexOf("signature ecdsa-p256-sha256 ");
        const signatureLine = /^signature ecdsa-p256-sha256 (\S+)\n$/.exec(roster.slice(at));
        assert.ok(at > 0 && signatureLine, roster);
        assert.equal(verifiesWith(roster.slice(0, at), Buffer.from(signatureLine[1], "base64"), pubkey), true);
        assert.match(result.stdout, new RegExp(`\\nWrote ${dir}/dev/plan\\.json, ${dir}/dev/roster\\.txt and ${dir}/dev/cluster-config\\.yaml\\.\\n$`));
        assert.equal(result.stderr, "");
        const document = JSON.parse(readFileSync(path.join(dir, "dev", "plan.json"), "utf8"));
        assert.deepEqual(document.violations.map((violation: { policyName: string; enforcementLevel: string }) => [violation.policyName, violation.enforcementLevel]), [["discouraged-scratch-file-system", "advisory"], ["discouraged-sudo-users", "advisory"]]);
        const config = YAML.parse(readFileSync(path.join(dir, "dev", "cluster-config.yaml"), "utf8"));
        assert.equal(config.Imds, undefined);
    });

    it("plans the article's stack (OpsWorks backend): exit 0, the summary, the user table, plan.json and the configuration file", async () => {
        const result = await plan(options());
        assert.equal(result.exitCode, EXIT.ok, result.stderr);
        assert.match(result.stdout, /^pcluster-access offline plan: stack article \(Pulumi\.article\.yaml\), region eu-west-1, against a mock cloud\n/);
        assert.match(result.stdout, /\nResources \(31\):\n/);
        assert.match(result.stdout, /\n {2}3 {2}pulumi-nodejs:dynamic\/opsworks:UserProfile\n/);
        assert.match(result.stdout, /\nComponent tree:\npulumi:pulumi:Stack pcluster-access-article\n└─ pcluster-access:index:ParallelClusterEnvironment hpc-dev\n/);
        assert.match(result.stdout, /\nUsers \(3\):\n {2}IAM user {4}SSH username {2}ssh {2}sudo {2}access\n {2}alice {7}alice {9}yes {2}yes {3}allowed\n {2}bob {9}bob {11}yes {2}no {4}allowed\n {2}adam\.black {2}adamblack {5}yes {2}no {4}allowed\n/);
        assert.equal(result.stderr, "");

        const document = JSON.parse(readFileSync(path.join(dir, "article", "plan.json"), "utf8"));
        assert.deepEqual(Object.keys(document), ["resources", "users", "violations", "diagnostics"]);
        assert.equal(document.resources.length, 31);
        const bob = document.resources.find((resource: { name: string }) => resource.name === "hpc-dev-users-bob-profile");
        assert.deepEqual({ ...bob, inputs: Object.keys(bob.inputs) }, {
            type: "pulumi-nodejs:dynamic/opsworks:UserProfile",
            name: "hpc-dev-users-bob-profile",
            parent: "urn:pulumi:article::pcluster-access::pcluster-access:index:ParallelClusterEnvironment$pcluster-access:users:ClusterUsers::hpc-dev-users",
            inputs: ["__provider", "blocked", "iamUserArn", "region", "retry", "sshPublicKey", "sshUsername"],
        });
        // A dynamic provider's serialized code is its digest; the rest as the provider gets it.
        assert.match(bob.inputs.__provider, /^sha256:[0-9a-f]{64}$/);
        assert.equal(bob.inputs.sshUsername, "bob");
        // The article's stack on the default release and Amazon Linux 2023: nothing to warn about.
        assert.deepEqual(document.diagnostics, []);
        assert.doesNotMatch(result.stdout, /Diagnostics/);
        assert.ok(result.stdout.includes("\n\nResources (31):\n"), result.stdout);
        assert.deepEqual(document.users.map((user: { sshUsername: string }) => user.sshUsername), ["alice", "bob", "adamblack"]);
        const config = YAML.parse(readFileSync(path.join(dir, "article", "cluster-config.yaml"), "utf8"));
        assert.equal(config.Region, "eu-west-1");
        assert.equal(config.Scheduling.SlurmQueues.length, 3);
    });

    describe("end dates and several keys (issue 16)", () => {
        /** The dev stack file with one change, written to the temp dir. */
        function rosterFileWith(change: (config: Record<string, any>) => void): string {
            const document = YAML.parse(readFileSync(path.join(REPO_ROOT, "Pulumi.dev.yaml"), "utf8"));
            change(document.config);
            const file = path.join(dir, "Pulumi.dev.yaml");
            writeFileSync(file, YAML.stringify(document));
            return file;
        }
        const laptop = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMHdLqVDPsd5n4YBq+RB+LA/q3fUizN2MDVjy5icQIVM alice@laptop";
        const desktop =
            "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBPH2G9zCRDN+LBhCpC8a4x9WgBW0FaxjJP6B9CSg93kkkV4/k9CmcPU76gnjYHkWzyLTe+/kzjPBaqvLztlSa8Q= alice@desktop";
        // bob and adam.black already hold UIDs in the Roster's state; nobody else does.
        const previousRoster = {
            allocation: { users: { alice: { uid: 2001, name: "alice" }, bob: { uid: 2002, name: "bob" }, "adam.black": { uid: 2003, name: "adamblack" } }, groups: { cfd: 2004, genomics: 2005 }, retiredUsers: {}, retiredGroups: {}, retiredNumbers: [] },
            users: [],
        };

        it("shows each user's date and their keys' dates; a user whose date has passed shows as expired", async () => {
            const file = rosterFileWith((config) => {
                const users = config["pcluster-access:users"];
                delete users[0].sshPublicKey;
                users[0].sshPublicKeys = [laptop, { key: desktop, expires: "2099-06-30" }];
                users[0].expires = "2099-12-31";
                users[1].expires = "2020-01-01";
            });
            const result = await plan({ ...options(file, "dev"), cloud: { previousRoster } });
            assert.equal(result.exitCode, EXIT.ok, result.stderr);
            assert.match(result.stdout, /\n {2}alice {7}alice {9}2001 {2}yes {2}yes {3}allowed {2}2099-12-31 {2}2 \(2099-06-30\) {2}no {16}cfd\n/);
            assert.match(result.stdout, /\n {2}bob {9}bob {11}2002 {2}yes {2}no {4}expired {2}2020-01-01 {2}1 {15}no {16}genomics\n/);
            const users = JSON.parse(readFileSync(path.join(dir, "dev", "plan.json"), "utf8")).users;
            assert.deepEqual(users.map((user: { expires?: string; keyExpires: unknown[] }) => [user.expires ?? null, user.keyExpires]), [["2099-12-31", [null, "2099-06-30"]], ["2020-01-01", [null]], [null, [null]]]);
        });

        it("exits 2 for a new user whose date has passed, naming the user and the fix", async () => {
            const file = rosterFileWith((config) => {
                config["pcluster-access:users"][1].expires = "2020-01-01";
            });
            const result = await plan(options(file, "dev"));
            assert.equal(result.exitCode, EXIT.invalidConfig);
            assert.match(result.stderr, /user bob \(bob\): expires 2020-01-01 has already passed \(today is \d{4}-\d\d-\d\d UTC\), and the user is new to this roster \(no UID allocated yet in its state\), so the account would be created expired\. Set their expires to a later date, or leave expires out\./);
        });
    });

    it("is deterministic: two runs write the same files", async () => {
        await plan(options());
        const first = readFileSync(path.join(dir, "article", "plan.json"), "utf8") + readFileSync(path.join(dir, "article", "cluster-config.yaml"), "utf8");
        await plan(options());
        assert.equal(readFileSync(path.join(dir, "article", "plan.json"), "utf8") + readFileSync(path.join(dir, "article", "cluster-config.yaml"), "utf8"), first);
    });

    it("writes cluster-config.ini for a v2 stack, under the stack's own folder", async () => {
        const file = devFileWith((config) => { setFormat({ cluster: config["pcluster-access:cluster"] }, "v2"); config["pcluster-access:cluster"].os = "centos7"; });
        const result = await plan(options(file, "legacy"));
        assert.equal(result.exitCode, EXIT.ok, result.stderr);
        assert.match(readFileSync(path.join(dir, "legacy", "cluster-config.ini"), "utf8"), /^\[cluster default\]$/m);
    });

    it("exits 2 on invalid config with every problem on stderr, no stack trace and no files", async () => {
        const file = devFileWith((config) => {
            config["pcluster-access:users"][1].sshPublicKey = "";
            config["pcluster-access:cluster"].headNode.rootVolumeSize = 10;
        });
        const result = await plan(options(file));
        assert.equal(result.exitCode, EXIT.invalidConfig);
        assert.equal(result.stdout, "");
        assert.equal(
            result.stderr,
            "The stack config is invalid (2 problems); nothing was created.\n" +
                "users[1].sshPublicKey: the key is empty. An empty key makes OpsWorks delete the account and home directory; to stop a login set access: blocked instead. Paste the single line of the user's .pub file (for example ~/.ssh/id_ed25519.pub).\n" +
                "cluster.headNode.rootVolumeSize: 10 GiB is smaller than the root volume of ParallelCluster 3.16.3's official AMIs (50 GiB), which ParallelCluster refuses (RootVolumeSizeValidator). " +
                "Set at least 50, or remove the key to take the AMI's size.",
        );
        assert.throws(() => readFileSync(path.join(dir, "article", "plan.json")), { code: "ENOENT" });
    });

    it("exits 1 on a mandatory violation, with the policy report and the reason on stderr", async () => {
        const file = path.join(dir, "policy-config.json");
        writeFileSync(file, JSON.stringify({ "discouraged-sudo-users": "mandatory" }));
        const result = await plan({ ...options(), policyConfigFile: file });
        assert.equal(result.exitCode, EXIT.mandatoryViolation);
        assert.match(result.stdout, /\n {2}\[mandatory\] discouraged-sudo-users: 1 user has passwordless sudo on the cluster's nodes: alice\./);
        assert.equal(result.stderr, "1 mandatory policy violation: `pulumi up --policy-pack policy` would be stopped.");
        const violations = JSON.parse(readFileSync(path.join(dir, "article", "plan.json"), "utf8")).violations;
        assert.deepEqual(violations.map((violation: { policyName: string; enforcementLevel: string }) => [violation.policyName, violation.enforcementLevel]), [
            ["discouraged-scratch-file-system", "advisory"],
            ["discouraged-sudo-users", "mandatory"],
        ]);
    });

    it("silences an allow-listed sudo user through the policy config, and refuses a broken one with exit 2", async () => {
        const allow = path.join(dir, "allow.json");
        writeFileSync(allow, JSON.stringify({ "discouraged-sudo-users": { allowedSudoUsers: ["alice"] } }));
        const allowed = await plan({ ...options(), policyConfigFile: allow });
        assert.equal(allowed.exitCode, EXIT.ok);
        assert.doesNotMatch(allowed.stdout, /discouraged-sudo-users/);
        const broken = path.join(dir, "broken.json");
        writeFileSync(broken, "{ not json");
        const refused = await plan({ ...options(), policyConfigFile: broken });
        assert.equal(refused.exitCode, EXIT.invalidConfig);
        assert.ok(refused.stderr.startsWith(`${broken}: is not JSON (`), refused.stderr);
    });

    it("exits 2 when the stack file is missing or holds secrets it cannot decrypt", async () => {
        const missing = await plan(options(path.join(dir, "Pulumi.nope.yaml")));
        assert.equal(missing.exitCode, EXIT.invalidConfig);
        assert.equal(missing.stderr, `${path.join(dir, "Pulumi.nope.yaml")}: cannot be read (ENOENT).`);
        const file = devFileWith((config) => { config["pcluster-access:opsworks"] = { secure: "AAABAJ..." }; });
        const secret = await plan(options(file));
        assert.equal(secret.exitCode, EXIT.invalidConfig);
        assert.equal(secret.stderr, `${file}: pcluster-access:opsworks is a secret; the offline plan cannot decrypt it. Use a stack file without secrets (--config-file).`);
    });

    it("plans an adopted network with lookups instead of a new VPC", async () => {
        const file = devFileWith((config) => {
            config["pcluster-access:network"] = { existing: { vpcId: "vpc-0123456789abcdef0", headNodeSubnetId: "subnet-0123456789abcdef0", computeSubnetIds: ["subnet-0aaaaaaaaaaaaaaaa"] } };
        });
        const result = await plan(options(file));
        assert.equal(result.exitCode, EXIT.ok, result.stderr);
        assert.doesNotMatch(result.stdout, /awsx:ec2:Vpc/);
        assert.match(result.stdout, /\nResources \(30\):\n/);
    });

    it("exits 2 when the config names an IAM user the account does not have", async () => {
        const result = await plan({ ...options(), cloud: { existingIamUsers: ["alice", "adam.black"] } });
        assert.equal(result.exitCode, EXIT.invalidConfig);
        assert.equal(result.stdout, "");
        assert.equal(result.stderr, "The config does not match the account; nothing was created.\nNoSuchEntity: The user with name bob cannot be found.");
    });
});
