#!/usr/bin/env python3
"""Writes the RBAC objects kube-apiserver creates or reconciles when it starts.

usage: bootstrap-rbac.py [--source DIR] OUT.json

Upstream's apiserver runs a post-start hook (rbac/bootstrap-roles) that makes sure a fixed set
of ClusterRoles, ClusterRoleBindings, and Roles/RoleBindings in kube-system and kube-public
exists: cluster-admin, admin/edit/view with their system:aggregate-to-* parts, the system:*
roles of nodes, the scheduler, the controller manager and discovery, and one system:controller:*
role and binding for each controller of kube-controller-manager. Upstream builds these objects
in Go (plugin/pkg/auth/authorizer/rbac/bootstrappolicy), and its unit tests compare that code
against YAML files kept in the package's testdata folder, rendered with the default feature
gates. Those files are therefore the exact default objects of a release, and this script reads
them instead of the Go code:

  cluster-roles.yaml, controller-roles.yaml                 -> "clusterRoles"
  cluster-role-bindings.yaml, controller-role-bindings.yaml -> "clusterRoleBindings"
  namespace-roles.yaml                                      -> "roles"
  namespace-role-bindings.yaml                              -> "roleBindings"

The controller files are included because the hook reconciles the controller roles and bindings
together with the others, in this order (general ones first). Rules that upstream only adds
when a non-default feature gate is on (DRA, ClusterTrustBundle, ...) are not in these files,
and are not in the output either.

The files are downloaded from kubernetes/kubernetes at TAG, or read from DIR (--source) when
there is no network. Each object keeps its rules, aggregationRule, roleRef and subjects exactly
as in the data (an aggregated role's empty `rules: null` included), and a metadata reduced to
name, namespace, labels and annotations: the fixtures' `creationTimestamp: null` and anything
else a server would set are dropped. Keys are written in Go's encoding order (read from
api/go-field-order.json), map keys sorted as Go sorts them, list order as upstream has it.
The output is one JSON object with the four lists, one object per line so that a regeneration
diffs by object.
"""
import json
import os
import sys
import urllib.request

import yaml

TAG = "v1.32.13"
URL = ("https://raw.githubusercontent.com/kubernetes/kubernetes/" + TAG
       + "/plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata/")
API_VERSION = "rbac.authorization.k8s.io/v1"

# output key -> (kind of every object in it, the testdata files it is read from, in order)
LISTS = [
    ("clusterRoles", "ClusterRole", ["cluster-roles.yaml", "controller-roles.yaml"]),
    ("clusterRoleBindings", "ClusterRoleBinding",
     ["cluster-role-bindings.yaml", "controller-role-bindings.yaml"]),
    ("roles", "Role", ["namespace-roles.yaml"]),
    ("roleBindings", "RoleBinding", ["namespace-role-bindings.yaml"]),
]

TOP_LEVEL = {
    "ClusterRole": {"apiVersion", "kind", "metadata", "rules", "aggregationRule"},
    "Role": {"apiVersion", "kind", "metadata", "rules"},
    "ClusterRoleBinding": {"apiVersion", "kind", "metadata", "subjects", "roleRef"},
    "RoleBinding": {"apiVersion", "kind", "metadata", "subjects", "roleRef"},
}
KEPT_METADATA = ["name", "namespace", "labels", "annotations"]

RBAC = "io.k8s.api.rbac.v1."
META = "io.k8s.apimachinery.pkg.apis.meta.v1."
# definition -> {field -> definition of the field's value (or of each element of a list)}
NESTED = {
    RBAC + "ClusterRole": {"metadata": META + "ObjectMeta", "rules": RBAC + "PolicyRule",
                           "aggregationRule": RBAC + "AggregationRule"},
    RBAC + "Role": {"metadata": META + "ObjectMeta", "rules": RBAC + "PolicyRule"},
    RBAC + "ClusterRoleBinding": {"metadata": META + "ObjectMeta", "subjects": RBAC + "Subject",
                                  "roleRef": RBAC + "RoleRef"},
    RBAC + "RoleBinding": {"metadata": META + "ObjectMeta", "subjects": RBAC + "Subject",
                           "roleRef": RBAC + "RoleRef"},
    RBAC + "AggregationRule": {"clusterRoleSelectors": META + "LabelSelector"},
}
# fields that are Go maps: written with sorted keys
MAPS = {"labels", "annotations", "matchLabels"}


def read_sources(source):
    texts = {}
    for _, _, files in LISTS:
        for name in files:
            if source:
                path = os.path.join(source, name)
                try:
                    with open(path, encoding="utf-8") as f:
                        texts[name] = f.read()
                except OSError as error:
                    raise SystemExit(f"bootstrap-rbac: cannot read {path}: {error}")
            else:
                url = URL + name
                print(f"bootstrap-rbac: downloading {url}", file=sys.stderr)
                try:
                    with urllib.request.urlopen(url, timeout=60) as response:
                        texts[name] = response.read().decode("utf-8")
                except OSError as error:
                    raise SystemExit(f"bootstrap-rbac: cannot download {url}: {error}\n"
                                     "(download the testdata files another way and pass --source DIR)")
    return texts


