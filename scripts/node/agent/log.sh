# shellcheck shell=bash
# Part of the node agent (roster-agent.sh sources every part, then runs one mode): the log, and run: the one way a command that changes the node is run, so that every change is logged and a failure is remembered.
# The parts share their tables and settings, so the checks for variables set or read in another part are off.
# shellcheck disable=SC2034,SC2154

# log MESSAGE: one UTC-stamped line to the log file and stderr (printf's clock: no fork per line).
log() {
    local line
    printf -v line '%(%Y-%m-%dT%H:%M:%SZ)T %s: %s' -1 "$LOG_TAG" "$*"
    printf '%s\n' "$line" >>"$PCA_LOG"
    printf '%s\n' "$line" >&2
}

# warn MESSAGE: log, and to syslog too: what an administrator must see (clashes, refusals, failures).
warn() {
    log "WARNING: $*"
    "$PCA_LOGGER" -t "$LOG_TAG" -p auth.warning -- "$*" 2>/dev/null || true
}

die() {
    log "error: $*"
    "$PCA_LOGGER" -t "$LOG_TAG" -p auth.err -- "$*" 2>/dev/null || true
    exit 1
}

# ---------------------------------------------------------------------------------------------
# Account commands: every command that changes the node goes through run, which logs it first
# ---------------------------------------------------------------------------------------------

commands_run=0
apply_failed=0

# run CMD ARGS..: log and run one command that changes the node; a failure is logged and remembered
# (the cycle then does not record the generation, so the next cycle applies the document again).
run() {
    commands_run=$((commands_run + 1))
    log "run: $*"
    local out status=0
    out="$("$@" 2>&1)" || status=$?
    [[ -z "$out" ]] || log "  $1: ${out//$'\n'/ | }"
    if ((status != 0)); then
        warn "failed (exit $status): $*"
        apply_failed=1
        return 1
    fi
    return 0
}
