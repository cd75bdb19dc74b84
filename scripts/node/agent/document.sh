# shellcheck shell=bash
# Part of the node agent (roster-agent.sh sources every part, then runs one mode): the roster document's parser (components/access/roster/FORMAT.md): parsed completely, or refused.
# The parts share their tables and settings, so the checks for variables set or read in another part are off.
# shellcheck disable=SC2034,SC2154

readonly ROSTER_MAGIC="pcluster-access-roster"
readonly ROSTER_FORMAT=1
readonly ID_RE='^[1-9][0-9]{3,4}$'
readonly KEY_TYPE_RE='^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com)$'
readonly B64_RE='^[A-Za-z0-9+/]+={0,2}$'

doc_generation=""
# The document's options (format 2: `option KEY VALUE`); format 1 has none, so every default applies.
declare -A doc_options=()
group_names=()
declare -A group_gid=() group_members=()
user_names=()
declare -A user_uid=() user_gid=() user_state=() user_sudo=() user_keys=()

# refuse REASON: why the document is not applied (parse_roster's caller logs it).
refuse_reason=""
refuse() {
    refuse_reason="$*"
    return 1
}

# verify_roster FILE: the whole document is there and intact (bytes, line ends, the end line's SHA-256), with
# its lines in doc_lines; or return 1 with refuse_reason set. Nothing in it is trusted before this (main.sh
# reads the envelope, lines 1-4, only after it).
doc_lines=()
verify_roster() {
    local file="$1" size line last total=0 body_size digest
    doc_lines=()
    size="$(stat -c %s "$file")"
    ((size > 0)) || refuse "the document is empty" || return 1
    # ASCII text only: a NUL, CR, tab or any byte outside printable ASCII is not format 1.
    if grep -q '[^ -~]' "$file"; then refuse "the document has bytes that are not printable ASCII" || return 1; fi
    mapfile -t doc_lines <"$file"
    for line in "${doc_lines[@]}"; do total=$((total + ${#line} + 1)); done
    ((total == size)) || refuse "the last line does not end with a line feed (truncated)" || return 1
    last="${doc_lines[${#doc_lines[@]} - 1]}"
    [[ "$last" =~ ^end\ ([0-9a-f]{64})$ ]] || refuse "the last line is not an end line (truncated or corrupt)" || return 1
    body_size=$((size - ${#last} - 1))
    digest="$(head -c "$body_size" "$file" | sha256sum)"
    [[ "${digest%% *}" == "${BASH_REMATCH[1]}" ]] ||
        refuse "the end line's SHA-256 does not match the document (corrupt or truncated)" || return 1
}

# parse_roster FILE: fill the tables above, or return 1 with refuse_reason set.
parse_roster() {
    local file="$1" lines=() n i line
    local prev_group="" prev_user="" current="" name id gid state sudo type blob member members=()
    declare -A uids=() user_gids=() group_gids=()
    verify_roster "$file" || return 1
    lines=("${doc_lines[@]}")
    n=${#lines[@]}
    ((n >= 4)) || refuse "too few lines" || return 1

    if [[ "${lines[0]}" =~ ^${ROSTER_MAGIC}\ ([0-9]+)$ ]]; then
        [[ "${BASH_REMATCH[1]}" == "$ROSTER_FORMAT" ]] ||
            refuse "unknown format version ${BASH_REMATCH[1]} (this agent knows $ROSTER_FORMAT)" || return 1
    else
        refuse "line 1 is not '$ROSTER_MAGIC N'" || return 1
    fi
    [[ "${lines[1]}" =~ ^environment\ (.+)$ ]] || refuse "line 2 is not 'environment NAME'" || return 1
    [[ "${BASH_REMATCH[1]}" == "$PCA_ENVIRONMENT" ]] ||
        refuse "the document is for environment '${BASH_REMATCH[1]}', this node is in '$PCA_ENVIRONMENT'" || return 1
    [[ "${lines[2]}" =~ ^generation\ ([1-9][0-9]{0,17})$ ]] || refuse "line 3 is not 'generation N'" || return 1
    doc_generation="${BASH_REMATCH[1]}"

    for ((i = 3; i < n - 1; i++)); do
        line="${lines[i]}"
        if [[ "$line" =~ ^group\ ([^ ]+)\ ([^ ]+)\ ([^ ]+)$ ]]; then
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
        elif [[ "$line" =~ ^user\ ([^ ]+)\ ([^ ]+)\ ([^ ]+)\ ([^ ]+)\ ([^ ]+)$ ]]; then
            name="${BASH_REMATCH[1]}" id="${BASH_REMATCH[2]}" gid="${BASH_REMATCH[3]}"
            state="${BASH_REMATCH[4]}" sudo="${BASH_REMATCH[5]}"
            finish_user "$current" "$((i + 1))" || return 1
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
            uids[$id]="$name"
            user_gids[$gid]="$name"
            user_names+=("$name")
            user_uid[$name]="$id" user_gid[$name]="$gid" user_state[$name]="$state" user_sudo[$name]="$sudo"
            user_keys[$name]=""
            prev_user="$name" current="$name"
        elif [[ "$line" =~ ^key\ ([^ ]+)\ ([^ ]+)\ ([^ ]+)$ ]]; then
            name="${BASH_REMATCH[1]}" type="${BASH_REMATCH[2]}" blob="${BASH_REMATCH[3]}"
            [[ -n "$current" && "$name" == "$current" ]] ||
                refuse "line $((i + 1)): key line for '$name' not right after its user line" || return 1
            [[ "${user_state[$name]}" == allowed ]] || refuse "line $((i + 1)): key line for a user that is not allowed" || return 1
            [[ "$type" =~ $KEY_TYPE_RE ]] || refuse "line $((i + 1)): unknown key type '$type'" || return 1
            [[ "$blob" =~ $B64_RE ]] || refuse "line $((i + 1)): key is not base64" || return 1
            user_keys[$name]+="$type $blob $name@$PCA_ENVIRONMENT"$'\n'
        else
            refuse "line $((i + 1)): not a group, user or key line" || return 1
        fi
    done
    finish_user "$current" "$n" || return 1
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

# finish_user NAME LINE: an allowed user needs at least one key line.
finish_user() {
    [[ -z "$1" || "${user_state[$1]}" != allowed || -n "${user_keys[$1]}" ]] ||
        refuse "line $2: allowed user $1 has no key line"
}
