import APIMachinery
import Foundation

extension ResourceContext {
    /// `pods/eviction`: deletes the pod unless a PodDisruptionBudget covering it allows no more
    /// disruptions (429), taking one disruption from the budget first (compare-and-swap on the
    /// budget, so concurrent evictions cannot overdraw it).
    func evict() async throws -> APIResponse {
        guard let name = info.name, let namespace else { throw StatusError(APIHandler.notFoundPath) }
        var eviction = try bodyObject()
        _ = try checkBody(&eviction, expectedKind: GroupVersionKind(group: "policy", version: "v1", kind: "Eviction"))
        if let bodyName = eviction.objectMember("metadata")["name"]?.stringValue, !bodyName.isEmpty, bodyName != name {
            throw StatusError.badRequest("name in URL does not match name in Eviction object")
        }
        guard let current = try await store.read(key(name)), case .object(let pod) = try current.tree() else {
            throw StatusError.notFound(resource, name)
        }
        var options = DeleteOptions()
        if case .object(let deleteOptions)? = eviction["deleteOptions"] { options = try DeleteOptions(object: deleteOptions) }
        // As upstream's propagateDryRun: the query's dry run applies unless the eviction's own
        // deleteOptions name a different one.
        let queryDryRun = request.query["dryRun"] ?? []
        if options.dryRun.isEmpty {
            options.dryRun = queryDryRun
        } else if !queryDryRun.isEmpty && queryDryRun != options.dryRun {
            throw StatusError.badRequest("DryRun in DeleteOptions doesn't match DryRun in CreateOptions")
        }
        try options.validate()
        let dryRun = writeOptions.dryRun || options.isDryRun
        let phase = pod["status"]?["phase"]?.stringValue ?? ""
        let terminal = phase == "Succeeded" || phase == "Failed"
        if !terminal && pod.objectMember("metadata")["deletionTimestamp"] == nil {
            try await takeDisruption(pod: pod, podName: name, namespace: namespace, dryRun: dryRun)
        }
        if !dryRun {
            do { _ = try await deleteOne(name: name, options: options) } catch let error as StatusError where error.status.code == 404 {}
        }
        return Responses.json(201, ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success", "code": 201])
    }

    private func takeDisruption(pod: JSONObject, podName: String, namespace: String, dryRun: Bool) async throws {
        guard let pdbInfo = handler.registry.info(for: GroupVersionResource(group: "policy", version: "v1", resource: "poddisruptionbudgets"))
        else { return }
        let budgets = handler.stores.store(for: pdbInfo)
        var labels: [String: String] = [:]
        if case .object(let map)? = pod.objectMember("metadata")["labels"] {
            for member in map.members { labels[member.key] = member.value.stringValue ?? "" }
        }
        for _ in 0..<16 {
            let (values, _, _) = try await budgets.kv.list(prefix: budgets.prefix + namespace + "/", from: nil, revision: 0, limit: 0)
            var matching: [(StoredValue, JSONObject)] = []
            for value in values {
                let parsed: JSONValue
                do { parsed = try JSONCodec.parse(value.value) } catch {
                    throw StatusError.internalError("unable to decode the PodDisruptionBudget at \(value.key): \(error)")
                }
                guard case .object(let pdb) = parsed else {
                    throw StatusError.internalError("unable to decode the PodDisruptionBudget at \(value.key): not a JSON object")
                }
                // policy/v1: an empty selector ({}) selects every pod in the namespace; none selects none.
                guard let selector = pdb["spec"]?["selector"], selector != .null,
                    let query = try? LabelSelectorQuery(parsing: Self.selectorString(selector)), query.matches(labels)
                else { continue }
                matching.append((value, pdb))
            }
            guard let (stored, budget) = matching.first else { return }
            if matching.count > 1 {
                throw StatusError(.failure(.internalError, message: "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support."))
            }
            let budgetName = budget.objectMember("metadata")["name"]?.stringValue ?? ""
            let generation: Int64 = if case .int(let g)? = budget.objectMember("metadata")["generation"] { g } else { 0 }
            let observed: Int64? = if case .int(let g)? = budget["status"]?["observedGeneration"] { g } else { nil }
            guard let observed, observed >= generation else {
                throw tooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.",
                                      cause: "The disruption budget \(budgetName) is still being processed by the server.")
            }
            let allowed: Int64 = if case .int(let n)? = budget["status"]?["disruptionsAllowed"] { n } else { 0 }
            if allowed <= 0 {
                let healthy: Int64 = if case .int(let n)? = budget["status"]?["currentHealthy"] { n } else { 0 }
                let desired: Int64 = if case .int(let n)? = budget["status"]?["desiredHealthy"] { n } else { 0 }
                throw tooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.",
                                      cause: "The disruption budget \(budgetName) needs \(desired) healthy pods and has \(healthy) currently")
            }
            if dryRun { return }
            var updated = budget
            var status = updated.objectMember("status")
            status["disruptionsAllowed"] = .int(allowed - 1)
            var disrupted = status.objectMember("disruptedPods")
            disrupted[podName] = .string(ObjectRules.timestamp(handler.now()))
            status["disruptedPods"] = .object(disrupted)
            updated["status"] = .object(status)
            do {
                _ = try await budgets.kv.update(stored.key, value: budgets.encode(updated), expected: stored.modRevision)
                return
            } catch StoreError.conflict {
                continue
            }
        }
        throw StatusError(.conflict(group: "policy", resource: "poddisruptionbudgets", name: ""))
    }

    private func tooManyRequests(_ message: String, cause: String) -> StatusError {
        StatusError(.failure(.tooManyRequests, message: message, details: MetaV1.StatusDetails(
            causes: [MetaV1.StatusCause(message: cause, reason: "DisruptionBudget")])))
    }
}
