#!/usr/bin/env bash
# Drives the Python `kubernetes` client (make deps installs it) against the apiserver over a
# kvstore (or real etcd with STORE=etcd): create, list, watch with resource versions and
# bookmarks, patch, scale, delete, 410 on a too-old watch. Prints "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/../.."
source scripts/test/lib/apiserver-env.sh
python3 scripts/test/apiserver_python_client.py
