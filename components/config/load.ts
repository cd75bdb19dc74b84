/**
 * Reads the stack config through Pulumi and validates it before any resource is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import type { EnvironmentConfig, ConfigProblem } from "./model";
import { configKeyProblems } from "./configKeys";
import { formatProblems, parseEnvironmentConfig } from "./parse";

/** Thrown when the stack config is invalid; carries every problem found. */
export class ConfigError extends pulumi.RunError {
    constructor(readonly problems: readonly ConfigProblem[]) {
        super(
            `The stack config is invalid (${problems.length} problem${problems.length === 1 ? "" : "s"}); nothing was created.\n` +
                formatProblems(problems),
        );
        this.name = "ConfigError";
    }
}

/** Validated config of the current stack, or a ConfigError (a RunError: Pulumi prints it without a stack trace). */
export function loadEnvironmentConfig(): EnvironmentConfig {
    const config = new pulumi.Config();
    const problems: ConfigProblem[] = [];
    const readObject = (key: string): unknown => {
        try {
            return config.getObject<unknown>(key);
        } catch {
            problems.push({ path: key, message: "is not valid YAML/JSON structure. Write it as a YAML mapping or list in Pulumi.<stack>.yaml." });
            return undefined;
        }
    };
    const input = {
        region: new pulumi.Config("aws").get("region"),
        cluster: readObject("cluster"),
        network: readObject("network"),
        access: readObject("access"),
        opsworks: readObject("opsworks"),
        roster: readObject("roster"),
        pcs: readObject("pcs"),
        users: readObject("users"),
    };
    problems.push(...configKeyProblems(Object.keys(pulumi.runtime.allConfig())));
    const result = parseEnvironmentConfig(input);
    if (!result.ok || problems.length > 0) {
        throw new ConfigError([...problems, ...(result.ok ? [] : result.problems)]);
    }
    for (const warning of result.warnings) {
        void pulumi.log.warn(`${warning.path}: ${warning.message}`);
    }
    return result.config;
}
