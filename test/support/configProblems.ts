/**
 * Config tests' two helpers: a stack file's config with one change applied, and the problems of a config
 * that must be refused, one `path: message` line each.
 */
import * as assert from "node:assert/strict";
import { formatProblems, parseEnvironmentConfig, type RawConfigInput } from "../../components/config";
import { devRawConfig } from "./devConfig";

export type RawConfig = ReturnType<typeof devRawConfig>;

/** A stack file's config (the article's by default) with one change applied. */
export function configWith(change: (raw: RawConfig) => void, stackFile?: string): RawConfigInput {
    const raw = devRawConfig(stackFile);
    change(raw);
    return raw;
}

export function problems(raw: RawConfigInput): string[] {
    const result = parseEnvironmentConfig(raw);
    assert.equal(result.ok, false, "expected the config to be refused");
    return formatProblems((result as { problems: readonly { path: string; message: string }[] }).problems).split("\n");
}
