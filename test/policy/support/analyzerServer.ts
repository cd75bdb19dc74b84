/**
 * The policy pack served the way `pulumi preview --policy-pack policy` serves it: @pulumi/pulumi's
 * run-policy-pack started in policy/ (ts-node with type checking and policy/tsconfig.json), which builds
 * the PolicyPack from policy/index.ts and prints the port of @pulumi/policy's analyzer server. The test
 * then plays the engine: it configures the pack and sends Analyze and AnalyzeStack requests over gRPC.
 */
import * as grpc from "@grpc/grpc-js";
import * as analyzerProto from "@pulumi/pulumi/proto/analyzer_pb";
import * as analyzerRpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { PolicyViolation } from "../../../scripts/offline/policyGate";
import { toPolicyValues, type ResolvedPolicyConfig } from "../../../scripts/offline/policyHarness";
import type { RegisteredResource } from "../../../scripts/offline/runProgram";
import { REPO_ROOT } from "../../support/devConfig";

const LEVELS: Record<number, PolicyViolation["enforcementLevel"]> = {
    [analyzerProto.EnforcementLevel.ADVISORY]: "advisory",
    [analyzerProto.EnforcementLevel.MANDATORY]: "mandatory",
    [analyzerProto.EnforcementLevel.DISABLED]: "disabled",
    [analyzerProto.EnforcementLevel.REMEDIATE]: "remediate",
};

/** What GetAnalyzerInfo says about each policy. */
export interface ServedPolicy {
    readonly name: string;
    readonly enforcementLevel: PolicyViolation["enforcementLevel"];
    readonly configSchema: Record<string, unknown>;
}

/** A diagnostic as the engine receives it (the message is the description, a line break, then the policy's message). */
export interface Diagnostic extends PolicyViolation {
    readonly description: string;
}

export class AnalyzerServer {
    private constructor(
        private readonly child: ChildProcess,
        private readonly client: analyzerRpc.AnalyzerClient,
    ) {}

    /**
     * Starts the pack; resolves once it listens. `stackConfig`: the stack's config as the engine hands it to
     * an analyzer plugin (PULUMI_CONFIG, `namespace:key` to a string); none by default, as for
     * `pulumi policy publish`.
     */
    static async start(stackConfig?: Readonly<Record<string, string>>): Promise<AnalyzerServer> {
        const runner = path.join(REPO_ROOT, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack");
        const env = { ...process.env };
        delete env.PULUMI_CONFIG;
        if (stackConfig !== undefined) {
            env.PULUMI_CONFIG = JSON.stringify(stackConfig);
        }
        const child = spawn(process.execPath, [runner, "unused-engine-address", "."], { cwd: path.join(REPO_ROOT, "policy"), env, stdio: ["ignore", "pipe", "pipe"] });
        let stderr = "";
        child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        const port = await new Promise<string>((resolve, reject) => {
            let stdout = "";
            child.stdout?.on("data", (chunk: Buffer) => {
                stdout += chunk.toString();
                const line = /^(\d+)\n/.exec(stdout);
                if (line) {
                    resolve(line[1]);
                }
            });
            child.on("exit", (code) => reject(new Error(`the policy pack exited (${code}) before listening: ${stdout}${stderr}`)));
        });
        return new AnalyzerServer(child, new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure()));
    }

    async info(): Promise<{ name: string; version: string; policies: ServedPolicy[] }> {
        const info = await this.call<Empty, analyzerProto.AnalyzerInfo>((request, done) => this.client.getAnalyzerInfo(request, done), new Empty());
        return {
            name: info.getName(),
            version: info.getVersion(),
            policies: info.getPoliciesList().map((policy) => ({
                name: policy.getName(),
                enforcementLevel: LEVELS[policy.getEnforcementlevel()],
                configSchema: policy.getConfigschema()?.getProperties()?.toJavaScript() ?? {},
            })),
        };
    }

