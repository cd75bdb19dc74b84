/**
 * AWS PCS nodes, end to end: the user data `npm run plan` renders for Pulumi.pcs.yaml (with test keys), run as a
 * PCS node runs it — cloud-init's MIME parts parsed by Python's email package (cloud-init's own parser), each
 * text/x-shellscript part run in order as root — inside namespace nodes with real sshd. The roster and the agent
 * bundle the plan names are served by moto's S3 and fetched by the real AWS CLI. EFS is the one stand-in: a
 * `mount` first on PATH turns the user data's `mount -t nfs4 ... fs-ID.efs...:/ /home` into a bind of one host
 * directory that every node shares (no NFS server runs here).
 */
import * as assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import * as YAML from "yaml";
import { agentBundle } from "../../../../components/access/roster/agentBundle";
import { EXIT, plan } from "../../../../scripts/plan";
import { REPO_ROOT } from "../../../support/devConfig";
import { REAL_AWS_CLI } from "../support/script";
import { Cluster, REGION } from "./support/cluster";
import { KeyPair, makeKeyPair, Node, NODE_PATH, ssh } from "./support/node";

/** The text/x-shellscript parts of a MIME user data file, in order, as cloud-init's parser reads them. */
function shellParts(file: string): string[] {
    const script =
        "import email,json,sys; m=email.message_from_bytes(open(sys.argv[1],'rb').read()); " +
        "print(json.dumps([p.get_payload(decode=True).decode() for p in m.walk() if p.get_content_type() == 'text/x-shellscript']))";
    return JSON.parse(execFileSync("python3", ["-c", script, file], { encoding: "utf8" })) as string[];
}

