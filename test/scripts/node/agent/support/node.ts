/**
 * A cluster node for the agent's tests: a mount and PID namespace (`unshare -m -p`) with its own copy of
 * the host's /etc, its own /run and a /home directory that two nodes may share (the head node's NFS
 * export, played by one host directory). Real useradd, sudo and sshd run inside it, so the host's
 * accounts are never touched; the network namespace is the host's, so sshd listens on a host loopback
 * port and the real ssh client connects from outside. Killing the namespace's first process ends every
 * process in it (sshd, user sessions).
 */
import { ChildProcess, spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { run, RunResult } from "../../../../support/run";

/** Cron's PATH, as on a node. */
export const NODE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** A free loopback TCP port (closed again before it is returned). */
export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const address = server.address();
            server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
        });
    });
}

/**
 * Mounts made inside the namespace before anything else runs there: the node's own /etc, /var/lib,
 * /var/log, /var/mail and /opt (the agent's settings, state, log and installed copy, sudo's and
 * useradd's files), the shared /home and a fresh /run.
 */
function setupScript(dir: string, home: string): string {
    return [
        "set -e",
        `mount --bind ${dir}/etc /etc`,
        `mount --bind ${dir}/var/lib /var/lib`,
        `mount --bind ${dir}/var/log /var/log`,
        `mount --bind ${dir}/var/mail /var/mail`,
        `mount --bind ${dir}/opt /opt`,
        `mount --bind ${home} /home`,
        "mount -t tmpfs tmpfs /run",
        "mkdir -p /run/sshd /run/lock",
        "echo ready",
        "exec sleep infinity",
    ].join("\n");
}

export class Node {
    /** The sshd port, once started. */
    port = 0;
    /** What sshd wrote to stderr (`-e`: its log) since it started: the lines a node's auth log would hold. */
    sshdLog = "";

    private constructor(
        /** Host directory holding this node's /etc copy. */
        readonly dir: string,
        /** Host directory mounted at /home. */
        readonly home: string,
        private readonly unshare: ChildProcess,
        /** Host PID of the namespace's first process. */
        private readonly initPid: number,
    ) {}

