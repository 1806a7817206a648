#!/bin/bash
# check-format.sh [--fix]: check (or, with --fix, apply) the committed
# .clang-format on every C source and header of the project.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

command -v clang-format >/dev/null || {
    echo "check-format.sh: clang-format not found (apt-get install clang-format)" >&2
    exit 1
}
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    mapfile -t files < <(git ls-files 'src/*.[ch]' 'tests/*.[ch]')
else
    mapfile -t files < <(find src tests -name '*.[ch]' | sort)
fi
if [ "${1:-}" = --fix ]; then
    clang-format -i "${files[@]}"
elif ! clang-format --dry-run -Werror "${files[@]}"; then
    echo "check-format.sh: the files above differ from .clang-format: run scripts/check-format.sh --fix" >&2
    exit 1
fi
