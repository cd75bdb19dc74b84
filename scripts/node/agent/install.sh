# shellcheck shell=bash
# Part of the node agent (roster-agent.sh sources every part, then runs one mode): installing an agent bundle.
# The parts share their tables and settings, so the checks for variables set or read in another part are off.
# shellcheck disable=SC2034,SC2154

# The bundle (components/access/roster/agentBundle.ts builds it, the program uploads it at AGENT_KEY) is a
# tar of roster-agent.sh and agent/*.sh and nothing else. Installed as
#   PCA_AGENT_HOME/releases/SHA256/   one directory per bundle, named by the bundle's SHA-256
#   PCA_AGENT_HOME/current            symlink to the release cron runs, replaced by rename(2): atomic, so a
#                                     cycle starts from the old release or the new one, never from a mix
readonly BUNDLE_MEMBER_RE='^(roster-agent\.sh|agent/|agent/[a-z0-9-]+\.sh)$'
readonly SHA256_RE='^[0-9a-f]{64}$'

# agent_sha256: this agent's own bundle hash, from the release directory it runs from; empty when it runs
# from anywhere else (a source tree).
agent_sha256() {
    local name="${AGENT_DIR##*/}"
    if [[ "$name" =~ $SHA256_RE && "${AGENT_DIR%/*}" == */releases ]]; then printf '%s\n' "$name"; fi
}

# install_bundle FILE SHA256: unpack the bundle FILE (whose SHA-256 the caller computed or checked) into its
# release directory, check every part parses, then switch `current` to it and drop releases older than the
# one it replaced. Returns 1 with install_error set, and changes nothing, when the bundle is not one.
install_error=""
install_bundle() {
    local file="$1" sha="$2" releases="$PCA_AGENT_HOME/releases" names member types tmp dest part previous="" out
    install_error=""
    if ! names="$(tar -tf "$file" 2>&1)"; then
        install_error="not a tar archive (${names//$'\n'/ })"
        return 1
    fi
    while IFS= read -r member; do
        [[ "$member" =~ $BUNDLE_MEMBER_RE ]] || { install_error="unexpected member '$member'"; return 1; }
    done <<<"$names"
    [[ $'\n'"$names"$'\n' == *$'\nroster-agent.sh\n'* ]] || { install_error="no roster-agent.sh in it"; return 1; }
    # Regular files and directories only: no links, devices or FIFOs (tar -tv's first column is the type).
    types="$(tar -tvf "$file" | cut -c1 | sort -u | tr -d '\n')"
    [[ "$types" =~ ^[-d]+$ ]] || { install_error="members that are not regular files or directories ($types)"; return 1; }
    dest="$releases/$sha"
    if [[ ! -d "$dest" ]]; then
        tmp="$releases/.$sha.$$"
        rm -rf "$tmp"
        mkdir -p "$tmp"
        if ! out="$(tar -xmf "$file" -C "$tmp" --no-same-owner 2>&1)"; then
            rm -rf "$tmp"
            install_error="tar could not unpack it (${out//$'\n'/ })"
            return 1
        fi
        for part in "$tmp/roster-agent.sh" "$tmp"/agent/*.sh; do
            [[ -f "$part" ]] || continue
            if ! out="$(bash -n "$part" 2>&1)"; then
                rm -rf "$tmp"
                install_error="${part#"$tmp"/} is not a bash script (${out//$'\n'/ })"
                return 1
            fi
        done
        chmod 0755 "$tmp" "$tmp/roster-agent.sh"
        mv -T "$tmp" "$dest"
    fi
    [[ ! -L "$PCA_AGENT_HOME/current" ]] || previous="$(readlink "$PCA_AGENT_HOME/current")"
    ln -sfn "releases/$sha" "$PCA_AGENT_HOME/.current.new"
    mv -T "$PCA_AGENT_HOME/.current.new" "$PCA_AGENT_HOME/current"
    # Kept: the new release and the one it replaced (a cycle may still be reading it; and an admin's way back).
    for part in "$releases"/*; do
        [[ "$part" == "$dest" || "releases/${part##*/}" == "$previous" ]] || rm -rf "$part"
    done
    log "installed agent $sha as $PCA_AGENT_HOME/current"
}

install_main() {
    local file="$1" sha
    [[ -r "$file" ]] || { echo "usage: roster-agent.sh install FILE" >&2; exit 2; }
    mkdir -p "$PCA_AGENT_HOME/releases" "$(dirname "$PCA_LOG")"
    sha="$(sha256sum "$file")"
    sha="${sha%% *}"
    install_bundle "$file" "$sha" || die "$file is not an agent bundle: $install_error; nothing installed"
}
