/**
 * Reads the stack config through Pulumi and validates it before any resource is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import type { EnvironmentConfig, ConfigProblem, PoolConfig } from "./model";
import { configKeyProblems } from "./configKeys";
import { formatProblems, parseEnvironmentConfig, parsePoolStackConfig } from "./parse";
import { labelUsers } from "./userLabels";

/** Thrown when the stack config is invalid; carries every problem found. */
export class ConfigError extends pulumi.RunError {
    /** `problems` keep their bare paths; the message names each user entry's IAM user too (`users[1] (bob)`), read from `users`, the raw list. */
    constructor(
        readonly problems: readonly ConfigProblem[],
        users?: unknown,
    ) {
        super(
            `The stack config is invalid (${problems.length} problem${problems.length === 1 ? "" : "s"}); nothing was created.\n` +
                formatProblems(labelUsers(problems, users)),
        );
        this.name = "ConfigError";
    }
}

/** What a stack is: an environment (a cluster, with its users or subscribed to a pool), or a pool of users. */
export type StackConfig = { readonly kind: "environment"; readonly config: EnvironmentConfig } | { readonly kind: "pool"; readonly config: PoolConfig };

/** Validated config of the current stack: a pool stack when it sets pcluster-access:pool and no cluster. */
export function loadStackConfig(): StackConfig {
    const config = new pulumi.Config();
    if (config.get("pool") !== undefined && config.get("cluster") === undefined) {
        return { kind: "pool", config: loadPoolConfig() };
    }
    return { kind: "environment", config: loadEnvironmentConfig() };
}

function readInput(problems: ConfigProblem[]) {
    const config = new pulumi.Config();
    const readObject = (key: string): unknown => {
        try {
            return config.getObject<unknown>(key);
        } catch {
            problems.push({ path: key, message: "is not valid YAML/JSON structure. Write it as a YAML mapping or list in Pulumi.<stack>.yaml." });
            return undefined;
        }
    };
    return {
        region: new pulumi.Config("aws").get("region"),
        cluster: readObject("cluster"),
        network: readObject("network"),
        access: readObject("access"),
        opsworks: readObject("opsworks"),
        ci: readObject("ci"),
        roster: readObject("roster"),
        pcs: readObject("pcs"),
        users: readObject("users"),
        pool: readObject("pool"),
    };
}

/** A pool stack's validated config, or a ConfigError. */
export function loadPoolConfig(): PoolConfig {
    return validated(parsePoolStackConfig);
}

/** Validated config of the current stack, or a ConfigError (a RunError: Pulumi prints it without a stack trace). */
export function loadEnvironmentConfig(): EnvironmentConfig {
    return validated(parseEnvironmentConfig);
}

/** The stack's config read, its keys checked and parsed by `parse`: every problem together, or its warnings logged. */
function validated<T>(parse: (input: ReturnType<typeof readInput>) => { ok: true; config: T; warnings: readonly ConfigProblem[] } | { ok: false; problems: readonly ConfigProblem[] }): T {
    const problems: ConfigProblem[] = [];
    const input = readInput(problems);
    problems.push(...configKeyProblems(Object.keys(pulumi.runtime.allConfig())));
    const result = parse(input);
    if (!result.ok || problems.length > 0) {
        throw new ConfigError([...problems, ...(result.ok ? [] : result.problems)], input.users);
    }
    for (const warning of labelUsers(result.warnings, input.users)) {
        void pulumi.log.warn(`${warning.path}: ${warning.message}`);
    }
    return result.config;
}
