// Entry point of the Pulumi program; filled in by the environment component work.
export {};
