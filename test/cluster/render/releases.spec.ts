/**
 * The same team configurations planned at three ParallelCluster releases (3.13.1, the former default;
 * 3.15.1, the last with known issue #7491; 3.16.3, the default), covering every OS value at least once.
 * Each is rendered as that release accepts it (the OS, the login pools' Ssh section, the root volumes, the
 * warnings) or refused with the exact problems, which name the key, the release and the fix.
 */
import * as assert from "node:assert/strict";
import * as YAML from "yaml";
import { queue, renderMatrix, type MatrixShape } from "../../support/clusterMatrix";

const RELEASES = ["3.13.1", "3.15.1", "3.16.3"] as const;
type Release = (typeof RELEASES)[number];

interface Rendered {
    readonly os: string;
    /** Image.CustomAmi, when written. */
    readonly customAmi?: string;
    /** Each login pool's Ssh section (null: none written). */
    readonly pools: (Record<string, string> | null)[];
    readonly headRootVolume?: number;
    readonly computeRootVolume?: number;
    /** The case's own warnings (the release's own, on cluster.parallelClusterVersion, are RELEASE_WARNINGS). */
    readonly warnings: string[];
}
type Expected = Rendered | { readonly refused: string[] };

const pool = (name: string, extra: object = {}) => ({ name, instanceType: "t3.medium", ...extra });
const head = (rootVolumeSize?: number) => ({ instanceType: "t3.large", ...(rootVolumeSize === undefined ? {} : { rootVolumeSize }) });

/** What a team writes: one queue, one zone, and the cluster keys each case is about. */
const CASES: Readonly<Record<string, object>> = {
    "alinux2023, one login pool, the AMI's root volumes": { os: "alinux2023", loginNodes: [pool("login")] },
    "alinux2, 100 GiB root volumes": { os: "alinux2", headNode: head(100), computeRootVolumeSize: 100 },
    "ubuntu2004": { os: "ubuntu2004" },
    "ubuntu2404, 45 GiB root volumes": { os: "ubuntu2404", headNode: head(45), computeRootVolumeSize: 45 },
    "ubuntu2204, a login pool on its own key pair": { os: "ubuntu2204", loginNodes: [pool("login", { keyName: "team-login" })] },
    "rhel8, 50 GiB root volumes": { os: "rhel8", headNode: head(50), computeRootVolumeSize: 50 },
    "rhel9, two login pools": { os: "rhel9", loginNodes: [pool("login"), pool("build")] },
    "rocky8 on its own AMI": { os: "rocky8", customAmi: "ami-0123456789abcdef0" },
    "rocky9 without an AMI": { os: "rocky9" },
    "rocky9 on its own AMI, a login pool on the head node's key pair": { os: "rocky9", customAmi: "ami-0fedcba987654321f", loginNodes: [pool("login", { keyName: "admin" })] },
    "centos7": { os: "centos7" },
    "alinux2023, 11 login pools": { os: "alinux2023", loginNodes: Array.from({ length: 11 }, (_, p) => pool(`login${p + 1}`)) },
};

const ALINUX2_EOL = "cluster.os: alinux2 reached its end of life on 2026-06-30: its nodes get no more security updates. Use alinux2023.";
const OS_13 = "alinux2, alinux2023, ubuntu2004, ubuntu2204, ubuntu2404, rhel8, rhel9, rocky8, rocky9";
const OS_15 = "alinux2, alinux2023, ubuntu2204, ubuntu2404, rhel8, rhel9, rocky8, rocky9";
const OS_16 = "alinux2023, ubuntu2204, ubuntu2404, rhel8, rhel9, rocky8, rocky9";
const ROCKY9_AMI =
    "cluster.customAmi: is required for os: rocky9: ParallelCluster publishes no official rocky9 AMI (PRIVATE_OSES, aws/aws-parallelcluster PR #6103), so it has no image to launch. " +
    "Build one with pcluster build-image from a rocky9 parent image and set cluster.customAmi to its id (ami-...), or choose an os with official AMIs (alinux2023, ubuntu2204, ubuntu2404, rhel8, rhel9).";
