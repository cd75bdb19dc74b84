import * as assert from "node:assert/strict";
import { editV2, editV3, textOnly } from "./support/edits";
import { check, itPassesTheDevStack, violations } from "./support/check";
import { setFormat } from "../support/devConfig";

const POLICY = "discouraged-ssh-open-to-world";
const CONFIG_OBJECT = "hpc-dev-cluster-config-object";
const FIX =
    "anyone can reach sshd and try logins. Set pcluster-access:cluster.sshAllowedIps to the range your users connect from " +
    "(an office or VPN CIDR block, or a prefix list id in v3).";

describe(`policy ${POLICY}`, () => {
    itPassesTheDevStack(POLICY, "passes the dev stack, which allows SSH from 203.0.113.0/24");

    it("passes a v2 stack whose ssh_from is narrowed", async () => {
        const { report } = await check({ change: (raw) => { setFormat(raw, "v2"); raw.cluster.os = "centos7"; } });
        assert.deepEqual(violations(report, POLICY), []);
    });

    for (const format of ["v3", "v2"]) {
        const setting = format === "v3" ? "HeadNode.Ssh.AllowedIps" : "[vpc std-vpc] ssh_from";
        it(`advises when sshAllowedIps is left out, ParallelCluster's default (${format})`, async () => {
            const { report } = await check({ change: (raw) => { delete raw.cluster.sshAllowedIps; setFormat(raw, format); if (format === "v2") raw.cluster.os = "centos7"; } });
            assert.deepEqual(violations(report, POLICY), [
                ["advisory", `SSH to the head node is open to the whole internet (${setting} is not set, and ParallelCluster then allows 0.0.0.0/0): ${FIX}`, CONFIG_OBJECT],
            ]);
        });
    }

    it("advises on 0.0.0.0/0 set explicitly in the rendered file, in a first preview too", async () => {
        for (const preview of [false, true]) {
            const { report } = await check({ preview, edits: [editV3((document) => { ((document.HeadNode as Record<string, unknown>).Ssh as Record<string, unknown>).AllowedIps = "0.0.0.0/0"; })] });
            assert.deepEqual(violations(report, POLICY), [
                ["advisory", `SSH to the head node is open to the whole internet (HeadNode.Ssh.AllowedIps is 0.0.0.0/0): ${FIX}`, CONFIG_OBJECT],
            ]);
        }
    });

    it("advises on a v2 ssh_from of any /0 block", async () => {
        const { report } = await check({ change: (raw) => { setFormat(raw, "v2"); raw.cluster.os = "centos7"; }, edits: [textOnly(editV2("vpc std-vpc", "ssh_from", "10.1.2.3/0"))] });
        assert.deepEqual(violations(report, POLICY), [
            ["advisory", `SSH to the head node is open to the whole internet ([vpc std-vpc] ssh_from is 10.1.2.3/0): ${FIX}`, CONFIG_OBJECT],
        ]);
    });

    it("advises on a login node pool opened to the world, and not on one that takes the head node's range", async () => {
        const { report } = await check({
            edits: [
                editV3((document) => {
                    document.LoginNodes = {
                        Pools: [
                            { Name: "users", Count: 1, InstanceType: "t3.large", Ssh: { KeyName: "hpc-admin", AllowedIps: "0.0.0.0/0" } },
                            { Name: "inherits", Count: 1, InstanceType: "t3.large", Ssh: { KeyName: "hpc-admin" } },
                        ],
                    };
                }),
            ],
        });
        assert.deepEqual(violations(report, POLICY), [
            ["advisory", `SSH to login node pool users is open to the whole internet (LoginNodes.Pools[0].Ssh.AllowedIps is 0.0.0.0/0): ${FIX}`, CONFIG_OBJECT],
        ]);
    });
});
