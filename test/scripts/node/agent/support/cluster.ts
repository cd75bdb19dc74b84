/**
 * A cluster for the agent's tests: moto's S3 holding the roster (fetched by the real AWS CLI), one
 * shared /home, and nodes (namespaces) that run scripts/node/roster-agent.sh at its real paths.
 *
 * Account commands are counted by PATH wrappers the agent finds before the real tools: each appends
 * its name and arguments to a log on the host, then execs the real binary. They count what ran
 * whatever the agent says about itself.
 */
import { S3Client, PutObjectCommand, CreateBucketCommand } from "@aws-sdk/client-s3";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { agentBundle } from "../../../../../components/access/roster/agentBundle";
import { REPO_ROOT } from "../../../../support/devConfig";
import { TEST_PUBKEY } from "../../../../support/rosterSigning";
import { readLines } from "../../support/lines";
import { dummyAwsEnv, Moto } from "../../../../support/moto";
import { REAL_AWS_CLI } from "../../support/script";
import { RunResult } from "../../../../support/run";
import { FakeImds } from "./imds";
import { KeyPair, makeKeyPair, Node, NODE_PATH } from "./node";
import { renderRoster, Roster } from "./roster";

export const AGENT = path.join(REPO_ROOT, "scripts", "node", "roster-agent.sh");
export const REGION = "eu-west-1";
export const ENVIRONMENT = "hpc-dev";
export const BUCKET = "pca-hpc-dev-roster";
export const ROSTER_KEY = "roster/hpc-dev.txt";
export const AGENT_KEY = "assets/agent.tar";
export const ROSTER_URL = `s3://${BUCKET}/${ROSTER_KEY}`;
export const AGENT_URL = `s3://${BUCKET}/${AGENT_KEY}`;

/** Tools that change accounts, groups, sessions or keys: the commands a no-op cycle must not run. */
export const ACCOUNT_TOOLS = [
    "useradd", "usermod", "userdel", "groupadd", "groupdel", "groupmod", "gpasswd", "chpasswd", "pkill",
    "visudo", "ssh-keygen", "chown",
];

export type NodeType = "HeadNode" | "ComputeFleet" | "LoginNode" | "MasterServer";

/** A node with its type, as the agent's settings file names it. */
export interface ClusterNode {
    readonly node: Node;
    readonly type: NodeType;
}

export class Cluster {
    readonly nodes: ClusterNode[] = [];
    private readonly s3: S3Client;

    private constructor(
        readonly moto: Moto,
        /** The instance metadata service every node asks for the cluster's network (VPC CIDR block 127.0.0.2/32). */
        readonly imds: FakeImds,
        /** Host scratch directory: shared /home, wrappers, command log. */
        readonly dir: string,
    ) {
        this.s3 = new S3Client({
            region: REGION,
            endpoint: moto.url,
            forcePathStyle: true,
            credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
        });
    }

