/**
 * Runs scripts/node/post-install.sh in either mode against a throwaway node root (PCA_ROOT), and reads
 * back what it logged.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../../../support/devConfig";
import { readLines } from "./lines";
import { run, RunResult } from "../../../support/run";

/** The script under test. */
export const POST_INSTALL = path.join(REPO_ROOT, "scripts", "node", "post-install.sh");

/** The AWS CLI that still has the opsworks commands (Debian's awscli 2.9.19). */
export const REAL_AWS_CLI = process.env.PCA_TEST_AWS_CLI ?? "/usr/bin/aws";

/** Cron's PATH, so the script finds the same tools it finds on a node and nothing else. */
const NODE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** A run of the script plus the messages of its log file. */
export interface ScriptRun extends RunResult {
    /** Lines of the log file without their timestamp, e.g. "post-install: registered ...". */
    readonly log: string[];
}

/** A temporary directory standing in for a node's filesystem root. */
export class NodeRoot {
    readonly dir: string;

    constructor() {
        this.dir = mkdtempSync(path.join(tmpdir(), "pca-node-"));
    }

    /** Absolute path of `rel` (a node path such as /etc/cron.d/x) under this root. */
    path(rel: string): string {
        return path.join(this.dir, rel);
    }

    read(rel: string): string {
        return readFileSync(this.path(rel), "utf8");
    }

    write(rel: string, content: string): void {
        mkdirSync(path.dirname(this.path(rel)), { recursive: true });
        writeFileSync(this.path(rel), content);
    }

    /** Writes /etc/parallelcluster/cfnconfig the way ParallelCluster does: shell assignments. */
    writeCfnconfig(values: Record<string, string>): void {
        const lines = Object.entries(values).map(([key, value]) => `${key}=${value}`);
        this.write("/etc/parallelcluster/cfnconfig", `${lines.join("\n")}\n`);
    }

    /** Writes the deregistration job's settings as post-install.sh does. */
    writeJobConf(conf: { stackId: string; region: string; awsCli: string; opsworksUrl: string; ec2Url: string; parallel?: number; budget?: number }): void {
        this.write(
            "/etc/pcluster-access/deregister.conf",
            [
                "# pcluster-access deregistration job settings, written by post-install.sh.",
                `PCA_STACK_ID=${conf.stackId}`,
                `PCA_REGION=${conf.region}`,
                `PCA_AWS_CLI=${conf.awsCli}`,
                `PCA_OPSWORKS_ENDPOINT_URL=${conf.opsworksUrl}`,
                `PCA_EC2_ENDPOINT_URL=${conf.ec2Url}`,
                ...(conf.parallel === undefined ? [] : [`PCA_DEREGISTER_PARALLEL=${conf.parallel}`]),
                ...(conf.budget === undefined ? [] : [`PCA_DEREGISTER_BUDGET=${conf.budget}`]),
                "",
            ].join("\n"),
        );
    }

    /** Log messages of `rel` without timestamps; none when the file does not exist. */
    logMessages(rel: string): string[] {
        return readLines(this.path(rel)).map((line) => {
            const match = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (.*)$/.exec(line);
            if (!match) throw new Error(`log line without a UTC timestamp: ${line}`);
            return match[1];
        });
    }

    remove(): void {
        rmSync(this.dir, { recursive: true, force: true });
    }
}

/** The environment every run gets: this root, cron's PATH, and no syslog unless a test asks. */
export function scriptEnv(root: NodeRoot, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return { PATH: NODE_PATH, HOME: root.dir, PCA_ROOT: root.dir, PCA_LOGGER: "/bin/true", ...extra };
}

/** Runs post-install.sh in install mode; `log` is /var/log/post-install.log. */
export async function runPostInstall(root: NodeRoot, args: string[], env: NodeJS.ProcessEnv): Promise<ScriptRun> {
    const result = await run("/bin/bash", [POST_INSTALL, ...args], env);
    return { ...result, log: root.logMessages("/var/log/post-install.log") };
}

/**
 * Runs one deregistration cycle; `log` is the whole /var/log/opsworks-deregister.log, so a test
 * that runs several cycles on one root sees all of them.
 */
export async function runDeregister(root: NodeRoot, env: NodeJS.ProcessEnv): Promise<ScriptRun> {
    const result = await run("/bin/bash", [POST_INSTALL, "deregister"], env);
    return { ...result, log: root.logMessages("/var/log/opsworks-deregister.log") };
}
