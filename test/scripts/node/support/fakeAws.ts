/**
 * Stand-in for the AWS CLI in the post-install tests (the real `register` downloads the OpsWorks
 * agent from AWS and runs it as root). Compiled to an executable by `buildStandIns`. It records its
 * argv as one JSON line in $FAKE_AWS_LOG, answers the script's opsworks probe, and for
 * `opsworks register` plays the agent installer: it prints a line and writes the agent's config with
 * an identity under $PCA_ROOT, as the real agent does once registered.
 * FAKE_AWS_NO_OPSWORKS=1 makes it a CLI without opsworks (as current AWS CLIs are);
 * FAKE_AWS_REGISTER_FAILURES=n makes the first n register calls fail before registering.
 * `--version` prints FAKE_AWS_VERSION (default an AWS CLI v1's line, on stderr as v1 prints it).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";

const args = process.argv.slice(2);
const logPath = process.env.FAKE_AWS_LOG ?? "";
appendFileSync(logPath, `${JSON.stringify(args)}\n`);

function exit(code: number, stdout: string, stderr = ""): never {
    process.stdout.write(stdout);
    process.stderr.write(stderr);
    process.exit(code);
}

if (args[0] === "--version") {
    exit(0, "", `${process.env.FAKE_AWS_VERSION ?? "aws-cli/1.29.62 Python/3.9.16 Linux/5.10.225 botocore/1.31.62"}\n`);
}
if (args[0] === "opsworks" && process.env.FAKE_AWS_NO_OPSWORKS === "1") {
    exit(252, "", "aws: error: argument command: Invalid choice: 'opsworks'\n");
}
if (args[0] === "opsworks" && args[1] === "describe-instances" && args.includes("--generate-cli-skeleton")) {
    exit(0, "{}\n");
}
if (args[0] === "opsworks" && args[1] === "register") {
    const registerCalls = readFileSync(logPath, "utf8")
        .split("\n")
        .filter((line) => line.startsWith('["opsworks","register"')).length;
    if (registerCalls <= Number(process.env.FAKE_AWS_REGISTER_FAILURES ?? "0")) {
        exit(255, "", "An error occurred (ThrottlingException) when calling the DescribeStacks operation: Rate exceeded\n");
    }
    const agentConfig = path.join(process.env.PCA_ROOT ?? "/nonexistent", "etc/aws/opsworks/instance-agent.yml");
    if (existsSync(agentConfig)) {
        exit(1, "", "stand-in: the agent is already installed\n");
    }
    mkdirSync(path.dirname(agentConfig), { recursive: true });
    writeFileSync(agentConfig, "---\n:identity: 6f2e1c44-0b1e-4a53-9f7a-2d1c8e4b5a10\n");
    exit(0, "stand-in agent installer: registered\n");
}
exit(2, "", `stand-in: unexpected call: ${args.join(" ")}\n`);
