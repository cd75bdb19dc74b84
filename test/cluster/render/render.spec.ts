import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { parseEnvironmentConfig, type ClusterSettings } from "../../../components/config";
import { serializeV2, serializeV3, type ResolvedIniSection } from "../../../components/cluster/render/serialize";
import { buildV2Sections } from "../../../components/cluster/render/v2Document";
import { buildV3Document } from "../../../components/cluster/render/v3Document";
import { parseIniSections as parseIni } from "../../../policy/lib/ini";
import { ARTICLE_WIRING, articleRawConfig } from "../../support/articleConfig";

const fixtures = path.join(__dirname, "..", "..", "fixtures");

function articleCluster(format: "v2" | "v3"): ClusterSettings {
    const result = parseEnvironmentConfig(articleRawConfig(format));
    assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
    return result.config.cluster;
}

function renderV2(cluster: ClusterSettings, wiring = ARTICLE_WIRING): string {
    return serializeV2(buildV2Sections(cluster, wiring) as unknown as ResolvedIniSection[]);
}

function renderV3(cluster: ClusterSettings, wiring = ARTICLE_WIRING): string {
    return serializeV3(buildV3Document(cluster, wiring) as Record<string, unknown>, wiring.access.imds?.reason);
}

/** The article's config block lost its line breaks: a `[section]` at a line's end starts a new section. */
function restoreArticleLineBreaks(text: string): string {
    return text.replace(/ (\[[^\]\n]+\])$/gm, "\n$1");
}

