# Shared by the shell tests (source it after setting CLAE): a scratch folder
# removed at exit, the pass / fail counters and the assertions. `finish` prints
# the counts and is the script's exit status.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

pass() { passed=$((passed + 1)); }
fail() {
    failed=$((failed + 1))
    printf 'FAIL: %s\n' "$*"
}
# check DESCRIPTION COMMAND...: the command must succeed
check() {
    local what=$1
    shift
    if "$@"; then pass; else fail "$what"; fi
}
# expect CODE MESSAGE -- COMMAND...: stderr must be exactly MESSAGE (one line)
expect() {
    local want_code=$1 want_msg=$2
    shift 3
    local err code
    err=$("$@" 2>&1 >/dev/null)
    code=$?
    if [ "$code" = "$want_code" ] && [ "$err" = "$want_msg" ]; then
        pass
    else
        fail "$*"
        printf '  want exit %s: %s\n  got  exit %s: %s\n' "$want_code" "$want_msg" "$code" "$err"
    fi
}
# finish [NAME]: "NAME: N passed, M failed"; fails when any check failed
finish() {
    echo "${1:+$1: }$passed passed, $failed failed"
    [ "$failed" = 0 ]
}

# require_device NAME: skips the test (exit 77) without an OpenCL device, or
# fails it where CI demands one (CLAE_REQUIRE_DEVICE=1)
require_device() {
    "$CLAE" list-devices > /dev/null 2>&1 && return 0
    [ "${CLAE_REQUIRE_DEVICE:-0}" = 1 ] && { echo "$1: no OpenCL device"; exit 1; }
    echo "$1: no OpenCL device, skipped"
    exit 77
}

# max_diff A B: the largest |a - b| over the weights of two checkpoints, and the largest |a|
max_diff() {
    python3 - "$1" "$2" <<'PY'
import json, struct, sys
def load(p):
    b = open(p, 'rb').read()
    n = struct.unpack('<Q', b[:8])[0]
    h, base, out = json.loads(b[8:8 + n]), 8 + n, {}
    for k, v in h.items():
        if k != '__metadata__' and not k.startswith('optimizer') and v['dtype'] == 'F32':
            s, e = v['data_offsets']
            out[k] = struct.unpack('<%df' % ((e - s) // 4), b[base + s:base + e])
    return out
a, b = load(sys.argv[1]), load(sys.argv[2])
assert a.keys() == b.keys()
print(max(abs(x - y) for k in a for x, y in zip(a[k], b[k])), max(abs(x) for k in a for x in a[k]))
PY
}
