/** The roster's clock: end dates are days, and a day ends at 00:00 UTC. */

/** Today in UTC, YYYY-MM-DD: a date on or before it has passed (access ends at 00:00 UTC that day). */
export function todayUtc(now: number = Date.now()): string {
    return new Date(now).toISOString().slice(0, 10);
}
