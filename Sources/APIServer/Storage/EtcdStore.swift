import EtcdAPI
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import Synchronization

/// `KeyValueStore` over the etcd v3 gRPC API: works against real etcd and the kvstore.
///
/// One HTTP/2 channel to the endpoints of `--etcd-servers`, pick-first: when the connected
/// member goes away the channel moves to the next one. Reads are linearizable.
public final class EtcdStore: KeyValueStore, @unchecked Sendable {
    private let client: GRPCClient<HTTP2ClientTransport.Posix>
    private let kv: Etcdserverpb_KV.Client<HTTP2ClientTransport.Posix>
    private let watcher: Etcdserverpb_Watch.Client<HTTP2ClientTransport.Posix>
    private let runner: Task<Void, Never>
    /// Per-call deadline for unary requests.
    private let timeout: Swift.Duration
    private let retries = Atomic<Int>(0)

    /// Client TLS for `https://` endpoints: `--etcd-cafile` (else the system's roots),
    /// `--etcd-certfile` and `--etcd-keyfile` (a client certificate, both or neither).
    public struct TLSFiles: Sendable {
        public var caFile: String?
        public var certFile: String?
        public var keyFile: String?
        public init(caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil) {
            self.caFile = caFile
            self.certFile = certFile
            self.keyFile = keyFile
        }
        var isEmpty: Bool { caFile == nil && certFile == nil && keyFile == nil }
    }

