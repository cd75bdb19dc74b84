/**
 * Endpoints for the script tests: one that answers every request with HTTP 500, a relay that can fail
 * the nth request and counts requests in flight, and a loopback port with nothing listening.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from "node:http";
import { AddressInfo } from "node:net";

const EC2_500 =
    '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>InternalError</Code>' +
    "<Message>An internal error has occurred</Message></Error></Errors><RequestID>stub</RequestID></Response>";

/** A loopback HTTP server; `close()` also drops kept-alive connections. */
export interface StubEndpoint {
    readonly url: string;
    /** Requests received so far. */
    readonly requests: number;
    close(): Promise<void>;
}

async function listen(handler: (request: IncomingMessage, response: ServerResponse, n: number) => void): Promise<StubEndpoint> {
    let requests = 0;
    const server: Server = createServer((request, response) => handler(request, response, ++requests));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
        url: `http://127.0.0.1:${port}`,
        get requests() {
            return requests;
        },
        close: () =>
            new Promise<void>((resolve, reject) => {
                server.close((error) => (error ? reject(error) : resolve()));
                server.closeAllConnections();
            }),
    };
}

function fail500(request: IncomingMessage, response: ServerResponse): void {
    request.resume();
    request.on("end", () => {
        response.writeHead(500, { "Content-Type": "text/xml" });
        response.end(EC2_500);
    });
}

/** Answers every request with EC2's InternalError, HTTP 500. */
export function failingEndpoint(): Promise<StubEndpoint> {
    return listen((request, response) => fail500(request, response));
}

/** Relays requests to `target` (moto) except the `failAt`th, which gets HTTP 500. */
export function relayFailingNth(target: string, failAt: number): Promise<StubEndpoint> {
    return relay(target, { failAt });
}

/** A relay that also tells how many requests it held at once. */
export interface MeteredEndpoint extends StubEndpoint {
    readonly maxInFlight: number;
}

/**
 * Relays requests to `target`, holding each `holdMs` first so calls made together overlap here, and
 * counts the most requests in flight at once (how parallel the client really was).
 */
export async function relay(target: string, options: { failAt?: number; holdMs?: number } = {}): Promise<MeteredEndpoint> {
    let inFlight = 0;
    let maxInFlight = 0;
    const endpoint = await listen((request, response, n) => {
        if (n === options.failAt) {
            fail500(request, response);
            return;
        }
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        response.on("close", () => inFlight--);
        const chunks: Buffer[] = [];
        request.on("data", (chunk: Buffer) => chunks.push(chunk));
        request.on("end", async () => {
            await new Promise((resolve) => setTimeout(resolve, options.holdMs ?? 0));
            const headers = new Headers();
            for (const [name, value] of Object.entries(request.headers)) {
                if (typeof value === "string" && name !== "host" && name !== "content-length") headers.set(name, value);
            }
            fetch(`${target}${request.url ?? "/"}`, { method: request.method, headers, body: Buffer.concat(chunks) })
                .then(async (answer) => {
                    response.writeHead(answer.status, { "Content-Type": answer.headers.get("content-type") ?? "text/xml" });
                    response.end(Buffer.from(await answer.arrayBuffer()));
                })
                .catch((error: unknown) => {
                    response.writeHead(502);
                    response.end(String(error));
                });
        });
    });
    return Object.defineProperty(endpoint, "maxInFlight", { get: () => maxInFlight }) as MeteredEndpoint;
}

/** A loopback URL with nothing listening: the port is taken, then released. */
export async function unreachableUrl(): Promise<string> {
    const stub = await listen((_request, response) => response.end());
    await stub.close();
    return stub.url;
}
