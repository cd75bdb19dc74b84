/**
 * The agent's EC2 Instance Connect part on a head node with ParallelCluster's IMDS lockdown
 * (HeadNode.Imds.Secured): `option instance-connect on` lets the package's user read IMDS through
 * ParallelCluster's own imds-access.sh, saved for the boot restore; `off` takes it back. There is no
 * iptables on this machine, so iptables and the two ParallelCluster scripts are stand-ins that keep the
 * chain as text and record their calls (the chain's lines are iptables -S's; the stand-in script does
 * what the cookbook's files/imds/imds-access.sh does to them: ACCEPT for the user, the final REJECT last).
 */
import * as assert from "node:assert/strict";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { REPO_ROOT } from "../../../support/devConfig";
import { run } from "../../../support/run";

const PART = path.join(REPO_ROOT, "scripts", "node", "agent", "instance-connect.sh");
const LOG_PART = path.join(REPO_ROOT, "scripts", "node", "agent", "log.sh");
const LOCKED_DOWN = [
    "-N PARALLELCLUSTER_IMDS",
    "-A PARALLELCLUSTER_IMDS -d 169.254.169.254/32 -m owner --uid-owner 0 -j ACCEPT",
    "-A PARALLELCLUSTER_IMDS -d 169.254.169.254/32 -m owner --uid-owner 400 -j ACCEPT",
    "-A PARALLELCLUSTER_IMDS -d 169.254.169.254/32 -m owner --uid-owner 1000 -j ACCEPT",
    "-A PARALLELCLUSTER_IMDS -d 169.254.169.254/32 -j REJECT --reject-with icmp-port-unreachable",
];

