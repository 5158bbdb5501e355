#!/usr/bin/env python3
"""Trims the Kubernetes JSON schema to what Skiff needs: the served groups' definitions with
names, types, formats, required lists, GVKs and patch/list metadata; no descriptions.

usage: trim-schema.py SOURCE.json EXTRA.json ORDER.json OUT.json

EXTRA.json holds definitions Kubernetes serves but its OpenAPI leaves out (the option kinds
sent as query parameters, PodStatusResult, RangeAllocation, SerializedReference), written in
the same form; they are merged in. ORDER.json (written by go-field-order.py from upstream's Go
types) gives each definition's properties in the order Go's encoding/json writes them; the
output lists them in that order, so that the generated encoders and the apiserver's
canonical form follow it.
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


def ordered(node, order=None):
    """Keys sorted, except a definition's properties, which follow `order` (Go's field order)."""
    if isinstance(node, dict):
        out = {}
        for key in sorted(node):
            if key == "properties" and order is not None:
                names = [n for n in order if n in node[key]]
                names += sorted(n for n in node[key] if n not in names)
                out[key] = {n: ordered(node[key][n]) for n in names}
            else:
                out[key] = ordered(node[key])
        return out
    if isinstance(node, list):
        return [ordered(v) for v in node]
    return node


def main():
    source, extra, order_file, target = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    order = json.load(open(order_file))
    defs = json.load(open(source))["$defs"]
    for name, definition in json.load(open(extra)).items():
        assert name not in defs, f"{name} is already in the upstream schema"
        defs[name] = definition
    kept = {name: trim(d) for name, d in sorted(defs.items()) if included(name)}
    with open(target, "w") as f:
        f.write("{\n")
        items = list(kept.items())
        for i, (name, d) in enumerate(items):
            f.write(json.dumps(name) + ": " + json.dumps(ordered(d, order.get(name, [])), separators=(",", ":")))
            f.write(",\n" if i + 1 < len(items) else "\n")
        f.write("}\n")


if __name__ == "__main__":
    main()