/** The warnings every accepted case gets at each release, by reference (test/config/releases.spec.ts holds their text). */
const RELEASE_WARNINGS: Record<Release, string[]> = {
    "3.13.1": ["#7233", "#7601", "#7287"],
    "3.15.1": ["#7601"],
    "3.16.3": [],
};
const ok = (os: string, extra: Partial<Rendered> = {}): Rendered => ({ os, pools: [], warnings: [], ...extra });
const volumeRefusals = (release: string, size: number, minimum: number) =>
    ["cluster.headNode.rootVolumeSize", "cluster.computeRootVolumeSize"].map(
        (path) =>
            `${path}: ${size} GiB is smaller than the root volume of ParallelCluster ${release}'s official AMIs (${minimum} GiB), which ParallelCluster refuses (RootVolumeSizeValidator). ` +
            `Set at least ${minimum}, or remove the key to take the AMI's size.`,
    );
const keyNameRefusal = (release: string) =>
    `cluster.loginNodes[0].keyName: ParallelCluster ${release} refuses a login node pool's own key pair (LoginNodes.Pools[].Ssh.KeyName, removed in 3.15.0 by aws/aws-parallelcluster PR #7241). ` +
    "Remove it: login nodes let in the head node's key pair (cluster.keyName).";
const allReleases = (expected: Expected): Record<Release, Expected> => ({ "3.13.1": expected, "3.15.1": expected, "3.16.3": expected });

const EXPECTED: Record<string, Record<Release, Expected>> = {
    "alinux2023, one login pool, the AMI's root volumes": allReleases(ok("alinux2023", { pools: [null] })),
    "alinux2, 100 GiB root volumes": {
        "3.13.1": ok("alinux2", { headRootVolume: 100, computeRootVolume: 100, warnings: [ALINUX2_EOL] }),
        "3.15.1": ok("alinux2", { headRootVolume: 100, computeRootVolume: 100, warnings: [ALINUX2_EOL] }),
        "3.16.3": { refused: [`cluster.os: 'alinux2' is not an OS of ParallelCluster 3.16.3 (3.15.1 was the last release with alinux2). Use one of: ${OS_16}.`] },
    },
    "ubuntu2004": {
        "3.13.1": ok("ubuntu2004"),
        "3.15.1": { refused: [`cluster.os: 'ubuntu2004' is not an OS of ParallelCluster 3.15.1 (3.13.2 was the last release with ubuntu2004). Use one of: ${OS_15}.`] },
        "3.16.3": { refused: [`cluster.os: 'ubuntu2004' is not an OS of ParallelCluster 3.16.3 (3.13.2 was the last release with ubuntu2004). Use one of: ${OS_16}.`] },
    },
    "ubuntu2404, 45 GiB root volumes": {
        "3.13.1": ok("ubuntu2404", { headRootVolume: 45, computeRootVolume: 45 }),
        "3.15.1": ok("ubuntu2404", { headRootVolume: 45, computeRootVolume: 45 }),
        "3.16.3": { refused: volumeRefusals("3.16.3", 45, 50) },
    },
    "ubuntu2204, a login pool on its own key pair": {
        "3.13.1": ok("ubuntu2204", {
            pools: [{ KeyName: "team-login" }],
            warnings: [
                "cluster.loginNodes[0].keyName: on ParallelCluster 3.13.1 a login node pool's key pair other than the head node's never lets anyone in " +
                    "(known issue aws/aws-parallelcluster#6811, 3.7.0-3.13.2: the head node's authorized_keys win on the shared /home). Remove it: login nodes let in the head node's key pair (cluster.keyName).",
            ],
        }),
        "3.15.1": { refused: [keyNameRefusal("3.15.1")] },
        "3.16.3": { refused: [keyNameRefusal("3.16.3")] },
    },
    "rhel8, 50 GiB root volumes": allReleases(ok("rhel8", { headRootVolume: 50, computeRootVolume: 50 })),
    "rhel9, two login pools": allReleases(ok("rhel9", { pools: [null, null] })),
    "rocky8 on its own AMI": allReleases(ok("rocky8", { customAmi: "ami-0123456789abcdef0" })),
    "rocky9 without an AMI": allReleases({ refused: [ROCKY9_AMI] }),
    "rocky9 on its own AMI, a login pool on the head node's key pair": {
        "3.13.1": ok("rocky9", { customAmi: "ami-0fedcba987654321f", pools: [{ KeyName: "admin" }] }),
        "3.15.1": { refused: [keyNameRefusal("3.15.1")] },
        "3.16.3": { refused: [keyNameRefusal("3.16.3")] },
    },
    "centos7": {
        "3.13.1": { refused: [`cluster.os: 'centos7' is not an OS of ParallelCluster 3.13.1 (3.9.3 was the last release with centos7). Use one of: ${OS_13}.`] },
        "3.15.1": { refused: [`cluster.os: 'centos7' is not an OS of ParallelCluster 3.15.1 (3.9.3 was the last release with centos7). Use one of: ${OS_15}.`] },
        "3.16.3": { refused: [`cluster.os: 'centos7' is not an OS of ParallelCluster 3.16.3 (3.9.3 was the last release with centos7). Use one of: ${OS_16}.`] },
    },
    "alinux2023, 11 login pools": {
        "3.13.1": { refused: ["cluster.loginNodes: ParallelCluster 3.13.1 takes at most 10 login node pools; 11 are listed. Merge or remove pools."] },
        "3.15.1": { refused: ["cluster.loginNodes: ParallelCluster 3.15.1 takes at most 10 login node pools; 11 are listed. Merge or remove pools."] },
        "3.16.3": { refused: ["cluster.loginNodes: ParallelCluster 3.16.3 takes at most 10 login node pools; 11 are listed. Merge or remove pools."] },
    },
};

