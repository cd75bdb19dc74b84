# shellcheck shell=bash
# Part of the node agent (roster-agent.sh sources every part, then runs one mode): the account files
# (/etc/passwd, group, shadow, gshadow) changed in one batch: shadow-utils' own lock on all four, every change
# made to the lines in memory, then one write of each file that changed, and the lock released.
# The parts share their tables and settings, so the checks for variables set or read in another part are off.
# shellcheck disable=SC2034,SC2154
#
# Why not useradd per user: each useradd rewrites and fsyncs every account file (18 fsyncs a call), about 40 ms
# a user. newusers batches but does not fit: it creates every home directory it is given (also on compute
# nodes, whose /home is the head node's), and where shadow is built with PAM (Debian, Ubuntu) it sets each
# password through PAM, one rewrite of /etc/shadow a user (shadow src/newusers.c, 4.6 to 4.13).
#
# The lock is shadow-utils' own, so useradd, usermod, vipw and the rest wait for the batch and it for them:
#   - shadow 4.9 and 4.13 (AL2023, RHEL 9, Ubuntu 24.04) take glibc's lckpwdf() (an fcntl lock on
#     /etc/.pwd.lock, which bash cannot take) and then FILE.lock; shadow 4.6 (RHEL 8) takes FILE.lock alone, 15
#     tries a second apart (lib/commonio.c commonio_lock; lckpwdf came back in 4.7, commit 408b8a54).
#   - So the batch has chpasswd -e hold them: it locks passwd and shadow (lckpwdf first where shadow uses it)
#     before it reads a line of input (src/chpasswd.c main: open_files() before the read loop), and with no
#     input it changes nothing, so it writes nothing when it closes (lib/commonio.c commonio_close: an
#     unchanged database is not written). -e keeps PAM out of it. The batch takes group.lock and
#     gshadow.lock itself, as shadow does (lib/commonio.c do_lock_file: a file with the PID hard-linked to
#     FILE.lock, a lock whose PID is gone is stale).
#   - A lock that cannot be had within shadow's own wait (about 15 s) fails the batch: nothing is written.
# Each file is written as shadow writes it: FILE- (the backup), FILE+ with the file's owner, mode and SELinux
# label, fsync, then renamed over FILE.

readonly ACCOUNT_DIR=/etc
passwd_lines=() group_lines=() shadow_lines=() gshadow_lines=()
declare -A file_changed=()
lock_holder=""
own_locks=()

# with_field LINE FIELD COUNT VALUE: LINE (a colon file's line of COUNT fields) with field FIELD (from 1) set to
# VALUE, in edited_line (a variable, not output: no subshell per edit).
edited_line=""
with_field() {
    local fields=() out k
    IFS=: read -r -a fields <<<"$1"
    fields[$2 - 1]="$4"
    out="${fields[0]:-}"
    for ((k = 1; k < $3; k++)); do out+=":${fields[k]:-}"; done
    edited_line="$out"
}

# take_file_lock FILE: FILE.lock by shadow's protocol, with its 15 tries a second apart; 1 when held by another.
take_file_lock() {
    local file="$1" mine="$1.$$" lock="$1.lock" holder tries
    for ((tries = 0; tries < 15; tries++)); do
        ((tries == 0)) || sleep 1
        printf '%s\0' "$$" >"$mine"
        if ln "$mine" "$lock" 2>/dev/null; then
            rm -f "$mine"
            own_locks+=("$lock")
            return 0
        fi
        rm -f "$mine"
        holder=""
        IFS= read -r -d '' holder <"$lock" || true
        # A lock whose process is gone is stale (shadow removes it the same way).
        if [[ "$holder" =~ ^[0-9]+$ ]] && ! kill -0 "$holder" 2>/dev/null; then
            rm -f "$lock"
            tries=-1
        fi
    done
    return 1
}

