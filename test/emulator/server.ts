/**
 * The wire side of the emulator: one JSON 1.1 request in, one answer out, every call logged.
 * Order of checks, as AWS applies them: signature scope, operation, protocol (content type, JSON),
 * injected faults, then the request against the service model, then the operation's own rules.
 */
import { randomUUID } from "node:crypto";
import { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { ApiError, validationError } from "./errors";
import { Faults } from "./faults";
import { handlers } from "./operations";
import { TARGET_PREFIX, validateInput, validationMessage } from "./serviceModel";
import { credentialScope } from "./sigv4";
import { EmulatorSettings, RegionState } from "./state";

const CONTENT_TYPE = "application/x-amz-json-1.1";

/** One request as the emulator saw it. `operation` and `region` are "" when the request never got that far. */
export interface CallRecord {
    readonly operation: string;
    readonly region: string;
    readonly request: unknown;
    readonly status: number;
    readonly errorCode?: string;
}

/** A call while it is being answered: filled in as far as the request gets. */
interface PendingCall {
    operation: string;
    region: string;
    request: unknown;
}

export class EmulatorCore {
    readonly calls: CallRecord[] = [];
    readonly faults = new Faults();
    private regions = new Map<string, RegionState>();

    constructor(readonly settings: EmulatorSettings) {}

    /** State of one regional endpoint, created on first use. */
    region(name: string): RegionState {
        let state = this.regions.get(name);
        if (!state) {
            state = new RegionState();
            this.regions.set(name, state);
        }
        return state;
    }

    resetState(): void {
        this.regions = new Map();
    }

    async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
        const raw = await readBody(request);
        const call: PendingCall = { operation: "", region: "", request: raw };
        try {
            const output = await this.answer(request, raw, call);
            this.send(response, call, 200, output);
        } catch (error) {
            const apiError =
                error instanceof ApiError ? error : new ApiError("InternalFailure", `emulator fault: ${String(error)}`, 500);
            this.send(response, call, apiError.status, { __type: apiError.code, message: apiError.message }, apiError.code);
        }
    }

    private async answer(request: IncomingMessage, raw: string, call: PendingCall): Promise<object> {
        if (request.method !== "POST" || request.url !== "/") {
            throw new ApiError("UnknownOperationException", `${request.method} ${request.url} is not an OpsWorks API request`, 404);
        }
        const { region } = credentialScope(request.headers.authorization);
        call.region = region;
        const target = String(request.headers["x-amz-target"] ?? "");
        const operation = target.startsWith(`${TARGET_PREFIX}.`) ? target.slice(TARGET_PREFIX.length + 1) : "";
        const handler = Object.prototype.hasOwnProperty.call(handlers, operation) ? handlers[operation] : undefined;
        if (!handler) {
            throw new ApiError("UnknownOperationException", `Unknown or unsupported operation: X-Amz-Target '${target}'`);
        }
        call.operation = operation;
        if (request.headers["content-type"] !== CONTENT_TYPE) {
            throw new ApiError("SerializationException", `Content-Type must be ${CONTENT_TYPE}`);
        }
        let input: unknown;
        try {
            input = JSON.parse(raw === "" ? "{}" : raw);
        } catch {
            throw new ApiError("SerializationException", "The request body is not valid JSON");
        }
        call.request = input;

        const fault = this.faults.decide(operation);
        if (fault.delayMs > 0) {
            await sleep(fault.delayMs);
        }
        if (fault.before) {
            throw fault.before;
        }
        const problems = validateInput(operation, input);
        if (problems.length > 0) {
            throw validationError(validationMessage(problems));
        }
        const output = handler({ region, state: this.region(region), settings: this.settings }, input as Record<string, unknown>);
        if (fault.after) {
            throw fault.after;
        }
        return output;
    }

    private send(response: ServerResponse, call: PendingCall, status: number, body: object, errorCode?: string): void {
        this.calls.push({ ...call, status, ...(errorCode !== undefined && { errorCode }) });
        const text = JSON.stringify(body);
        response.writeHead(status, {
            "Content-Type": CONTENT_TYPE,
            "Content-Length": Buffer.byteLength(text),
            "x-amzn-RequestId": randomUUID(),
        });
        response.end(text);
    }
}

async function readBody(request: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) {
        chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString("utf8");
}
