import APIMachinery

/// A StatefulSet's ControllerRevisions (upstream's `getStatefulSetRevisions` and
/// `truncateHistory`): one per template, named `<set>-<hash of its data>`, numbered in the
/// order templates were last used, so a template that comes back (`kubectl rollout undo`)
/// reuses its revision with the next number.
extension StatefulSetController {
    /// Label on revisions carrying their hash.
    static let hashLabel = "controller.kubernetes.io/hash"

    /// The current revision (status.currentRevision, or the update one when it is gone), the
    /// update revision (the template's, created or renumbered as needed) and the collision count.
    func revisions(_ set: AppsV1.StatefulSet, sorted: [AppsV1.ControllerRevision]) async throws
        -> (current: AppsV1.ControllerRevision, update: AppsV1.ControllerRevision, collisionCount: Int32)
    {
        var collisionCount = set.status?.collisionCount ?? 0
        let data = try ControllerHistory.data(set.spec?.template)
        let next = (sorted.last?.revision ?? 0) + 1
        let equal = sorted.filter { $0.data == data }
        let update: AppsV1.ControllerRevision
        if let newest = sorted.last, equal.last?.name == newest.name {
            update = newest
        } else if var older = equal.last {
            // The template of an earlier revision is back: it becomes the newest.
            older.revision = next
            update = try await client.update(older)
        } else {
            update = try await createRevision(set, data: data, number: next, collisionCount: &collisionCount)
        }
        let current = sorted.first { $0.name == set.status?.currentRevision } ?? update
        return (current, update, collisionCount)
    }

    /// Creates the revision for `data`; a name another template holds bumps `collisionCount`.
    func createRevision(_ set: AppsV1.StatefulSet, data: JSONValue, number: Int64, collisionCount: inout Int32) async throws -> AppsV1.ControllerRevision {
        for _ in 0..<16 {
            let hash = ControllerHistory.hash(data, collisionCount: collisionCount)
            let name = "\(set.name.prefix(223))-\(hash)"
            var labels = set.spec?.template.metadata?.labels ?? [:]
            labels[Self.hashLabel] = hash
            let revision = AppsV1.ControllerRevision(
                metadata: MetaV1.ObjectMeta(
                    annotations: set.metadata?.annotations, labels: labels, name: name, namespace: set.namespace,
                    ownerReferences: [set.asControllerRef]),
                data: data, revision: number
            ).withTypeMeta()
            do {
                return try await client.create(revision)
            } catch let error as StatusError where error.isAlreadyExists {
                // Ours from an earlier pass the cache has not seen, or another template's.
                if let existing = try await client.get(AppsV1.ControllerRevision.self, namespace: set.namespace, name: name), existing.data == data {
                    return existing
                }
                collisionCount += 1
            }
        }
        throw StatusError.internalError("statefulset \(set.queueKey): no free ControllerRevision name after 16 collisions")
    }

    /// Deletes the oldest revisions that no pod, nor the current or update revision, uses,
    /// beyond `revisionHistoryLimit`.
    func trimHistory(_ set: AppsV1.StatefulSet, sorted: [AppsV1.ControllerRevision], live: Set<String>) async throws {
        let limit = Int(set.spec?.revisionHistoryLimit ?? 10)
        let old = sorted.filter { !live.contains($0.name) }
        guard old.count > limit else { return }
        for revision in old.prefix(old.count - limit) {
            do {
                try await client.delete(AppsV1.ControllerRevision.self, namespace: revision.namespace, name: revision.name, uid: revision.uid, propagation: nil)
            } catch let error as StatusError where error.isNotFound {
                continue
            }
        }
    }
}