    /** Configure, as the CLI does after reconciling the policy config: every policy's level and properties. */
    async configure(config: ReadonlyMap<string, ResolvedPolicyConfig>): Promise<void> {
        const request = new analyzerProto.ConfigureAnalyzerRequest();
        const levels = Object.fromEntries(Object.entries(LEVELS).map(([value, name]) => [name, Number(value)]));
        for (const [name, settings] of config) {
            const policy = new analyzerProto.PolicyConfig();
            policy.setEnforcementlevel(levels[settings.enforcementLevel]);
            policy.setProperties(Struct.fromJavaScript(settings.properties as Record<string, never>));
            request.getPolicyconfigMap().set(name, policy);
        }
        await this.call<analyzerProto.ConfigureAnalyzerRequest, Empty>((message, done) => this.client.configure(message, done), request);
    }

    /** Analyze for one resource's inputs; diagnostics without a URN are the resource's, as the engine records them. */
    async analyze(resource: RegisteredResource): Promise<Diagnostic[]> {
        const request = new analyzerProto.AnalyzeRequest();
        request.setType(resource.type);
        request.setName(resource.name);
        request.setUrn(resource.urn);
        request.setProperties(struct(resource.inputs));
        request.setOptions(options(resource));
        const response = await this.call<analyzerProto.AnalyzeRequest, analyzerProto.AnalyzeResponse>((message, done) => this.client.analyze(message, done), request);
        return diagnostics(response, resource.urn);
    }

    /** AnalyzeStack over every resource's outputs, parents and dependencies. */
    async analyzeStack(resources: readonly RegisteredResource[]): Promise<Diagnostic[]> {
        const request = new analyzerProto.AnalyzeStackRequest();
        request.setResourcesList(
            resources.map((resource) => {
                const message = new analyzerProto.AnalyzerResource();
                message.setType(resource.type);
                message.setName(resource.name);
                message.setUrn(resource.urn);
                message.setProperties(struct(resource.outputs));
                message.setOptions(options(resource));
                message.setParent(resource.parent ?? "");
                message.setDependenciesList([...resource.dependencies]);
                return message;
            }),
        );
        const response = await this.call<analyzerProto.AnalyzeStackRequest, analyzerProto.AnalyzeResponse>(
            (message, done) => this.client.analyzeStack(message, done),
            request,
        );
        return diagnostics(response, undefined);
    }

    /** Closes the connection and ends the process this test started. */
    stop(): void {
        this.client.close();
        this.child.kill();
    }

    private call<Request, Response>(send: (request: Request, done: (error: grpc.ServiceError | null, response: Response) => void) => void, request: Request): Promise<Response> {
        return new Promise((resolve, reject) => send(request, (error, response) => (error ? reject(error) : resolve(response))));
    }
}

/** Properties as the engine sends them: JSON values with unknowns as the unknown sentinel. */
function struct(values: Record<string, unknown>): Struct {
    return Struct.fromJavaScript(JSON.parse(JSON.stringify(toPolicyValues(values))) as Record<string, never>);
}

function options(resource: RegisteredResource): analyzerProto.AnalyzerResourceOptions {
    const options = new analyzerProto.AnalyzerResourceOptions();
    options.setParent(resource.parent ?? "");
    // The engine sends the options a policy can read: required-signing-key-retention reads protect.
    options.setProtect(resource.options.protect);
    options.setIgnorechangesList([...resource.options.ignoreChanges]);
    return options;
}

function diagnostics(response: analyzerProto.AnalyzeResponse, resourceUrn: string | undefined): Diagnostic[] {
    return response.getDiagnosticsList().map((diagnostic) => {
        const urn = diagnostic.getUrn() || resourceUrn;
        return {
            policyName: diagnostic.getPolicyname(),
            enforcementLevel: LEVELS[diagnostic.getEnforcementlevel()],
            description: diagnostic.getDescription(),
            message: diagnostic.getMessage(),
            ...(urn ? { urn } : {}),
        };
    });
}
