#!/usr/bin/env bash
# Print the path of a working Python 3.10 interpreter (Rasa 3.6 needs exactly 3.10).
# Looks where a user's machine would offer one: $PYTHON310, `python3.10` on PATH,
# then pyenv's installed versions. Fails with a clear message otherwise.
set -euo pipefail

works() { "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' >/dev/null 2>&1; }

if [ -n "${PYTHON310:-}" ] && works "$PYTHON310"; then echo "$PYTHON310"; exit 0; fi
if command -v python3.10 >/dev/null 2>&1 && works python3.10; then command -v python3.10; exit 0; fi
if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root)
  for candidate in $(ls -d "$root"/versions/3.10* 2>/dev/null | sort -rV); do
    if works "$candidate/bin/python"; then echo "$candidate/bin/python"; exit 0; fi
  done
fi
cat >&2 <<'MSG'
error: Python 3.10 not found (Rasa 3.6 runs only on Python 3.10).
Install it with one of:
  pyenv install 3.10.13          # then re-run make
  apt-get install python3.10     # where your distribution ships it
or point PYTHON310 at an interpreter: make setup PYTHON310=/path/to/python3.10
MSG
exit 1
