#!/usr/bin/env python3
"""Reads the JSON field order of every schema definition from upstream's Go types.

usage: go-field-order.py [--fetch] SOURCES SCHEMA.json OUT.json

Go's encoding/json writes a struct's fields in declaration order, with the fields of an
embedded `json:",inline"` struct (TypeMeta, VolumeSource, ...) in its place. The OpenAPI schema
lists properties alphabetically, so this order is taken from the `types.go` files of
kubernetes/api, kubernetes/apimachinery and kubernetes/apiextensions-apiserver, checked out at
SOURCES/k8s.io/<repo> as gen-protobuf-table.py has them (`--fetch` clones the missing ones at
the same tag; `make generate-field-order` does it all). The output maps
each definition of SCHEMA.json to its property names in that order; trim-schema.py applies
it. Definitions Go does not declare as structs (Quantity, IntOrString, ...) are left out.
"""
import json
import os
import re
import subprocess
import sys

TAG = "v0.32.13"
REPOS = ["api", "apimachinery", "apiextensions-apiserver"]

STRUCT_START = re.compile(r"^type (\w+) struct \{\s*$")
FIELD = re.compile(r'^\s*(?:(\w+)\s+)?([\w.*\[\]]+)\s+`([^`]*)`')
JSON_TAG = re.compile(r'json:"([^"]*)"')


def go_files(directory):
    return [os.path.join(directory, name) for name in sorted(os.listdir(directory))
            if name.endswith(".go") and not name.endswith("_test.go")]


def fetch(root):
    for repo in REPOS:
        target = os.path.join(root, "k8s.io", repo)
        if not os.path.isdir(target):
            print(f"go-field-order: cloning kubernetes/{repo} {TAG} into {target}", file=sys.stderr)
            subprocess.run(["git", "clone", "-q", "--depth", "1", "--branch", TAG,
                            f"https://github.com/kubernetes/{repo}", target], check=True)


def parse_structs(source):
    """Struct name -> list of (json name or None for inline, Go type) in declaration order."""
    structs = {}
    current = None
    for line in source.splitlines():
        if current is None:
            match = STRUCT_START.match(line)
            if match:
                current = match.group(1)
                structs[current] = []
            continue
        if line.startswith("}"):
            current = None
            continue
        stripped = line.strip()
        if not stripped or stripped.startswith("//"):
            continue
        match = FIELD.match(line)
        if not match:
            continue
        _, go_type, tags = match.groups()
        tag = JSON_TAG.search(tags)
        if not tag:
            continue
        json_name, _, options = tag.group(1).partition(",")
        if json_name == "-":
            continue
        if json_name == "" and "inline" in options.split(","):
            structs[current].append((None, go_type.lstrip("*").split(".")[-1]))
        elif json_name:
            structs[current].append((json_name, go_type))
    return structs


def package_structs(directory):
    structs = {}
    for path in go_files(directory):
        with open(path) as f:
            structs.update(parse_structs(f.read()))
    return structs


def flatten(name, local, meta):
    """The JSON names of struct `name` with inline members expanded (looked up locally, then in meta/v1)."""
    fields = local.get(name) if name in local else meta.get(name)
    if fields is None:
        return None
    names = []
    for json_name, go_type in fields:
        if json_name is None:
            inner = flatten(go_type, local, meta)
            if inner is None:
                raise SystemExit(f"inline member {go_type} of {name} not found")
            names.extend(inner)
        else:
            names.append(json_name)
    return names


def main():
    args = sys.argv[1:]
    if "--fetch" in args:
        args.remove("--fetch")
        fetch(args[0])
    if len(args) != 3:
        raise SystemExit("usage: go-field-order.py [--fetch] SOURCES SCHEMA.json OUT.json")
    root, schema, out = args
    api, machinery, extensions = (os.path.join(root, "k8s.io", repo) for repo in REPOS)
    definitions = json.load(open(schema))
    packages = {}
    meta = package_structs(os.path.join(machinery, "pkg/apis/meta/v1"))

    def structs_for(namespace):
        if namespace not in packages:
            if namespace.startswith("io.k8s.api."):
                group, version = namespace.split(".")[3:5]
                packages[namespace] = package_structs(os.path.join(api, group, version))
            elif namespace == "io.k8s.apimachinery.pkg.apis.meta.v1":
                packages[namespace] = meta
            elif namespace == "io.k8s.apimachinery.pkg.version":
                packages[namespace] = package_structs(os.path.join(machinery, "pkg/version"))
            elif namespace.startswith("io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1"):
                packages[namespace] = package_structs(os.path.join(extensions, "pkg/apis/apiextensions/v1"))
            else:
                packages[namespace] = {}
        return packages[namespace]

    order = {}
    for name, definition in sorted(definitions.items()):
        properties = definition.get("properties")
        if not properties:
            continue
        namespace, short = name.rsplit(".", 1)
        names = flatten(short, structs_for(namespace), meta)
        if names is None:
            print(f"no Go struct for {name}; keeping its schema order", file=sys.stderr)
            continue
        missing = sorted(set(properties) - set(names))
        if missing:
            print(f"{name}: not in the Go struct, kept last: {missing}", file=sys.stderr)
        order[name] = [n for n in names if n in properties] + missing
    with open(out, "w") as f:
        json.dump(order, f, indent=0, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