describe("cluster configuration rendering", () => {
    describe("v2 (the article's INI)", () => {
        const articleText = restoreArticleLineBreaks(readFileSync(path.join(fixtures, "article-config.txt"), "utf8"));
        // The one departure from the article: ParallelCluster 2.9+ refuses a dot in a section label
        // (param_types._validate_section_label), so `c5n.18xl` becomes `c5n-18xl`.
        const article = parseIni(articleText.replace(/\b([a-z0-9]+)\.(\d+xl)\b/g, "$1-$2"));
        const rendered = parseIni(renderV2(articleCluster("v2")));

        it("has the article's sections, in the article's order", () => {
            assert.deepEqual(Object.keys(rendered), Object.keys(article));
            assert.deepEqual(Object.keys(article), [
                "aws", "global", "cluster default", "fsx scratchfs", "vpc std-vpc",
                "queue compute", "queue standard", "queue highmem",
                "compute_resource c5n-18xl", "compute_resource m5n-24xl", "compute_resource r5n-24xl",
            ]);
            assert.deepEqual(Object.keys(parseIni(articleText)).slice(8), ["compute_resource c5n.18xl", "compute_resource m5n.24xl", "compute_resource r5n.24xl"]);
        });

        for (const section of ["aws", "global", "cluster default", "fsx scratchfs", "vpc std-vpc", "queue compute", "queue standard", "queue highmem", "compute_resource c5n-18xl", "compute_resource m5n-24xl", "compute_resource r5n-24xl"]) {
            it(`[${section}] equals the article's, key by key and in order`, () => {
                assert.deepEqual(Object.entries(rendered[section]), Object.entries(article[section]));
            });
        }

        it("quotes post_install_args as the article does, and writes no other quotes", () => {
            const text = renderV2(articleCluster("v2"));
            assert.match(text, /^post_install_args = "<YOUR-OPSWORKS-STACK-ID>"$/m);
            assert.equal((text.match(/"/g) ?? []).length, 2);
        });

        it("writes ssh_from only when SSH is narrowed from ParallelCluster's default (anywhere)", () => {
            assert.equal(parseIni(renderV2(articleCluster("v2")))["vpc std-vpc"].ssh_from, undefined);
            const sections = parseIni(renderV2({ ...articleCluster("v2"), sshAllowedIps: "203.0.113.0/24" }));
            assert.deepEqual(Object.entries(sections["vpc std-vpc"]).slice(-1), [["ssh_from", "203.0.113.0/24"]]);
        });

        it("writes custom_ami (cluster.customAmi) after base_os only when set", () => {
            assert.equal(parseIni(renderV2(articleCluster("v2")))["cluster default"].custom_ami, undefined);
            const entries = Object.entries(parseIni(renderV2({ ...articleCluster("v2"), customAmi: "ami-0123456789abcdef0" }))["cluster default"]);
            const baseOs = entries.findIndex(([key]) => key === "base_os");
            assert.deepEqual(entries[baseOs + 1], ["custom_ami", "ami-0123456789abcdef0"]);
        });

        it("writes min_count, throughput and an existing file system only when set", () => {
            const cluster = articleCluster("v2");
            const changed: ClusterSettings = {
                ...cluster,
                queues: [{ ...cluster.queues[0], computeResources: [{ ...cluster.queues[0].computeResources[0], minCount: 2 }], efa: false, placementGroup: undefined, disableHyperthreading: false, capacityType: "spot" }],
                fsx: { mode: "existing", name: "shared", mountDir: "/shared", fileSystemId: "fs-0123456789abcdef0" },
            };
            const sections = parseIni(renderV2(changed));
            assert.deepEqual(sections["queue compute"], { compute_resource_settings: "c5n-18xl", compute_type: "spot" });
            assert.deepEqual(sections["compute_resource c5n-18xl"], { instance_type: "c5n.18xlarge", min_count: "2", max_count: "10" });
            assert.deepEqual(sections["fsx shared"], { shared_dir: "/shared", fsx_fs_id: "fs-0123456789abcdef0" });
            assert.equal(sections["cluster default"].fsx_settings, "shared");
        });
    });

    describe("v3 (YAML)", () => {
        it("renders the article's inputs exactly as the reviewed golden file", () => {
            assert.equal(renderV3(articleCluster("v3")), readFileSync(path.join(fixtures, "article-v3.yaml"), "utf8"));
        });

        it("writes Image.CustomAmi (cluster.customAmi) only when set", () => {
            assert.deepEqual(YAML.parse(renderV3(articleCluster("v3"))).Image, { Os: "alinux2023" });
            assert.deepEqual(YAML.parse(renderV3({ ...articleCluster("v3"), customAmi: "ami-0123456789abcdef0" })).Image, { Os: "alinux2023", CustomAmi: "ami-0123456789abcdef0" });
        });

        it("puts both OpsWorks policies, the script read grant and the post-install action on the head node and every queue", () => {
            const doc = YAML.parse(renderV3(articleCluster("v3")));
            const expectedIam = {
                AdditionalIamPolicies: [
                    { Policy: "arn:aws:iam::aws:policy/AWSOpsWorksInstanceRegistration" },
                    { Policy: "arn:aws:iam::aws:policy/AWSOpsWorksRegisterCLI_EC2" },
                ],
                S3Access: [{ BucketName: "<YOUR-S3-BUCKET-NAME>", EnableWriteAccess: false }],
            };
            const expectedAction = { OnNodeConfigured: { Script: "s3://<YOUR-S3-BUCKET-NAME>/post-install.sh", Args: ["<YOUR-OPSWORKS-STACK-ID>"] } };
            const nodes = [doc.HeadNode, ...doc.Scheduling.SlurmQueues];
            assert.equal(nodes.length, 4);
            for (const node of nodes) {
                assert.deepEqual(node.Iam, expectedIam);
                assert.deepEqual(node.CustomActions, expectedAction);
            }
            assert.deepEqual(doc.Imds, { ImdsSupport: "v1.0" });
        });

        it("writes HeadNode.Ssh.AllowedIps only when SSH is narrowed from ParallelCluster's default (anywhere)", () => {
            assert.deepEqual(YAML.parse(renderV3(articleCluster("v3"))).HeadNode.Ssh, { KeyName: "<YOUR-SSH-KEY>" });
            const narrowed = YAML.parse(renderV3({ ...articleCluster("v3"), sshAllowedIps: "pl-0123456789abcdef0" }));
            assert.deepEqual(narrowed.HeadNode.Ssh, { KeyName: "<YOUR-SSH-KEY>", AllowedIps: "pl-0123456789abcdef0" });
        });

        it("explains in a comment why IMDSv1 stays on", () => {
            const text = renderV3(articleCluster("v3"));
            assert.match(text, /# IMDSv1 stays on: `aws opsworks register --local`, run by the post-install script, reads instance\n# metadata without a token and fails when IMDSv2 is required \(ParallelCluster's default since 3\.7\)\.\nImds:\n {2}ImdsSupport: v1\.0\n/);
        });

        it("spreads a queue that may span subnets over all of them in the Instances form, keeps the others on one, and maps spot and named placement groups", () => {
            const cluster = articleCluster("v3");
            const changed: ClusterSettings = {
                ...cluster,
                computeRootVolumeSize: undefined,
                queues: [
                    { ...cluster.queues[0], efa: false, placementGroup: undefined, disableHyperthreading: false, capacityType: "spot", spansSubnets: true },
                    { ...cluster.queues[1], placementGroup: "my-group" },
                ],
                fsx: { mode: "create", name: "persist", mountDir: "/data", storageCapacity: 2400, deploymentType: "PERSISTENT_1", perUnitStorageThroughput: 200 },
            };
            const wiring = { ...ARTICLE_WIRING, computeSubnetIds: ["subnet-a", "subnet-b"], primaryComputeSubnetId: "subnet-a" };
            const doc = YAML.parse(renderV3(changed, wiring));
            const [plain, efa] = doc.Scheduling.SlurmQueues;
            assert.equal(plain.CapacityType, "SPOT");
            assert.deepEqual(plain.Networking, { SubnetIds: ["subnet-a", "subnet-b"] });
            assert.equal(plain.ComputeSettings, undefined);
            assert.deepEqual(plain.ComputeResources, [{ Name: "c5n-18xl", Instances: [{ InstanceType: "c5n.18xlarge" }], MinCount: 0, MaxCount: 10 }]);
            assert.deepEqual(efa.ComputeResources[0].InstanceType, "m5n.24xlarge");
            assert.deepEqual(efa.Networking, { SubnetIds: ["subnet-a"], PlacementGroup: { Enabled: true, Name: "my-group" } });
            assert.deepEqual(doc.SharedStorage, [
                { MountDir: "/data", Name: "persist", StorageType: "FsxLustre", FsxLustreSettings: { StorageCapacity: 2400, DeploymentType: "PERSISTENT_1", PerUnitStorageThroughput: 200 } },
            ]);
        });
    });

    describe("the policies' INI reader, which the golden test compares with", () => {
        it("keeps dotted section names whole, as configparser does", () => {
            assert.deepEqual(parseIni("[compute_resource c5n.18xl]\ninstance_type = c5n.18xlarge\n[a.b.c]\nk = \"v\"\n"), {
                "compute_resource c5n.18xl": { instance_type: "c5n.18xlarge" },
                "a.b.c": { k: "v" },
            });
        });
    });
});
