/// RFC 7386 JSON Merge Patch (`application/merge-patch+json`).
public enum MergePatch {
    /// Applies `patch` to `document`.
    ///
    /// Contract (RFC 7386): when `patch` is an object, each member with value `null` removes that
    /// member from the target, an object value is merged recursively into the target's member
    /// (a missing or non-object member counts as `{}`), and any other value (arrays included)
    /// replaces the member. A non-object target counts as `{}`. When `patch` is not an object it
    /// replaces the whole document. Never fails. Members keep the target's order; new ones follow
    /// in patch order.
    public static func apply(_ patch: JSONValue, to document: JSONValue) -> JSONValue {
        guard case .object(let patchObject) = patch else { return patch }
        var target: JSONObject
        if case .object(let object) = document {
            target = object
        } else {
            target = JSONObject()
        }
        for member in patchObject.members {
            if case .null = member.value {
                target[member.key] = nil
            } else {
                target[member.key] = apply(member.value, to: target[member.key] ?? .null)
            }
        }
        return .object(target)
    }

    /// A merge patch that turns `original` into `modified`: `apply(create(from: a, to: b), to: a) == b`.
    ///
    /// Contract: when both are objects the patch holds `null` for each member `modified` lacks,
    /// a nested patch for members that are objects on both sides and differ, and the new value
    /// for every other added or changed member; unchanged members are left out (so equal
    /// documents give `{}`). Otherwise the patch is `modified` itself. Merge patch cannot say
    /// "set to null", so members whose value in `modified` is `null` (at any depth inside a
    /// new object) do not survive the round trip.
    public static func create(from original: JSONValue, to modified: JSONValue) -> JSONValue {
        guard case .object(let old) = original, case .object(let new) = modified else { return modified }
        var patch = JSONObject()
        for member in new.members {
            guard let oldValue = old[member.key] else {
                patch[member.key] = member.value
                continue
            }
            if oldValue == member.value { continue }
            if case .object = oldValue, case .object = member.value {
                patch[member.key] = create(from: oldValue, to: member.value)
            } else {
                patch[member.key] = member.value
            }
        }
        let kept = Set(new.keys)
        for member in old.members where !kept.contains(member.key) {
            patch[member.key] = .null
        }
        return .object(patch)
    }
}
