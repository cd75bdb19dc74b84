# shellcheck shell=bash
# Part of the node agent (roster-agent.sh sources every part, then runs one mode): the dates of format 2
# (components/access/roster/FORMAT.md, "Expiry on the node"): the account's expiry in shadow, each key's
# expiry-time in its key file, and the sync that drops a key once its date has come.
# The parts share their tables and settings, so the checks for variables set or read in another part are off.
# shellcheck disable=SC2034,SC2154

# today_day: days since 1970-01-01 in UTC by the agent's clock (PCA_NOW, Unix seconds, is the tests' hook),
# read once per cycle.
today_day=""
read_clock() {
    local now="$PCA_NOW"
    [[ -n "$now" ]] || printf -v now '%(%s)T' -1
    today_day=$((now / 86400))
}

# How this node's sshd reads a key's expiry-time, detected once per cycle from `sshd -V` (which prints
# the release in every version: as its answer from 9.x on, as usage's first line before):
# - utc: 9.1 and later take a Z (UTC) suffix (openssh-portable ec1ddb72a, 2022-08-11, first in V_9_1_P1);
# - local: 7.7 to 9.0 read it in the system time zone (misc.c parse_absolute_time: mktime); expiry-time
#   itself came in 7.7 (bf0fbf2b1 as valid-before, renamed by abc0fa38c);
# - none: before 7.7 (Amazon Linux 2's 7.4) sshd has no expiry-time and refuses a whole key line with an
#   option it does not know (auth-options.c "Bad options"), so the agent leaves out expired keys itself.
sshd_expiry=""
# Whether sshd asks PAM, whose pam_unix refuses once today >= sp_expire (linux-pam
# modules/pam_unix/passverify.c check_shadow_expiry), or checks shadow itself, refusing once
# today > sp_expire (openssh-portable auth-shadow.c auth_shadow_acctexpired): yes or no, from `sshd -T`.
sshd_pam=""
detect_sshd() {
    [[ -z "$sshd_expiry" ]] || return 0
    local out="" major minor
    out="$("$PCA_SSHD" -V 2>&1)" || true
    sshd_expiry=none
    if [[ "$out" =~ OpenSSH_([0-9]+)\.([0-9]+) ]]; then
        major="${BASH_REMATCH[1]}" minor="${BASH_REMATCH[2]}"
        if ((major > 9 || (major == 9 && minor >= 1))); then
            sshd_expiry=utc
        elif ((major > 7 || (major == 7 && minor >= 7))); then
            sshd_expiry=local
        fi
    else
        warn "cannot read the OpenSSH release from '$PCA_SSHD -V': key dates are enforced by the agent at each sync only"
    fi
    sshd_pam=no
    out="$("$PCA_SSHD" -T -f "$PCA_SSHD_CONFIG" 2>/dev/null)" || true
    [[ $'\n'"$out"$'\n' != *$'\n'"usepam yes"$'\n'* ]] || sshd_pam=yes
    log "sshd: key dates written as expiry-time: $sshd_expiry; UsePAM $sshd_pam"
}

# account_expiry NAME: sets want_expiry to the shadow expiry (days since 1970-01-01) that NAME's state
# and EXPIRES call for, empty for none. Blocked: day 1. A date: the date itself with PAM, the day before
# it without, so that either refuses the user from 00:00 UTC on the date, whether or not the agent runs
# again.
want_expiry=""
account_expiry() {
    local name="$1"
    want_expiry=""
    if [[ "${user_state[$name]}" == blocked ]]; then
        want_expiry="$EXPIRED_DAYS"
    elif [[ -n "${user_expires[$name]:-}" ]]; then
        detect_sshd
        want_expiry="${user_expires[$name]}"
        [[ "$sshd_pam" == yes ]] || want_expiry=$((want_expiry - 1))
        ((want_expiry >= EXPIRED_DAYS)) || want_expiry="$EXPIRED_DAYS"
    fi
}

# next_key_date: the earliest key date still to come among the key files of this apply: the day a sync
# must rewrite them (kept in the state directory), empty for none.
next_key_date=""

# key_file_text NAME: sets key_text to NAME's key file: every key whose date has not come, with the
# expiry-time this sshd reads where it has one: the last second before the date, because sshd refuses a
# key only once that second has passed (auth2-pubkeyfile.c auth_authorise_keyopts: valid_before < now).
key_text=""
key_file_text() {
    local name="$1" days type blob option stamp
    key_text=""
    [[ -n "$today_day" ]] || read_clock
    detect_sshd
    while read -r days type blob; do
        [[ -n "$type" ]] || continue
        option=""
        if ((days >= 0)); then
            ((days > today_day)) || continue
            [[ -n "$next_key_date" ]] && ((next_key_date <= days)) || next_key_date="$days"
            case "$sshd_expiry" in
            utc)
                printf -v stamp '%(%Y%m%d%H%M%S)T' $((days * 86400 - 1))
                option="expiry-time=\"${stamp}Z\" "
                ;;
            local)
                # The agent runs with TZ=UTC; this sshd reads the time in the system zone (no TZ).
                stamp="$(unset TZ; printf '%(%Y%m%d%H%M%S)T' $((days * 86400 - 1)))"
                option="expiry-time=\"$stamp\" "
                ;;
            esac
        fi
        key_text+="$option$type $blob $name@$PCA_ENVIRONMENT"$'\n'
    done <<<"${user_keys[$name]}"
}

# save_applied FILE: after an apply without failures: the verified document and the next key date, for
# key_dates_due.
save_applied() {
    cp -f "$1" "$PCA_STATE_DIR/.applied.new"
    mv -f "$PCA_STATE_DIR/.applied.new" "$PCA_STATE_DIR/applied"
    if [[ -n "$next_key_date" ]]; then
        printf '%s\n' "$next_key_date" >"$PCA_STATE_DIR/next-key-date"
    else
        rm -f "$PCA_STATE_DIR/next-key-date"
    fi
}

# key_dates_due: whether a key date recorded at the last apply has come (so the key files must be
# rewritten, even though the roster has not changed).
key_dates_due() {
    local due=""
    [[ -f "$PCA_STATE_DIR/next-key-date" && -f "$PCA_STATE_DIR/applied" ]] || return 1
    read -r due <"$PCA_STATE_DIR/next-key-date" || return 1
    [[ "$due" =~ ^[0-9]+$ ]] || return 1
    read_clock
    ((today_day >= due))
}
