import APIMachinery

/// Pod updates: a pod's spec is immutable except for container images, a shrinking
/// `activeDeadlineSeconds`, added tolerations, removed scheduling gates, and (for gated
/// pods) added node selectors (core's `ValidatePodUpdate`).
extension PodValidation {
    static let updatableFields = [
        "`spec.containers[*].image`",
        "`spec.initContainers[*].image`",
        "`spec.activeDeadlineSeconds`",
        "`spec.tolerations` (only additions to existing tolerations)",
        "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
    ]

    /// Spec checks of an update; metadata is checked by the caller. `newTree`/`oldTree` are
    /// the whole objects, compared after the updatable fields are copied from the old spec.
    static func validateUpdate(_ new: CoreV1.Pod, old: CoreV1.Pod, newTree: JSONValue, oldTree: JSONValue) -> [FieldError] {
        var errors = validateMetadataAndSpec(new)
        errors += mirrorAnnotationUpdate(new.metadata?.annotations ?? [:], old: old.metadata?.annotations ?? [:])
        let newSpec = new.spec ?? CoreV1.PodSpec()
        let oldSpec = old.spec ?? CoreV1.PodSpec()
        let specPath: Path = "spec"

        for (field, newList, oldList) in [
            ("containers", newSpec.containers, oldSpec.containers),
            ("initContainers", newSpec.initContainers ?? [], oldSpec.initContainers ?? []),
        ] {
            let listPath = specPath.child(field)
            if newList.count != oldList.count {
                errors.append(.forbidden(listPath, "pod updates may not add or remove containers"))
                return errors
            }
            for (index, container) in newList.enumerated() {
                let image = container.image ?? ""
                if image.isEmpty { errors.append(.required(listPath.index(index).child("image"))) }
                if trimmed(image) != image {
                    errors.append(
                        .invalid(listPath.index(index).child("image"), .string(image), "must not have leading or trailing whitespace"))
                }
            }
        }

        if let deadline = newSpec.activeDeadlineSeconds {
            if deadline < 0 || deadline > Int64(Int32.max) {
                errors.append(
                    .invalid(
                        specPath.child("activeDeadlineSeconds"), .int(deadline),
                        ValidationFormats.inclusiveRangeError(0, Int64(Int32.max))))
                return errors
            }
            if let previous = oldSpec.activeDeadlineSeconds, previous < deadline {
                errors.append(
                    .invalid(specPath.child("activeDeadlineSeconds"), .int(deadline), "must be less than or equal to previous value"))
                return errors
            }
        } else if oldSpec.activeDeadlineSeconds != nil {
            errors.append(
                .invalid(specPath.child("activeDeadlineSeconds"), .null, "must not update from a positive integer to nil value"))
        }

        errors += onlyAddedTolerations(newSpec.tolerations ?? [], old: oldSpec.tolerations ?? [], path: specPath.child("tolerations"))
        errors += onlyDeletedSchedulingGates(
            newSpec.schedulingGates ?? [], old: oldSpec.schedulingGates ?? [], path: specPath.child("schedulingGates"))

        let oldSpecTree = (oldTree["spec"] ?? .object(JSONObject())).prunedOfEmpty
        var munged = newTree["spec"] ?? .object(JSONObject())
        for field in ["containers", "initContainers"] {
            let oldList = oldTree["spec"]?.arrayMember(field) ?? []
            var index = 0
            munged.editEachElement(field) { container in
                let oldImage = index < oldList.count ? oldList[index]["image"] : nil
                container.setMember("image", oldImage)
                index += 1
            }
        }
        for field in ["activeDeadlineSeconds", "schedulingGates", "tolerations"] {
            munged.setMember(field, oldTree["spec"]?[field])
        }
        if let previous = oldSpec.terminationGracePeriodSeconds, previous < 0, newSpec.terminationGracePeriodSeconds == 1 {
            munged.setMember("terminationGracePeriodSeconds", .int(previous))
        }
        if !(oldSpec.schedulingGates ?? []).isEmpty, newSpec.nodeSelector != oldSpec.nodeSelector {
            let newSelector = newSpec.nodeSelector ?? [:]
            let mutated = (oldSpec.nodeSelector ?? [:]).contains { newSelector[$0.key] != $0.value }
            if mutated {
                errors.append(
                    .invalid(
                        specPath.child("nodeSelector"), .stringMap(newSpec.nodeSelector),
                        "only additions to spec.nodeSelector are allowed (no mutations or deletions)"))
            }
            munged.setMember("nodeSelector", oldTree["spec"]?["nodeSelector"])
        }
        let mungedTree = munged.prunedOfEmpty
        if mungedTree != oldSpecTree {
            let detail = "pod updates may not change fields other than " + updatableFields.joined(separator: ",") + "\n"
                + specDiff(old: oldSpecTree, new: mungedTree)
            errors.append(.forbidden(specPath, detail))
        }
        return errors
    }

