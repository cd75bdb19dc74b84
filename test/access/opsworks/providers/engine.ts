/**
 * A stand-in for what the Pulumi engine does with one dynamic resource across runs, so provider tests
 * read as `pulumi up` / `pulumi refresh` / removal from the program. It follows the engine's steps:
 * check(old inputs, new inputs), then create, or diff(id, old outputs, new inputs) followed by update
 * or create-then-delete replacement; refresh calls read and drops the resource when the id comes back
 * empty; a failed step keeps the previous state.
 */
import * as pulumi from "@pulumi/pulumi";

export interface ResourceState<O> {
    readonly id: string;
    readonly inputs: unknown;
    readonly outputs: O;
}

export class EngineResource<I, O> {
    state?: ResourceState<O>;

    constructor(private readonly provider: pulumi.dynamic.ResourceProvider<I, O>) {}

    /** Checked inputs, or an Error listing the failures as the CLI would ("property: reason"). */
    async check(news: I): Promise<I> {
        const result = await this.provider.check!((this.state?.inputs ?? {}) as I, news);
        const failures = result.failures ?? [];
        if (failures.length > 0) {
            throw new Error(failures.map((failure) => `${failure.property}: ${failure.reason}`).join("\n"));
        }
        return result.inputs ?? news;
    }

    /** `pulumi up` for this resource; returns what the engine decided. */
    async up(news: I): Promise<"created" | "updated" | "replaced" | "same"> {
        const inputs = await this.check(news);
        const previous = this.state;
        if (!previous) {
            const created = await this.provider.create(inputs);
            this.state = { id: created.id, inputs, outputs: created.outs as O };
            return "created";
        }
        const diff = await this.provider.diff!(previous.id, previous.outputs, inputs);
        if (diff.replaces && diff.replaces.length > 0) {
            const created = await this.provider.create(inputs);
            await this.provider.delete!(previous.id, previous.outputs);
            this.state = { id: created.id, inputs, outputs: created.outs as O };
            return "replaced";
        }
        if (diff.changes) {
            const updated = await this.provider.update!(previous.id, previous.outputs, inputs);
            this.state = { id: previous.id, inputs, outputs: updated.outs as O };
            return "updated";
        }
        this.state = { ...previous, inputs };
        return "same";
    }

    /** `pulumi refresh` for this resource. */
    async refresh(): Promise<"gone" | "read"> {
        const previous = this.state!;
        const result = await this.provider.read!(previous.id, previous.outputs);
        if (!result.id) {
            this.state = undefined;
            return "gone";
        }
        this.state = { id: result.id, inputs: previous.inputs, outputs: result.props as O };
        return "read";
    }

    /** The resource left the program: the engine deletes it, and keeps it in state if that fails. */
    async remove(): Promise<void> {
        const previous = this.state!;
        await this.provider.delete!(previous.id, previous.outputs);
        this.state = undefined;
    }

    get outputs(): O {
        return this.state!.outputs;
    }
}
