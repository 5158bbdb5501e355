#!/usr/bin/env python3
"""Copies the upstream round-trip fixtures of the served groups (v1, and autoscaling/v2)
into the test fixtures folder, with the license note beside them.

usage: copy-fixtures.py SOURCE_DIR LICENSE DEST_DIR
"""
import os
import re
import shutil
import sys

GROUPS = {
    "core", "apps", "batch", "autoscaling", "networking.k8s.io", "policy", "rbac.authorization.k8s.io",
    "coordination.k8s.io", "discovery.k8s.io", "events.k8s.io", "storage.k8s.io", "scheduling.k8s.io",
    "node.k8s.io", "apiextensions.k8s.io", "admissionregistration.k8s.io", "authentication.k8s.io",
    "authorization.k8s.io", "certificates.k8s.io",
}

NOTE = """The JSON files in this folder are the round-trip fixtures of k8s.io/api v0.32.3
(testdata/HEAD) for the API groups Skiff serves, copied unchanged by
scripts/codegen/copy-fixtures.py. They are Copyright The Kubernetes Authors and licensed under
the Apache License 2.0, whose text is in LICENSE beside this note.
"""


def main():
    source, license_file, dest = sys.argv[1:4]
    os.makedirs(dest, exist_ok=True)
    for name in os.listdir(dest):
        if name.endswith(".json"):
            os.remove(os.path.join(dest, name))
    count = 0
    for name in sorted(os.listdir(source)):
        m = re.match(r"^(.*)\.(v[0-9a-z]+)\.([A-Za-z]+)\.json$", name)
        if not m:
            continue
        group, version, _ = m.groups()
        if group in GROUPS and (version == "v1" or (group == "autoscaling" and version == "v2")):
            shutil.copyfile(os.path.join(source, name), os.path.join(dest, name))
            count += 1
    shutil.copyfile(license_file, os.path.join(dest, "LICENSE"))
    with open(os.path.join(dest, "NOTICE.md"), "w") as f:
        f.write(NOTE)
    print(f"copied {count} fixtures")


if __name__ == "__main__":
    main()
