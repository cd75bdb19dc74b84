/**
 * A dynamic provider as it runs from Pulumi state: serialized as the SDK does, and loaded the way the
 * dynamic-provider host does (it `require`s the text from the project directory and calls its handler).
 */
import { createRequire } from "node:module";
import * as path from "node:path";
import { runInThisContext } from "node:vm";
import * as pulumi from "@pulumi/pulumi";

export type AnyProvider = pulumi.dynamic.ResourceProvider;

/** Loads serialized provider text the way the dynamic-provider host does: a CommonJS module resolved from the project. */
function load(text: string, exportName: string): AnyProvider {
    const module = { exports: {} as Record<string, () => AnyProvider> };
    const filename = path.join(process.cwd(), "__serialized_provider__.js");
    const wrapper = runInThisContext(`(function (exports, require, module, __filename, __dirname) {\n${text}\n})`) as (
        ...args: unknown[]
    ) => void;
    wrapper(module.exports, createRequire(filename), module, filename, process.cwd());
    return module.exports[exportName]();
}

export async function roundTrip(provider: AnyProvider): Promise<{ text: string; loaded: AnyProvider }> {
    const serialized = await pulumi.runtime.serializeFunction(() => provider);
    return { text: serialized.text, loaded: load(serialized.text, serialized.exportName) };
}
