/**
 * EC2 Instance Connect on the roster backend (issue 16): under the mock runtime, what the program grants
 * whom (an inline policy per allowed user, the VPC's endpoint, the `logins` commands); against moto's IAM,
 * the grant created on a user and read back (moto refuses a malformed policy), then what it allows judged
 * request by request (moto evaluates no conditions: test/support/iamPolicy.ts does).
 */
import * as assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { instanceConnectCommand, instanceConnectPolicy } from "../../../components/access/roster/instanceConnect";
import { MOCK_ACCOUNT_ID } from "../../../scripts/offline/mockCloud";
import { REAL_AWS_CLI } from "../../scripts/node/support/script";
import { DEV_STACK_FILE } from "../../support/devConfig";
import { allows, type IamRequest } from "../../support/iamPolicy";
import { dummyAwsEnv, Moto } from "../../support/moto";
import { named, ofType, runDev, type DevRaw } from "../../support/program";
import { runOk } from "../../support/run";

const USER_POLICY = "aws:iam/userPolicy:UserPolicy";
const ENDPOINT = "aws:ec2transitgateway/instanceConnectEndpoint:InstanceConnectEndpoint";
const REGION = "eu-west-1";

function runRoster(change?: (raw: DevRaw) => void, cloud = {}) {
    return runDev(
        (raw) => {
            raw.roster.instanceConnect = true;
            change?.(raw);
        },
        cloud,
        undefined,
        undefined,
        DEV_STACK_FILE,
    );
}