function shape(cluster: object, release: Release): MatrixShape {
    return { queues: [queue("cpu", ["c6i.large"])], network: 1, cluster: { parallelClusterVersion: release, ...cluster } };
}

function rendered(text: string, warnings: string[]): Rendered {
    const doc = YAML.parse(text);
    const computeRootVolume = doc.Scheduling.SlurmQueues[0].ComputeSettings?.LocalStorage.RootVolume.Size;
    const headRootVolume = doc.HeadNode.LocalStorage?.RootVolume.Size;
    return {
        os: doc.Image.Os,
        ...(doc.Image.CustomAmi === undefined ? {} : { customAmi: doc.Image.CustomAmi }),
        pools: (doc.LoginNodes?.Pools ?? []).map((pool: { Ssh?: Record<string, string> }) => pool.Ssh ?? null),
        ...(headRootVolume === undefined ? {} : { headRootVolume }),
        ...(computeRootVolume === undefined ? {} : { computeRootVolume }),
        warnings,
    };
}

describe("team configurations at three ParallelCluster releases: rendered as each release accepts them, or refused with the fix", () => {
    it("has an expectation for every case at every release, and covers every OS value of these releases", () => {
        assert.deepEqual(Object.keys(EXPECTED), Object.keys(CASES));
        assert.deepEqual(
            Object.values(EXPECTED).map((byRelease) => Object.keys(byRelease)),
            Object.keys(CASES).map(() => [...RELEASES]),
        );
        const covered = new Set(Object.values(CASES).map((cluster) => (cluster as { os: string }).os));
        for (const os of OS_13.split(", ")) {
            assert.ok(covered.has(os), os);
        }
    });

    for (const [title, cluster] of Object.entries(CASES)) {
        for (const release of RELEASES) {
            it(`${title} at ${release}`, () => {
                const expected = EXPECTED[title][release];
                const result = renderMatrix(shape(cluster, release));
                if ("refused" in expected) {
                    assert.deepEqual(result.ok ? "accepted" : result.problems, expected.refused);
                    return;
                }
                assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
                const own = result.warnings.filter((line) => !line.startsWith("cluster.parallelClusterVersion: "));
                const releaseWide = result.warnings.filter((line) => line.startsWith("cluster.parallelClusterVersion: "));
                assert.deepEqual(rendered(result.text, own), expected);
                assert.deepEqual(releaseWide.map((line) => /aws\/aws-parallelcluster(#\d+)/.exec(line)?.[1]), RELEASE_WARNINGS[release]);
            });
        }
    }
});
