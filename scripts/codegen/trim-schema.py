#!/usr/bin/env python3
"""Trims the Kubernetes JSON schema to what Skiff needs: the served groups' definitions with
names, types, formats, required lists, GVKs and patch/list metadata; no descriptions.

usage: trim-schema.py SOURCE.json EXTRA.json OUT.json

EXTRA.json holds definitions Kubernetes serves but its OpenAPI leaves out (the option kinds
sent as query parameters, PodStatusResult, RangeAllocation, SerializedReference), written in
the same form; they are merged in.
"""
import json
import sys

from groups import included

KEEP = {
    "type", "format", "items", "properties", "additionalProperties", "required", "$ref", "oneOf",
    "x-kubernetes-group-version-kind", "x-kubernetes-patch-strategy", "x-kubernetes-patch-merge-key",
    "x-kubernetes-list-type", "x-kubernetes-list-map-keys", "x-kubernetes-map-type",
    "x-kubernetes-unions", "enum",
}


def trim(node):
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "properties":
                out[key] = {name: trim(prop) for name, prop in value.items()}
            elif key.startswith("x-kubernetes-") or key in ("enum", "required"):
                out[key] = value
            elif key in KEEP:
                out[key] = trim(value)
        return out
    if isinstance(node, list):
        return [trim(v) for v in node]
    return node


def main():
    source, extra, target = sys.argv[1], sys.argv[2], sys.argv[3]
    defs = json.load(open(source))["$defs"]
    for name, definition in json.load(open(extra)).items():
        assert name not in defs, f"{name} is already in the upstream schema"
        defs[name] = definition
    kept = {name: trim(d) for name, d in sorted(defs.items()) if included(name)}
    with open(target, "w") as f:
        f.write("{\n")
        items = list(kept.items())
        for i, (name, d) in enumerate(items):
            f.write(json.dumps(name) + ": " + json.dumps(d, sort_keys=True, separators=(",", ":")))
            f.write(",\n" if i + 1 < len(items) else "\n")
        f.write("}\n")


if __name__ == "__main__":
    main()
