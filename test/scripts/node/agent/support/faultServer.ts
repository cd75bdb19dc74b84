/**
 * A loopback HTTP server standing in for S3 where moto cannot misbehave on purpose: it answers every
 * request with an S3 error (403 AccessDenied, 500 InternalError) or a 200 whose body stops short of its
 * Content-Length (a connection cut mid-transfer). moto serves the real roster everywhere else.
 */
import { createServer, Server } from "node:http";

export type Fault = "403" | "500" | "cut";

export class FaultServer {
    private constructor(private readonly server: Server, readonly url: string, readonly requests: string[]) {}

    static async start(fault: Fault): Promise<FaultServer> {
        const requests: string[] = [];
        const server = createServer((req, res) => {
            requests.push(`${req.method} ${req.url}`);
            if (fault === "cut") {
                res.writeHead(200, { "Content-Length": "4096", ETag: '"cut"', "Content-Type": "text/plain" });
                res.write("pcluster-access-roster 1\nenvironment hpc-dev\n");
                setTimeout(() => res.socket?.destroy(), 50);
                return;
            }
            const [code, message] = fault === "403" ? ["AccessDenied", "Access Denied"] : ["InternalError", "We encountered an internal error. Please try again."];
            res.writeHead(Number(fault), { "Content-Type": "application/xml" });
            res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`);
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const address = server.address();
        if (typeof address !== "object" || !address) throw new Error("fault server has no address");
        return new FaultServer(server, `http://127.0.0.1:${address.port}`, requests);
    }

    close(): Promise<void> {
        return new Promise((resolve) => {
            this.server.closeAllConnections();
            this.server.close(() => resolve());
        });
    }
}