describe("AWS PCS nodes: the plan's user data run as cloud-init runs it", function () {
    this.timeout(300_000);

    let dir: string;
    let cluster: Cluster;
    let keys: Record<string, KeyPair>;
    let admin: KeyPair;
    let efs: string;
    let homeSource: string;
    let parts: Record<"login" | "compute", string[]>;

    before(async () => {
        dir = mkdtempSync(path.join(tmpdir(), "pca-pcs-nodes-"));
        cluster = await Cluster.start();
        keys = { alice: await makeKeyPair(dir, "alice"), bob: await makeKeyPair(dir, "bob") };
        admin = await makeKeyPair(dir, "admin");

        // Pulumi.pcs.yaml with two users whose private keys this test holds: alice with sudo, bob without.
        const document = YAML.parse(readFileSync(path.join(REPO_ROOT, "Pulumi.pcs.yaml"), "utf8"));
        document.config["pcluster-access:users"] = [
            { iamUser: "alice", create: true, sshPublicKey: `${keys.alice.type} ${keys.alice.blob}`, sudo: true, groups: ["cfd"] },
            { iamUser: "bob", create: true, sshPublicKey: `${keys.bob.type} ${keys.bob.blob}` },
        ];
        const stackFile = path.join(dir, "Pulumi.pcs.yaml");
        writeFileSync(stackFile, YAML.stringify(document));
        const out = path.join(dir, "out");
        const planned = await plan({ stack: "pcs", configFile: stackFile, projectFile: path.join(REPO_ROOT, "Pulumi.yaml"), outDir: out });
        assert.equal(planned.exitCode, EXIT.ok, planned.stderr);

        // What `pulumi up` would have put in the bucket: the signed roster the plan wrote, and the agent bundle.
        parts = { login: shellParts(path.join(out, "pcs", "user-data-login.mime")), compute: shellParts(path.join(out, "pcs", "user-data-compute.mime")) };
        const words = /^export PCA_SETUP_WORDS='([^']*)'$/m.exec(parts.login[0])![1].split(" ");
        homeSource = /^export PCA_HOME_SOURCE='([^']*)'$/m.exec(parts.login[0])![1];
        const bucket = /^s3:\/\/([^/]+)\//.exec(words[1])![1];
        const s3 = new S3Client({ region: REGION, endpoint: cluster.moto.url, forcePathStyle: true, credentials: { accessKeyId: "testing", secretAccessKey: "testing" } });
        await s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: REGION } }));
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "roster.txt", Body: readFileSync(path.join(out, "pcs", "roster.txt")) }));
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "agent.tar", Body: agentBundle().bytes }));

        // EFS, played by one host directory; the stand-in mount binds it for exactly the user data's source.
        efs = path.join(dir, "efs");
        mkdirSync(efs);
        mkdirSync(path.join(dir, "efs-bin"));
        writeFileSync(
            path.join(dir, "efs-bin", "mount"),
            [
                "#!/bin/sh",
                `if [ "$1" = -t ] && [ "$2" = nfs4 ] && [ "$5" = '${homeSource}' ] && [ "$6" = /home ]; then`,
                `    printf '%s\\n' "$*" >>'${path.join(dir, "mounts.log")}'`,
                `    exec /bin/mount --bind '${efs}' /home`,
                "fi",
                'exec /bin/mount "$@"',
                "",
            ].join("\n"),
        );
        chmodSync(path.join(dir, "efs-bin", "mount"), 0o755);
    });
    after(async () => {
        await cluster?.close();
        rmSync(dir, { recursive: true, force: true });
    });

    /** A node booted from the AMI: its own /home holds the default user with the administrators' key. */
    async function bootNode(name: string): Promise<Node> {
        const imageHome = path.join(dir, `${name}-image-home`);
        mkdirSync(path.join(imageHome, "ec2-user", ".ssh"), { recursive: true });
        writeFileSync(path.join(imageHome, "ec2-user", ".ssh", "authorized_keys"), `${admin.type} ${admin.blob}\n`);
        const node = await Node.start(imageHome);
        cluster.nodes.push({ node, type: name.startsWith("login") ? "LoginNode" : "ComputeFleet" });
        return node;
    }

    /** Runs each shell part in order as root, as cloud-init's scripts-user does; returns their combined result. */
    async function runUserData(node: Node, kind: "login" | "compute"): Promise<{ status: number; stderr: string }> {
        let stderr = "";
        for (const [i, part] of parts[kind].entries()) {
            const file = path.join(node.dir, `var/lib/part-00${i + 1}`);
            writeFileSync(file, part, { mode: 0o700 });
            const result = await node.exec("/bin/bash", [`/var/lib/part-00${i + 1}`], cluster.agentEnv({
                PATH: `${path.join(dir, "efs-bin")}:${NODE_PATH}`,
                PCA_AWS_CLI: REAL_AWS_CLI,
                PCA_S3_ENDPOINT_URL: cluster.moto.url,
                PCA_FETCH_ATTEMPTS: "1",
            }));
            stderr += result.stderr;
            if (result.status !== 0) return { status: result.status, stderr };
        }
        return { status: 0, stderr };
    }

    const agentLog = (node: Node) => readFileSync(path.join(node.dir, "var/log/pcluster-access-roster.log"), "utf8");
    const made = (log: string) => [...log.matchAll(/created home \/home\/(\S+) with an intra-cluster key pair/g)].map((match) => match[1]).sort();

    it("two login nodes booting at once: users with the roster's UIDs, each home made once, under the shared lock; the image's own home kept", async () => {
        const [login1, login2] = [await bootNode("login1"), await bootNode("login2")];
        const results = await Promise.all([runUserData(login1, "login"), runUserData(login2, "login")]);
        results.forEach((result) => assert.equal(result.status, 0, result.stderr));

        for (const node of [login1, login2]) {
            assert.equal((await node.execOk("getent", ["passwd", "alice"])).split(":").slice(2, 4).join(":"), "2001:2001");
            assert.equal((await node.execOk("getent", ["passwd", "bob"])).split(":").slice(2, 4).join(":"), "2002:2002");
            assert.match(readFileSync(node.etc("fstab"), "utf8"), new RegExp(`^${homeSource.replace(/[.]/g, "\\.")} /home nfs4 nfsvers=4\\.1,rsize=1048576,wsize=1048576,hard,timeo=600,retrans=2,noresvport,_netdev 0 0$`, "m"));
            assert.match(readFileSync(node.etc("pcluster-access/roster-agent.conf"), "utf8"), /\nPCA_NODE_TYPE=LoginNode\n/);
            assert.match(readFileSync(node.etc("pcluster-access/roster-agent.conf"), "utf8"), /\nPCA_HOMES=locked\n/);
        }
        // Each home made by exactly one of the two nodes.
        assert.deepEqual([...made(agentLog(login1)), ...made(agentLog(login2))].sort(), ["alice", "bob"]);
        for (const user of ["alice", "bob"]) {
            const uid = user === "alice" ? 2001 : 2002;
            assert.equal(statSync(path.join(efs, user)).uid, uid);
            assert.equal(statSync(path.join(efs, user, ".ssh", "id_ed25519")).uid, uid);
            assert.equal(readFileSync(path.join(efs, user, ".ssh", "authorized_keys"), "utf8"), readFileSync(path.join(efs, user, ".ssh", "id_ed25519.pub"), "utf8"));
        }
        assert.equal(existsSync(path.join(efs, ".pcluster-access-homes.lock")), true);
        // The AMI's default user kept its home and the administrators' key on the shared /home.
        assert.equal(readFileSync(path.join(efs, "ec2-user", ".ssh", "authorized_keys"), "utf8"), `${admin.type} ${admin.blob}\n`);

        // A later cycle on either node makes nothing again.
        const before = readFileSync(path.join(efs, "alice", ".ssh", "id_ed25519"), "utf8");
        cluster.takeCommands();
        const cycle = await login2.exec("/bin/bash", ["/opt/pcluster-access/current/roster-agent.sh", "sync"], cluster.agentEnv());
        assert.equal(cycle.status, 0, cycle.stderr);
        assert.deepEqual(cluster.takeCommands(), []);
        assert.equal(readFileSync(path.join(efs, "alice", ".ssh", "id_ed25519"), "utf8"), before);

        // Users log in with their keys, with their UIDs; sudo only where the roster grants it.
        await login1.startSshd();
        assert.equal((await ssh(login1, "alice", keys.alice, "id -u; id -gn; sudo -n id -u")).stdout, "2001\nalice\n0\n");
        const bob = await ssh(login1, "bob", keys.bob, "id -u; sudo -n true && echo root || echo no-sudo");
        assert.equal(bob.stdout, "2002\nno-sudo\n");
        assert.notEqual((await ssh(login1, "alice", keys.bob, "true")).status, 0);
    });

    it("a compute node: the same users and UIDs, no home made, and users log in to it", async () => {
        const compute = await bootNode("compute1");
        const result = await runUserData(compute, "compute");
        assert.equal(result.status, 0, result.stderr);
        assert.equal((await compute.execOk("getent", ["passwd", "alice"])).split(":").slice(2, 4).join(":"), "2001:2001");
        assert.deepEqual(made(agentLog(compute)), []);
        const conf = readFileSync(compute.etc("pcluster-access/roster-agent.conf"), "utf8");
        assert.match(conf, /\nPCA_NODE_TYPE=ComputeFleet\n/);
        assert.doesNotMatch(conf, /PCA_HOMES/);
        await compute.startSshd();
        assert.equal((await ssh(compute, "alice", keys.alice, "id -u; pwd; sudo -n id -u")).stdout, "2001\n/home/alice\n0\n");
        assert.equal((await ssh(compute, "bob", keys.bob, "id -u")).stdout, "2002\n");
    });
});
