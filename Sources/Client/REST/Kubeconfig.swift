import APIMachinery
import Foundation

/// A kubeconfig file (`clientcmd/v1` `Config`): clusters, users and contexts by name.
///
/// Only what a client needs to connect is read: server, CA (file or data), TLS server name,
/// insecure-skip-tls-verify, client certificate and key (file or data), bearer token (or token
/// file), basic auth, and per-context namespace. Relative file paths are resolved against the
/// directory of the file that named them, as kubectl does. Exec and auth-provider plugins are
/// not supported: a context that needs one fails with `KubeconfigError.unsupported`.
public struct Kubeconfig: Sendable, Hashable {
    public struct Cluster: Sendable, Hashable {
        public var server: String
        public var certificateAuthority: String?
        public var certificateAuthorityData: [UInt8]?
        public var insecureSkipTLSVerify: Bool
        public var tlsServerName: String?
    }

    public struct User: Sendable, Hashable {
        public var token: String?
        public var tokenFile: String?
        public var clientCertificate: String?
        public var clientCertificateData: [UInt8]?
        public var clientKey: String?
        public var clientKeyData: [UInt8]?
        public var username: String?
        public var password: String?
        /// Set when the user needs an exec or auth-provider plugin, which Skiff does not run.
        public var unsupportedPlugin: String?
    }

    public struct Context: Sendable, Hashable {
        public var cluster: String
        public var user: String
        public var namespace: String?
    }

    public var clusters: [String: Cluster] = [:]
    public var users: [String: User] = [:]
    public var contexts: [String: Context] = [:]
    public var currentContext: String?

    public init() {}

    // MARK: Loading

