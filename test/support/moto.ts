/**
 * moto_server as the EC2 side of the deregistration tests: started on a free loopback port, driven
 * with the real AWS CLI, and counting EC2 calls through moto's own request recorder.
 *
 * What moto 5.2.1 does (seen while writing these tests; the specs rely on the first two): a
 * terminated instance stays listed with state `terminated` (real EC2 drops it after about an hour,
 * so "EC2 forgot it" is played by an id moto never launched); the instance-id filter returns no
 * entry for an unknown id, while InstanceIds fails the whole call with InvalidInstanceID.NotFound;
 * it does not enforce EC2's limit of 200 filter values per call (FilterLimitExceeded), so batching
 * is asserted from the recorded requests.
 */
import { ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { readLines } from "../scripts/node/support/lines";
import { runOk } from "./run";
import { REAL_AWS_CLI } from "../scripts/node/support/script";

/** moto accepts any credentials; these keep the CLI away from the machine's config and IMDS. */
export function dummyAwsEnv(home: string): NodeJS.ProcessEnv {
    return {
        AWS_ACCESS_KEY_ID: "testing",
        AWS_SECRET_ACCESS_KEY: "testing",
        AWS_CONFIG_FILE: path.join(home, "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE: path.join(home, "no-aws-credentials"),
        AWS_EC2_METADATA_DISABLED: "true",
        // One attempt: a retry would sleep for real, and the scripts must cope with failures anyway.
        AWS_MAX_ATTEMPTS: "1",
        AWS_RETRY_MODE: "standard",
    };
}

/** One EC2 request moto recorded. */
export interface Ec2Request {
    readonly action: string;
    /** The values of the instance-id filter, in request order. */
    readonly instanceIdFilter: string[];
}

interface Recording {
    readonly headers?: Readonly<Record<string, string>>;
    readonly method?: string;
    readonly url?: string;
    readonly body?: string;
    readonly body_encoded?: boolean;
}

export class Moto {
    private image?: string;

    private constructor(
        private readonly process: ChildProcess,
        private readonly workDir: string,
        /** Base URL, e.g. http://127.0.0.1:40123 */
        readonly url: string,
        private readonly region: string,
    ) {}

    /**
     * Starts moto_server (MOTO_SERVER overrides the command) and waits until it listens. With `kmsDigest`,
     * moto's server runs through test/support/moto_kms_digest.py (Python: MOTO_PYTHON, default python3),
     * which adds KMS's Sign of a digest and its refusal of a key that is not enabled.
     */
    static async start(region = "us-east-1", options: { readonly kmsDigest?: boolean } = {}): Promise<Moto> {
        const workDir = mkdtempSync(path.join(tmpdir(), "pca-moto-"));
        const [command, ...prefix] = options.kmsDigest
            ? [process.env.MOTO_PYTHON ?? "python3", path.join(__dirname, "moto_kms_digest.py")]
            : [process.env.MOTO_SERVER ?? "moto_server"];
        const child = spawn(command, [...prefix, "-H", "127.0.0.1", "-p", "0"], {
            env: { ...process.env, MOTO_RECORDER_FILEPATH: path.join(workDir, "recording") },
            stdio: ["ignore", "pipe", "pipe"],
        });
        const url = await new Promise<string>((resolve, reject) => {
            let seen = "";
            const onData = (chunk: Buffer): void => {
                seen += chunk.toString();
                const match = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(seen);
                if (match) resolve(match[1]);
            };
            child.stdout?.on("data", onData);
            child.stderr?.on("data", onData);
            child.on("error", reject);
            child.on("exit", (code) => reject(new Error(`moto_server exited ${code} before listening: ${seen}`)));
        });
        return new Moto(child, workDir, url, region);
    }

    private cliEnv(): NodeJS.ProcessEnv {
        return { PATH: process.env.PATH, HOME: this.workDir, ...dummyAwsEnv(this.workDir), AWS_DEFAULT_REGION: this.region };
    }

    /** Runs `aws ec2 ARGS` against moto and returns its text output. */
    ec2(args: string[]): Promise<string> {
        return runOk(REAL_AWS_CLI, ["ec2", "--endpoint-url", this.url, ...args, "--output", "text"], this.cliEnv());
    }

    /** Launches `count` instances from moto's first Amazon image; returns their ids. */
    async launch(count: number): Promise<string[]> {
        if (count === 0) return [];
        this.image ??= (await this.ec2(["describe-images", "--owners", "amazon", "--query", "Images[0].ImageId"])).trim();
        const image = this.image;
        const ids = await this.ec2([
            "run-instances", "--image-id", image, "--instance-type", "t3.micro", "--count", String(count),
            "--query", "Instances[].InstanceId",
        ]);
        return ids.trim().split(/\s+/);
    }

    async terminate(ids: string[]): Promise<void> {
        if (ids.length > 0) await this.ec2(["terminate-instances", "--instance-ids", ...ids]);
    }

    private async recorder(action: string): Promise<void> {
        const response = await fetch(`${this.url}/moto-api/recorder/${action}`, { method: "POST" });
        if (!response.ok) throw new Error(`moto recorder ${action}: HTTP ${response.status}`);
    }

    /** Starts recording requests afresh; `recorded()` returns what arrived since. */
    async startRecording(): Promise<void> {
        await this.recorder("reset-recording");
        await this.recorder("start-recording");
    }

    /** Stops recording and returns the EC2 requests recorded. */
    async recorded(): Promise<Ec2Request[]> {
        await this.recorder("stop-recording");
        return readLines(path.join(this.workDir, "recording")).map((line) => {
            const entry = JSON.parse(line) as Recording;
            const body = entry.body_encoded ? Buffer.from(entry.body ?? "", "base64").toString() : (entry.body ?? "");
            const form = new URLSearchParams(body);
            const filter = [...form.entries()].filter(([key]) => /^Filter\.1\.Value\.\d+$/.test(key)).map(([, v]) => v);
            return { action: form.get("Action") ?? "", instanceIdFilter: filter };
        });
    }

    /** Stops recording and returns every request recorded, whatever the service: "METHOD /path?query". */
    async recordedRequests(): Promise<string[]> {
        await this.recorder("stop-recording");
        return readLines(path.join(this.workDir, "recording")).map((line) => {
            const entry = JSON.parse(line) as Recording;
            const url = new URL(entry.url ?? "", this.url);
            return `${entry.method ?? "?"} ${url.pathname}${url.search}`;
        });
    }

    /** Stops recording and returns the KMS actions recorded, in order (the JSON protocol's X-Amz-Target: "TrentService.Sign" is "Sign"). */
    async recordedKmsActions(): Promise<string[]> {
        await this.recorder("stop-recording");
        return readLines(path.join(this.workDir, "recording")).flatMap((line) => {
            const target = (JSON.parse(line) as Recording).headers?.["X-Amz-Target"] ?? "";
            return target.startsWith("TrentService.") ? [target.slice("TrentService.".length)] : [];
        });
    }

    async close(): Promise<void> {
        if (this.process.exitCode === null && this.process.signalCode === null) {
            const exited = new Promise((resolve) => this.process.once("exit", resolve));
            this.process.kill("SIGTERM");
            await exited;
        }
        rmSync(this.workDir, { recursive: true, force: true });
    }
}
