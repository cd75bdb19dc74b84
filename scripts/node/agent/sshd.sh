# shellcheck shell=bash
# Part of the node agent (roster-agent.sh sources every part, then runs one mode): sshd's marked block and the per-user key files it reads.
# The parts share their tables and settings, so the checks for variables set or read in another part are off.
# shellcheck disable=SC2034,SC2154

# ensure_sshd_block: the marked block that sends managed users' key lookups to PCA_KEYS_DIR, kept last in
# sshd_config (a Match block runs to the end of the file, and sshd's first value wins outside one, so a
# drop-in cannot override an AuthorizedKeysFile the main file sets, as Amazon Linux 2's does). Valid for
# OpenSSH 7.4 (Amazon Linux 2) onwards. ~/.ssh/authorized_keys stays second: the intra-cluster key lives
# there. Checked with `sshd -t` before it replaces the file; sshd reloaded only when it changed.
ensure_sshd_block() {
    local current="" kept="" desired line in_block=0 tmp
    [[ -f "$PCA_SSHD_CONFIG" ]] || { warn "no $PCA_SSHD_CONFIG: keys cannot be set up"; apply_failed=1; return; }
    IFS= read -r -d '' current <"$PCA_SSHD_CONFIG" || true
    while IFS= read -r line || [[ -n "$line" ]]; do
        if [[ "$line" == "# BEGIN pcluster-access"* ]]; then in_block=1; continue; fi
        if ((in_block)); then [[ "$line" == "# END pcluster-access"* ]] && in_block=0; continue; fi
        kept+="$line"$'\n'
    done <<<"${current%$'\n'}"
    desired="$kept# BEGIN pcluster-access: roster users' keys (roster-agent.sh keeps this block last; do not edit)
Match Group $PCA_MARKER_GROUP
    AuthorizedKeysFile $PCA_KEYS_DIR/%u .ssh/authorized_keys
# END pcluster-access
"
    [[ "$desired" != "$current" ]] || return 0
    tmp="$(dirname "$PCA_SSHD_CONFIG")/.$(basename "$PCA_SSHD_CONFIG").pcluster-access"
    printf '%s' "$desired" >"$tmp"
    chmod --reference="$PCA_SSHD_CONFIG" "$tmp"
    if ! run "$PCA_SSHD" -t -f "$tmp"; then
        rm -f "$tmp"
        warn "sshd -t refused $PCA_SSHD_CONFIG with the pcluster-access block: left unchanged"
        return
    fi
    run mv -f "$tmp" "$PCA_SSHD_CONFIG" || return 0
    reload_sshd
}

reload_sshd() {
    local unit
    if [[ -n "$PCA_SSHD_RELOAD" ]]; then
        run /bin/sh -c "$PCA_SSHD_RELOAD" || true
        return 0
    fi
    for unit in sshd ssh; do
        if systemctl is-active --quiet "$unit" 2>/dev/null; then
            run systemctl reload "$unit" || true
            return 0
        fi
    done
    log "sshd is not running under systemd: it reads the new config when it starts"
}

set_keys() {
    local name="$1" file="$PCA_KEYS_DIR/$1"
    if [[ "${user_state[$name]:-}" == allowed ]]; then
        install_text "$file" 0644 "${user_keys[$name]}"
    elif [[ -e "$file" ]]; then
        run rm -f "$file" || true
    fi
}
