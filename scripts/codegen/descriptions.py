#!/usr/bin/env python3
"""Field documentation for the OpenAPI documents the apiserver serves.

usage: descriptions.py SOURCE.json SCHEMA.json OUT.json

The trimmed schema (api/definitions-1.32.json) drops descriptions to stay small where it is
parsed at run time. `kubectl explain` and tools that read /openapi/v2 and /openapi/v3 need
them, so this keeps them apart: for each definition of SCHEMA.json, the definition's own
description (key "") and each property's, taken from the full Kubernetes 1.32 schema
SOURCE.json. embed-json.py puts that file in the apiserver as a string literal, parsed only
when an OpenAPI document is first built.
"""
import json
import sys


def extract(source, schema, out):
    with open(source) as f:
        full = json.load(f)
    full = full.get("$defs", full.get("definitions", full))
    with open(schema) as f:
        trimmed = json.load(f)
    trimmed = trimmed.get("$defs", trimmed.get("definitions", trimmed))
    result = {}
    for name in sorted(trimmed):
        definition = full.get(name)
        if not isinstance(definition, dict):
            continue
        entry = {}
        if definition.get("description"):
            entry[""] = definition["description"]
        for prop, value in sorted((definition.get("properties") or {}).items()):
            if isinstance(value, dict) and value.get("description"):
                entry[prop] = value["description"]
        if entry:
            result[name] = entry
    with open(out, "w") as f:
        f.write("{\n")
        f.write(",\n".join(f"{json.dumps(name)}: {json.dumps(entry, ensure_ascii=False, separators=(',', ':'))}"
                           for name, entry in result.items()))
        f.write("\n}\n")


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    extract(sys.argv[1], sys.argv[2], sys.argv[3])


if __name__ == "__main__":
    main()