    /// Connects lazily to `endpoints` (`http://host:port`, `https://host:port`, `host:port`).
    /// All endpoints use one scheme: `https://` connects with TLS (never silently in plain
    /// text), and TLS files given with `http://` endpoints are refused.
    public init(
        endpoints: [String], tls: TLSFiles = TLSFiles(), timeout: Swift.Duration = .seconds(10),
        logger: Logger = Logger(label: "apiserver", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws {
        let pairs = try endpoints.map(Self.parseEndpoint)
        let secure = endpoints.filter { $0.hasPrefix("https://") }.count
        if secure > 0 && secure < endpoints.count {
            throw StoreError.unavailable("--etcd-servers mixes https:// and plain endpoints: use one scheme for all")
        }
        if secure == 0 && !tls.isEmpty {
            throw StoreError.unavailable("--etcd-cafile, --etcd-certfile and --etcd-keyfile need https:// endpoints in --etcd-servers")
        }
        if (tls.certFile == nil) != (tls.keyFile == nil) {
            throw StoreError.unavailable("--etcd-certfile and --etcd-keyfile go together")
        }
        for file in [tls.caFile, tls.certFile, tls.keyFile].compactMap({ $0 }) where !FileManager.default.isReadableFile(atPath: file) {
            throw StoreError.unavailable("cannot read \(file)")
        }
        var serviceConfig = ServiceConfig()
        serviceConfig.loadBalancingConfig = [.pickFirst(shuffleAddressList: false)]
        let config = HTTP2ClientTransport.Posix.Config.defaults
        let security: HTTP2ClientTransport.Posix.TransportSecurity = secure == 0 ? .plaintext : .tls { config in
            if let ca = tls.caFile { config.trustRoots = .certificates([.file(path: ca, format: .pem)]) }
            if let cert = tls.certFile, let key = tls.keyFile {
                config.certificateChain = [.file(path: cert, format: .pem)]
                config.privateKey = .file(path: key, format: .pem)
            }
        }
        let transport = try HTTP2ClientTransport.Posix(
            target: .ipv4(pairs: pairs), transportSecurity: security, config: config,
            serviceConfig: serviceConfig)
        let client = GRPCClient(transport: transport)
        self.client = client
        self.kv = Etcdserverpb_KV.Client(wrapping: client)
        self.watcher = Etcdserverpb_Watch.Client(wrapping: client)
        self.timeout = timeout
        self.runner = Task {
            do {
                try await client.runConnections()
            } catch {
                logger.error("etcd client stopped", metadata: ["endpoints": "\(endpoints.joined(separator: ","))", "error": "\(error)"])
            }
        }
    }

    deinit {
        client.beginGracefulShutdown()
    }

    /// Closes the connection once in-flight calls finish.
    public func close() { client.beginGracefulShutdown() }

    static func parseEndpoint(_ endpoint: String) throws -> (host: String, port: Int) {
        var text = Substring(endpoint)
        for scheme in ["http://", "https://"] where text.hasPrefix(scheme) { text = text.dropFirst(scheme.count) }
        while text.hasSuffix("/") { text = text.dropLast() }
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (1...65535).contains(port)
        else { throw StoreError.unavailable("bad etcd endpoint \"\(endpoint)\": want host:port") }
        var host = String(text[..<colon])
        if host == "localhost" { host = "127.0.0.1" }
        return (host, port)
    }

    private var options: CallOptions {
        var options = CallOptions.defaults
        options.timeout = timeout
        return options
    }

    // MARK: reads

    public func get(_ key: String) async throws -> (StoredValue?, revision: Int64) {
        var request = Etcdserverpb_RangeRequest()
        request.key = Data(key.utf8)
        let response = try await call { try await self.kv.range(request, options: self.options) }
        return (response.kvs.first.map(Self.stored), response.header.revision)
    }

    public func list(prefix: String, from start: String?, revision: Int64, limit: Int) async throws -> (
        values: [StoredValue], revision: Int64, more: Bool
    ) {
        var request = Etcdserverpb_RangeRequest()
        let bytes = Array(prefix.utf8)
        request.key = Data((start ?? prefix).utf8)
        request.rangeEnd = Data(prefixRangeEnd(bytes))
        request.revision = revision
        request.limit = Int64(limit)
        let response = try await call { try await self.kv.range(request, options: self.options) }
        return (response.kvs.map(Self.stored), response.header.revision, response.more)
    }

    public func currentRevision() async throws -> Int64 {
        // A single-key read (the key need not exist): O(log n), and linearizable like any read.
        var request = Etcdserverpb_RangeRequest()
        request.key = Data("/registry/".utf8)
        request.countOnly = true
        let response = try await call { try await self.kv.range(request, options: self.options) }
        return response.header.revision
    }

    // MARK: writes

    public func create(_ key: String, value: [UInt8]) async throws -> Int64 {
        var compare = Etcdserverpb_Compare()
        compare.key = Data(key.utf8)
        compare.target = .create
        compare.result = .equal
        compare.createRevision = 0
        let (response, retried) = try await txn(compare: compare, success: put(key, value), key: key)
        guard response.succeeded else {
            // A retried create whose first attempt was applied finds its own bytes (callers
            // write values unique to the write: objects carry a fresh uid).
            if retried, let current = Self.current(in: response), current.value == value { return current.modRevision }
            throw StoreError.keyExists(key)
        }
        return response.header.revision
    }

    public func update(_ key: String, value: [UInt8], expected: Int64) async throws -> Int64 {
        let (response, retried) = try await txn(compare: modRevisionIs(key, expected), success: put(key, value), key: key)
        guard response.succeeded else {
            let current = Self.current(in: response)
            if retried, let current, current.modRevision > expected, current.value == value { return current.modRevision }
            throw StoreError.conflict(current: current)
        }
        return response.header.revision
    }

    public func delete(_ key: String, expected: Int64) async throws -> Int64 {
        var delete = Etcdserverpb_RequestOp()
        var request = Etcdserverpb_DeleteRangeRequest()
        request.key = Data(key.utf8)
        delete.requestDeleteRange = request
        let (response, retried) = try await txn(compare: modRevisionIs(key, expected), success: delete, key: key)
        guard response.succeeded else {
            let current = Self.current(in: response)
            // A retried delete whose first attempt was applied finds the key gone.
            if retried && current == nil { return response.header.revision }
            throw StoreError.conflict(current: current)
        }
        return response.header.revision
    }

    public func compact(revision: Int64) async throws {
        var request = Etcdserverpb_CompactionRequest()
        request.revision = revision
        _ = try await call { try await self.kv.compact(request, options: self.options) }
    }

    private func put(_ key: String, _ value: [UInt8]) -> Etcdserverpb_RequestOp {
        var op = Etcdserverpb_RequestOp()
        var request = Etcdserverpb_PutRequest()
        request.key = Data(key.utf8)
        request.value = Data(value)
        op.requestPut = request
        return op
    }

    private func modRevisionIs(_ key: String, _ revision: Int64) -> Etcdserverpb_Compare {
        var compare = Etcdserverpb_Compare()
        compare.key = Data(key.utf8)
        compare.target = .mod
        compare.result = .equal
        compare.modRevision = revision
        return compare
    }

    /// One transaction: `compare` ? `success` : read `key` (so a failed CAS reports the current value).
    private func txn(
        compare: Etcdserverpb_Compare, success: Etcdserverpb_RequestOp, key: String
    ) async throws -> (Etcdserverpb_TxnResponse, retried: Bool) {
        var request = Etcdserverpb_TxnRequest()
        request.compare = [compare]
        request.success = [success]
        var read = Etcdserverpb_RequestOp()
        var range = Etcdserverpb_RangeRequest()
        range.key = Data(key.utf8)
        read.requestRange = range
        request.failure = [read]
        return try await callNotingRetries { try await self.kv.txn(request, options: self.options) }
    }

    private static func current(in response: Etcdserverpb_TxnResponse) -> StoredValue? {
        guard let op = response.responses.first, case .responseRange(let range)? = op.response else { return nil }
        return range.kvs.first.map(stored)
    }

    static func stored(_ kv: Mvccpb_KeyValue) -> StoredValue {
        StoredValue(key: String(decoding: kv.key, as: UTF8.self), value: Array(kv.value), modRevision: kv.modRevision)
    }

    /// Runs a call, mapping etcd's errors to `StoreError`. A call that fails because the
    /// connection is down or was reset is retried (up to 4 attempts, 50 ms apart, doubling),
    /// which also covers failing over to the next endpoint. Retrying a write is safe because
    /// every write here is a compare-and-swap transaction whose caller recognises its own
    /// earlier success (see `create`/`update`).
    private func call<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await callNotingRetries(body).value
    }

    /// `call`, also saying whether an earlier attempt may have reached etcd.
    private func callNotingRetries<T: Sendable>(_ body: () async throws -> T) async throws -> (value: T, retried: Bool) {
        var delay: Swift.Duration = .milliseconds(50)
        for attempt in 1...4 {
            do {
                return (try await body(), attempt > 1)
            } catch let error as RPCError {
                guard error.code == .unavailable, attempt < 4 else { throw Self.map(error) }
                retries.add(1, ordering: .relaxed)
                try await Task.sleep(for: delay)
                delay *= 2
            }
        }
        throw StoreError.unavailable("etcd: unreachable")
    }

    /// Calls retried after a connection failure (for /metrics and tests).
    public var retriedCalls: Int { retries.load(ordering: .relaxed) }

    static func map(_ error: RPCError) -> StoreError {
        let message = error.message
        if message.contains("required revision has been compacted") {
            return .compacted(requested: 0, compactRevision: 0)
        }
        if message.contains("required revision is a future revision") { return .futureRevision(0) }
        return .unavailable("etcd: \(error.code): \(message)")
    }

    // MARK: watch

    public func watch(prefix: String, fromRevision: Int64) -> StoreWatch {
        let (events, eventSink) = AsyncThrowingStream<[StoreEvent], any Error>.makeStream()
        let (requests, requestSink) = AsyncStream<Etcdserverpb_WatchRequest>.makeStream()
        var create = Etcdserverpb_WatchCreateRequest()
        let start = Array(prefix.utf8)
        create.key = Data(start)
        create.rangeEnd = Data(prefixRangeEnd(start))
        create.startRevision = fromRevision
        create.prevKv = true
        create.progressNotify = true
        var first = Etcdserverpb_WatchRequest()
        first.createRequest = create
        requestSink.yield(first)
        let watcher = self.watcher
        let task = Task {
            do {
                try await watcher.watch(
                    requestProducer: { writer in
                        for await request in requests { try await writer.write(request) }
                    },
                    onResponse: { response in
                        for try await message in response.messages {
                            if message.compactRevision > 0 {
                                throw StoreError.compacted(
                                    requested: fromRevision, compactRevision: message.compactRevision)
                            }
                            if message.canceled {
                                throw StoreError.unavailable("etcd watch cancelled: \(message.cancelReason)")
                            }
                            if message.created && message.events.isEmpty { continue }
                            if message.events.isEmpty {
                                eventSink.yield([.progress(revision: message.header.revision)])
                                continue
                            }
                            eventSink.yield(message.events.map(Self.event))
                        }
                    })
                eventSink.finish(throwing: StoreError.unavailable("etcd watch ended"))
            } catch let error as RPCError {
                eventSink.finish(throwing: Self.map(error))
            } catch {
                eventSink.finish(throwing: error)
            }
            requestSink.finish()
        }
        return StoreWatch(
            events: events,
            requestProgress: {
                var request = Etcdserverpb_WatchRequest()
                request.progressRequest = Etcdserverpb_WatchProgressRequest()
                requestSink.yield(request)
            },
            cancel: {
                requestSink.finish()
                task.cancel()
            })
    }

    private static func event(_ event: Mvccpb_Event) -> StoreEvent {
        let previous = event.hasPrevKv ? stored(event.prevKv) : nil
        switch event.type {
        case .delete:
            return .delete(
                key: String(decoding: event.kv.key, as: UTF8.self), revision: event.kv.modRevision, previous: previous)
        default:
            return .put(stored(event.kv), previous: previous)
        }
    }
}
