# shellcheck shell=bash
# Part of the node agent (roster-agent.sh sources every part, then runs one mode): home directories with the intra-cluster key pair, on the head node only.
# The parts share their tables and settings, so the checks for variables set or read in another part are off.
# shellcheck disable=SC2034,SC2154

# create_home NAME: on the head node only, and only where the directory does not exist (compute and
# login nodes mount /home from the head node): noted here, made by make_homes after the user loop.
new_homes=()
create_home() {
    is_head_node || return 0
    [[ ! -e "$PCA_HOME_BASE/$1" ]] || return 0
    new_homes+=("$1")
}

# make_homes: every noted home from /etc/skel, with the intra-cluster key pair ParallelCluster gives its
# default user (public half in authorized_keys), so MPI over SSH works between nodes. One install for all
# the directories; then per user a copy, ssh-keygen and chown.
make_homes() {
    local name home dirs=() pub
    ((${#new_homes[@]} > 0)) || return 0
    for name in "${new_homes[@]}"; do dirs+=("$PCA_HOME_BASE/$name" "$PCA_HOME_BASE/$name/.ssh"); done
    run install -d -m 0700 "${dirs[@]}" || return 0
    for name in "${new_homes[@]}"; do
        home="$PCA_HOME_BASE/$name"
        # -R without -a: the home keeps its 0700 instead of taking the skeleton directory's mode.
        if [[ -d /etc/skel ]]; then run cp -R /etc/skel/. "$home/" || continue; fi
        run ssh-keygen -q -t ed25519 -N '' -C "$name@$PCA_ENVIRONMENT-cluster" -f "$home/.ssh/id_ed25519" || continue
        IFS= read -r pub <"$home/.ssh/id_ed25519.pub"
        printf '%s\n' "$pub" >"$home/.ssh/authorized_keys"
        chmod 0600 "$home/.ssh/authorized_keys"
        run chown -R "${user_uid[$name]}:${user_gid[$name]}" "$home" || continue
        log "created home $home with an intra-cluster key pair"
    done
}
