# shellcheck shell=bash
# Part of the node agent (roster-agent.sh sources every part, then runs one mode): the roster document's parser
# (components/access/roster/FORMAT.md, format 2): the signature verified first, then the end line, the envelope
# and every line: parsed completely, or refused.
# The parts share their tables and settings, so the checks for variables set or read in another part are off.
# shellcheck disable=SC2034,SC2154

readonly ROSTER_MAGIC="pcluster-access-roster"
readonly ID_RE='^[1-9][0-9]{3,4}$'
readonly KEY_TYPE_RE='^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com)$'
readonly B64_RE='^[A-Za-z0-9+/]+={0,2}$'
readonly ROSTER_FORMAT=2
readonly MAX_KEYS=10
readonly SIGNATURE_RE='^signature ecdsa-p256-sha256 ([A-Za-z0-9+/]+={0,2})$'
readonly DATE_RE='^([0-9]{4})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$'

# What the envelope (lines 1 to 4, the same in every format from 2 on) says: for the generation check
# and the agent's upgrade path.
doc_format="" doc_environment="" doc_generation="" doc_agent_sha256=""
# The option lines by key (home-keys, instance-connect); an absent one takes its user's default (FORMAT.md).
declare -A doc_options=()
group_names=()
declare -A group_gid=() group_members=()
user_names=()
# user_expires: days since 1970-01-01 of the user's EXPIRES, empty for none. user_keys: one line per
# key, "DAYS TYPE BLOB" (DAYS -1: no date), in the document's order.
declare -A user_uid=() user_gid=() user_state=() user_sudo=() user_expires=() user_keys=()

# The document's lines and the byte counts the checks need, kept between the steps.
doc_lines=()
doc_size=0

# refuse REASON: why the document is not applied (the caller logs it).
refuse_reason=""
refuse() {
    refuse_reason="$*"
    return 1
}

