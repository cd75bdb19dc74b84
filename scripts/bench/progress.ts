/** Progress lines on stderr, so stdout carries only the tables. */

const started = Date.now();

/** Writes "[bench +12.3 s] message" to stderr. */
export function progress(message: string): void {
    process.stderr.write(`[bench +${((Date.now() - started) / 1000).toFixed(1)} s] ${message}\n`);
}
