/**
 * post-install.sh roster mode: the node fetches the agent bundle from the bucket with the real AWS CLI and
 * runs the bundle's own setup, which installs it with its settings, cron job and log rotation and runs one
 * sync before it returns. Run in a namespace node at real paths; setup's refusals, which stop before it
 * changes anything, run from the repository's copy on a temp root.
 */
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { AGENT_SOURCE_DIR, agentBundle, tar, type TarEntry } from "../../../../components/access/roster/agentBundle";
import { AGENT_URL, Cluster, ENVIRONMENT, REGION, ROSTER_URL } from "./support/cluster";
import { KeyPair, makeKeyPair, Node, NODE_PATH, ssh } from "./support/node";
import { run } from "../../../support/run";
import { TEST_PUBKEY } from "../../../support/rosterSigning";
import { POST_INSTALL, REAL_AWS_CLI } from "../support/script";

describe("post-install.sh roster mode", function () {
    this.timeout(120_000);

    describe("on a node", () => {
        let cluster: Cluster;
        let key: KeyPair;

        before(async () => {
            cluster = await Cluster.start();
            await cluster.uploadAgent();
            key = await makeKeyPair(cluster.dir, "alice");
            await cluster.publish({ environment: ENVIRONMENT, generation: 1, users: [{ name: "alice", uid: 2001, sudo: true, keys: [key] }] });
        });
        after(async () => cluster?.close());

        function cfnconfig(node: Node, values: Record<string, string>): void {
            const file = node.etc("parallelcluster/cfnconfig");
            mkdirSync(path.dirname(file), { recursive: true });
            writeFileSync(file, Object.entries(values).map(([k, v]) => `${k}=${v}\n`).join(""));
        }

        function postInstall(node: Node, args: string[]): ReturnType<Node["exec"]> {
            return node.exec("/bin/bash", [POST_INSTALL, ...args], cluster.agentEnv({ PCA_AWS_CLI: REAL_AWS_CLI, PCA_S3_ENDPOINT_URL: cluster.moto.url }));
        }

        it("v3 head node: installs the agent, its settings, cron job and log rotation, and syncs once before returning", async () => {
            const node = await cluster.addBareNode("HeadNode");
            cfnconfig(node, { cfn_node_type: "HeadNode", cfn_region: REGION, stack_name: ENVIRONMENT });
            const result = await postInstall(node, ["roster", ROSTER_URL, AGENT_URL, "300", ENVIRONMENT, TEST_PUBKEY]);
            assert.equal(result.status, 0, result.stderr);

            // The bundle, installed by its own install mode: one release directory named by its SHA-256, and `current`.
            const bundle = agentBundle();
            assert.equal(readlinkSync(path.join(node.dir, "opt/pcluster-access/current")), `releases/${bundle.sha256}`);
            const release = path.join(node.dir, "opt/pcluster-access/releases", bundle.sha256);
            for (const member of bundle.members.filter((m) => !m.endsWith("/"))) {
                assert.deepEqual(readFileSync(path.join(release, member)), readFileSync(path.join(AGENT_SOURCE_DIR, member)), member);
            }
            assert.deepEqual(readdirSync(path.join(node.dir, "opt/pcluster-access")).sort(), ["current", "releases"]);
            assert.equal(await node.execOk("stat", ["-c", "%a %U", "/opt/pcluster-access/current/roster-agent.sh", "/opt/pcluster-access/current/agent/document.sh",
                "/etc/pcluster-access/roster-agent.conf"]), "755 root\n644 root\n600 root\n");
            assert.equal(readFileSync(node.etc("pcluster-access/roster-agent.conf"), "utf8"), [
                "# pcluster-access node agent settings, written by its setup.",
                `PCA_ROSTER_URL=${ROSTER_URL}`, `PCA_AGENT_URL=${AGENT_URL}`, `PCA_ENVIRONMENT=${ENVIRONMENT}`, `PCA_PUBKEY=${TEST_PUBKEY}`, "PCA_NODE_TYPE=HeadNode", `PCA_REGION=${REGION}`,
                `PCA_CLUSTER=${ENVIRONMENT}`, `PCA_AWS_CLI=${REAL_AWS_CLI}`, `PCA_S3_ENDPOINT_URL=${cluster.moto.url}`, "",
            ].join("\n"));
            const cron = readFileSync(node.etc("cron.d/pcluster-access-roster"), "utf8");
            assert.equal(cron.split("\n").at(-2), "*/5 * * * * root /opt/pcluster-access/current/roster-agent.sh sync >/dev/null 2>&1");
            assert.match(readFileSync(node.etc("logrotate.d/pcluster-access-roster"), "utf8"),
                /^\/var\/log\/pcluster-access-roster\.log \{\n {4}weekly\n {4}maxsize 10M\n/);
            // The first sync ran: the account exists and the agent's log says so.
            assert.equal((await node.execOk("getent", ["passwd", "alice"])).split(":").slice(2, 4).join(":"), "2001:2001");
            const log = await node.execOk("cat", ["/var/log/pcluster-access-roster.log"]);
            // Setup logs to the agent's own log too: its first sync, then its last line.
            assert.match(log, /roster-agent: applied roster generation 1 \(\d+ commands\)\n\S+ roster-agent: setup: node agent installed; next sync within 300 seconds\n$/);

            // What cron runs: the installed copy with the written settings; the roster has not changed.
            cluster.takeCommands();
            const cycle = await node.exec("/bin/bash", ["-c", "/opt/pcluster-access/current/roster-agent.sh sync"], cluster.agentEnv());
            assert.equal(cycle.status, 0, cycle.stderr);
            assert.match(cycle.stderr, /roster unchanged \(304\): nothing to do\n$/);
            assert.deepEqual(cluster.takeCommands(), []);
            await node.startSshd();
            assert.equal((await ssh(node, "alice", key, "id -u")).stdout, "2001\n");
        });

        it("with ParallelCluster's CloudWatch logging on: adds the agent's log and sshd's to the cluster's log group, the cookbook's way", async () => {
            const node = await cluster.addBareNode("LoginNode");
            cfnconfig(node, { cfn_node_type: "LoginNode", cfn_region: REGION, stack_name: "hpc-dev-cluster" });
            // What the cookbook leaves: its agent configuration (write_cloudwatch_agent_json.py, json.dump indent 4),
            // the agent's control command (here a stand-in that records its arguments), and rsyslog's /var/log/secure.
            const cwDir = path.join(node.dir, "opt/aws/amazon-cloudwatch-agent");
            mkdirSync(path.join(cwDir, "etc"), { recursive: true });
            mkdirSync(path.join(cwDir, "bin"), { recursive: true });
            const group = "/aws/parallelcluster/hpc-dev-cluster-202612070400";
            writeFileSync(path.join(cwDir, "etc/amazon-cloudwatch-agent.json"), JSON.stringify({
                logs: { logs_collected: { files: { collect_list: [{ log_stream_name: "ip-10-0-0-12.{instance_id}.system-messages", file_path: "/var/log/messages", log_group_name: group }] } },
                    log_stream_name: "ip-10-0-0-12.{instance_id}.default-log-stream" },
            }, null, 4));
            writeFileSync(path.join(cwDir, "bin/amazon-cloudwatch-agent-ctl"), `#!/bin/sh\necho "$*" >> /opt/aws/ctl.log\n`, { mode: 0o755 });
            writeFileSync(path.join(node.dir, "var/log/secure"), "");
            const result = await postInstall(node, ["roster", ROSTER_URL, AGENT_URL, "60", ENVIRONMENT, TEST_PUBKEY]);
            assert.equal(result.status, 0, result.stderr);
            const host = (await node.execOk("hostname", [])).trim().split(".")[0];
            assert.deepEqual(JSON.parse(readFileSync(path.join(cwDir, "etc/pcluster-access.json"), "utf8")), {
                logs: { logs_collected: { files: { collect_list: [
                    { file_path: "/var/log/pcluster-access-roster.log", log_group_name: group, log_stream_name: `${host}.{instance_id}.pcluster-access-roster`, timestamp_format: "%Y-%m-%dT%H:%M:%SZ" },
                    { file_path: "/var/log/secure", log_group_name: group, log_stream_name: `${host}.{instance_id}.sshd-auth` },
                ] } } },
            });
            assert.equal(readFileSync(path.join(node.dir, "opt/aws/ctl.log"), "utf8"),
                "-a append-config -m ec2 -c file:/opt/aws/amazon-cloudwatch-agent/etc/pcluster-access.json -s\n");
            assert.match(result.stderr, new RegExp(`setup: CloudWatch: /var/log/pcluster-access-roster\\.log and /var/log/secure to log group ${group.replace(/[./]/g, "\\$&")}\n`));
            assert.match(readFileSync(node.etc("pcluster-access/roster-agent.conf"), "utf8"), /\nPCA_NODE_TYPE=LoginNode\nPCA_REGION=eu-west-1\nPCA_CLUSTER=hpc-dev-cluster\n/);
        });

        it("without ParallelCluster (AWS PCS user data): the bundle's setup, told the node type, region and cluster, does the same", async () => {
            const node = await cluster.addBareNode("LoginNode");
            // No cfnconfig: the caller unpacks the bundle and says what the node is.
            mkdirSync(path.join(node.dir, "var/lib/boot/bundle"), { recursive: true });
            writeFileSync(path.join(node.dir, "var/lib/boot/agent.tar"), agentBundle().bytes);
            await node.execOk("tar", ["-xf", "/var/lib/boot/agent.tar", "-C", "/var/lib/boot/bundle"]);
            const result = await node.exec("/bin/bash", ["/var/lib/boot/bundle/roster-agent.sh", "setup", "roster", ROSTER_URL, AGENT_URL, "120", ENVIRONMENT, TEST_PUBKEY],
                cluster.agentEnv({ PCA_BUNDLE: "/var/lib/boot/agent.tar", PCA_NODE_TYPE: "LoginNode", PCA_REGION: REGION, PCA_CLUSTER: "pcs-dev", PCA_HOMES: "locked",
                    PCA_AWS_CLI: REAL_AWS_CLI, PCA_S3_ENDPOINT_URL: cluster.moto.url }));
            assert.equal(result.status, 0, result.stderr);
            assert.equal(existsSync(node.etc("parallelcluster/cfnconfig")), false);
            assert.equal(readlinkSync(path.join(node.dir, "opt/pcluster-access/current")), `releases/${agentBundle().sha256}`);
            assert.match(readFileSync(node.etc("pcluster-access/roster-agent.conf"), "utf8"),
                /\nPCA_NODE_TYPE=LoginNode\nPCA_REGION=eu-west-1\nPCA_CLUSTER=pcs-dev\nPCA_HOMES=locked\n/);
            assert.equal(readFileSync(node.etc("cron.d/pcluster-access-roster"), "utf8").split("\n").at(-2),
                "*/2 * * * * root /opt/pcluster-access/current/roster-agent.sh sync >/dev/null 2>&1");
            assert.equal((await node.execOk("getent", ["passwd", "alice"])).split(":").slice(2, 4).join(":"), "2001:2001");
        });

        it("v2 master: reads the same words from cfn_postinstall_args; every minute for an interval of 60", async () => {
            const node = await cluster.addBareNode("MasterServer");
            // An earlier release installed the agent as this one file; cron no longer runs it, so it goes.
            mkdirSync(path.join(node.dir, "opt/pcluster-access"), { recursive: true });
            writeFileSync(path.join(node.dir, "opt/pcluster-access/roster-agent.sh"), "#!/bin/bash\n");
            cfnconfig(node, {
                cfn_node_type: "MasterServer", cfn_region: REGION, cfn_postinstall: "s3://pca-assets/post-install.sh",
                cfn_postinstall_args: `"roster ${ROSTER_URL} ${AGENT_URL} 60 ${ENVIRONMENT} ${TEST_PUBKEY}"`,
            });
            const result = await postInstall(node, ["s3://pca-assets/post-install.sh"]);
            assert.equal(result.status, 0, result.stderr);
            assert.equal(readFileSync(node.etc("cron.d/pcluster-access-roster"), "utf8").split("\n").at(-2),
                "* * * * * root /opt/pcluster-access/current/roster-agent.sh sync >/dev/null 2>&1");
            assert.match(readFileSync(node.etc("pcluster-access/roster-agent.conf"), "utf8"), /\nPCA_NODE_TYPE=MasterServer\n/);
            assert.equal((await node.exec("getent", ["passwd", "alice"])).status, 0);
            assert.deepEqual(readdirSync(path.join(node.dir, "opt/pcluster-access")).sort(), ["current", "releases"]);
        });

        it("fails the node when the first sync fails (no roster yet), with the job installed to retry", async () => {
            const node = await cluster.addBareNode("ComputeFleet");
            cfnconfig(node, { cfn_node_type: "ComputeFleet", cfn_region: REGION });
            const result = await postInstall(node, ["roster", `s3://pca-hpc-dev-roster/roster/missing.txt`, AGENT_URL, "120", ENVIRONMENT, TEST_PUBKEY]);
            assert.equal(result.status, 1);
            assert.match(result.stderr, /roster-agent: error: the first roster sync failed \(see \/var\/log\/pcluster-access-roster\.log\); cron retries every 120 seconds\n/);
            assert.match(result.stderr, /post-install: error: the node agent's setup failed \(exit 1\): see its lines above\n$/);
            assert.match(readFileSync(node.etc("cron.d/pcluster-access-roster"), "utf8"), /\n\*\/2 \* \* \* \* root /);
            assert.equal((await node.exec("getent", ["passwd", "alice"])).status, 2);
        });

        it("refuses an agent object that is not the bundle (an earlier release's single script): nothing installed, the node fails", async () => {
            await cluster.uploadAgent(Buffer.from("#!/bin/bash\necho the old agent\n"));
            try {
                const node = await cluster.addBareNode("LoginNode");
                cfnconfig(node, { cfn_node_type: "LoginNode", cfn_region: REGION });
                const result = await postInstall(node, ["roster", ROSTER_URL, AGENT_URL, "60", ENVIRONMENT, TEST_PUBKEY]);
                assert.equal(result.status, 1);
                assert.match(result.stderr, new RegExp(`post-install: error: ${AGENT_URL.replace(/[./]/g, "\\$&")} is not the node agent bundle \\(a tar of roster-agent\\.sh and agent/\\)\n$`));
                assert.equal(existsSync(path.join(node.dir, "opt/pcluster-access")), false);
                assert.equal(existsSync(node.etc("cron.d/pcluster-access-roster")), false);
            } finally {
                await cluster.uploadAgent();
            }
        });
    });

    describe("install mode (roster-agent.sh install FILE) on a scratch directory", () => {
        let dir: string;
        beforeEach(() => {
            dir = mkdtempSync(path.join(tmpdir(), "pca-install-"));
        });
        afterEach(() => rmSync(dir, { recursive: true, force: true }));

        const install = (bundle: Buffer): ReturnType<typeof run> => {
            const file = path.join(dir, "bundle.tar");
            writeFileSync(file, bundle);
            return run("/bin/bash", [path.join(AGENT_SOURCE_DIR, "roster-agent.sh"), "install", file],
                { PATH: NODE_PATH, PCA_AGENT_CONF: "/nonexistent", PCA_AGENT_HOME: path.join(dir, "agent"), PCA_LOG: path.join(dir, "agent.log") });
        };
        const sha256 = (bytes: Buffer): string => createHash("sha256").update(bytes).digest("hex");
        /** The repository's bundle with one more (or one changed) member. */
        const variant = (extra: TarEntry): Buffer => {
            const entries: TarEntry[] = agentBundle().members.map((name) => (name.endsWith("/") ? { name, mode: 0o755 }
                : { name, mode: name === "roster-agent.sh" ? 0o755 : 0o644, content: readFileSync(path.join(AGENT_SOURCE_DIR, name)) }));
            return tar([...entries.filter((e) => e.name !== extra.name), extra]);
        };

        it("a second bundle becomes current; the one it replaced is kept, older ones are removed", async () => {
            const bundles = ["# one\n", "# two\n", "# three\n"].map((text) => variant({ name: "agent/zz-extra.sh", mode: 0o644, content: Buffer.from(text) }));
            for (const bundle of bundles) assert.equal((await install(bundle)).status, 0);
            assert.equal(readlinkSync(path.join(dir, "agent/current")), `releases/${sha256(bundles[2])}`);
            assert.deepEqual(readdirSync(path.join(dir, "agent/releases")).sort(), [sha256(bundles[1]), sha256(bundles[2])].sort());
            assert.match(readFileSync(path.join(dir, "agent.log"), "utf8"), new RegExp(`roster-agent: installed agent ${sha256(bundles[2])} as ${dir}/agent/current\n$`));
        });

        const refusals: [string, () => Buffer, string][] = [
            ["not a tar", () => Buffer.from("#!/bin/bash\n"), "not a tar archive"],
            ["a member outside roster-agent.sh and agent/*.sh", () => variant({ name: "evil.sh", mode: 0o755, content: Buffer.from("true\n") }), "unexpected member 'evil.sh'"],
            ["a part that is not bash", () => variant({ name: "agent/log.sh", mode: 0o644, content: Buffer.from("if then fi (\n") }), "agent/log.sh is not a bash script"],
            ["no entry script", () => tar([{ name: "agent/", mode: 0o755 }]), "no roster-agent.sh in it"],
        ];
        for (const [title, bundle, reason] of refusals) {
            it(`refuses ${title}: exit 1, nothing installed`, async () => {
                const result = await install(bundle());
                assert.equal(result.status, 1);
                assert.ok(result.stderr.includes(`is not an agent bundle: ${reason}`), result.stderr);
                assert.ok(result.stderr.trimEnd().endsWith("; nothing installed"), result.stderr);
                assert.deepEqual(existsSync(path.join(dir, "agent/current")) ? "installed" : readdirSync(path.join(dir, "agent/releases")), []);
            });
        }
    });

    describe("setup refuses bad input before it changes anything", () => {
        let dir: string;
        beforeEach(() => {
            dir = mkdtempSync(path.join(tmpdir(), "pca-setup-"));
            writeFileSync(path.join(dir, "bundle.tar"), agentBundle().bytes);
        });
        afterEach(() => rmSync(dir, { recursive: true, force: true }));

        const setup = (words: string[], env: NodeJS.ProcessEnv = {}): ReturnType<typeof run> =>
            run("/bin/bash", [path.join(AGENT_SOURCE_DIR, "roster-agent.sh"), "setup", ...words], {
                PATH: NODE_PATH, PCA_ROOT: dir, PCA_LOGGER: "/bin/true", PCA_LOG: path.join(dir, "agent.log"), PCA_AGENT_HOME: path.join(dir, "opt/pcluster-access"),
                PCA_BUNDLE: path.join(dir, "bundle.tar"), PCA_NODE_TYPE: "HeadNode", PCA_REGION: REGION, PCA_AWS_CLI: "/nonexistent/aws", ...env,
            });
        const good = [ROSTER_URL, AGENT_URL, "60", ENVIRONMENT, TEST_PUBKEY];

        const cases: [string, string[], NodeJS.ProcessEnv, string][] = [
            ["three arguments", ["roster", ROSTER_URL, AGENT_URL, "60"], {},
                `roster mode takes five arguments after 'roster' (ROSTER_URL AGENT_URL INTERVAL_SECONDS ENVIRONMENT PUBKEY), got 3: ${ROSTER_URL} ${AGENT_URL} 60`],
            ["words that do not start with roster", good, {},
                `setup takes the roster post-install action's six words (roster ROSTER_URL AGENT_URL INTERVAL_SECONDS ENVIRONMENT PUBKEY), got 5: ${good.join(" ")}`],
            ["a roster location that is not s3://", ["roster", "https://x/roster", AGENT_URL, "60", ENVIRONMENT, TEST_PUBKEY], {}, "roster location 'https://x/roster' is not s3://BUCKET/KEY"],
            ["an agent location without a key", ["roster", ROSTER_URL, "s3://bucket", "60", ENVIRONMENT, TEST_PUBKEY], {}, "agent location 's3://bucket' is not s3://BUCKET/KEY"],
            ["an interval that is not a multiple of 60", ["roster", ROSTER_URL, AGENT_URL, "90", ENVIRONMENT, TEST_PUBKEY], {},
                "interval '90' is not a multiple of 60 seconds from 60 to 3600 (the schedule is a cron step)"],
            ["an interval over an hour", ["roster", ROSTER_URL, AGENT_URL, "7200", ENVIRONMENT, TEST_PUBKEY], {},
                "interval '7200' is not a multiple of 60 seconds from 60 to 3600 (the schedule is a cron step)"],
            ["a bad environment name", ["roster", ROSTER_URL, AGENT_URL, "60", "hpc_dev", TEST_PUBKEY], {},
                "environment 'hpc_dev' is not an environment name (letters, digits and '-', starting with a letter, at most 60)"],
            ["a public key that is not one base64 token", ["roster", ROSTER_URL, AGENT_URL, "60", ENVIRONMENT, "-----BEGIN"], {},
                "public key '-----BEGIN' is not the environment's signing key (standard base64 of its DER SubjectPublicKeyInfo, one token)"],
            ["no node type (not ParallelCluster, and no hint)", ["roster", ...good], { PCA_NODE_TYPE: "" },
                "PCA_NODE_TYPE '' is not HeadNode, MasterServer, ComputeFleet or LoginNode (AWS PCS: LoginNode for a login node group, ComputeFleet for a compute node group)"],
            ["a node type ParallelCluster does not have", ["roster", ...good], { PCA_NODE_TYPE: "Master" },
                "PCA_NODE_TYPE 'Master' is not HeadNode, MasterServer, ComputeFleet or LoginNode (AWS PCS: LoginNode for a login node group, ComputeFleet for a compute node group)"],
            ["a region that is not one", ["roster", ...good], { PCA_REGION: "" }, "PCA_REGION '' is not an AWS region"],
            ["a cluster name that would not fit the status record", ["roster", ...good], { PCA_CLUSTER: "a\"b" }, "PCA_CLUSTER 'a\"b' is not a cluster name"],
            ["no bundle", ["roster", ...good], { PCA_BUNDLE: "" }, "PCA_BUNDLE '' is not a readable file: set it to the agent bundle this setup was unpacked from"],
            ["no AWS CLI", ["roster", ...good], {}, "PCA_AWS_CLI '/nonexistent/aws' is not an executable file"],
        ];
        for (const [title, words, env, message] of cases) {
            it(title, async () => {
                const result = await setup(words, env);
                assert.equal(result.status, 1);
                const log = readFileSync(path.join(dir, "agent.log"), "utf8").trimEnd().split("\n");
                assert.deepEqual(log.map((line) => line.replace(/^\S+ /, "")), [`roster-agent: error: ${message}`]);
                // Nothing written but the log and the bundle the test put there.
                assert.deepEqual(readdirSync(dir).sort(), ["agent.log", "bundle.tar"]);
            });
        }
    });
});
