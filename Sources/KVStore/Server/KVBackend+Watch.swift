import EtcdAPI
import GRPCCore

/// Watch streams: each gRPC Watch call is a stream holding many watches with stream-local
/// IDs; the hub knows them by a member-wide ID.
extension KVBackend {
    struct WatchStream {
        var output: AsyncStream<Etcdserverpb_WatchResponse>.Continuation
        var nextWatchID: Int64 = 0
        /// stream-local id → hub id
        var watches: [Int64: Int64] = [:]
    }

    func openWatchStream(_ output: AsyncStream<Etcdserverpb_WatchResponse>.Continuation) -> Int {
        nextStreamID += 1
        watchStreams[nextStreamID] = WatchStream(output: output)
        return nextStreamID
    }

    func closeWatchStream(_ id: Int) {
        guard let stream = watchStreams.removeValue(forKey: id) else { return }
        for hubID in stream.watches.values {
            hub.cancel(hubID)
            hubOwners[hubID] = nil
        }
        stream.output.finish()
    }

    func handle(_ request: Etcdserverpb_WatchRequest, stream id: Int) {
        guard var stream = watchStreams[id] else { return }
        var response = Etcdserverpb_WatchResponse()
        response.header = header
        switch request.requestUnion {
        case .createRequest(let create):
            var localID = create.watchID
            if localID == 0 {
                while stream.watches[stream.nextWatchID] != nil { stream.nextWatchID += 1 }
                localID = stream.nextWatchID
                stream.nextWatchID += 1
            } else if stream.watches[localID] != nil {
                response.watchID = localID
                response.canceled = true
                response.cancelReason = "etcdserver: duplicate watch ID"
                stream.output.yield(response)
                return
            }
            nextHubID += 1
            var watch = WatchHub.Watch(id: nextHubID, range: KeyRange(key: create.key, rangeEnd: create.rangeEnd))
            watch.startRevision = create.startRevision
            watch.prevKV = create.prevKv
            watch.filterPuts = create.filters.contains(.noput)
            watch.filterDeletes = create.filters.contains(.nodelete)
            response.watchID = localID
            switch hub.create(watch, store: state.store) {
            case .created(let backlog):
                stream.watches[localID] = nextHubID
                hubOwners[nextHubID] = (id, localID)
                response.created = true
                stream.output.yield(response)
                if !backlog.isEmpty {
                    var events = Etcdserverpb_WatchResponse()
                    events.header = header
                    events.watchID = localID
                    events.events = backlog.map(Mvccpb_Event.init)
                    stream.output.yield(events)
                }
            case .compacted(let revision):
                response.created = true
                stream.output.yield(response)
                stream.output.yield(compactedCancel(localID, revision: revision))
            case .duplicateID:
                return
            }
        case .cancelRequest(let cancel):
            if let hubID = stream.watches.removeValue(forKey: cancel.watchID) {
                hub.cancel(hubID)
                hubOwners[hubID] = nil
            }
            response.watchID = cancel.watchID
            response.canceled = true
            stream.output.yield(response)
        case .progressRequest:
            // A progress notification: every later event has a higher revision than the header's.
            response.watchID = -1
            stream.output.yield(response)
        case nil:
            return
        }
        watchStreams[id] = stream
    }

    /// Sends the events of one applied write to the watches that want them.
    func notify(_ events: [WatchEvent]) {
        guard !events.isEmpty, !watchStreams.isEmpty else { return }
        for (hubID, selected) in hub.route(events) {
            guard let (streamID, localID) = hubOwners[hubID], let stream = watchStreams[streamID] else { continue }
            var response = Etcdserverpb_WatchResponse()
            response.header = header
            response.watchID = localID
            response.events = selected.map(Mvccpb_Event.init)
            stream.output.yield(response)
        }
    }
}

extension KVBackend {
    /// etcd's cancellation of a watch whose start revision is compacted away.
    func compactedCancel(_ localID: Int64, revision: Int64) -> Etcdserverpb_WatchResponse {
        var canceled = Etcdserverpb_WatchResponse()
        canceled.header = header
        canceled.watchID = localID
        canceled.canceled = true
        canceled.compactRevision = revision
        canceled.cancelReason = "etcdserver: mvcc: required revision has been compacted"
        return canceled
    }

    /// After installing a snapshot, delivers to every watch the changes between `revision`
    /// (what watchers had seen) and the snapshot's revision; a watch whose missed history
    /// was compacted away is cancelled with the compact revision, as etcd does.
    func catchUpWatches(after revision: Int64) {
        guard !watchStreams.isEmpty, state.store.currentRevision > revision else { return }
        do {
            notify(try state.store.events(in: KeyRange(key: [0], end: [0]), from: revision + 1))
        } catch {
            for (hubID, (streamID, localID)) in hubOwners {
                guard var stream = watchStreams[streamID] else { continue }
                hub.cancel(hubID)
                hubOwners[hubID] = nil
                stream.watches[localID] = nil
                watchStreams[streamID] = stream
                stream.output.yield(compactedCancel(localID, revision: state.store.compactedRevision))
            }
        }
    }
}
