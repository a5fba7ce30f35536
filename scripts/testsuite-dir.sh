#!/usr/bin/env bash
# Prints the test-data directory: $HULL_TESTSUITE, else ../shared/testsuite beside the repo.
here=$(cd "$(dirname "$0")/.." && pwd)
dir=${HULL_TESTSUITE:-$here/../shared/testsuite}
if [ ! -d "$dir/core" ]; then
  echo "error: test suite not found at '$dir' (set HULL_TESTSUITE)" >&2
  exit 1
fi
cd "$dir" && pwd
