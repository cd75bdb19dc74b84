/**
 * The real program (index.ts) with the active variant's edits applied to the inputs of matching
 * resources as they are constructed, before the engine (here, the mock monitor) sees them.
 */
import * as pulumi from "@pulumi/pulumi";
import { PROGRAM_PATH } from "../../../scripts/offline/runProgram";
import { activeVariant } from "../support/variants";

const edits = activeVariant().edits ?? [];
pulumi.runtime.registerStackTransformation((args) => {
    const matching = edits.filter((edit) => edit.type === args.type && (edit.nameSuffix === undefined || args.name.endsWith(edit.nameSuffix)));
    if (matching.length === 0) {
        return undefined;
    }
    return {
        props: matching.reduce((props, edit) => edit.edit(props), args.props),
        opts: matching.reduce((opts, edit) => edit.options?.(opts) ?? opts, args.opts),
    };
});

// runProgram loads this module afresh; index.ts must be too, so that it registers its resources in this run.
delete require.cache[require.resolve(PROGRAM_PATH)];
// eslint-disable-next-line @typescript-eslint/no-require-imports -- loading the program is what registers its resources
Object.assign(module.exports, require(PROGRAM_PATH) as Record<string, unknown>);
