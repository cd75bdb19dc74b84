/**
 * Stand-in for `logger` (syslog), compiled to an executable by `buildStandIns`: records the argv
 * of each call as one JSON line in $FAKE_SYSLOG_LOG, so tests see what reached syslog without
 * touching the machine's.
 */
import { appendFileSync } from "node:fs";

appendFileSync(process.env.FAKE_SYSLOG_LOG ?? "", `${JSON.stringify(process.argv.slice(2))}\n`);