describe("EC2 Instance Connect (roster backend)", () => {
    let run: Awaited<ReturnType<typeof runRoster>>;
    before(async () => {
        // alice: allowed with an end date; bob: opted out; adam.black: allowed.
        run = await runRoster((raw) => {
            raw.users[0].expires = "2099-12-31";
            raw.users[1].instanceConnect = false;
        });
    });

    it("grants each allowed user one inline policy on their IAM user: their own OS name, this cluster's instances, this endpoint", () => {
        const endpoint = named(run, "hpc-dev-users-instance-connect");
        const endpointArn = String(endpoint.outputs.arn);
        assert.match(endpointArn, new RegExp(`^arn:aws:ec2:${REGION}:${MOCK_ACCOUNT_ID}:instance-connect-endpoint/eice-0[0-9a-f]{16}$`));
        const grants = ofType(run, USER_POLICY).sort((a, b) => (a.name === "hpc-dev-users-alice-instance-connect" ? -1 : b.name === "hpc-dev-users-alice-instance-connect" ? 1 : 0));
        assert.deepEqual(grants.map((grant) => [grant.name, grant.inputs.user, grant.inputs.name]), [
            ["hpc-dev-users-alice-instance-connect", "alice", "hpc-dev-instance-connect"],
            ["hpc-dev-users-adam.black-instance-connect", "adam.black", "hpc-dev-instance-connect"],
        ]);
        assert.deepEqual(JSON.parse(String(grants[0].inputs.policy)), {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "PushKeyToThisClusterAsOwnUser",
                    Effect: "Allow",
                    Action: "ec2-instance-connect:SendSSHPublicKey",
                    Resource: `arn:aws:ec2:${REGION}:*:instance/*`,
                    Condition: {
                        StringEquals: { "aws:ResourceTag/parallelcluster:cluster-name": "hpc-dev", "ec2:osuser": "alice" },
                        DateLessThan: { "aws:CurrentTime": "2099-12-31T00:00:00Z" },
                    },
                },
                {
                    Sid: "FindTheInstance",
                    Effect: "Allow",
                    Action: ["ec2:DescribeInstances", "ec2:DescribeInstanceConnectEndpoints"],
                    Resource: "*",
                    Condition: { DateLessThan: { "aws:CurrentTime": "2099-12-31T00:00:00Z" } },
                },
                {
                    Sid: "TunnelThroughThisEndpointToSsh",
                    Effect: "Allow",
                    Action: "ec2-instance-connect:OpenTunnel",
                    Resource: endpointArn,
                    Condition: {
                        NumericEquals: { "ec2-instance-connect:remotePort": "22" },
                        NumericLessThanEquals: { "ec2-instance-connect:maxTunnelDuration": "3600" },
                        DateLessThan: { "aws:CurrentTime": "2099-12-31T00:00:00Z" },
                    },
                },
            ],
        });
        // adam.black has no end date: no time condition at all.
        assert.doesNotMatch(String(grants[1].inputs.policy), /aws:CurrentTime/);
        assert.match(String(grants[1].inputs.policy), /"ec2:osuser":"adamblack"/);
        // The grant on a user this program creates waits for that user.
        assert.ok(grants[0].dependencies.includes(named(run, "hpc-dev-users-alice-iam-user").urn));
    });

    it("puts one endpoint in the VPC, with client IPs preserved and a security group that only opens SSH to the VPC", () => {
        const [endpoint] = ofType(run, ENDPOINT);
        const vpc = run.resources.find((resource) => resource.type === "awsx:ec2:Vpc")!;
        assert.equal(endpoint.inputs.subnetId, (vpc.outputs.publicSubnetIds as string[])[0]);
        assert.equal(endpoint.inputs.preserveClientIp, true);
        const group = named(run, "hpc-dev-users-instance-connect-sg");
        assert.match(String((endpoint.inputs.securityGroupIds as string[])[0]), /^sg-0[0-9a-f]{16}$/);
        assert.equal((endpoint.inputs.securityGroupIds as string[]).length, 1);
        assert.equal(group.inputs.vpcId, vpc.outputs.vpcId);
        assert.deepEqual(group.inputs.egress, [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["10.0.0.0/16"], description: "SSH to the cluster's nodes" }]);
        assert.equal(group.inputs.ingress, undefined);
    });

    it("gives the users it grants their `aws ec2-instance-connect ssh` command beside the ssh line", () => {
        const logins = run.stackOutputs.logins as Record<string, { ssh: string; instanceConnect?: string; note?: string }>;
        const headNode = (run.stackOutputs.cluster as { headNode: { instanceId: string } }).headNode.instanceId;
        const endpointId = String(named(run, "hpc-dev-users-instance-connect").outputs.arn).split("/")[1];
        assert.match(endpointId, /^eice-0[0-9a-f]{16}$/);
        assert.deepEqual(logins.alice.instanceConnect, `aws ec2-instance-connect ssh --region ${REGION} --instance-id ${headNode} --os-user alice --connection-type eice --eice-options endpointId=${endpointId}`);
        assert.equal(logins.bob.instanceConnect, undefined);
        assert.equal(logins.bob.note, undefined);
        assert.match(logins.bob.ssh, /^ssh bob@/);
        // alice was created by the program: no access key, so the note says how she gets one.
        assert.equal(
            logins.alice.note,
            "Needs AWS credentials of IAM user alice, who was created without any: an administrator gives them an access key (aws iam create-access-key --user-name alice) for their own AWS CLI profile.",
        );
        assert.match(logins["adam.black"].instanceConnect ?? "", / --os-user adamblack /);
        const rows = run.stackOutputs.users as { iamUser: string; instanceConnect: boolean }[];
        assert.deepEqual(rows.map((row) => [row.iamUser, row.instanceConnect]), [["alice", true], ["bob", false], ["adam.black", true]]);
    });

    it("warns at plan time for each user it creates (no password, no access key) and grants Instance Connect, and for no other", () => {
        const warnings = run.diagnostics.filter((diagnostic) => diagnostic.severity === "warning" && diagnostic.message.includes("Instance Connect")).map((diagnostic) => diagnostic.message);
        assert.deepEqual(warnings, ["alice", "adam.black"].map((name) =>
            `users: ${name} is created by this program (create: true) with no console password and no access key, yet gets EC2 Instance Connect. ` +
            `Needs AWS credentials of IAM user ${name}, who was created without any: an administrator gives them an access key (aws iam create-access-key --user-name ${name}) for their own AWS CLI profile. ` +
            "Or leave instanceConnect off for them."));
    });

    it("grants nothing to blocked, revoked or expired users, and nothing at all while roster.instanceConnect is off", async () => {
        const previousRoster = {
            allocation: { users: { alice: { uid: 2001, name: "alice" }, bob: { uid: 2002, name: "bob" }, "adam.black": { uid: 2003, name: "adamblack" } }, groups: { cfd: 2004, genomics: 2005 }, retiredUsers: {}, retiredGroups: {}, retiredNumbers: [] },
            users: [],
        };
        const denied = await runRoster(
            (raw) => {
                raw.users[0].access = "blocked";
                raw.users[1].access = "revoked";
                raw.users[1].groups = [];
                raw.users[2].expires = "2020-01-01";
            },
            { previousRoster },
        );
        assert.deepEqual(ofType(denied, USER_POLICY), []);
        assert.equal(ofType(denied, ENDPOINT).length, 1);
        assert.deepEqual(denied.stackOutputs.logins, {});
        const off = await runDev(undefined, {}, undefined, undefined, DEV_STACK_FILE);
        assert.deepEqual([...ofType(off, USER_POLICY), ...ofType(off, ENDPOINT)], []);
        assert.deepEqual(Object.values(off.stackOutputs.logins as Record<string, object>).map((login) => Object.keys(login)), [["host", "user", "ssh"], ["host", "user", "ssh"], ["host", "user", "ssh"]]);
    });

    it("writes the command without the endpoint when there is none", () => {
        assert.equal(instanceConnectCommand({ region: "us-east-1", instanceId: "i-0abc", osUser: "alice" }), "aws ec2-instance-connect ssh --region us-east-1 --instance-id i-0abc --os-user alice");
    });

    describe("against moto's IAM", () => {
        let moto: Moto;
        let home: string;
        before(async () => {
            moto = await Moto.start(REGION);
            home = mkdtempSync(path.join(tmpdir(), "pca-iam-"));
        });
        after(async () => {
            await moto.close();
            rmSync(home, { recursive: true, force: true });
        });
        const aws = (...args: string[]) => runOk(REAL_AWS_CLI, ["--endpoint-url", moto.url, "--region", REGION, "--output", "json", ...args], dummyAwsEnv(home));

        it("stores alice's grant on her user exactly as planned, and refuses a malformed one", async () => {
            const grant = named(run, "hpc-dev-users-alice-instance-connect");
            const document = String(grant.inputs.policy);
            await aws("iam", "create-user", "--user-name", "alice");
            await aws("iam", "put-user-policy", "--user-name", "alice", "--policy-name", String(grant.inputs.name), "--policy-document", document);
            const stored = JSON.parse(await aws("iam", "get-user-policy", "--user-name", "alice", "--policy-name", "hpc-dev-instance-connect"));
            assert.deepEqual(stored.PolicyDocument, JSON.parse(document));
            assert.deepEqual(JSON.parse(await aws("iam", "list-user-policies", "--user-name", "alice")).PolicyNames, ["hpc-dev-instance-connect"]);
            // moto checks the grammar (an operator IAM does not know is a MalformedPolicyDocument), as IAM does.
            const broken = document.replace("StringEquals", "StringEqualz");
            await assert.rejects(aws("iam", "put-user-policy", "--user-name", "alice", "--policy-name", "broken", "--policy-document", broken), /MalformedPolicyDocument/);
        });

        it("allows alice's own OS name on this cluster's instances, through this endpoint to port 22 for an hour, until her date; nothing else", async () => {
            const stored = JSON.parse(await aws("iam", "get-user-policy", "--user-name", "alice", "--policy-name", "hpc-dev-instance-connect")).PolicyDocument;
            const endpointArn = String(named(run, "hpc-dev-users-instance-connect").outputs.arn);
            const instance = `arn:aws:ec2:${REGION}:${MOCK_ACCOUNT_ID}:instance/i-0123456789abcdef0`;
            const now = { "aws:CurrentTime": new Date().toISOString() };
            const push = (context: Record<string, string>, resource = instance): IamRequest => ({ action: "ec2-instance-connect:SendSSHPublicKey", resource, context: { ...now, ...context } });
            const tunnel = (context: Record<string, string>, resource = endpointArn): IamRequest => ({ action: "ec2-instance-connect:OpenTunnel", resource, context: { ...now, ...context } });
            const own = { "aws:ResourceTag/parallelcluster:cluster-name": "hpc-dev", "ec2:osuser": "alice" };
            const verdicts = {
                ownUserThisCluster: allows(stored, push(own)),
                otherUser: allows(stored, push({ ...own, "ec2:osuser": "bob" })),
                root: allows(stored, push({ ...own, "ec2:osuser": "root" })),
                defaultUser: allows(stored, push({ ...own, "ec2:osuser": "ec2-user" })),
                otherCluster: allows(stored, push({ ...own, "aws:ResourceTag/parallelcluster:cluster-name": "hpc-prod" })),
                untaggedInstance: allows(stored, push({ "ec2:osuser": "alice" })),
                otherRegion: allows(stored, push(own, instance.replace(REGION, "us-east-1"))),
                afterHerDate: allows(stored, push({ ...own, "aws:CurrentTime": "2099-12-31T00:00:00Z" })),
                describe: allows(stored, { action: "ec2:DescribeInstances", resource: "*", context: now }),
                tunnelSshHour: allows(stored, tunnel({ "ec2-instance-connect:remotePort": "22", "ec2-instance-connect:maxTunnelDuration": "3600" })),
                tunnelLonger: allows(stored, tunnel({ "ec2-instance-connect:remotePort": "22", "ec2-instance-connect:maxTunnelDuration": "3601" })),
                tunnelRdp: allows(stored, tunnel({ "ec2-instance-connect:remotePort": "3389", "ec2-instance-connect:maxTunnelDuration": "3600" })),
                tunnelOtherEndpoint: allows(stored, tunnel({ "ec2-instance-connect:remotePort": "22", "ec2-instance-connect:maxTunnelDuration": "60" }, endpointArn.replace(/eice-0[0-9a-f]+$/, "eice-0ffffffffffffffff"))),
                sendSerialConsoleKey: allows(stored, { action: "ec2-instance-connect:SendSerialConsoleSSHPublicKey", resource: instance, context: { ...now, ...own } }),
            };
            assert.deepEqual(verdicts, {
                ownUserThisCluster: true,
                otherUser: false,
                root: false,
                defaultUser: false,
                otherCluster: false,
                untaggedInstance: false,
                otherRegion: false,
                afterHerDate: false,
                describe: true,
                tunnelSshHour: true,
                tunnelLonger: false,
                tunnelRdp: false,
                tunnelOtherEndpoint: false,
                sendSerialConsoleKey: false,
            });
        });

        it("a grant without an endpoint has no tunnel statement", () => {
            const document = instanceConnectPolicy({ region: REGION, clusterName: "hpc-dev", osUser: "alice" });
            assert.deepEqual(document.Statement.map((statement) => statement.Sid), ["PushKeyToThisClusterAsOwnUser", "FindTheInstance"]);
        });
    });
});
