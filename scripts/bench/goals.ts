/** The bench's goals: each row states what it aims for, and the summary says met or not met. */
import type { RowName } from "./args";

export interface Goal {
    readonly row: RowName;
    /** What is aimed for, e.g. "1,000 users plan within 3x of 10 users". */
    readonly goal: string;
    /** The measured figure the verdict rests on. */
    readonly measured: string;
    readonly met: boolean;
}

/** One summary line, e.g. "goal met      plan: ... (measured 2.10x)". */
export function formatGoal(goal: Goal): string {
    return `${goal.met ? "goal met    " : "goal NOT met"}  ${goal.row}: ${goal.goal} (measured ${goal.measured})`;
}