def reduce_metadata(metadata, where):
    if not isinstance(metadata, dict) or not metadata.get("name"):
        raise SystemExit(f"bootstrap-rbac: {where}: an object without metadata.name")
    return {key: metadata[key] for key in KEPT_METADATA if metadata.get(key) is not None}


def in_go_order(value, definition, order):
    """value with its keys in the Go declaration order of `definition` (nested as NESTED says)."""
    if isinstance(value, list):
        return [in_go_order(item, definition, order) for item in value]
    if not isinstance(value, dict) or definition is None:
        return value
    fields = order.get(definition)
    if fields is None:
        raise SystemExit(f"bootstrap-rbac: api/go-field-order.json has no {definition}")
    unknown = [key for key in value if key not in fields]
    if unknown:
        raise SystemExit(f"bootstrap-rbac: {definition} has no field(s) {unknown}")
    nested = NESTED.get(definition, {})
    result = {}
    for key in fields:
        if key not in value:
            continue
        item = value[key]
        if key in MAPS and isinstance(item, dict):
            item = {k: item[k] for k in sorted(item)}
        else:
            item = in_go_order(item, nested.get(key), order)
        result[key] = item
    return result


def convert(texts, order):
    output = {}
    for key, kind, files in LISTS:
        objects = []
        seen = set()
        for name in files:
            document = yaml.safe_load(texts[name])
            if not isinstance(document, dict) or document.get("kind") != "List":
                raise SystemExit(f"bootstrap-rbac: {name} is not a List")
            for item in document.get("items") or []:
                where = f"{name}: {(item.get('metadata') or {}).get('name')}"
                if item.get("apiVersion") != API_VERSION or item.get("kind") != kind:
                    raise SystemExit(f"bootstrap-rbac: {where}: expected {API_VERSION} {kind}, found "
                                     f"{item.get('apiVersion')} {item.get('kind')}")
                extra = set(item) - TOP_LEVEL[kind]
                if extra:
                    raise SystemExit(f"bootstrap-rbac: {where}: unexpected field(s) {sorted(extra)}")
                item = dict(item)
                item["metadata"] = reduce_metadata(item.get("metadata"), where)
                identity = (item["metadata"].get("namespace"), item["metadata"]["name"])
                if identity in seen:
                    raise SystemExit(f"bootstrap-rbac: {where}: listed twice")
                seen.add(identity)
                objects.append(in_go_order(item, RBAC + kind, order))
        output[key] = objects
    check_references(output)
    return output


def check_references(output):
    cluster_roles = {role["metadata"]["name"] for role in output["clusterRoles"]}
    roles = {(role["metadata"].get("namespace"), role["metadata"]["name"]) for role in output["roles"]}
    for key in ("clusterRoleBindings", "roleBindings"):
        for binding in output[key]:
            ref = binding["roleRef"]
            namespace = binding["metadata"].get("namespace")
            found = (ref["name"] in cluster_roles if ref["kind"] == "ClusterRole"
                     else (namespace, ref["name"]) in roles)
            if not found:
                raise SystemExit(f"bootstrap-rbac: {key} {binding['metadata']['name']} refers to "
                                 f"the missing {ref['kind']} {ref['name']}")


def dump(output):
    lines = ["{"]
    for index, (key, _, _) in enumerate(LISTS):
        objects = output[key]
        lines.append(f"{json.dumps(key)}: [")
        for position, item in enumerate(objects):
            comma = "," if position < len(objects) - 1 else ""
            lines.append(json.dumps(item, separators=(",", ":"), ensure_ascii=False) + comma)
        lines.append("]," if index < len(LISTS) - 1 else "]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main():
    args = sys.argv[1:]
    source = None
    if len(args) >= 2 and args[0] == "--source":
        source = args[1]
        args = args[2:]
    if len(args) != 1:
        raise SystemExit("usage: bootstrap-rbac.py [--source DIR] OUT.json")
    out = args[0]

    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    with open(os.path.join(root, "api", "go-field-order.json"), encoding="utf-8") as f:
        order = json.load(f)

    output = convert(read_sources(source), order)
    text = dump(output)
    if json.loads(text) != output:
        raise SystemExit("bootstrap-rbac: the written JSON does not read back as the objects")
    with open(out, "w", encoding="utf-8") as f:
        f.write(text)
    counts = ", ".join(f"{len(output[key])} {key}" for key, _, _ in LISTS)
    print(f"bootstrap-rbac: wrote {out} ({counts})", file=sys.stderr)


if __name__ == "__main__":
    main()
