/// Kubernetes strategic merge patch (`application/strategic-merge-patch+json`): a merge patch
/// whose treatment of lists and maps comes from the schema's patch metadata.
///
/// Contract, for a patch object applied to an object of schema type `type`:
/// - Members merge as in RFC 7386: `null` deletes the key, objects merge recursively, scalars
///   and values of a different JSON type replace.
/// - A list field with patch strategy `merge` and a `patchMergeKey` (e.g. `containers` by
///   `name`, `ports` by `containerPort`) merges element by element: a patch element whose key
///   value is present merges into that element (recursively, by the element type's schema);
///   others are added. A `merge` list of scalars (e.g. `finalizers`) becomes the union.
///   Other lists are replaced.
/// - List order is Kubernetes': patch elements keep their relative order, live elements keep
///   theirs, a live element is placed before a patch element when it came before it in the live
///   list, and new elements therefore come *before* the live elements that follow none of the
///   patch's. `$setElementOrder/<field>: [...]` (scalars, or objects holding just the merge key)
///   fixes the order of the elements it names; unnamed live elements are slotted in by their
///   live position.
/// - Directives: `$patch: replace` on an object gives exactly the patch object (applied to
///   nothing); as an element of a merge list it makes the list exactly the other patch
///   elements. `$patch: delete` on an object empties it (kube-apiserver returns `{}`, not an
///   absent field); as an element of a merge list it removes the live elements with its merge
///   key value. `$patch: merge` on an object is the default behaviour (kube-apiserver rejects
///   it, this accepts it); in a list it is an error, as upstream. `$retainKeys: [...]` drops the
///   live keys it does not list before merging (every non-null patch key must be listed).
///   `$deleteFromPrimitiveList/<field>: [...]` removes those values from a scalar list.
///   Directive keys never appear in the result.
/// - Fields the schema does not describe (unknown names, `x-` extensions, free-form `any`
///   values, CRD-ish content) get plain merge-patch treatment, with directives still honoured.
/// - Errors (`PatchError`, wording of `k8s.io/apimachinery/pkg/util/strategicpatch`): a patch
///   that is not an object, `unknown patch type: X in map: map[...]`, a merge-list element
///   without its merge key, directives of the wrong shape, lists of lists.
/// Cost: linear in the patch plus, per merged list, quadratic in that list's length at worst.
public enum StrategicMergePatch {
    /// Applies `patch` to `document`, an object of schema `type` from `schema` (a `null` document
    /// counts as `{}`, a `null` patch as `{}`); returns the patched object.
    public static func apply(_ patch: JSONValue, to document: JSONValue, schema: APISchema, type: TypeSchema) throws -> JSONValue {
        let patchObject: JSONObject
        switch patch {
        case .object(let object): patchObject = object
        case .null: patchObject = JSONObject()
        default:
            throw PatchError(.badRequest, "json: cannot unmarshal \(patch.typeName) into Go value of type map[string]interface {}")
        }
        let original: JSONObject?
        switch document {
        case .object(let object): original = object
        case .null: original = nil
        default: throw PatchError(.badRequest, "invalid JSON document")
        }
        let merger = StrategicMerger(schema: schema)
        return try .object(merger.mergeObject(original, patchObject, shape: .object(type)))
    }
}