# lock_account_files: all four files locked as shadow-utils locks them (see the top of this file), or 1 with
# lock_error set and nothing held.
lock_error=""
lock_account_files() {
    local fifo="$PCA_STATE_DIR/account-lock.fifo" err="$PCA_STATE_DIR/account-lock.err" waited holder_pid held file
    lock_error="" own_locks=()
    rm -f "$fifo"
    mkfifo -m 0600 "$fifo"
    chpasswd -e <"$fifo" >"$err" 2>&1 &
    lock_holder=$!
    # Opening the FIFO for writing waits for chpasswd's end to open: from then on chpasswd reads (and waits on) it.
    exec 8>"$fifo"
    rm -f "$fifo"
    for ((waited = 0; ; waited++)); do
        held=1
        for file in passwd shadow; do
            holder_pid=""
            [[ -f "$ACCOUNT_DIR/$file.lock" ]] && IFS= read -r -d '' holder_pid <"$ACCOUNT_DIR/$file.lock"
            [[ "$holder_pid" == "$lock_holder" ]] || held=0
        done
        ((held)) && break
        if ! process_running "$lock_holder" || ((waited > 400)); then
            unlock_account_files
            lock_error="chpasswd could not lock $ACCOUNT_DIR/passwd and shadow: $(tr '\n' ' ' <"$err")"
            return 1
        fi
        sleep 0.05
    done
    for file in group gshadow; do
        [[ "$file" != gshadow || -f "$ACCOUNT_DIR/gshadow" ]] || continue
        if ! take_file_lock "$ACCOUNT_DIR/$file"; then
            unlock_account_files
            lock_error="$ACCOUNT_DIR/$file.lock is held by another process"
            return 1
        fi
    done
}

# process_running PID: alive and not a zombie (kill -0 succeeds on a child that exited and is not yet waited for).
process_running() {
    local state=""
    { read -r _ _ state _ <"/proc/$1/stat"; } 2>/dev/null || return 1
    [[ "$state" != Z ]]
}

unlock_account_files() {
    local lock
    for lock in "${own_locks[@]+"${own_locks[@]}"}"; do rm -f "$lock"; done
    own_locks=()
    if [[ -n "$lock_holder" ]]; then
        # End of input: chpasswd closes the unchanged files, unlocks and exits.
        exec 8>&-
        wait "$lock_holder" 2>/dev/null || true
        lock_holder=""
    fi
}

# write_account_file NAME: one write of ACCOUNT_DIR/NAME from its lines, as shadow writes it (the backup NAME-;
# NAME+ with the file's owner, mode and SELinux label; fsync; rename over NAME). Returns 1, NAME as it was, on
# failure. cp -p makes NAME+ with NAME's owner, mode and times before the lines replace its content.
write_account_file() {
    local name="$1" file="$ACCOUNT_DIR/$1" out
    if ! out="$({
        cp -p "$file" "$file-" && cp -p "$file" "$file+" &&
            { ! selinuxenabled 2>/dev/null || chcon --reference="$file" "$file+"; }
    } 2>&1)"; then
        rm -f "$file+"
        warn "could not write $file: ${out//$'\n'/ }"
        return 1
    fi
    case "$name" in
    passwd) printf '%s\n' "${passwd_lines[@]}" >"$file+" ;;
    group) printf '%s\n' "${group_lines[@]}" >"$file+" ;;
    shadow) printf '%s\n' "${shadow_lines[@]}" >"$file+" ;;
    gshadow) printf '%s\n' "${gshadow_lines[@]}" >"$file+" ;;
    esac
}

# commit_account_files: every changed file written (groups before the users that name them), fsynced together,
# then each renamed into place. Logged as one change; 1 when a file could not be written (then none is renamed).
commit_account_files() {
    local name file written=()
    for name in group gshadow passwd shadow; do
        [[ -n "${file_changed[$name]:-}" ]] || continue
        if ! write_account_file "$name"; then
            for file in "${written[@]+"${written[@]}"}"; do rm -f "$file+"; done
            apply_failed=1
            return 1
        fi
        written+=("$ACCOUNT_DIR/$name")
    done
    ((${#written[@]} > 0)) || return 0
    commands_run=$((commands_run + 1))
    log "run: write ${written[*]} (one write each, under shadow's lock)"
    sync "${written[@]/%/+}" 2>/dev/null || sync
    for name in "${written[@]}"; do mv -f "$name+" "$name"; done
    flush_name_caches
}

# account_files_signature: inode, size and times of the four files, to tell whether they changed since read.
account_files_signature() {
    stat -c '%i %s %y %z' "$ACCOUNT_DIR/passwd" "$ACCOUNT_DIR/group" "$ACCOUNT_DIR/shadow" "$ACCOUNT_DIR/gshadow" 2>/dev/null || true
}

# flush_name_caches: what shadow's tools do after a change (lib/nscd.c, lib/sssd.c), where nscd or sssd runs.
flush_name_caches() {
    if command -v nscd >/dev/null 2>&1 && pgrep -x nscd >/dev/null 2>&1; then nscd -i passwd -i group >/dev/null 2>&1 || true; fi
    if command -v sss_cache >/dev/null 2>&1 && pgrep -x sssd >/dev/null 2>&1; then sss_cache -U -G >/dev/null 2>&1 || true; fi
}