    /// Loads the kubeconfig a client uses by default: `explicitPath` when given (kubectl's
    /// `--kubeconfig`), else every file of `$KUBECONFIG` (colon-separated, merged: the first
    /// file that sets a name or the current context wins), else `~/.kube/config`.
    public static func load(explicitPath: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Kubeconfig {
        if let explicitPath, !explicitPath.isEmpty { return try load(path: explicitPath) }
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            var merged = Kubeconfig()
            var loadedAny = false
            for path in list.split(separator: ":").map(String.init) where !path.isEmpty {
                guard FileManager.default.fileExists(atPath: path) else { continue }
                merged.merge(try load(path: path))
                loadedAny = true
            }
            guard loadedAny else { throw KubeconfigError.notFound(list) }
            return merged
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return try load(path: home + "/.kube/config")
    }

    /// Loads one file; relative paths inside it are made absolute against its directory.
    public static func load(path: String) throws -> Kubeconfig {
        guard let data = FileManager.default.contents(atPath: path) else { throw KubeconfigError.notFound(path) }
        let directory = (path as NSString).deletingLastPathComponent
        return try parse(String(decoding: data, as: UTF8.self), baseDirectory: directory.isEmpty ? "." : directory)
    }

    /// Parses kubeconfig YAML (or JSON).
    public static func parse(_ text: String, baseDirectory: String = ".") throws -> Kubeconfig {
        let tree: JSONValue
        do { tree = try YAMLCodec.parse(text) } catch { throw KubeconfigError.invalid("\(error)") }
        var config = Kubeconfig()
        func absolute(_ path: String?) -> String? {
            guard let path, !path.isEmpty else { return nil }
            return path.hasPrefix("/") ? path : baseDirectory + "/" + path
        }
        for entry in tree["clusters"]?.arrayValue ?? [] {
            guard let name = entry["name"]?.stringValue, let body = entry["cluster"] else { continue }
            config.clusters[name] = Cluster(
                server: body["server"]?.stringValue ?? "",
                certificateAuthority: absolute(body["certificate-authority"]?.stringValue),
                certificateAuthorityData: try base64(body["certificate-authority-data"], field: "certificate-authority-data"),
                insecureSkipTLSVerify: body["insecure-skip-tls-verify"]?.boolValue ?? false,
                tlsServerName: body["tls-server-name"]?.stringValue)
        }
        for entry in tree["users"]?.arrayValue ?? [] {
            guard let name = entry["name"]?.stringValue else { continue }
            let body = entry["user"] ?? .object([:])
            var plugin: String?
            if body["exec"].map({ $0 != .null }) ?? false { plugin = "exec" }
            if body["auth-provider"].map({ $0 != .null }) ?? false { plugin = "auth-provider" }
            config.users[name] = User(
                token: body["token"]?.stringValue,
                tokenFile: absolute(body["tokenFile"]?.stringValue),
                clientCertificate: absolute(body["client-certificate"]?.stringValue),
                clientCertificateData: try base64(body["client-certificate-data"], field: "client-certificate-data"),
                clientKey: absolute(body["client-key"]?.stringValue),
                clientKeyData: try base64(body["client-key-data"], field: "client-key-data"),
                username: body["username"]?.stringValue,
                password: body["password"]?.stringValue,
                unsupportedPlugin: plugin)
        }
        for entry in tree["contexts"]?.arrayValue ?? [] {
            guard let name = entry["name"]?.stringValue, let body = entry["context"] else { continue }
            config.contexts[name] = Context(
                cluster: body["cluster"]?.stringValue ?? "",
                user: body["user"]?.stringValue ?? "",
                namespace: body["namespace"]?.stringValue)
        }
        config.currentContext = tree["current-context"]?.stringValue
        return config
    }

    private static func base64(_ value: JSONValue?, field: String) throws -> [UInt8]? {
        guard let text = value?.stringValue, !text.isEmpty else { return nil }
        guard let data = Data(base64Encoded: text, options: .ignoreUnknownCharacters) else {
            throw KubeconfigError.invalid("\(field) is not valid base64")
        }
        return Array(data)
    }

    /// Adds the entries of `other` that this config does not define yet (first file wins).
    public mutating func merge(_ other: Kubeconfig) {
        clusters.merge(other.clusters) { mine, _ in mine }
        users.merge(other.users) { mine, _ in mine }
        contexts.merge(other.contexts) { mine, _ in mine }
        if currentContext?.isEmpty ?? true { currentContext = other.currentContext }
    }

    // MARK: Resolving

    /// The connection settings of context `name` (the current context when nil), with files read.
    public func restConfig(context name: String? = nil) throws -> RESTConfig {
        guard let contextName = name ?? currentContext, !contextName.isEmpty else { throw KubeconfigError.noContext }
        guard let context = contexts[contextName] else { throw KubeconfigError.missing("context", contextName) }
        guard let cluster = clusters[context.cluster] else { throw KubeconfigError.missing("cluster", context.cluster) }
        let user = users[context.user] ?? User()
        if let plugin = user.unsupportedPlugin { throw KubeconfigError.unsupported("user \"\(context.user)\" needs an \(plugin) plugin") }
        guard !cluster.server.isEmpty else { throw KubeconfigError.invalid("cluster \"\(context.cluster)\" has no server") }

        var config = RESTConfig(server: cluster.server)
        config.namespace = context.namespace
        config.insecureSkipTLSVerify = cluster.insecureSkipTLSVerify
        config.tlsServerName = cluster.tlsServerName
        config.caPEM = try cluster.certificateAuthorityData ?? cluster.certificateAuthority.map(Self.readFile)
        config.clientCertificatePEM = try user.clientCertificateData ?? user.clientCertificate.map(Self.readFile)
        config.clientKeyPEM = try user.clientKeyData ?? user.clientKey.map(Self.readFile)
        if let token = user.token, !token.isEmpty {
            config.bearerToken = token
        } else if let file = user.tokenFile {
            config.bearerToken = String(decoding: try Self.readFile(file), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        if let username = user.username { config.basicAuth = (username, user.password ?? "") }
        return config
    }

    static func readFile(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else { throw KubeconfigError.notFound(path) }
        return Array(data)
    }
}

/// Why a kubeconfig could not be used.
public enum KubeconfigError: Error, Sendable, Hashable, CustomStringConvertible {
    case notFound(String)
    case invalid(String)
    case noContext
    case missing(String, String)
    case unsupported(String)

    public var description: String {
        switch self {
        case .notFound(let path): "kubeconfig: cannot read \(path)"
        case .invalid(let detail): "kubeconfig: \(detail)"
        case .noContext: "kubeconfig: no current context is set"
        case .missing(let what, let name): "kubeconfig: \(what) \"\(name)\" is not defined"
        case .unsupported(let detail): "kubeconfig: \(detail), which is not supported"
        }
    }
}

extension JSONValue {
    fileprivate var boolValue: Bool? {
        switch self {
        case .bool(let value): value
        case .string(let text): text == "true" ? true : (text == "false" ? false : nil)
        default: nil
        }
    }
}
