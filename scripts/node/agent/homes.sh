# shellcheck shell=bash
# Part of the node agent (roster-agent.sh sources every part, then runs one mode): home directories with the intra-cluster key pair, on the node that owns them.
# The parts share their tables and settings, so the checks for variables set or read in another part are off.
# shellcheck disable=SC2034,SC2154

# create_home NAME: on the node that owns homes only (owns_homes: ParallelCluster's head node, whose /home
# the other nodes mount; on AWS PCS the login nodes, PCA_HOMES=locked), and only where the directory does not
# exist: noted here, made by make_homes after the user loop.
new_homes=()
create_home() {
    owns_homes || return 0
    [[ ! -e "$PCA_HOME_BASE/$1" ]] || return 0
    new_homes+=("$1")
}

# The lock login nodes of AWS PCS take turns with, on the shared file system itself (EFS and FSx for Lustre
# pass flock to the server: nfs(5), local_lock=none is the default; Lustre with its `flock` mount option).
readonly HOMES_LOCK_NAME=.pcluster-access-homes.lock

# make_homes: the noted homes; with PCA_HOMES=locked, under the shared lock, and only those that no other node
# made while this one waited, so two login nodes never both make one (and never each give it a key pair).
make_homes() {
    local name fd still=()
    ((${#new_homes[@]} > 0)) || return 0
    if [[ "$PCA_HOMES" != locked ]]; then
        make_homes_now
        return 0
    fi
    if ! exec {fd}>>"$PCA_HOME_BASE/$HOMES_LOCK_NAME"; then
        warn "cannot open $PCA_HOME_BASE/$HOMES_LOCK_NAME: no homes made this cycle"
        apply_failed=1 new_homes=()
        return 0
    fi
    if ! flock -w 60 "$fd"; then
        exec {fd}>&-
        warn "another node held $PCA_HOME_BASE/$HOMES_LOCK_NAME for 60 s: homes are left to the next cycle"
        apply_failed=1 new_homes=()
        return 0
    fi
    for name in "${new_homes[@]}"; do
        if [[ -e "$PCA_HOME_BASE/$name" ]]; then
            log "home $PCA_HOME_BASE/$name was made by another node"
        else
            still+=("$name")
        fi
    done
    new_homes=("${still[@]+"${still[@]}"}")
    make_homes_now
    exec {fd}>&-
}

# make_homes_now: every noted home from /etc/skel, with the intra-cluster key pair ParallelCluster gives its
# default user (public half in authorized_keys), so MPI over SSH works between nodes. What does not need a
# process per user is done for all at once: one install -d for the directories, the skeleton written with
# bash's printf (read once; a skeleton with links, special files or NUL bytes is copied with cp instead),
# one chmod per unusual mode. Then per user only ssh-keygen and chown, in one worker per core
# (make_home_keys, through xargs -P).
make_homes_now() {
    local name home dirs=() entry type mode rel content failed="$PCA_STATE_DIR/homes.failed" workers
    local skel_dirs=() skel_files=() skel_plain=1
    declare -A skel_content=() skel_mode=() by_mode=()
    ((${#new_homes[@]} > 0)) || return 0
    if [[ -d /etc/skel ]]; then
        while IFS= read -r -d '' entry; do
            type="${entry%% *}" entry="${entry#* }" mode="${entry%% *}" rel="${entry#* }"
            case "$type" in
            d) skel_dirs+=("$rel") skel_mode[$rel]="$mode" ;;
            f)
                content=""
                IFS= read -r -d '' content <"/etc/skel/$rel" || true
                # LC_ALL=C: the length is in bytes; shorter than the file means a NUL byte stopped the read.
                if ((${#content} != $(stat -c %s "/etc/skel/$rel"))); then skel_plain=0; fi
                skel_files+=("$rel") skel_content[$rel]="$content" skel_mode[$rel]="$mode"
                ;;
            *) skel_plain=0 ;;
            esac
        done < <(find /etc/skel -mindepth 1 -printf '%y %m %P\0')
    fi
    for name in "${new_homes[@]}"; do
        home="$PCA_HOME_BASE/$name"
        dirs+=("$home" "$home/.ssh")
        ((skel_plain)) || continue
        for rel in "${skel_dirs[@]+"${skel_dirs[@]}"}"; do dirs+=("$home/$rel"); done
    done
    run install -d -m 0700 "${dirs[@]}" || return 0
    for name in "${new_homes[@]}"; do
        home="$PCA_HOME_BASE/$name"
        if ((!skel_plain)); then
            # -R without -a: the home keeps its 0700 instead of taking the skeleton directory's mode.
            run cp -R /etc/skel/. "$home/" || true
            continue
        fi
        for rel in "${skel_dirs[@]+"${skel_dirs[@]}"}"; do by_mode[${skel_mode[$rel]}]+=" $home/$rel"; done
        for rel in "${skel_files[@]+"${skel_files[@]}"}"; do
            printf '%s' "${skel_content[$rel]}" >"$home/$rel"
            [[ "${skel_mode[$rel]}" == 644 ]] || by_mode[${skel_mode[$rel]}]+=" $home/$rel"
        done
    done
    for mode in "${!by_mode[@]}"; do
        # Word splitting on purpose: the paths are the home base, a roster name and a skeleton path.
        # shellcheck disable=SC2086
        run chmod "$mode" ${by_mode[$mode]} || true
    done
    rm -f "$failed"
    workers="$(nproc 2>/dev/null || echo 1)"
    export PCA_HOME_BASE PCA_ENVIRONMENT
    export -f make_home_keys
    # shellcheck disable=SC2016 # $0 and $@ are the worker's: the failure file, then its share of the homes
    for name in "${new_homes[@]}"; do printf '%s:%s:%s\0' "$name" "${user_uid[$name]}" "${user_gid[$name]}"; done |
        xargs -0 -r -n 50 -P "$workers" bash -c 'make_home_keys "$@" 2>>"$0"' "$failed" || true
    commands_run=$((commands_run + 2 * ${#new_homes[@]}))
    log "run: ssh-keygen and chown -R for ${#new_homes[@]} homes, $workers at a time"
    if [[ -s "$failed" ]]; then
        warn "homes not completed: $(tr '\n' ' ' <"$failed")"
        apply_failed=1
    fi
    for name in "${new_homes[@]}"; do
        [[ -f "$PCA_HOME_BASE/$name/.ssh/authorized_keys" ]] && log "created home $PCA_HOME_BASE/$name with an intra-cluster key pair"
    done
    new_homes=()
}

# make_home_keys NAME:UID:GID..: in one worker, per home the key pair, its authorized_keys (0600) and the
# owner of everything in it; a failure is one line on stderr (make_homes collects them).
make_home_keys() {
    local item name uid gid home pub
    umask 077
    for item in "$@"; do
        IFS=: read -r name uid gid <<<"$item"
        home="$PCA_HOME_BASE/$name"
        if ! ssh-keygen -q -t ed25519 -N '' -C "$name@$PCA_ENVIRONMENT-cluster" -f "$home/.ssh/id_ed25519" </dev/null >/dev/null 2>&1; then
            echo "$name (ssh-keygen failed)" >&2
            continue
        fi
        IFS= read -r pub <"$home/.ssh/id_ed25519.pub"
        printf '%s\n' "$pub" >"$home/.ssh/authorized_keys"
        chown -R "$uid:$gid" "$home" 2>/dev/null || echo "$name (chown failed)" >&2
    done
}
