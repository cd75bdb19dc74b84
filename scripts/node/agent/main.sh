# shellcheck shell=bash
# Part of the node agent (roster-agent.sh sources every part, then runs one mode): the modes: sync (one locked cycle) and check (parse only).
# The parts share their tables and settings, so the checks for variables set or read in another part are off.
# shellcheck disable=SC2034,SC2154

# sync_main [BODY ETAG FROM]: one cycle, then the node's status record (status.sh) when it is due. An upgrade
# execs the new agent, which reports for the cycle; a cycle skipped for the lock reports nothing.
sync_locked=0
sync_main() {
    local status=0
    sync_cycle "$@" || status=$?
    # The report never changes the sync's outcome: the accounts are what the cycle is for.
    ((!sync_locked)) || report_status || warn "the status record could not be made (exit $?)"
    return "$status"
}

# sync_cycle [BODY ETAG FROM]: one cycle. With BODY (mode sync-document, what an upgrading agent execs), the
# document that agent fetched and checked, under the lock it holds on fd 9, instead of a fetch.
sync_cycle() {
    local body status=0
    mkdir -p "$PCA_STATE_DIR" "$(dirname "$PCA_LOG")" "$(dirname "$PCA_LOCK")"
    check_settings
    chmod 0700 "$PCA_STATE_DIR"
    if [[ -n "${1:-}" ]]; then
        body="$1" fetched_etag="$2" upgraded_from="$3"
        if ! { true >&9; } 2>/dev/null || ! flock -n 9; then
            die "sync-document runs only from an upgrading agent's sync, which holds $PCA_LOCK on fd 9"
        fi
        sync_locked=1
        log "agent $(agent_sha256) (upgraded from $upgraded_from) on the roster of ETag $fetched_etag"
    else
        exec 9>"$PCA_LOCK"
        if ! flock -n 9; then
            log "another sync holds $PCA_LOCK: skipping this one"
            return 0
        fi
        sync_locked=1
        body="$PCA_STATE_DIR/fetched"
        fetch "$body" || status=$?
        if ((status == 2)); then
            log "roster unchanged (304): nothing to do"
            reapply_when_key_dates_due
            return
        fi
        if ((status != 0)); then
            # An error, as FORMAT.md promises: monitoring keyed on errors must see a node that cannot read its roster.
            sync_failed fetch "$fetch_error"
            error "nothing changed this cycle: the roster could not be fetched: $fetch_error"
            return 1
        fi
    fi
    # FORMAT-2.md's order: the document verified, then its envelope (environment, generation, agent), then an
    # upgrade if it names another agent, and only then the format number and every other line.
    if ! verify_roster "$body" || ! read_envelope; then
        refused "$refuse_reason"
        return 1
    fi
    if [[ -n "$env_format" ]]; then
        if [[ "$env_environment" != "$PCA_ENVIRONMENT" ]]; then
            refused "the document is for environment '$env_environment', this node is in '$PCA_ENVIRONMENT'"
            return 1
        fi
        new_generation "$env_generation" || status=$?
        ((status != 2)) || { reapply_when_key_dates_due; return; }
        ((status == 0)) || return 1
        upgrade_agent "$body" || return 1
    fi
    # The signature verified above: the rest of the document, judged by this agent's format.
    if ! parse_envelope || ! parse_body; then
        refused "$refuse_reason"
        return 1
    fi
    new_generation "$doc_generation" || return $(($? == 2 ? 0 : 1))
    log "applying roster generation $doc_generation (ETag $fetched_etag, ${#user_names[@]} users, ${#group_names[@]} groups)"
    read_state
    read_accounts
    apply_roster
    if ((apply_failed)); then
        sync_failed apply "generation $doc_generation applied with failures ($commands_run commands; the node's log names them)"
        warn "generation $doc_generation applied with failures ($commands_run commands): the next cycle applies it again"
        return 1
    fi
    save_applied "$body"
    log_key_fingerprints
    printf '%s\n' "$doc_generation" >"$PCA_STATE_DIR/generation"
    now_seconds >"$PCA_STATE_DIR/applied-at"
    printf '%s\n' "$fetched_etag" >"$PCA_STATE_DIR/etag"
    log "applied roster generation $doc_generation ($commands_run commands)"
    "$PCA_LOGGER" -t "$LOG_TAG" -p auth.info -- "applied roster generation $doc_generation ($commands_run commands)" 2>/dev/null || true
}

# new_generation N: 0 when N is above the last applied generation; 2 when it is that one (nothing to do: its ETag
# recorded); 1, refused, when it is lower.
new_generation() {
    local last=0
    [[ ! -f "$PCA_STATE_DIR/generation" ]] || read -r last <"$PCA_STATE_DIR/generation"
    if (($1 < last)); then
        refused "generation $1 is lower than the applied $last"
        return 1
    fi
    if (($1 == last)); then
        log "roster generation $1 is already applied: nothing to do"
        printf '%s\n' "$fetched_etag" >"$PCA_STATE_DIR/etag"
        return 2
    fi
}

# reapply_when_key_dates_due: on a cycle with nothing new, a key date recorded at the last apply may have
# come: the applied document (kept, verified again) is applied once more, which leaves that key out of its
# file. Where sshd has no expiry-time (before OpenSSH 7.7) this is what ends the key (FORMAT.md).
reapply_when_key_dates_due() {
    key_dates_due || return 0
    log "a key date has come since the roster was applied: applying it again to rewrite the key files"
    if ! parse_roster "$PCA_STATE_DIR/applied"; then
        sync_failed refused "the applied roster kept on the node: $refuse_reason"
        error "refused the applied roster kept in $PCA_STATE_DIR: $refuse_reason; nothing changed"
        return 1
    fi
    read_state
    read_accounts
    apply_roster
    if ((apply_failed)); then
        sync_failed apply "generation $doc_generation applied again with failures ($commands_run commands; the node's log names them)"
        warn "generation $doc_generation applied again with failures ($commands_run commands): the next cycle tries again"
        return 1
    fi
    save_applied "$PCA_STATE_DIR/applied"
    log "applied roster generation $doc_generation again for its key dates ($commands_run commands)"
}

# refused REASON: the document is refused: logged as an error (auth.err, FORMAT.md) and recorded for the status.
refused() {
    sync_failed refused "$1"
    error "refused the roster (ETag $fetched_etag): $1; nothing changed"
}

check_main() {
    [[ -r "${1:-}" ]] || { echo "usage: roster-agent.sh check FILE" >&2; exit 2; }
    [[ "$PCA_ENVIRONMENT" =~ $ENV_RE ]] || { echo "PCA_ENVIRONMENT is not set to an environment name" >&2; exit 2; }
    [[ "$PCA_PUBKEY" =~ $PUBKEY_RE ]] || { echo "PCA_PUBKEY is not set to the environment's public key (base64 DER)" >&2; exit 2; }
    if parse_roster "$1"; then
        echo "ok: generation $doc_generation, ${#user_names[@]} users, ${#group_names[@]} groups"
    else
        echo "refused: $refuse_reason"
        exit 1
    fi
}
