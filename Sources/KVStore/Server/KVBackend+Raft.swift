import EtcdAPI
import GRPCCore
import RaftCore

/// The Raft driver: the Ready loop, ticks, peer messages, applying entries, snapshots.
extension KVBackend {
    /// Starts a Ready pass unless one is running (it loops until Raft has nothing left).
    func pump() {
        guard !draining else { return }
        draining = true
        Task { await self.drain() }
    }

    /// Carries out Raft's work, pass after pass, in the order `Raft.Ready` prescribes.
    func drain() async {
        draining = true
        defer { draining = false }
        while true {
            // Queued reads start their round at every pass (so writes cannot starve them), and
            // this drain carries it out (a single member answers ReadIndex at once; otherwise
            // its heartbeats go out now): `pump()` does nothing while draining.
            startReadRound()
            guard raft.hasReady else { break }
            let rd = raft.ready()
            if rd.mustSync {
                do {
                    try await disk.persist(entries: rd.entries, hardState: rd.hardState, snapshot: rd.snapshot)
                    metrics.fsyncs += 1
                    metrics.entriesPersisted += rd.entries.count
                } catch {
                    // A member that cannot persist must not acknowledge anything: stop, as etcd does.
                    fatalError("kvstore: persisting the log failed: \(error)")
                }
            }
            if let snapshot = rd.snapshot {
                storage.applySnapshot(snapshot)
                restore(snapshot)
            }
            storage.append(rd.entries)
            if let hardState = rd.hardState { storage.setHardState(hardState) }
            send(rd.messages)
            if let soft = rd.softState { roleChanged(soft) }
            for entry in rd.committedEntries { apply(entry) }
            raft.advance(rd)
            for read in rd.readStates { confirmRead(read) }
            serveConfirmedReads()
            await maybeSnapshot()
        }
    }

    /// One heartbeat interval passed: tick Raft, fail what waited too long.
    public func tick() {
        raft.tick()
        let t = now()
        expire(&waiters, at: t)
        expire(&configurationWaiters, at: t)
        expire(&leaseWaiters, at: t)
        settleTransfers(leader: raft.leader, at: t)
        for (context, round) in readRounds where round.contains(where: { $0.deadline <= t }) {
            readRounds[context] = nil
            for w in round { w.fail(.timedOut) }
        }
        pump()
    }

    private func expire<V>(_ table: inout [UInt64: Waiter<V>], at t: Int64) {
        for (id, w) in table where w.deadline <= t {
            table[id] = nil
            w.fail(.timedOut)
        }
    }

    /// Handles what the transport delivered.
    func receive(_ event: PeerTransport.Event) {
        switch event {
        case .frame(let from, let box):
            switch box.frame {
            case .raft(let m):
                guard m.to == memberID, !removed else { return }
                raft.step(m)
                metrics.peerMessagesReceived += 1
            case .leaseRequest(let r):
                answerLeaseRequest(r, from: from)
            case .leaseResponse(let r):
                leaseWaiters.removeValue(forKey: r.requestID)?.resume(r)
            case .hello:
                return
            }
        case .snapshotSent(let to, let succeeded):
            raft.reportSnapshot(to, succeeded: succeeded)
        }
        pump()
    }

