import EtcdAPI
import SwiftProtobuf

/// A member of the cluster as `member list` shows it. Members enter and leave through
/// configuration-change entries in the log (their context is the encoded member), and
/// publish their client URLs through a logged request once they run.
public struct Member: Sendable, Hashable {
    public var id: UInt64
    public var name: String
    public var peerURLs: [String]
    public var clientURLs: [String]

    public init(id: UInt64, name: String, peerURLs: [String], clientURLs: [String] = []) {
        self.id = id
        self.name = name
        self.peerURLs = peerURLs
        self.clientURLs = clientURLs
    }

    /// A member's ID follows from its peer URLs and the cluster token, as in etcd, so every
    /// member computes the same IDs from `--initial-cluster`.
    public static func id(peerURLs: [String], token: String) -> UInt64 {
        let id = fnv1a(peerURLs.sorted().joined(separator: "") + token)
        return id == 0 ? 1 : id
    }

    public static func clusterID(token: String) -> UInt64 { fnv1a("cluster:" + token) }

    static func fnv1a(_ text: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text.utf8 {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        return h
    }

    var proto: Etcdserverpb_Member {
        var m = Etcdserverpb_Member()
        m.id = id
        m.name = name
        m.peerUrls = peerURLs
        m.clientUrls = clientURLs
        return m
    }

    init(_ proto: Etcdserverpb_Member) {
        self.init(id: proto.id, name: proto.name, peerURLs: proto.peerUrls, clientURLs: proto.clientUrls)
    }

    var encoded: [UInt8] { (try? proto.serializedBytes()) ?? [] }

    init?(encoded: [UInt8]) {
        guard let proto = try? Etcdserverpb_Member(serializedBytes: encoded) else { return nil }
        self.init(proto)
    }

    /// Parses `--initial-cluster` (`name=url[,name=url…]`; a name may repeat for several URLs).
    public static func parseInitialCluster(_ text: String, token: String) throws(ClusterConfigError) -> [Member] {
        var urls: [(String, [String])] = []
        for item in text.split(separator: ",") where !item.isEmpty {
            let parts = item.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, !parts[0].isEmpty, URLAddress(String(parts[1])) != nil else {
                throw ClusterConfigError("--initial-cluster: expected name=http://host:port, got \"\(item)\"")
            }
            let name = String(parts[0])
            if let i = urls.firstIndex(where: { $0.0 == name }) {
                urls[i].1.append(String(parts[1]))
            } else {
                urls.append((name, [String(parts[1])]))
            }
        }
        guard !urls.isEmpty else { throw ClusterConfigError("--initial-cluster is empty") }
        let members = urls.map { Member(id: id(peerURLs: $0.1, token: token), name: $0.0, peerURLs: $0.1) }
        guard Set(members.map(\.id)).count == members.count else { throw ClusterConfigError("--initial-cluster: duplicate peer URLs") }
        return members
    }
}

public struct ClusterConfigError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// `http://host:port` → host and port (`localhost` means 127.0.0.1).
public struct URLAddress: Sendable, Hashable {
    public var host: String
    public var port: Int

    public init?(_ url: String) {
        var rest = Substring(url)
        if let scheme = rest.range(of: "://") {
            guard rest[..<scheme.lowerBound] == "http" else { return nil }
            rest = rest[scheme.upperBound...]
        }
        while rest.hasSuffix("/") { rest = rest.dropLast() }
        guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]), (0...65535).contains(port) else {
            return nil
        }
        var host = String(rest[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        self.host = host == "localhost" ? "127.0.0.1" : host
        self.port = port
    }
}
