/** The few statistics the bench reports. */

/** The middle value (the mean of the two middle values for an even count); throws on an empty list. */
export function median(values: readonly number[]): number {
    if (values.length === 0) {
        throw new RangeError("median of no values");
    }
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** `value / base`; throws when base is not a positive number, since the ratio would mean nothing. */
export function ratio(value: number, base: number): number {
    if (!(base > 0)) {
        throw new RangeError(`ratio to a base of ${base}`);
    }
    return value / base;
}

/** Median, smallest and largest of a series of runs. */
export interface Spread {
    readonly median: number;
    readonly min: number;
    readonly max: number;
}

export function spread(values: readonly number[]): Spread {
    return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}
