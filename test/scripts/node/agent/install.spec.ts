/**
 * post-install.sh roster mode: the node fetches the agent from the bucket with the real AWS CLI,
 * installs it with its settings, cron job and log rotation, and runs one sync before it returns. Run
 * in a namespace node at real paths; the refusals that stop before any fetch run on a temp root.
 */
import * as assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { AGENT, AGENT_URL, Cluster, ENVIRONMENT, REGION, ROSTER_URL } from "./support/cluster";
import { KeyPair, makeKeyPair, Node, ssh } from "./support/node";
import { NodeRoot, POST_INSTALL, REAL_AWS_CLI, runPostInstall, scriptEnv } from "../support/script";

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
            const result = await postInstall(node, ["roster", ROSTER_URL, AGENT_URL, "300", ENVIRONMENT]);
            assert.equal(result.status, 0, result.stderr);

            assert.deepEqual(readFileSync(path.join(node.dir, "opt/pcluster-access/roster-agent.sh")), readFileSync(AGENT));
            assert.equal(await node.execOk("stat", ["-c", "%a %U", "/opt/pcluster-access/roster-agent.sh", "/etc/pcluster-access/roster-agent.conf"]),
                "755 root\n600 root\n");
            assert.equal(readFileSync(node.etc("pcluster-access/roster-agent.conf"), "utf8"), [
                "# pcluster-access node agent settings, written by post-install.sh.",
                `PCA_ROSTER_URL=${ROSTER_URL}`, `PCA_ENVIRONMENT=${ENVIRONMENT}`, "PCA_NODE_TYPE=HeadNode", `PCA_REGION=${REGION}`,
                `PCA_AWS_CLI=${REAL_AWS_CLI}`, `PCA_S3_ENDPOINT_URL=${cluster.moto.url}`, "",
            ].join("\n"));
            const cron = readFileSync(node.etc("cron.d/pcluster-access-roster"), "utf8");
            assert.equal(cron.split("\n").at(-2), "*/5 * * * * root /opt/pcluster-access/roster-agent.sh sync >/dev/null 2>&1");
            assert.match(readFileSync(node.etc("logrotate.d/pcluster-access-roster"), "utf8"),
                /^\/var\/log\/pcluster-access-roster\.log \{\n {4}weekly\n {4}maxsize 10M\n/);
            // The first sync ran: the account exists and the agent's log says so.
            assert.equal((await node.execOk("getent", ["passwd", "alice"])).split(":").slice(2, 4).join(":"), "2001:2001");
            const log = await node.execOk("cat", ["/var/log/pcluster-access-roster.log"]);
            assert.match(log, /roster-agent: applied roster generation 1 \(\d+ commands\)\n$/);

            // What cron runs: the installed copy with the written settings; the roster has not changed.
            cluster.takeCommands();
            const cycle = await node.exec("/bin/bash", ["-c", "/opt/pcluster-access/roster-agent.sh sync"], cluster.agentEnv());
            assert.equal(cycle.status, 0, cycle.stderr);
            assert.match(cycle.stderr, /roster unchanged \(304\): nothing to do\n$/);
            assert.deepEqual(cluster.takeCommands(), []);
            await node.startSshd();
            assert.equal((await ssh(node, "alice", key, "id -u")).stdout, "2001\n");
        });

        it("v2 master: reads the same words from cfn_postinstall_args; every minute for an interval of 60", async () => {
            const node = await cluster.addBareNode("MasterServer");
            cfnconfig(node, {
                cfn_node_type: "MasterServer", cfn_region: REGION, cfn_postinstall: "s3://pca-assets/post-install.sh",
                cfn_postinstall_args: `"roster ${ROSTER_URL} ${AGENT_URL} 60 ${ENVIRONMENT}"`,
            });
            const result = await postInstall(node, ["s3://pca-assets/post-install.sh"]);
            assert.equal(result.status, 0, result.stderr);
            assert.equal(readFileSync(node.etc("cron.d/pcluster-access-roster"), "utf8").split("\n").at(-2),
                "* * * * * root /opt/pcluster-access/roster-agent.sh sync >/dev/null 2>&1");
            assert.match(readFileSync(node.etc("pcluster-access/roster-agent.conf"), "utf8"), /\nPCA_NODE_TYPE=MasterServer\n/);
            assert.equal((await node.exec("getent", ["passwd", "alice"])).status, 0);
        });

        it("fails the node when the first sync fails (no roster yet), with the job installed to retry", async () => {
            const node = await cluster.addBareNode("ComputeFleet");
            cfnconfig(node, { cfn_node_type: "ComputeFleet", cfn_region: REGION });
            const result = await postInstall(node, ["roster", `s3://pca-hpc-dev-roster/roster/missing.txt`, AGENT_URL, "120", ENVIRONMENT]);
            assert.equal(result.status, 1);
            assert.match(result.stderr, /post-install: error: the first roster sync failed \(see \/var\/log\/pcluster-access-roster\.log\); cron retries every 120 seconds\n$/);
            assert.match(readFileSync(node.etc("cron.d/pcluster-access-roster"), "utf8"), /\n\*\/2 \* \* \* \* root /);
            assert.equal((await node.exec("getent", ["passwd", "alice"])).status, 2);
        });
    });

    describe("refuses bad input before any AWS call", () => {
        let root: NodeRoot;
        beforeEach(() => {
            root = new NodeRoot();
            root.writeCfnconfig({ cfn_node_type: "HeadNode", cfn_region: REGION });
        });
        afterEach(() => root.remove());

        const cases: [string, string[], string][] = [
            ["three arguments", [ROSTER_URL, AGENT_URL, "60"],
                `roster mode takes four arguments (ROSTER_URL AGENT_URL INTERVAL_SECONDS ENVIRONMENT), got 3: ${ROSTER_URL} ${AGENT_URL} 60`],
            ["a roster location that is not s3://", ["https://x/roster", AGENT_URL, "60", ENVIRONMENT], "roster location 'https://x/roster' is not s3://BUCKET/KEY"],
            ["an agent location without a key", [ROSTER_URL, "s3://bucket", "60", ENVIRONMENT], "agent location 's3://bucket' is not s3://BUCKET/KEY"],
            ["an interval that is not a multiple of 60", [ROSTER_URL, AGENT_URL, "90", ENVIRONMENT],
                "interval '90' is not a multiple of 60 seconds from 60 to 3600 (the schedule is a cron step)"],
            ["an interval over an hour", [ROSTER_URL, AGENT_URL, "7200", ENVIRONMENT],
                "interval '7200' is not a multiple of 60 seconds from 60 to 3600 (the schedule is a cron step)"],
            ["a bad environment name", [ROSTER_URL, AGENT_URL, "60", "hpc_dev"],
                "environment 'hpc_dev' is not an environment name (letters, digits and '-', starting with a letter, at most 60)"],
        ];
        for (const [title, args, message] of cases) {
            it(title, async () => {
                const result = await runPostInstall(root, ["roster", ...args], scriptEnv(root, { PCA_AWS_CLI: "/nonexistent/aws" }));
                assert.equal(result.status, 1);
                assert.equal(result.log.at(-1), `post-install: error: ${message}`);
                assert.equal(result.log.length, 1);
            });
        }
    });
});
