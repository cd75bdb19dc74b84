import * as assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { OpsWorksEmulator, startEmulator } from "../../emulator";
import { dummyAwsEnv } from "../../support/moto";
import { NodeRoot, POST_INSTALL, REAL_AWS_CLI, runPostInstall, scriptEnv, ScriptRun } from "./support/script";
import { buildStandIns, recordedCalls, StandIns, useStandIns } from "./support/standIns";

const STACK = "2f1ee1a7-5c35-4a24-9d7e-0b9a4f0c3c1e";
const REGION = "eu-west-1";
const SCRIPT_URL = "s3://pca-assets/post-install.sh";
const PROBE = ["opsworks", "describe-instances", "--generate-cli-skeleton"];
const REGISTER = [
    "opsworks", "register", "--use-instance-profile", "--infrastructure-class", "ec2",
    "--region", REGION, "--stack-id", STACK, "--local",
];

describe("post-install.sh (install mode)", () => {
    const standIns = useStandIns();
    let fakes: StandIns;
    let root: NodeRoot;

    before(() => (fakes = standIns()));
    beforeEach(() => {
        root = new NodeRoot();
    });
    afterEach(() => root.remove());

    const awsLog = (): string => root.path("/fake-aws.jsonl");
    const syslog = (): string => root.path("/fake-syslog.jsonl");

    function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
        return scriptEnv(root, {
            PCA_AWS_CLI: fakes.aws,
            PCA_REGISTER_RETRY_DELAY: "0",
            FAKE_AWS_LOG: awsLog(),
            ...extra,
        });
    }

    function v3Node(nodeType: string): void {
        root.writeCfnconfig({ cfn_node_type: nodeType, cfn_region: REGION, stack_name: "pcluster-dev" });
    }

    function v2Node(nodeType: string, postinstallArgs: string): void {
        root.writeCfnconfig({
            cfn_node_type: nodeType,
            cfn_region: REGION,
            cfn_postinstall: SCRIPT_URL,
            cfn_postinstall_args: postinstallArgs,
        });
    }

    function assertFailed(result: ScriptRun, message: string): void {
        assert.equal(result.status, 1, result.stderr);
        assert.equal(result.log.at(-1), `post-install: error: ${message}`);
        assert.ok(result.stderr.trimEnd().endsWith(`post-install: error: ${message}`), result.stderr);
    }

    const jobFiles = [
        "/opt/pcluster-access/post-install.sh",
        "/etc/pcluster-access/deregister.conf",
        "/etc/cron.d/pcluster-access-deregister",
        "/etc/logrotate.d/pcluster-access-deregister",
    ];

    it("v3 head node: installs the job, registers once with the exact command, logs to file and syslog", async () => {
        v3Node("HeadNode");
        const result = await runPostInstall(root, [STACK], env({ PCA_LOGGER: fakes.logger, FAKE_SYSLOG_LOG: syslog() }));
        assert.equal(result.status, 0, result.stderr);

        assert.deepEqual(recordedCalls(awsLog()), [PROBE, REGISTER]);
        assert.deepEqual(result.log, [
            `post-install: node type HeadNode (ParallelCluster 3), region ${REGION}, OpsWorks stack ${STACK}`,
            `post-install: AWS CLI: ${fakes.aws}`,
            ...jobFiles.map((file) => `post-install: installed: ${root.path(file)}`),
            `post-install: registering with OpsWorks stack ${STACK} in ${REGION} (attempt 1 of 3)`,
            "post-install: aws: stand-in agent installer: registered",
            `post-install: registered with OpsWorks stack ${STACK}`,
        ]);
        // syslog gets every message, tagged; the file line is "<time> <tag>: <message>".
        assert.deepEqual(
            recordedCalls(syslog()),
            result.log.map((line) => ["-t", "post-install", "--", line.slice("post-install: ".length)]),
        );

        // Exactly these files, no temporary copies left beside them.
        for (const file of jobFiles) {
            assert.deepEqual(readdirSync(path.dirname(root.path(file))), [path.basename(file)], file);
        }
        // The job is this very script, so the one file uploaded to S3 carries everything.
        assert.equal(root.read("/opt/pcluster-access/post-install.sh"), readFileSync(POST_INSTALL, "utf8"));
        assert.equal(statSync(root.path("/opt/pcluster-access/post-install.sh")).mode & 0o777, 0o755);
        assert.equal(statSync(root.path("/etc/pcluster-access/deregister.conf")).mode & 0o777, 0o600);
        assert.equal(
            root.read("/etc/pcluster-access/deregister.conf"),
            [
                "# pcluster-access deregistration job settings, written by post-install.sh.",
                `PCA_STACK_ID=${STACK}`,
                `PCA_REGION=${REGION}`,
                `PCA_AWS_CLI=${fakes.aws}`,
                "PCA_OPSWORKS_ENDPOINT_URL=''",
                "PCA_EC2_ENDPOINT_URL=''",
                "PCA_DEREGISTER_PARALLEL=8",
                "PCA_DEREGISTER_BUDGET=40",
                "",
            ].join("\n"),
        );
        assert.equal(
            root.read("/etc/cron.d/pcluster-access-deregister"),
            [
                `# pcluster-access: deregister terminated nodes from OpsWorks stack ${STACK}.`,
                `# Written by post-install.sh; the job logs to ${root.path("/var/log/opsworks-deregister.log")}.`,
                "SHELL=/bin/bash",
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                'MAILTO=""',
                `PCA_ROOT=${root.dir}`,
                `* * * * * root ${root.path("/opt/pcluster-access/post-install.sh")} deregister`,
                "",
            ].join("\n"),
        );
        assert.equal(
            root.read("/etc/logrotate.d/pcluster-access-deregister"),
            `${root.path("/var/log/opsworks-deregister.log")} {\n` +
                "    weekly\n    maxsize 10M\n    rotate 4\n    compress\n    delaycompress\n    missingok\n    notifempty\n}\n",
        );
    });

    it("a second run changes nothing: one cron entry, no second registration", async () => {
        v3Node("HeadNode");
        const first = await runPostInstall(root, [STACK], env());
        assert.equal(first.status, 0, first.stderr);
        const cronBefore = root.read("/etc/cron.d/pcluster-access-deregister");
        const second = await runPostInstall(root, [STACK], env());
        assert.equal(second.status, 0, second.stderr);

        assert.deepEqual(recordedCalls(awsLog()), [PROBE, REGISTER, PROBE]);
        // The log file holds both runs; the second's lines follow the first's.
        assert.deepEqual(second.log.slice(first.log.length), [
            `post-install: node type HeadNode (ParallelCluster 3), region ${REGION}, OpsWorks stack ${STACK}`,
            `post-install: AWS CLI: ${fakes.aws}`,
            ...jobFiles.map((file) => `post-install: unchanged: ${root.path(file)}`),
            "post-install: already registered with OpsWorks " +
                `(${root.path("/etc/aws/opsworks/instance-agent.yml")} has an identity): not registering again`,
        ]);
        const cron = root.read("/etc/cron.d/pcluster-access-deregister");
        assert.equal(cron, cronBefore);
        assert.equal(cron.split("\n").filter((line) => line.includes(" root ")).length, 1);
    });

    it("v2 head node (MasterServer): stack id from cfn_postinstall_args, quotes and all", async () => {
        v2Node("MasterServer", `"\\"${STACK}\\""`);
        // ParallelCluster 2 passes the script's URL first, then the word-split args.
        const result = await runPostInstall(root, [SCRIPT_URL, `"${STACK}"`], env());
        assert.equal(result.status, 0, result.stderr);
        assert.equal(result.log[0], `post-install: node type MasterServer (ParallelCluster 2), region ${REGION}, OpsWorks stack ${STACK}`);
        assert.deepEqual(recordedCalls(awsLog()), [PROBE, REGISTER]);
        for (const file of jobFiles) assert.ok(existsSync(root.path(file)), file);
    });

    for (const [label, write, args, format] of [
        ["v2 ComputeFleet", (): void => v2Node("ComputeFleet", STACK), [SCRIPT_URL, STACK], 2],
        ["v3 ComputeFleet", (): void => v3Node("ComputeFleet"), [STACK], 3],
        ["v3 LoginNode", (): void => v3Node("LoginNode"), [STACK], 3],
    ] as const) {
        it(`${label}: registers and installs no deregistration job`, async () => {
            write();
            const result = await runPostInstall(root, [...args], env());
            assert.equal(result.status, 0, result.stderr);
            const nodeType = label.split(" ")[1];
            assert.deepEqual(result.log, [
                `post-install: node type ${nodeType} (ParallelCluster ${format}), region ${REGION}, OpsWorks stack ${STACK}`,
                `post-install: AWS CLI: ${fakes.aws}`,
                `post-install: registering with OpsWorks stack ${STACK} in ${REGION} (attempt 1 of 3)`,
                "post-install: aws: stand-in agent installer: registered",
                `post-install: registered with OpsWorks stack ${STACK}`,
            ]);
            assert.deepEqual(recordedCalls(awsLog()), [PROBE, REGISTER]);
            for (const file of jobFiles) assert.equal(existsSync(root.path(file)), false, file);
        });
    }

    it("does not register a node whose agent already has an identity", async () => {
        v3Node("ComputeFleet");
        root.write("/etc/aws/opsworks/instance-agent.yml", "---\n:identity: 0d4bd7d2-4a5e-4f2b-8c3e-1f1f1f1f1f1f\n");
        const result = await runPostInstall(root, [STACK], env());
        assert.equal(result.status, 0, result.stderr);
        assert.deepEqual(recordedCalls(awsLog()), [PROBE]);
    });

    it("retries a failed registration", async () => {
        v3Node("ComputeFleet");
        const recovered = await runPostInstall(root, [STACK], env({ FAKE_AWS_REGISTER_FAILURES: "2" }));
        assert.equal(recovered.status, 0, recovered.stderr);
        assert.deepEqual(recordedCalls(awsLog()), [PROBE, REGISTER, REGISTER, REGISTER]);
        assert.deepEqual(recovered.log.slice(2), [
            `post-install: registering with OpsWorks stack ${STACK} in ${REGION} (attempt 1 of 3)`,
            "post-install: aws: An error occurred (ThrottlingException) when calling the DescribeStacks operation: Rate exceeded",
            "post-install: registration attempt 1 failed; retrying in 0s",
            `post-install: registering with OpsWorks stack ${STACK} in ${REGION} (attempt 2 of 3)`,
            "post-install: aws: An error occurred (ThrottlingException) when calling the DescribeStacks operation: Rate exceeded",
            "post-install: registration attempt 2 failed; retrying in 0s",
            `post-install: registering with OpsWorks stack ${STACK} in ${REGION} (attempt 3 of 3)`,
            "post-install: aws: stand-in agent installer: registered",
            `post-install: registered with OpsWorks stack ${STACK}`,
        ]);
    });

    it("stops at the configured number of registration attempts", async () => {
        v3Node("ComputeFleet");
        const failed = await runPostInstall(root, [STACK], env({ FAKE_AWS_REGISTER_FAILURES: "9", PCA_REGISTER_ATTEMPTS: "2" }));
        assert.deepEqual(recordedCalls(awsLog()), [PROBE, REGISTER, REGISTER]);
        assert.equal(failed.log.filter((line) => line.includes("retrying")).length, 1);
        assertFailed(
            failed,
            `could not register with OpsWorks stack ${STACK} (attempts: 2); note that 'aws opsworks register --local' ` +
                "reads instance metadata without a token, so the node must allow IMDSv1 (ParallelCluster 3: Imds ImdsSupport v1.0)",
        );
    });

    it("passes the OpsWorks endpoint hook to register and records both hooks for the job", async () => {
        v3Node("HeadNode");
        const result = await runPostInstall(
            root,
            [STACK],
            env({ PCA_OPSWORKS_ENDPOINT_URL: "http://127.0.0.1:4001", PCA_EC2_ENDPOINT_URL: "http://127.0.0.1:4002" }),
        );
        assert.equal(result.status, 0, result.stderr);
        assert.deepEqual(recordedCalls(awsLog()), [PROBE, [...REGISTER, "--endpoint-url", "http://127.0.0.1:4001"]]);
        const conf = root.read("/etc/pcluster-access/deregister.conf").split("\n");
        assert.deepEqual(conf.slice(4, 6), [
            "PCA_OPSWORKS_ENDPOINT_URL=http://127.0.0.1:4001",
            "PCA_EC2_ENDPOINT_URL=http://127.0.0.1:4002",
        ]);
    });

    it("schedules the job every PCA_DEREGISTER_INTERVAL minutes", async () => {
        v3Node("HeadNode");
        const result = await runPostInstall(root, [STACK], env({ PCA_DEREGISTER_INTERVAL: "5" }));
        assert.equal(result.status, 0, result.stderr);
        assert.ok(
            root.read("/etc/cron.d/pcluster-access-deregister").includes(
                `\n*/5 * * * * root ${root.path("/opt/pcluster-access/post-install.sh")} deregister\n`,
            ),
        );
        // The cycle's time budget follows: two thirds of the interval.
        assert.match(root.read("/etc/pcluster-access/deregister.conf"), /\nPCA_DEREGISTER_BUDGET=200\n/);
    });

    describe("refuses bad input before any AWS call", () => {
        const cases: Array<{ name: string; setup: () => void; args: string[]; extra?: NodeJS.ProcessEnv; message: () => string }> = [
            {
                name: "v3 without a stack id",
                setup: () => v3Node("HeadNode"),
                args: [],
                message: () =>
                    "missing OpsWorks stack id: pass it as the script's only argument (ParallelCluster 3: CustomActions OnNodeConfigured Args)",
            },
            {
                name: "v3 with a malformed stack id",
                setup: () => v3Node("ComputeFleet"),
                args: ["my-stack"],
                message: () => "malformed OpsWorks stack id 'my-stack': expected a lowercase UUID such as 01234567-89ab-cdef-0123-456789abcdef",
            },
            {
                name: "v3 with two arguments",
                setup: () => v3Node("LoginNode"),
                args: [STACK, "extra"],
                message: () => `expected one argument, the OpsWorks stack id, got 2: ${STACK} extra`,
            },
            {
                name: "v2 with post_install_args unset",
                setup: () => v2Node("MasterServer", "NONE"),
                args: [SCRIPT_URL],
                message: () =>
                    `missing OpsWorks stack id: cfn_postinstall_args in ${root.path("/etc/parallelcluster/cfnconfig")} is empty ` +
                    "(ParallelCluster 2: set post_install_args to the stack id)",
            },
            {
                name: "v2 with two words in post_install_args",
                setup: () => v2Node("ComputeFleet", `"${STACK} extra"`),
                args: [SCRIPT_URL, STACK, "extra"],
                message: () =>
                    `malformed OpsWorks stack id '${STACK} extra': expected a lowercase UUID such as 01234567-89ab-cdef-0123-456789abcdef`,
            },
            {
                name: "no cfnconfig",
                setup: () => undefined,
                args: [STACK],
                message: () => `cannot read ${root.path("/etc/parallelcluster/cfnconfig")}: this is not a ParallelCluster node`,
            },
            {
                name: "an unknown node type",
                setup: () => v3Node("Master"),
                args: [STACK],
                message: () =>
                    `unknown cfn_node_type 'Master' in ${root.path("/etc/parallelcluster/cfnconfig")}: ` +
                    "expected MasterServer, HeadNode, ComputeFleet or LoginNode",
            },
            {
                name: "a bad region",
                setup: () => root.writeCfnconfig({ cfn_node_type: "HeadNode", cfn_region: "" }),
                args: [STACK],
                message: () => `cfn_region '' in ${root.path("/etc/parallelcluster/cfnconfig")} is not an AWS region`,
            },
            {
                name: "an interval of 0 minutes",
                setup: () => v3Node("HeadNode"),
                args: [STACK],
                extra: { PCA_DEREGISTER_INTERVAL: "0" },
                message: () => "PCA_DEREGISTER_INTERVAL=0 is not a whole number of minutes from 1 to 59",
            },
            {
                name: "33 deregistrations at once",
                setup: () => v3Node("HeadNode"),
                args: [STACK],
                extra: { PCA_DEREGISTER_PARALLEL: "33" },
                message: () => "PCA_DEREGISTER_PARALLEL=33 is not a whole number from 1 to 32",
            },
            {
                name: "zero registration attempts",
                setup: () => v3Node("HeadNode"),
                args: [STACK],
                extra: { PCA_REGISTER_ATTEMPTS: "0" },
                message: () => "PCA_REGISTER_ATTEMPTS=0 is not a whole number from 1 to 99",
            },
        ];
        for (const testCase of cases) {
            it(testCase.name, async () => {
                testCase.setup();
                const result = await runPostInstall(root, testCase.args, env(testCase.extra));
                assertFailed(result, testCase.message());
                assert.deepEqual(recordedCalls(awsLog()), []);
                for (const file of jobFiles) assert.equal(existsSync(root.path(file)), false, file);
            });
        }
    });

    describe("finding an AWS CLI with the opsworks commands", () => {
        it("fails clearly when the configured CLI does not exist", async () => {
            v3Node("HeadNode");
            const result = await runPostInstall(root, [STACK], env({ PCA_AWS_CLI: "/nonexistent/aws" }));
            assertFailed(result, "PCA_AWS_CLI=/nonexistent/aws is not an executable file");
        });

        it("fails clearly when the configured CLI has no opsworks commands", async () => {
            v3Node("HeadNode");
            const result = await runPostInstall(root, [STACK], env({ FAKE_AWS_NO_OPSWORKS: "1" }));
            assertFailed(
                result,
                `PCA_AWS_CLI=${fakes.aws} has no opsworks commands (AWS removed them from current CLIs; AWS CLI 2.9.19 still has them)`,
            );
            assert.deepEqual(recordedCalls(awsLog()), [PROBE]);
            assert.equal(existsSync(root.path("/etc/cron.d/pcluster-access-deregister")), false);
        });

        it("fails clearly when no candidate has them", async () => {
            v3Node("ComputeFleet");
            const candidates = `${root.path("/missing/aws")} ${fakes.aws}`;
            const result = await runPostInstall(
                root,
                [STACK],
                env({ PCA_AWS_CLI: "", PCA_AWS_CLI_CANDIDATES: candidates, FAKE_AWS_NO_OPSWORKS: "1" }),
            );
            assertFailed(
                result,
                `no AWS CLI with the opsworks commands (looked in: ${candidates}; without them: ${fakes.aws}); ` +
                    "install one (AWS CLI 2.9.19 has them) and set PCA_AWS_CLI",
            );
        });

        it("takes the first candidate, globs expanded, that has them", async () => {
            v3Node("ComputeFleet");
            const versions = root.path("/opt/parallelcluster/pyenv/versions");
            mkdirSync(path.join(versions, "3.9.16/envs/cookbook_virtualenv/bin"), { recursive: true });
            buildStandIns(path.join(versions, "3.9.16/envs/cookbook_virtualenv/bin"));
            const found = path.join(versions, "3.9.16/envs/cookbook_virtualenv/bin/aws");
            const result = await runPostInstall(
                root,
                [STACK],
                env({ PCA_AWS_CLI: "", PCA_AWS_CLI_CANDIDATES: `${root.path("/usr/bin/aws")} ${versions}/*/envs/*/bin/aws` }),
            );
            assert.equal(result.status, 0, result.stderr);
            assert.equal(result.log[1], `post-install: AWS CLI: ${found}`);
            assert.deepEqual(recordedCalls(awsLog()), [PROBE, REGISTER]);
        });

        describe("with the real AWS CLI", () => {
            let emulator: OpsWorksEmulator;
            before(async () => {
                emulator = await startEmulator({ port: 0 });
            });
            after(async () => {
                await emulator.close();
            });

            it("passes over a CLI without opsworks to Debian's, whose register takes the exact command and asks OpsWorks for the stack", async () => {
                v3Node("ComputeFleet");
                // A stack the emulator does not have: the real register stops at DescribeStacks, before it
                // would read instance metadata or download the agent.
                const result = await runPostInstall(
                    root,
                    [STACK],
                    env({
                        ...dummyAwsEnv(root.dir),
                        PCA_AWS_CLI: "",
                        PCA_AWS_CLI_CANDIDATES: `${fakes.aws} ${REAL_AWS_CLI}`,
                        FAKE_AWS_NO_OPSWORKS: "1",
                        PCA_REGISTER_ATTEMPTS: "1",
                        PCA_OPSWORKS_ENDPOINT_URL: emulator.url,
                    }),
                );
                assert.equal(result.log[1], `post-install: AWS CLI: ${REAL_AWS_CLI}`);
                assert.deepEqual(
                    emulator.calls.map(({ operation, region, request, status, errorCode }) => ({ operation, region, request, status, errorCode })),
                    [{ operation: "DescribeStacks", region: REGION, request: { StackIds: [STACK] }, status: 400, errorCode: "ResourceNotFoundException" }],
                );
                assert.ok(
                    result.log.includes(
                        `post-install: aws: An error occurred (ResourceNotFoundException) when calling the DescribeStacks operation (reached max retries: 0): Unable to find stack with ID ${STACK}`,
                    ),
                    result.log.join("\n"),
                );
                assert.equal(result.status, 1);
            });
        });
    });
});
