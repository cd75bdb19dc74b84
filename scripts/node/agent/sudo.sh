# shellcheck shell=bash
# Part of the node agent (roster-agent.sh sources every part, then runs one mode): the one sudoers file.
# The parts share their tables and settings, so the checks for variables set or read in another part are off.
# shellcheck disable=SC2034,SC2154

sudoers=""
set_sudoers() {
    local tmp content
    content="# pcluster-access: sudo for the roster's users. Written by roster-agent.sh; do not edit."$'\n'"$sudoers"
    if [[ -f "$PCA_SUDOERS" ]]; then
        local current=""
        IFS= read -r -d '' current <"$PCA_SUDOERS" || true
        [[ "$current" != "$content" ]] || return 0
    fi
    # A dot in the name: sudo's includedir skips the file until it is renamed into place.
    tmp="$(dirname "$PCA_SUDOERS")/.pcluster-access.new"
    printf '%s' "$content" >"$tmp"
    chmod 0440 "$tmp"
    if ! run visudo -c -q -f "$tmp"; then
        rm -f "$tmp"
        warn "visudo refused the new sudoers file: $PCA_SUDOERS left unchanged"
        return
    fi
    run mv -f "$tmp" "$PCA_SUDOERS" || true
}