    static func mirrorAnnotationUpdate(_ new: [String: String], old: [String: String]) -> [FieldError] {
        let path = Path("metadata.annotations").key(mirrorAnnotation)
        switch (old[mirrorAnnotation], new[mirrorAnnotation]) {
        case (let before?, let after) where before != after:
            return [.forbidden(path, "may not remove or update mirror pod annotation")]
        case (nil, _?):
            return [.forbidden(path, "may not add mirror pod annotation")]
        default:
            return []
        }
    }

    /// Every old toleration must still be present (its `tolerationSeconds` may change).
    static func onlyAddedTolerations(_ new: [CoreV1.Toleration], old: [CoreV1.Toleration], path: Path) -> [FieldError] {
        for previous in old {
            let kept = new.contains { candidate in
                var relaxed = previous
                relaxed.tolerationSeconds = candidate.tolerationSeconds
                return relaxed == candidate
            }
            if !kept { return [.forbidden(path, "existing toleration can not be modified except its tolerationSeconds")] }
        }
        return tolerations(new, path: path)
    }

    static func onlyDeletedSchedulingGates(_ new: [CoreV1.PodSchedulingGate], old: [CoreV1.PodSchedulingGate], path: Path) -> [FieldError] {
        let oldNames = Set(old.map(\.name))
        var errors: [FieldError] = []
        for (index, gate) in new.enumerated() where !oldNames.contains(gate.name) {
            errors.append(
                .forbidden(path.index(index).child("name"), "only deletion is allowed, but found new scheduling gate '\(gate.name)'"))
        }
        return errors
    }

    /// A short description of what differs, in the spirit of upstream's `cmp.Diff` output:
    /// one `-`/`+` pair per changed field of the spec.
    static func specDiff(old: JSONValue, new: JSONValue, typeName: String = "core.PodSpec") -> String {
        var lines: [String] = []
        collectDifferences(old: old, new: new, path: "", into: &lines)
        return "  \(typeName){\n" + lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n") + "  }\n"
    }

    private static func collectDifferences(old: JSONValue?, new: JSONValue?, path: String, into lines: inout [String]) {
        if old == new { return }
        if case .object(let before)? = old, case .object(let after)? = new {
            var keys = before.keys
            for key in after.keys where !keys.contains(key) { keys.append(key) }
            for key in keys {
                collectDifferences(old: before[key], new: after[key], path: path.isEmpty ? key : path + "." + key, into: &lines)
            }
            return
        }
        if case .array(let before)? = old, case .array(let after)? = new, before.count == after.count {
            for index in before.indices {
                collectDifferences(old: before[index], new: after[index], path: path + "[\(index)]", into: &lines)
            }
            return
        }
        if let old { lines.append("- \t\(path): " + JSONCodec.encodeToString(old)) }
        if let new { lines.append("+ \t\(path): " + JSONCodec.encodeToString(new)) }
    }
}
