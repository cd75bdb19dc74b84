/**
 * The real program (index.ts) with the active variant's edits applied to the inputs of matching
 * resources as they are constructed, before the engine (here, the mock monitor) sees them.
 */
import * as pulumi from "@pulumi/pulumi";
import { activeVariant, loadFresh } from "../support/variants";

const edits = activeVariant().edits ?? [];
pulumi.runtime.registerStackTransformation((args) => {
    const matching = edits.filter((edit) => edit.type === args.type && (edit.nameSuffix === undefined || args.name.endsWith(edit.nameSuffix)));
    if (matching.length === 0) {
        return undefined;
    }
    return { props: matching.reduce((props, edit) => edit.edit(props), args.props), opts: args.opts };
});

Object.assign(module.exports, loadFresh());
