/**
 * post-install.sh roster mode finds the AWS CLI current AMIs carry: from ParallelCluster 3.16.2 only AWS
 * CLI v2 (at /usr/local/bin/aws, or /usr/bin/aws on Amazon Linux 2023), v1 gone from the cookbook's
 * virtualenv. It takes the first v2 among its candidates over an earlier v1, falls back to the first CLI
 * that runs, and logs which one and its version. The v2 here is the real one (Debian's awscli, as the other
 * script tests use); the v1 is the stand-in, answering `--version` as AWS CLI v1 does (on stderr).
 */
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { dummyAwsEnv } from "../../support/moto";
import { NodeRoot, REAL_AWS_CLI, runPostInstall, scriptEnv } from "./support/script";
import { useStandIns, type StandIns } from "./support/standIns";
import { TEST_PUBKEY } from "../../support/rosterSigning";

const REGION = "eu-west-1";
const ROSTER_URL = "s3://hpc-dev-scripts/roster.json";
const AGENT_URL = "s3://hpc-dev-scripts/agent.tar";
const V1 = "aws-cli/1.29.62";
/** What the real CLI says it is: `aws-cli/2.9.19` for Debian 12's. */
const REAL_VERSION = execFileSync(REAL_AWS_CLI, ["--version"], { encoding: "utf8" }).split(" ")[0];

describe("post-install.sh roster mode: which AWS CLI", () => {
    const standIns = useStandIns();
    let fakes: StandIns;
    let root: NodeRoot;
    before(() => (fakes = standIns()));
    beforeEach(() => {
        root = new NodeRoot();
        root.writeCfnconfig({ cfn_node_type: "LoginNode", cfn_region: REGION });
    });
    afterEach(() => root.remove());

    /** Roster mode with these candidates; the agent fetch then fails fast (no S3 to reach), after the CLI is chosen. */
    const runRoster = (env: NodeJS.ProcessEnv) =>
        runPostInstall(
            root,
            ["roster", ROSTER_URL, AGENT_URL, "60", "hpc-dev", TEST_PUBKEY],
            scriptEnv(root, { ...dummyAwsEnv(root.dir), PCA_S3_ENDPOINT_URL: "http://127.0.0.1:9", FAKE_AWS_LOG: root.path("/fake-aws.jsonl"), ...env }),
        );
    const chosen = (log: string[]) => log.filter((line) => line.startsWith("post-install: AWS CLI: "));

    it("is the real CLI: AWS CLI v2", () => {
        assert.match(REAL_VERSION, /^aws-cli\/2\.\d+\.\d+$/);
    });

    it("takes AWS CLI v2 over a v1 listed before it, and says which and its version", async () => {
        const result = await runRoster({ PCA_AWS_CLI: "", PCA_AWS_CLI_CANDIDATES: `${root.path("/usr/local/bin/aws")} ${fakes.aws} ${REAL_AWS_CLI}`, FAKE_AWS_VERSION: `${V1} Python/3.9.16` });
        assert.deepEqual(chosen(result.log), [`post-install: AWS CLI: ${REAL_AWS_CLI} (${REAL_VERSION})`]);
        // The CLI then fetched the agent (here from an endpoint nobody listens on).
        assert.equal(result.log.at(-1), `post-install: error: could not fetch the node agent from ${AGENT_URL}`);
        assert.equal(result.status, 1);
    });

    it("falls back to the first CLI that runs when none is v2, and says there was no v2", async () => {
        const candidates = `${root.path("/usr/local/bin/aws")} /bin/false ${fakes.aws}`;
        const result = await runRoster({ PCA_AWS_CLI: "", PCA_AWS_CLI_CANDIDATES: candidates, FAKE_AWS_VERSION: `${V1} Python/3.9.16` });
        assert.deepEqual(chosen(result.log), [`post-install: AWS CLI: ${fakes.aws} (${V1}: no AWS CLI v2 among ${candidates})`]);
    });

    it("takes PCA_AWS_CLI as given, and says so", async () => {
        const result = await runRoster({ PCA_AWS_CLI: REAL_AWS_CLI });
        assert.deepEqual(chosen(result.log), [`post-install: AWS CLI: ${REAL_AWS_CLI} (${REAL_VERSION}, from PCA_AWS_CLI)`]);
    });

    it("fails clearly when no candidate runs", async () => {
        const candidates = `${root.path("/usr/local/bin/aws")} /bin/false`;
        const result = await runRoster({ PCA_AWS_CLI: "", PCA_AWS_CLI_CANDIDATES: candidates });
        assert.equal(result.status, 1);
        assert.equal(result.log.at(-1), `post-install: error: no AWS CLI found (looked in: ${candidates}); install AWS CLI v2 or set PCA_AWS_CLI`);
    });

    it("looks in /usr/local/bin/aws, then /usr/bin/aws, then the cookbook's virtualenv by default", () => {
        const script = execFileSync("grep", ["-F", ': "${PCA_AWS_CLI_CANDIDATES:=', path.join(__dirname, "..", "..", "..", "scripts", "node", "post-install.sh")], { encoding: "utf8" });
        assert.equal(script.trim(), ': "${PCA_AWS_CLI_CANDIDATES:=/usr/local/bin/aws /usr/bin/aws /opt/parallelcluster/pyenv/versions/*/envs/*/bin/aws}"');
    });
});