    /** Starts a node whose /home is `home` (a host directory, created if missing). */
    static async start(home: string): Promise<Node> {
        const dir = mkdtempSync(path.join(tmpdir(), "pca-node-ns-"));
        cpSync("/etc", path.join(dir, "etc"), { recursive: true, verbatimSymlinks: true });
        for (const sub of ["var/lib", "var/log", "var/mail", "opt"]) mkdirSync(path.join(dir, sub), { recursive: true });
        mkdirSync(home, { recursive: true });
        const child = spawn(
            "unshare",
            ["-m", "--propagation", "private", "--pid", "--fork", "--mount-proc", "/bin/bash", "-c", setupScript(dir, home)],
            { stdio: ["ignore", "pipe", "pipe"] },
        );
        await new Promise<void>((resolve, reject) => {
            let seen = "";
            const onData = (chunk: Buffer): void => {
                seen += chunk.toString();
                if (seen.includes("ready\n")) resolve();
            };
            child.stdout?.on("data", onData);
            child.stderr?.on("data", onData);
            child.on("error", reject);
            child.on("exit", (code) => reject(new Error(`unshare exited ${code} before the node was ready: ${seen}`)));
        });
        // unshare --fork: the namespace's first process is unshare's only child.
        const children = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, "utf8").trim();
        const initPid = Number(children.split(/\s+/)[0]);
        if (!Number.isInteger(initPid) || initPid <= 0) throw new Error(`no namespace process under unshare ${child.pid}`);
        return new Node(dir, home, child, initPid);
    }

    /** Host path of `rel` in this node's /etc copy (e.g. "passwd"). */
    etc(rel: string): string {
        return path.join(this.dir, "etc", rel);
    }

    /** Runs `command args` inside the node with exactly `env`. */
    exec(command: string, args: readonly string[], env: NodeJS.ProcessEnv = { PATH: NODE_PATH }): Promise<RunResult> {
        return run("nsenter", ["-t", String(this.initPid), "-m", "-p", "--", command, ...args], env);
    }

    /** Runs a command that must succeed inside the node; returns its standard output. */
    async execOk(command: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<string> {
        const result = await this.exec(command, args, env);
        if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} exited ${result.status} in the node: ${result.stderr.trim()}`);
        return result.stdout;
    }

    /**
     * Starts sshd from the node's /etc/ssh/sshd_config on a free loopback port; waits until it listens.
     * `options`: more `-o` settings, as a systemd drop-in passes them (the ec2-instance-connect package's).
     */
    async startSshd(options: readonly string[] = []): Promise<void> {
        this.port = await freePort();
        const child = spawn(
            "nsenter",
            ["-t", String(this.initPid), "-m", "-p", "--", "/usr/sbin/sshd", "-D", "-e", "-p", String(this.port),
                "-o", "ListenAddress=127.0.0.1", "-o", "PidFile=/run/sshd.pid", ...options.flatMap((option) => ["-o", option])],
            { stdio: ["ignore", "pipe", "pipe"], env: { PATH: NODE_PATH } },
        );
        await new Promise<void>((resolve, reject) => {
            let seen = "";
            child.stderr?.on("data", (chunk: Buffer) => {
                seen += chunk.toString();
                this.sshdLog += chunk.toString();
                if (seen.includes("Server listening on 127.0.0.1")) resolve();
            });
            child.on("exit", (code) => reject(new Error(`sshd exited ${code}: ${seen}`)));
        });
    }

    /**
     * Waits until sshd answers on its port with its banner again: after a reload (SIGHUP) sshd re-executes
     * itself and, for a moment, accepts no connection.
     */
    async waitForSshd(timeoutMs = 10_000): Promise<void> {
        const until = Date.now() + timeoutMs;
        for (;;) {
            const banner = await new Promise<boolean>((resolve) => {
                const socket = connect(this.port, "127.0.0.1");
                socket.setTimeout(1000, () => { socket.destroy(); resolve(false); });
                socket.once("data", (chunk: Buffer) => { socket.destroy(); resolve(chunk.toString().startsWith("SSH-2.0-")); });
                socket.once("error", () => resolve(false));
            });
            if (banner) return;
            if (Date.now() > until) throw new Error(`sshd on port ${this.port} did not come back`);
            await new Promise((resolve) => setTimeout(resolve, 50));
        }
    }

    /** Ends every process of the node and removes its /etc copy (not the shared /home). */
    async stop(): Promise<void> {
        if (this.unshare.exitCode === null && this.unshare.signalCode === null) {
            const exited = new Promise((resolve) => this.unshare.once("exit", resolve));
            process.kill(this.initPid, "SIGKILL");
            await exited;
        }
        rmSync(this.dir, { recursive: true, force: true });
    }
}

/** A user's key pair made with ssh-keygen, on the host. */
export interface KeyPair {
    readonly privateKey: string;
    /** "TYPE BASE64" as the roster carries it. */
    readonly type: string;
    readonly blob: string;
}

export async function makeKeyPair(dir: string, name: string, type: "ed25519" | "ecdsa" = "ed25519"): Promise<KeyPair> {
    const file = path.join(dir, name);
    const result = await run("ssh-keygen", ["-q", "-t", type, "-N", "", "-C", name, "-f", file], { PATH: NODE_PATH });
    if (result.status !== 0) throw new Error(`ssh-keygen: ${result.stderr}`);
    const [keyType, blob] = readFileSync(`${file}.pub`, "utf8").trim().split(" ");
    return { privateKey: file, type: keyType, blob };
}

/** `ssh -i KEY -p PORT USER@127.0.0.1 COMMAND` from the host, from source address `from`: the real client, no host config. */
export function ssh(node: Node, user: string, key: KeyPair, command: string, from = "127.0.0.1"): Promise<RunResult> {
    return run(
        "ssh",
        ["-F", "/dev/null", "-b", from, "-i", key.privateKey, "-p", String(node.port), "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
            "-o", "ConnectTimeout=10", `${user}@127.0.0.1`, command],
        { PATH: NODE_PATH, HOME: path.dirname(key.privateKey) },
    );
}