# date_days YYYY-MM-DD: sets date_day to the date's days since 1970-01-01, or returns 1 for anything
# that is not a calendar date. Howard Hinnant's days_from_civil in bash arithmetic: no fork, and no
# date(1) whose parsing differs between distributions.
date_day=0
date_days() {
    [[ "$1" =~ $DATE_RE ]] || return 1
    local y=$((10#${BASH_REMATCH[1]})) m=$((10#${BASH_REMATCH[2]})) d=$((10#${BASH_REMATCH[3]})) mdays=31 era yoe doy
    case $m in
    4 | 6 | 9 | 11) mdays=30 ;;
    2) mdays=$(((y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28)) ;;
    esac
    ((d <= mdays)) || return 1
    ((m > 2)) || y=$((y - 1))
    era=$((y / 400)) yoe=$((y % 400))
    doy=$(((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1))
    date_day=$((era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468))
}

# expires_days FIELD: '-' (date_day=-1) or a date from 1970-01-02 (date_day its days); else returns 1.
expires_days() {
    if [[ "$1" == - ]]; then
        date_day=-1
        return 0
    fi
    date_days "$1" && ((date_day >= 1))
}

# pubkey_pem BASE64: the node's public key (base64 DER SubjectPublicKeyInfo) as PEM, 64 characters a
# line as PEM readers before OpenSSL 1.1 (Amazon Linux 2's 1.0.2) expect.
pubkey_pem() {
    local i
    printf -- '-----BEGIN PUBLIC KEY-----\n'
    for ((i = 0; i < ${#1}; i += 64)); do printf '%s\n' "${1:i:64}"; done
    printf -- '-----END PUBLIC KEY-----\n'
}

# verify_roster FILE: steps 1 and 2 of FORMAT.md: the signature with PCA_PUBKEY, then the end line's
# checksum. Nothing of the document is interpreted before its signature verifies. Fills doc_lines.
verify_roster() {
    local file="$1" line last total=0 signed_size work out status=0 end digest n
    doc_lines=()
    doc_size="$(stat -c %s "$file")"
    ((doc_size > 0)) || refuse "the document is empty" || return 1
    # ASCII text only: a NUL, CR, tab or any byte outside printable ASCII is not a roster document.
    if grep -q '[^ -~]' "$file"; then refuse "the document has bytes that are not printable ASCII" || return 1; fi
    mapfile -t doc_lines <"$file"
    for line in "${doc_lines[@]}"; do total=$((total + ${#line} + 1)); done
    ((total == doc_size)) || refuse "the last line does not end with a line feed (truncated)" || return 1
    n=${#doc_lines[@]}
    last="${doc_lines[n - 1]}"
    [[ "$last" =~ $SIGNATURE_RE ]] || refuse "the last line is not a signature line (unsigned, truncated or corrupt)" || return 1
    # A DER ECDSA P-256 signature is 8 to 72 bytes: at most 96 base64 characters, in groups of 4.
    ((${#BASH_REMATCH[1]} % 4 == 0 && ${#BASH_REMATCH[1]} <= 96)) ||
        refuse "the signature is not one base64 DER signature (truncated or corrupt)" || return 1
    signed_size=$((doc_size - ${#last} - 1))
    command -v "$PCA_OPENSSL" >/dev/null 2>&1 ||
        refuse "$PCA_OPENSSL is not installed: the signature cannot be checked" || return 1
    work="$(mktemp -d)"
    pubkey_pem "$PCA_PUBKEY" >"$work/key.pem"
    printf '%s' "${BASH_REMATCH[1]}" | base64 -d >"$work/signature.der" 2>/dev/null || status=$?
    if ((status == 0)); then
        # openssl dgst -verify: in every release from 1.0.2 (Amazon Linux 2) to 3.x; exit 0 and
        # "Verified OK" only for a signature the key made over exactly these bytes.
        out="$(head -c "$signed_size" "$file" | "$PCA_OPENSSL" dgst -sha256 -verify "$work/key.pem" -signature "$work/signature.der" 2>&1)" || status=$?
    fi
    rm -rf "$work"
    if ((status != 0)) || [[ "$out" != "Verified OK" ]]; then
        [[ -z "${out:-}" ]] || log "  openssl: ${out//$'\n'/ | }"
        refuse "the signature does not verify with this node's key (forged, signed with another key, or truncated)"
        return 1
    fi
    ((n >= 6)) || refuse "too few lines" || return 1
    end="${doc_lines[n - 2]}"
    [[ "$end" =~ ^end\ ([0-9a-f]{64})$ ]] || refuse "the second-last line is not an end line" || return 1
    digest="$(head -c "$((signed_size - ${#end} - 1))" "$file" | sha256sum)"
    [[ "${digest%% *}" == "${BASH_REMATCH[1]}" ]] ||
        refuse "the end line's SHA-256 does not match the document (corrupt or truncated)" || return 1
}

# parse_envelope: lines 1 to 4 (the same in every format from 2 on) into doc_format, doc_environment,
# doc_generation and doc_agent_sha256, for check and for the body's parse; the environment must be this
# node's. A sync reads the envelope before this (upgrade.sh read_envelope: environment, generation, agent),
# and the generation and agent checks are its (they need the node's state).
parse_envelope() {
    [[ "${doc_lines[0]}" =~ ^${ROSTER_MAGIC}\ ([1-9][0-9]{0,8})$ ]] || refuse "line 1 is not '$ROSTER_MAGIC N'" || return 1
    doc_format="${BASH_REMATCH[1]}"
    # Format 1 had no agent line and no signature; a signed format-1 document cannot exist.
    ((doc_format >= 2)) || refuse "line 1: format $doc_format has no envelope (this agent reads format 2 and later envelopes)" || return 1
    [[ "${doc_lines[1]}" =~ ^environment\ (.+)$ ]] || refuse "line 2 is not 'environment NAME'" || return 1
    doc_environment="${BASH_REMATCH[1]}"
    [[ "$doc_environment" == "$PCA_ENVIRONMENT" ]] ||
        refuse "the document is for environment '$doc_environment', this node is in '$PCA_ENVIRONMENT'" || return 1
    [[ "${doc_lines[2]}" =~ ^generation\ ([1-9][0-9]{0,17})$ ]] || refuse "line 3 is not 'generation N'" || return 1
    doc_generation="${BASH_REMATCH[1]}"
    [[ "${doc_lines[3]}" =~ ^agent\ ([0-9a-f]{64})$ ]] || refuse "line 4 is not 'agent SHA256'" || return 1
    doc_agent_sha256="${BASH_REMATCH[1]}"
}

# parse_body: step 4: the format number, then every line between the envelope and the end line, into
# the tables above.
parse_body() {
    local n=${#doc_lines[@]} i line name id gid state sudo expires type blob member members=() value
    local prev_option="" prev_group="" prev_user="" current="" keys=0
    declare -A uids=() user_gids=() group_gids=() blobs=()
    [[ "$doc_format" == "$ROSTER_FORMAT" ]] ||
        refuse "unknown format version $doc_format (this agent knows $ROSTER_FORMAT)" || return 1
    doc_options=()
    for ((i = 4; i < n - 2; i++)); do
        line="${doc_lines[i]}"
        if [[ "$line" =~ ^option\ ([^ ]+)\ ([^ ]+)$ ]]; then
            name="${BASH_REMATCH[1]}" value="${BASH_REMATCH[2]}"
            [[ -z "$prev_group" && -z "$prev_user" ]] || refuse "line $((i + 1)): option lines come before group and user lines" || return 1
            [[ -z "$prev_option" || "$prev_option" < "$name" ]] || refuse "line $((i + 1)): options not sorted by key, or one twice" || return 1
            case "$name" in
            home-keys)
                [[ "$value" =~ ^(cluster|anywhere)$ ]] || refuse "line $((i + 1)): option home-keys is '$value', not cluster or anywhere" || return 1
                doc_options[$name]="$value"
                ;;
            instance-connect)
                [[ "$value" =~ ^(on|off)$ ]] || refuse "line $((i + 1)): option instance-connect is '$value', not on or off" || return 1
                doc_options[$name]="$value"
                ;;
            *) refuse "line $((i + 1)): unknown option '$name'" || return 1 ;;
            esac
            prev_option="$name"
        elif [[ "$line" =~ ^group\ ([^ ]+)\ ([^ ]+)\ ([^ ]+)$ ]]; then
            name="${BASH_REMATCH[1]}" gid="${BASH_REMATCH[2]}" member="${BASH_REMATCH[3]}"
            [[ -z "$prev_user" ]] || refuse "line $((i + 1)): group lines come before user lines" || return 1
            [[ "$name" =~ $NAME_RE ]] || refuse "line $((i + 1)): bad group name '$name'" || return 1
            [[ -z "$prev_group" || "$prev_group" < "$name" ]] || refuse "line $((i + 1)): groups not sorted by name" || return 1
            id_in_range "$gid" || refuse "line $((i + 1)): GID '$gid' is not 1000 to 60000" || return 1
            [[ -z "${group_gids[$gid]+set}" ]] || refuse "line $((i + 1)): GID $gid used twice" || return 1
            [[ "$member" == - || "$member" =~ ^[a-z_][a-z0-9_-]{0,31}(,[a-z_][a-z0-9_-]{0,31})*$ ]] ||
                refuse "line $((i + 1)): bad member list '$member'" || return 1
            group_gids[$gid]="$name"
            group_names+=("$name")
            group_gid[$name]="$gid"
            group_members[$name]="$member"
            prev_group="$name"
        elif [[ "$line" =~ ^user\ ([^ ]+)\ ([^ ]+)\ ([^ ]+)\ ([^ ]+)\ ([^ ]+)\ ([^ ]+)$ ]]; then
            name="${BASH_REMATCH[1]}" id="${BASH_REMATCH[2]}" gid="${BASH_REMATCH[3]}"
            state="${BASH_REMATCH[4]}" sudo="${BASH_REMATCH[5]}" expires="${BASH_REMATCH[6]}"
            finish_user "$current" "$((i + 1))" "$keys" || return 1
            [[ "$name" =~ $NAME_RE ]] || refuse "line $((i + 1)): bad user name '$name'" || return 1
            [[ -z "$prev_user" || "$prev_user" < "$name" ]] || refuse "line $((i + 1)): users not sorted by name" || return 1
            [[ -z "${group_gid[$name]+set}" ]] || refuse "line $((i + 1)): user $name has the name of a project group" || return 1
            id_in_range "$id" || refuse "line $((i + 1)): UID '$id' is not 1000 to 60000" || return 1
            id_in_range "$gid" || refuse "line $((i + 1)): GID '$gid' is not 1000 to 60000" || return 1
            [[ -z "${uids[$id]+set}" ]] || refuse "line $((i + 1)): UID $id used twice" || return 1
            [[ -z "${user_gids[$gid]+set}" && -z "${group_gids[$gid]+set}" ]] ||
                refuse "line $((i + 1)): GID $gid used twice" || return 1
            [[ "$state" =~ ^(allowed|blocked|revoked)$ ]] || refuse "line $((i + 1)): bad state '$state'" || return 1
            [[ "$sudo" == nosudo || ("$sudo" == sudo && "$state" == allowed) ]] ||
                refuse "line $((i + 1)): sudo '$sudo' (only allowed users may have sudo)" || return 1
            expires_days "$expires" || refuse "line $((i + 1)): EXPIRES '$expires' is not a date from 1970-01-02 (YYYY-MM-DD) or '-'" || return 1
            [[ "$state" != revoked || "$expires" == - ]] || refuse "line $((i + 1)): a revoked user has no EXPIRES date" || return 1
            uids[$id]="$name"
            user_gids[$gid]="$name"
            user_names+=("$name")
            user_uid[$name]="$id" user_gid[$name]="$gid" user_state[$name]="$state" user_sudo[$name]="$sudo"
            user_expires[$name]=""
            ((date_day < 0)) || user_expires[$name]="$date_day"
            user_keys[$name]=""
            prev_user="$name" current="$name" keys=0 blobs=()
        elif [[ "$line" =~ ^key\ ([^ ]+)\ ([^ ]+)\ ([^ ]+)\ ([^ ]+)$ ]]; then
            name="${BASH_REMATCH[1]}" type="${BASH_REMATCH[2]}" blob="${BASH_REMATCH[3]}" expires="${BASH_REMATCH[4]}"
            [[ -n "$current" && "$name" == "$current" ]] ||
                refuse "line $((i + 1)): key line for '$name' not right after its user line" || return 1
            [[ "${user_state[$name]}" == allowed ]] || refuse "line $((i + 1)): key line for a user that is not allowed" || return 1
            [[ "$type" =~ $KEY_TYPE_RE ]] || refuse "line $((i + 1)): unknown key type '$type'" || return 1
            [[ "$blob" =~ $B64_RE ]] || refuse "line $((i + 1)): key is not base64" || return 1
            [[ -z "${blobs[$blob]+set}" ]] || refuse "line $((i + 1)): the same key twice for $name" || return 1
            keys=$((keys + 1))
            ((keys <= MAX_KEYS)) || refuse "line $((i + 1)): more than $MAX_KEYS keys for $name" || return 1
            expires_days "$expires" || refuse "line $((i + 1)): EXPIRES '$expires' is not a date from 1970-01-02 (YYYY-MM-DD) or '-'" || return 1
            blobs[$blob]=1
            user_keys[$name]+="$date_day $type $blob"$'\n'
        else
            refuse "line $((i + 1)): not an option, group, user or key line" || return 1
        fi
    done
    finish_user "$current" "$((n - 1))" "$keys" || return 1
    # Members are checked once every user is known: group lines come first.
    for name in "${group_names[@]}"; do
        [[ "${group_members[$name]}" != - ]] || continue
        prev_user=""
        IFS=, read -r -a members <<<"${group_members[$name]}"
        for member in "${members[@]}"; do
            [[ -z "$prev_user" || "$prev_user" < "$member" ]] || refuse "group $name: members not sorted" || return 1
            [[ "${user_state[$member]:-}" == allowed || "${user_state[$member]:-}" == blocked ]] ||
                refuse "group $name: member '$member' is not an allowed or blocked user" || return 1
            prev_user="$member"
        done
    done
    return 0
}

id_in_range() {
    [[ "$1" =~ $ID_RE ]] && (($1 >= 1000 && $1 <= 60000))
}

# finish_user NAME LINE KEYS: an allowed user needs at least one key line.
finish_user() {
    [[ -z "$1" || "${user_state[$1]}" != allowed || "$3" -gt 0 ]] ||
        refuse "line $2: allowed user $1 has no key line"
}

# parse_roster FILE: the whole of FORMAT.md's order: verify, envelope, body (check, and a sync after its
# envelope steps).
parse_roster() {
    verify_roster "$1" && parse_envelope && parse_body
}
