/**
 * A loopback stand-in for the instance metadata service (IMDSv2) that the agent asks for the cluster's
 * network: a token from `PUT /latest/api/token`, then `mac` and the VPC's CIDR blocks of that interface
 * (docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-categories.html), and, once given an
 * `identity`, the partition and the instance identity document the status record's key is built from
 * (instance-identity-documents.html: pretty-printed JSON), each GET refused without the token, as IMDSv2
 * requires. `down` makes every request fail (IMDS not answering).
 */
import { createServer, Server } from "node:http";

const TOKEN = "AQAEAFakeImdsToken==";

export class FakeImds {
    /** The VPC's IPv4 CIDR blocks it answers; change them between cycles. */
    ipv4: string[];
    /** The VPC's IPv6 CIDR blocks; none answers 404, as for a VPC without IPv6. */
    ipv6: string[] = [];
    /** Answers 500 to everything while true. */
    down = false;
    /** The instance this IMDS belongs to; unset: the identity paths answer 404. */
    identity?: { readonly instanceId: string; readonly accountId: string; readonly region: string; readonly partition?: string };
    readonly requests: string[] = [];

    private constructor(private readonly server: Server, readonly url: string, readonly mac: string, ipv4: string[]) {
        this.ipv4 = ipv4;
    }

    static async start(ipv4: string[], mac = "0e:3c:1a:22:7b:01"): Promise<FakeImds> {
        // The handler needs the instance, which needs the server's address: a holder filled once it listens.
        const holder: { imds?: FakeImds } = {};
        const server = createServer((req, res) => {
            const self = holder.imds!;
            self.requests.push(`${req.method} ${req.url}`);
            const send = (status: number, body = ""): void => {
                res.writeHead(status, { "Content-Type": "text/plain" });
                res.end(body);
            };
            if (self.down) return send(500);
            if (req.method === "PUT" && req.url === "/latest/api/token") {
                return req.headers["x-aws-ec2-metadata-token-ttl-seconds"] ? send(200, TOKEN) : send(400);
            }
            if (req.method !== "GET") return send(405);
            if (req.headers["x-aws-ec2-metadata-token"] !== TOKEN) return send(401);
            const prefix = `/latest/meta-data/network/interfaces/macs/${self.mac}/`;
            if (req.url === "/latest/meta-data/mac") return send(200, self.mac);
            const identity = self.identity;
            if (identity && req.url === "/latest/meta-data/services/partition") return send(200, identity.partition ?? "aws");
            if (identity && req.url === "/latest/dynamic/instance-identity/document") {
                const document = { accountId: identity.accountId, architecture: "x86_64", availabilityZone: `${identity.region}a`, imageId: "ami-0abcdef1234567890",
                    instanceId: identity.instanceId, instanceType: "c6i.large", pendingTime: "2026-12-07T04:00:00Z", privateIp: "10.0.0.12", region: identity.region, version: "2017-09-30" };
                return send(200, JSON.stringify(document, null, 2).replace(/": /g, '" : '));
            }
            if (req.url === `${prefix}vpc-ipv4-cidr-blocks`) return send(200, self.ipv4.join("\n"));
            if (req.url === `${prefix}vpc-ipv6-cidr-blocks`) return self.ipv6.length > 0 ? send(200, self.ipv6.join("\n")) : send(404);
            return send(404);
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const address = server.address();
        if (typeof address !== "object" || !address) throw new Error("fake IMDS has no address");
        holder.imds = new FakeImds(server, `http://127.0.0.1:${address.port}`, mac, ipv4);
        return holder.imds;
    }

    close(): Promise<void> {
        return new Promise((resolve) => {
            this.server.closeAllConnections();
            this.server.close(() => resolve());
        });
    }
}