    /// Runs the member: ticks, peer traffic, lease expiry and publishing its attributes,
    /// until cancelled or removed from the cluster.
    public func run(transport: PeerTransport) async {
        attach(transport)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await event in transport.events { await self.receive(event) }
            }
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(500))
                    await self.expireLeases()
                }
            }
            group.addTask { await self.publish() }
            let interval = Duration.milliseconds(config.heartbeatMilliseconds)
            while !Task.isCancelled, !removed {
                try? await Task.sleep(for: interval)
                tick()
            }
            group.cancelAll()
        }
    }

    func attach(_ transport: PeerTransport) {
        self.transport = transport
        updatePeers()
    }

    /// Tells the transport where the current members are.
    func updatePeers() {
        var peers: [UInt64: (host: String, port: Int)] = [:]
        // A member joining an existing cluster knows its peers from --initial-cluster until
        // it has applied the membership entries.
        let known = state.members.isEmpty ? config.initialCluster : Array(state.members.values)
        for member in known where member.id != memberID {
            if let url = member.peerURLs.first, let address = URLAddress(url) { peers[member.id] = (address.host, address.port) }
        }
        transport?.setPeers(peers)
    }

    private func send(_ messages: [Raft.Message]) {
        guard !messages.isEmpty, let transport else { return }
        metrics.peerMessagesSent += messages.count
        for peer in transport.send(messages.map { ($0.to, PeerFrame.raft($0)) }) {
            raft.reportUnreachable(peer)
        }
    }

    private func roleChanged(_ soft: Raft.SoftState) {
        settleTransfers(leader: soft.leader, at: now())
        if soft.role == .leader {
            state.promote(now: now())
            metrics.leaderChanges += 1
        } else {
            state.demote()
        }
        if soft.leader == Raft.none {
            // Reads in flight were asked of a leader that is gone.
            for (_, round) in readRounds { queuedReads += round }
            readRounds = [:]
        }
    }

    // MARK: - Apply

    private func apply(_ entry: Raft.Entry) {
        let applied = state.apply(entry, header: header, now: now())
        if let change = applied.configurationChange {
            raft.applyConfigurationChange(change)
            updatePeers()
            if change.kind == .removeNode, change.nodeID == memberID {
                removed = true
                logger.notice("this member was removed from the cluster; stopping")
            }
            configurationWaiters.removeValue(forKey: change.nodeID)?.resume(.published)
        }
        if !applied.events.isEmpty {
            notify(applied.events)
            metrics.writesApplied += 1
        }
        if applied.requestID != 0, let waiter = waiters.removeValue(forKey: applied.requestID) {
            waiter.resume(applied.result ?? .failure(.wrongResult))
        }
    }

    /// Installs a snapshot received from the leader; watchers get the changes they missed.
    private func restore(_ snapshot: Raft.Snapshot) {
        let before = state.store.currentRevision
        do {
            state = try KVStateMachine(snapshot: snapshot.data, minimumLeaseTTL: state.lessor.minimumTTL, quotaBytes: state.quotaBytes)
        } catch {
            fatalError("kvstore: the leader sent a snapshot that does not decode: \(error)")
        }
        lastSnapshotIndex = snapshot.metadata.index
        updatePeers()
        catchUpWatches(after: before)
    }

    /// Snapshots the applied state every `--snapshot-count` entries and trims the log. The
    /// state is copied (copy-on-write) and encoded straight into the snapshot file, piece by
    /// piece, off the actor, so the Ready loop keeps going meanwhile and the encoded snapshot
    /// is never whole in memory; at most one snapshot is taken at a time.
    private func maybeSnapshot() async {
        let applied = raft.appliedIndex
        guard !snapshotting, applied >= lastSnapshotIndex + config.snapshotCount, let term = raft.term(at: applied) else { return }
        snapshotting = true
        let copy = state
        let metadata = Raft.SnapshotMetadata(index: applied, term: term, configuration: raft.configuration)
        let disk = disk
        Task {
            do {
                try await disk.writeSnapshot(metadata) { sink in try copy.writeSnapshot(to: sink) }
            } catch {
                fatalError("kvstore: saving a snapshot failed: \(error)")
            }
            await self.finishSnapshot(metadata)
        }
    }

    private func finishSnapshot(_ metadata: Raft.SnapshotMetadata) async {
        defer { snapshotting = false }
        let index = metadata.index
        // A snapshot installed from the leader meanwhile may already cover this one.
        guard index > lastSnapshotIndex, index <= storage.lastIndex else { return }
        storage.createSnapshot(at: index, configuration: metadata.configuration)
        do {
            try await disk.recordSnapshot(metadata)
        } catch {
            fatalError("kvstore: saving a snapshot failed: \(error)")
        }
        guard index > lastSnapshotIndex else { return }
        lastSnapshotIndex = index
        metrics.snapshots += 1
        if index > config.catchUpEntries { storage.compact(through: index - config.catchUpEntries) }
    }

    // MARK: - Linearizable reads (ReadIndex)

    /// Waits until this member has applied everything committed when the call began.
    func linearizableBarrier() async throws(RPCError) {
        let result = await withCheckedContinuation { (c: CheckedContinuation<Result<Void, RPCError>, Never>) in
            queuedReads.append(Waiter(continuation: c, deadline: now() + config.requestTimeoutMilliseconds))
            // The Ready pass started here (or the one running) sends the round when it ends.
            pump()
        }
        try result.get()
    }

    /// Sends one ReadIndex request for every read queued so far.
    func startReadRound() {
        guard !queuedReads.isEmpty, readRounds.isEmpty, raft.leader != Raft.none else { return }
        let context = nextRequestID
        nextRequestID &+= 1
        do {
            try raft.readIndex(context: LittleEndian.bytes(context))
        } catch {
            return
        }
        readRounds[context] = queuedReads
        queuedReads = []
        pump()
    }

    private func confirmRead(_ read: Raft.ReadState) {
        guard read.context.count == 8, let round = readRounds.removeValue(forKey: LittleEndian.read(UInt64.self, read.context[...], at: 0))
        else { return }
        confirmedReads.append((read.index, round))
    }

    private func serveConfirmedReads() {
        let applied = raft.appliedIndex
        confirmedReads.removeAll { read in
            guard read.index <= applied else { return false }
            for w in read.waiters { w.resume(()) }
            return true
        }
    }
}
