import APIMachinery

/// How endpoints are packed into EndpointSlices, shared by the `endpointslice` controller
/// (pods of a selector) and the `endpointslice-mirroring` one (a selector-less Service's
/// Endpoints): one group of slices per address type and port set, at most `maxPerSlice`
/// endpoints each. An endpoint stays in the slice that holds it; slices with room are filled
/// before new ones are made, so a change rewrites as few slices as possible.
enum SlicePacking {
    /// Slices share an address type and a port set.
    struct Group: Hashable, Comparable {
        var addressType: String
        var ports: [ServiceEndpoints.Port]

        static func < (a: Group, b: Group) -> Bool {
            a.addressType != b.addressType ? a.addressType < b.addressType : a.ports.lexicographicallyPrecedes(b.ports)
        }

        var wirePorts: [DiscoveryV1.EndpointPort] {
            ports.map { DiscoveryV1.EndpointPort(appProtocol: $0.appProtocol, name: $0.name, port: $0.port, protocol: $0.proto) }
        }
    }

    /// The writes that turn `existing` into slices holding `wanted` (endpoints by address, per
    /// group), every slice carrying `labels` (and `annotations` when given). With
    /// `placeholder`, no endpoints at all leaves one empty slice rather than none.
    /// `newSlice` makes an unsaved slice for a group (nil: the placeholder).
    static func plan(
        existing: [DiscoveryV1.EndpointSlice], wanted: [Group: [String: DiscoveryV1.Endpoint]], labels: [String: String],
        annotations: [String: String]? = nil, maxPerSlice: Int, placeholder: Bool,
        newSlice: (Group?, [DiscoveryV1.Endpoint]) -> DiscoveryV1.EndpointSlice
    ) -> (creates: [DiscoveryV1.EndpointSlice], updates: [DiscoveryV1.EndpointSlice], deletes: [DiscoveryV1.EndpointSlice]) {
        var updates: [DiscoveryV1.EndpointSlice] = []
        var creates: [DiscoveryV1.EndpointSlice] = []
        var deletes: [DiscoveryV1.EndpointSlice] = []
        func stamped(_ slice: inout DiscoveryV1.EndpointSlice) -> Bool {
            var changed = false
            if (slice.metadata?.labels ?? [:]) != labels {
                slice.metadata?.labels = labels
                changed = true
            }
            if let annotations, (slice.metadata?.annotations ?? [:]) != annotations {
                slice.metadata?.annotations = annotations.isEmpty ? nil : annotations
                changed = true
            }
            return changed
        }
        var unused = existing
        for (group, endpoints) in wanted.sorted(by: { $0.key < $1.key }) {
            let wire = group.wirePorts
            var slices = unused.filter { ($0.ports ?? []) == wire && $0.addressType == group.addressType }
            unused.removeAll { slice in slices.contains { $0.uid == slice.uid } }
            var remaining = endpoints
            // Keep endpoints where they are, refreshed; drop the ones no longer wanted.
            for index in slices.indices {
                let before = slices[index]
                slices[index].endpoints = slices[index].endpoints.compactMap { old in
                    guard let ip = old.addresses.first, let fresh = remaining.removeValue(forKey: ip) else { return nil }
                    return fresh
                }
                if stamped(&slices[index]) || slices[index].endpoints != before.endpoints { updates.append(slices[index]) }
            }
            // Fill slices with room, then new slices.
            var fresh = remaining.values.sorted { ($0.addresses.first ?? "") < ($1.addresses.first ?? "") }
            for index in slices.indices where !fresh.isEmpty && slices[index].endpoints.count < maxPerSlice {
                let room = maxPerSlice - slices[index].endpoints.count
                slices[index].endpoints += fresh.prefix(room)
                fresh.removeFirst(min(room, fresh.count))
                updates.removeAll { $0.uid == slices[index].uid }
                updates.append(slices[index])
            }
            while !fresh.isEmpty {
                let chunk = Array(fresh.prefix(maxPerSlice))
                fresh.removeFirst(chunk.count)
                creates.append(newSlice(group, chunk))
            }
            for slice in slices where slice.endpoints.isEmpty {
                deletes.append(slice)
                updates.removeAll { $0.uid == slice.uid }
            }
        }
        // Slices of groups no longer served go; with nothing at all, one empty placeholder may stay.
        if wanted.isEmpty && placeholder {
            if var kept = unused.first(where: { $0.endpoints.isEmpty && ($0.ports ?? []).isEmpty }) {
                unused.removeAll { $0.uid == kept.uid }
                if stamped(&kept) { updates.append(kept) }
            } else if var reused = unused.first {
                reused.endpoints = []
                reused.ports = nil
                _ = stamped(&reused)
                unused.removeFirst()
                updates.append(reused)
            } else {
                creates.append(newSlice(nil, []))
            }
        }
        deletes += unused
        return (creates, updates, deletes)
    }
}