describe("roster-agent.sh's Instance Connect part: IMDS for ec2-instance-connect on a locked-down head node", () => {
    let dir: string;
    beforeEach(() => {
        dir = mkdtempSync(path.join(tmpdir(), "pca-eic-imds-"));
        const script = (name: string, body: string) => {
            writeFileSync(path.join(dir, name), `#!/bin/bash\nset -eu\n${body}\n`);
            chmodSync(path.join(dir, name), 0o755);
        };
        // iptables -S CHAIN: the chain's lines, or "No chain" (exit 1) when it does not exist.
        script("iptables", `[[ "$1 $2" == "-S PARALLELCLUSTER_IMDS" && -f ${dir}/chain ]] || { echo "iptables: No chain/target/match by that name." >&2; exit 1; }\ncat ${dir}/chain`);
        // --allow/--unset USER, as the cookbook's script changes the chain (the user's uid is 995 here).
        script(
            "imds-access.sh",
            [
                `echo "imds-access.sh $*" >> ${dir}/calls`,
                `rule="-A PARALLELCLUSTER_IMDS -d 169.254.169.254/32 -m owner --uid-owner 995 -j ACCEPT"`,
                `grep -vF -- "$rule" ${dir}/chain | grep -v -- "-j REJECT" > ${dir}/chain.new || true`,
                `[[ "$1" != --allow ]] || echo "$rule" >> ${dir}/chain.new`,
                `grep -- "-j REJECT" ${dir}/chain >> ${dir}/chain.new`,
                `mv ${dir}/chain.new ${dir}/chain`,
            ].join("\n"),
        );
        script("save_tables.sh", `echo save_tables.sh >> ${dir}/calls`);
        // id -u ec2-instance-connect: 995 when the package is installed (the user file exists).
        script("id", `[[ "$1" == -u && -f ${dir}/has-user ]] && echo 995 || { echo "id: '$2': no such user" >&2; exit 1; }`);
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    /** One call of ensure_instance_connect WANTED on a node of TYPE; returns what it logged and called. */
    async function ensure(wanted: "on" | "off", nodeType = "HeadNode"): Promise<{ status: number; log: string; calls: string[] }> {
        const harness = [
            "set -euo pipefail",
            // The agent's own log and run (every change logged, a failure remembered in apply_failed).
            `PCA_LOG=${dir}/log; PCA_LOGGER=true; LOG_TAG=roster-agent`,
            `source ${LOG_PART}`,
            `source ${PART}`,
            `ensure_instance_connect ${wanted}`,
            'exit "$apply_failed"',
        ].join("\n");
        const result = await run("/bin/bash", ["-c", harness], {
            PATH: `${dir}:/usr/bin:/bin`,
            PCA_NODE_TYPE: nodeType,
            PCA_IPTABLES: path.join(dir, "iptables"),
            PCA_IMDS_ACCESS: path.join(dir, "imds-access.sh"),
            PCA_SAVE_TABLES: path.join(dir, "save_tables.sh"),
        });
        const read = (name: string) => (existsSync(path.join(dir, name)) ? readFileSync(path.join(dir, name), "utf8") : "");
        // The log without its timestamps.
        const log = read("log").replace(/^\S+ roster-agent: /gm, "");
        return { status: result.status, log, calls: read("calls").split("\n").filter(Boolean) };
    }

    const lockDown = () => writeFileSync(path.join(dir, "chain"), `${LOCKED_DOWN.join("\n")}\n`);
    const chain = () => readFileSync(path.join(dir, "chain"), "utf8").trim().split("\n");

    it("on: allows the package's user through ParallelCluster's script, REJECT stays last, saved for the boot restore; a second cycle runs nothing", async () => {
        lockDown();
        writeFileSync(path.join(dir, "has-user"), "");
        const first = await ensure("on");
        assert.equal(first.status, 0, first.log);
        assert.deepEqual(first.calls, ["imds-access.sh --allow ec2-instance-connect", "save_tables.sh"]);
        assert.deepEqual(chain(), [...LOCKED_DOWN.slice(0, 4), "-A PARALLELCLUSTER_IMDS -d 169.254.169.254/32 -m owner --uid-owner 995 -j ACCEPT", LOCKED_DOWN[4]]);
        const again = await ensure("on");
        assert.deepEqual(again.calls, first.calls);
        assert.equal(again.log, first.log);
    });

    it("off: takes the rule back (and saves); off with no rule runs nothing", async () => {
        lockDown();
        writeFileSync(path.join(dir, "has-user"), "");
        await ensure("on");
        const off = await ensure("off");
        assert.deepEqual(off.calls.slice(2), ["imds-access.sh --unset ec2-instance-connect", "save_tables.sh"]);
        assert.deepEqual(chain(), LOCKED_DOWN);
        const again = await ensure("off");
        assert.deepEqual(again.calls, off.calls);
    });

    it("a login node gets the same; a compute node, an unlocked head node (Imds.Secured false: the chain flushed) and a missing chain get nothing", async () => {
        writeFileSync(path.join(dir, "has-user"), "");
        lockDown();
        assert.deepEqual((await ensure("on", "LoginNode")).calls, ["imds-access.sh --allow ec2-instance-connect", "save_tables.sh"]);
        rmSync(path.join(dir, "calls"));
        lockDown();
        assert.deepEqual((await ensure("on", "ComputeFleet")).calls, []);
        writeFileSync(path.join(dir, "chain"), "-N PARALLELCLUSTER_IMDS\n");
        assert.deepEqual((await ensure("on")).calls, []);
        rmSync(path.join(dir, "chain"));
        assert.deepEqual((await ensure("on")).calls, []);
    });

    it("says that the package is missing (RHEL and Rocky do not ship it), and changes nothing", async () => {
        lockDown();
        const result = await ensure("on");
        assert.equal(result.status, 0);
        assert.deepEqual(result.calls, []);
        assert.equal(result.log, "WARNING: instance-connect is on but this node has no ec2-instance-connect user: install the ec2-instance-connect package (RHEL and Rocky do not ship it)\n");
        assert.equal((await ensure("off")).log, result.log);
    });
});
