import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { formatProblems, parseEnvironmentConfig, type RawConfigInput } from "../../components/config/parse";
import { REPO_ROOT } from "../support/devConfig";

/** Pulumi.pcs.yaml's config as parseEnvironmentConfig takes it, changed by `change`. */
function pcsConfig(change: (config: Record<string, any>) => void = () => undefined): RawConfigInput {
    const document = YAML.parse(readFileSync(path.join(REPO_ROOT, "Pulumi.pcs.yaml"), "utf8")).config as Record<string, any>;
    const input: Record<string, any> = { region: document["aws:region"] };
    for (const [key, value] of Object.entries(document)) {
        if (key.startsWith("pcluster-access:")) {
            input[key.slice("pcluster-access:".length)] = value;
        }
    }
    change(input);
    return input;
}

function problems(input: RawConfigInput): string[] {
    const result = parseEnvironmentConfig(input);
    return result.ok ? [] : formatProblems(result.problems).split("\n");
}

describe("stack config: cluster.service pcs", () => {
    it("resolves Pulumi.pcs.yaml: the PCS settings with their defaults, and the queues as ParallelCluster's are", () => {
        const result = parseEnvironmentConfig(pcsConfig());
        assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
        assert.deepEqual(result.config.pcs, {
            slurmVersion: "25.11",
            size: "SMALL",
            amiId: "ami-0123456789abcdef0",
            architecture: "x86_64",
            loginNodes: { instanceType: "c6i.large", count: 2 },
            homes: { mode: "create" },
        });
        assert.equal(result.config.cluster.headNode, undefined);
        assert.equal(result.config.cluster.os, "alinux2023");
        assert.deepEqual(
            result.config.cluster.queues.map((queue) => [queue.name, queue.capacityType, queue.computeResources.map((resource) => `${resource.instanceType}:${resource.minCount}-${resource.maxCount}`)]),
            [["compute", "ondemand", ["c6i.2xlarge:0-8"]], ["spot", "spot", ["c6i.4xlarge:0-16"]]],
        );
    });

    it("defaults: Slurm 25.11, SMALL, x86_64 sample AMI, one login node, a created EFS file system; parallelcluster without the key", () => {
        const result = parseEnvironmentConfig(pcsConfig((config) => (config.pcs = { loginNodes: { instanceType: "t3.medium" } })));
        assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
        assert.deepEqual(result.config.pcs, { slurmVersion: "25.11", size: "SMALL", architecture: "x86_64", loginNodes: { instanceType: "t3.medium", count: 1 }, homes: { mode: "create" } });
        const existing = parseEnvironmentConfig(pcsConfig((config) => (config.pcs.homes = { efsFileSystemId: "fs-0123456789abcdef0" })));
        assert.ok(existing.ok);
        assert.deepEqual(existing.config.pcs?.homes, { mode: "efs", fileSystemId: "fs-0123456789abcdef0" });
        const lustre = parseEnvironmentConfig(pcsConfig((config) => (config.pcs.homes = { fsxLustre: { dnsName: "fs-0123456789abcdef0.fsx.eu-west-1.amazonaws.com", mountName: "abcdef12" } })));
        assert.ok(lustre.ok);
        assert.deepEqual(lustre.config.pcs?.homes, { mode: "fsx-lustre", dnsName: "fs-0123456789abcdef0.fsx.eu-west-1.amazonaws.com", mountName: "abcdef12" });
    });

    it("refuses every ParallelCluster-only key by name, with the fix", () => {
        const input = pcsConfig((config) => {
            config.cluster.headNode = { instanceType: "t3.large" };
            config.cluster.deploy = true;
            config.cluster.fsx = { mountDir: "/fsx" };
            config.cluster.format = "v3";
        });
        assert.deepEqual(problems(input), [
            "cluster.headNode: is a ParallelCluster setting, but cluster.service is pcs: PCS has no head node (AWS runs the Slurm controller); users land on pcs.loginNodes. Remove it, or set cluster.service: parallelcluster.",
            "cluster.format: is a ParallelCluster setting, but cluster.service is pcs: PCS has no ParallelCluster configuration file. Remove it, or set cluster.service: parallelcluster.",
            "cluster.deploy: is a ParallelCluster setting, but cluster.service is pcs: with PCS, `pulumi up` always creates the cluster. Remove it, or set cluster.service: parallelcluster.",
            "cluster.fsx: is a ParallelCluster setting, but cluster.service is pcs: on PCS this program mounts only the shared /home (pcs.homes); mount other file systems in your AMI. Remove it, or set cluster.service: parallelcluster.",
        ]);
    });

    it("checks PCS's own rules: names, Slurm version, homes, queue options, the OpsWorks backend, a missing pcs key", () => {
        assert.deepEqual(
            problems(
                pcsConfig((config) => {
                    config.cluster.name = "pcs_cluster";
                    config.cluster.queues[0].name = "login";
                    config.cluster.queues[1].efa = true;
                    config.pcs.slurmVersion = 25.1;
                    config.pcs.homes = { efsFileSystemId: "fs-0123456789abcdef0", fsxLustre: { dnsName: "fs-0123456789abcdef0.fsx.eu-west-1.amazonaws.com", mountName: "abcdef12" } };
                }),
            ),
            [
                "pcs.slurmVersion: must be a string, not 25.1.",
                "cluster.name: 'pcs_cluster' is not a valid AWS PCS cluster name: letters, digits and '-', starting with a letter (not pcs_), 3 to 40 characters.",
                "cluster.queues[0].name: 'login' is the login node group's name on PCS (each queue's compute node group takes its queue's name). Choose another queue name.",
                "cluster.queues[1].efa: is not supported on PCS by this program yet (a compute node group takes it through its launch template). Remove it, or set cluster.service: parallelcluster.",
            ],
        );
        assert.deepEqual(problems(pcsConfig((config) => (config.pcs.slurmVersion = "22.05"))), [
            "pcs.slurmVersion: '22.05' is not a Slurm version AWS PCS offers. Use one of: 23.11, 24.05, 24.11, 25.05, 25.11 (a string: quote it, \"25.11\").",
        ]);
        assert.deepEqual(
            problems(pcsConfig((config) => (config.pcs.homes = { efsFileSystemId: "fs-0123456789abcdef0", fsxLustre: { dnsName: "fs-0123456789abcdef0.fsx.eu-west-1.amazonaws.com", mountName: "abcdef12" } }))),
            ["pcs.homes: give either efsFileSystemId or fsxLustre (the one file system /home is mounted from), not both; or neither, and the program creates an EFS file system."],
        );
        assert.deepEqual(problems(pcsConfig((config) => delete config.cluster.sshAllowedIps)), [
            "cluster.sshAllowedIps: is required with cluster.service pcs: the CIDR block (or prefix list id) your users SSH to the login nodes from, e.g. your office or VPN range. 0.0.0.0/0 is refused by the policy prohibited-pcs-ssh-open-to-world.",
        ]);
        assert.deepEqual(problems(pcsConfig((config) => delete config.pcs)), ["pcs: is required with cluster.service pcs: give at least pcs.loginNodes.instanceType (see docs/pcs.md)."]);
        assert.deepEqual(problems(pcsConfig((config) => (config.access = { backend: "opsworks" }))).slice(0, 1), [
            "access.backend: is opsworks, which AWS PCS cannot use (OpsWorks Stacks is switched off, and its registration is ParallelCluster's post-install). Use the roster backend (the default) with cluster.service pcs.",
        ]);
        assert.deepEqual(problems(pcsConfig((config) => (config.cluster.os = "windows"))), [
            "cluster.os: 'windows' is not an OS this program knows the default user of. Use the one your PCS AMI runs: alinux2, alinux2023, centos7, ubuntu1804, ubuntu2004, ubuntu2204, ubuntu2404, rhel8, rhel9, rocky8, rocky9.",
        ]);
    });

    it("refuses pcluster-access:pcs on a ParallelCluster environment", () => {
        const input = pcsConfig((config) => {
            config.cluster = { ...config.cluster, service: "parallelcluster", headNode: { instanceType: "t3.large" } };
        });
        assert.deepEqual(problems(input), ["pcs: is the AWS PCS settings, but cluster.service is parallelcluster (the default). Remove pcluster-access:pcs, or set cluster.service: pcs."]);
    });
});