    static async start(): Promise<Cluster> {
        const moto = await Moto.start(REGION);
        const imds = await FakeImds.start(["127.0.0.2/32"]);
        const dir = mkdtempSync(path.join(tmpdir(), "pca-cluster-"));
        const cluster = new Cluster(moto, imds, dir);
        cluster.writeWrappers();
        await cluster.s3.send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: REGION } }));
        return cluster;
    }

    /** The shared /home (the head node's export). */
    get home(): string {
        return path.join(this.dir, "home");
    }

    private get wrapperDir(): string {
        return path.join(this.dir, "bin");
    }

    /** Host path of the account-command log the wrappers append to. */
    get commandLog(): string {
        return path.join(this.dir, "commands.log");
    }

    private writeWrappers(): void {
        mkdirSync(this.wrapperDir);
        for (const tool of ACCOUNT_TOOLS) {
            const real = ["/usr/sbin", "/usr/bin", "/sbin", "/bin"].map((d) => path.join(d, tool)).find((p) => existsSync(p));
            if (!real) throw new Error(`${tool} is not installed`);
            const file = path.join(this.wrapperDir, tool);
            writeFileSync(file, `#!/bin/sh\nprintf '%s\\n' "${tool} $*" >>"${this.commandLog}"\nexec ${real} "$@"\n`);
            chmodSync(file, 0o755);
        }
    }

    /**
     * Account commands run since the last call (and forgets them). `ssh-keygen -l` (the fingerprints the agent
     * logs once per applied generation for the login audit trail) only reads a list of public keys: not counted.
     */
    takeCommands(): string[] {
        const lines = readLines(this.commandLog).filter((line) => !line.startsWith("ssh-keygen -l "));
        rmSync(this.commandLog, { force: true });
        return lines;
    }

    /** A key pair per name, made in the cluster's scratch directory. */
    async makeKeys(names: readonly string[]): Promise<Record<string, KeyPair>> {
        const keys: Record<string, KeyPair> = {};
        for (const name of names) keys[name] = await makeKeyPair(this.dir, name);
        return keys;
    }

    /** Writes the roster object (a new version, a new ETag). */
    async publish(roster: Roster | string): Promise<void> {
        const body = typeof roster === "string" ? roster : renderRoster(roster);
        await this.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: ROSTER_KEY, Body: body }));
    }

    /** Uploads the agent bundle (default: built from this repository, as the program uploads it) where the post-install action finds it. */
    async uploadAgent(body: Buffer = agentBundle().bytes): Promise<void> {
        await this.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: AGENT_KEY, Body: body }));
    }

    /** Starts a bare node of `type` on the shared /home: no agent settings (post-install.sh writes them). */
    async addBareNode(type: NodeType): Promise<Node> {
        const node = await Node.start(this.home);
        this.nodes.push({ node, type });
        return node;
    }

    /** Starts a node of `type` on the shared /home, with the agent's settings file as post-install.sh writes it. */
    async addNode(type: NodeType, settings: Record<string, string> = {}): Promise<Node> {
        const node = await this.addBareNode(type);
        const values: Record<string, string> = {
            PCA_ROSTER_URL: ROSTER_URL,
            PCA_AGENT_URL: AGENT_URL,
            PCA_ENVIRONMENT: ENVIRONMENT,
            PCA_NODE_TYPE: type,
            PCA_REGION: REGION,
            PCA_AWS_CLI: REAL_AWS_CLI,
            PCA_S3_ENDPOINT_URL: this.moto.url,
            PCA_PUBKEY: TEST_PUBKEY,
            ...settings,
        };
        const conf = node.etc("pcluster-access/roster-agent.conf");
        mkdirSync(path.dirname(conf), { recursive: true });
        writeFileSync(conf, Object.entries(values).map(([k, v]) => `${k}=${v}\n`).join(""), { mode: 0o600 });
        return node;
    }

    /** The environment one cycle runs with: wrappers first on cron's PATH, dummy AWS credentials. */
    agentEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
        return {
            PATH: `${this.wrapperDir}:${NODE_PATH}`,
            HOME: "/root",
            ...dummyAwsEnv(this.dir),
            PCA_LOGGER: "/bin/true",
            // The repository's copy runs as the bundle built from it, which the tests' documents name.
            PCA_SOURCE_SHA256: agentBundle().sha256,
            // The agent's IMDS (the key rule's network): the stand-in, for post-install.sh's first sync too.
            PCA_IMDS_URL: this.imds.url,
            // No status records unless a test asks for them (status.spec.ts): the stand-in IMDS has no instance identity.
            PCA_STATUS_URL: "",
            // sshd -D re-reads its config on SIGHUP; the tests' sshd is not a systemd unit.
            PCA_SSHD_RELOAD: "[ ! -f /run/sshd.pid ] || kill -HUP $(cat /run/sshd.pid)",
            ...extra,
        };
    }

    /** One `roster-agent.sh sync` in `node`. */
    sync(node: Node, extra: NodeJS.ProcessEnv = {}): Promise<RunResult> {
        return node.exec("/bin/bash", [AGENT, "sync"], this.agentEnv(extra));
    }

    /** Installs the agent bundle `bundle` in `node` with the repository agent's install mode, as post-install.sh does. */
    async installAgent(node: Node, bundle: Buffer): Promise<void> {
        writeFileSync(path.join(node.dir, "var/lib/agent-bundle.tar"), bundle);
        await node.execOk("/bin/bash", [AGENT, "install", "/var/lib/agent-bundle.tar"], this.agentEnv());
        rmSync(path.join(node.dir, "var/lib/agent-bundle.tar"));
    }

    /** One sync of the agent installed in `node` (what cron runs: /opt/pcluster-access/current/roster-agent.sh). */
    syncInstalled(node: Node, extra: NodeJS.ProcessEnv = {}): Promise<RunResult> {
        return node.exec("/bin/bash", ["/opt/pcluster-access/current/roster-agent.sh", "sync"], this.agentEnv(extra));
    }

    /** A sync that must succeed. */
    async syncOk(node: Node, extra: NodeJS.ProcessEnv = {}): Promise<RunResult> {
        const result = await this.sync(node, extra);
        if (result.status !== 0) throw new Error(`sync exited ${result.status}: ${result.stderr}`);
        return result;
    }

    async close(): Promise<void> {
        for (const { node } of this.nodes) await node.stop();
        await this.moto.close();
        await this.imds.close();
        rmSync(this.dir, { recursive: true, force: true });
    }
}
