/**
 * Where every config rule puts what it finds, with the key path and the fix: a problem stops the plan
 * (nothing is created), a warning is printed and the plan goes on. One sink for every rule file, so a
 * rule never chooses which list it writes to by the argument it happens to be handed.
 */
export type Report = (path: string, message: string) => void;

export interface ProblemSink {
    /** Something ParallelCluster or AWS would refuse, or that would leave users without access. */
    readonly report: Report;
    /** Something that deserves attention but does not stop the plan. */
    readonly warn: Report;
}
