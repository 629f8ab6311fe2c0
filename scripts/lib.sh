# Shared helpers for scripts/test and scripts/develop (sourced, not run).

# Print the path of the first working Python >= 3.13: $PYTHON, python3.13, pyenv's 3.13.
find_python() {
    local candidates=()
    [ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
    candidates+=("python3.13")
    if command -v pyenv >/dev/null 2>&1; then
        local root
        root=$(pyenv root 2>/dev/null || true)
        if [ -n "$root" ]; then
            local v
            for v in "$root"/versions/3.13*/bin/python3.13; do
                [ -x "$v" ] && candidates+=("$v")
            done
        fi
    fi
    local c
    for c in "${candidates[@]}"; do
        if "$c" -c 'import sys, venv; sys.exit(sys.version_info < (3, 13))' >/dev/null 2>&1; then
            command -v "$c" 2>/dev/null || echo "$c"
            return 0
        fi
    done
    {
        echo "error: no working Python 3.13 found."
        echo "  tried: ${candidates[*]}"
        echo "  install Python 3.13 (e.g. 'pyenv install 3.13') or set PYTHON=/path/to/python3.13"
    } >&2
    return 1
}

# Create .venv when missing or broken, then install the given requirement files
# unless the same files were already installed into the same interpreter.
ensure_venv() {
    if ! .venv/bin/python -c 'import sys' >/dev/null 2>&1; then
        local py
        py=$(find_python) || exit 1
        echo "==> creating .venv with $py ($("$py" --version 2>&1))"
        rm -rf .venv
        "$py" -m venv .venv
    fi
    local stamp=.venv/.pawcontrol-requirements
    local want
    want=$( { .venv/bin/python -c 'import sys; print(sys.version)'; cat "$@"; } | sha256sum | cut -d' ' -f1)
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        echo "==> installing $*"
        .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
        local args=()
        local f
        for f in "$@"; do args+=(-r "$f"); done
        .venv/bin/python -m pip install --quiet --disable-pip-version-check "${args[@]}"
        echo "$want" > "$stamp"
    fi
}
