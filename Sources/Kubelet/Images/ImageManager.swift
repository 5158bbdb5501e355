import APIMachinery
import CRIAPI
import Component
import Foundation

/// Makes sure a container's image is on the node before it is created (upstream
/// `images.imageManager.EnsureImageExists`), by the pull policy: `Always` pulls every time,
/// `IfNotPresent` pulls when the runtime lacks it, `Never` refuses a missing image
/// (ErrImageNeverPull). The default policy is Always for `:latest` or untagged images, else
/// IfNotPresent. A failed pull is ErrImagePull with the runtime's message; later attempts
/// inside the back-off window are ImagePullBackOff without calling the runtime.
public struct ImageManager: Sendable {
    public let runtime: any ContainerRuntime
    public let backoff: Backoff

    public init(runtime: any ContainerRuntime, backoff: Backoff) {
        self.runtime = runtime
        self.backoff = backoff
    }

    /// The outcome: the image reference, or why the container must wait.
    public enum Outcome: Sendable {
        /// The image is there; `pulled` says whether this call pulled it, and how long that took.
        case ready(String, pulled: Swift.Duration?)
        case waiting(ContainerWaitingReason)
    }

    public static func defaultPolicy(_ image: String) -> String {
        let last = image.split(separator: "/").last.map(String.init) ?? image
        let hasDigest = last.contains("@")
        let name = hasDigest ? String(last[..<last.firstIndex(of: "@")!]) : last
        guard let colon = name.lastIndex(of: ":") else { return hasDigest ? "IfNotPresent" : "Always" }
        return name[name.index(after: colon)...] == "latest" ? "Always" : "IfNotPresent"
    }

    public func ensure(container: CoreV1.Container, podKey: String, auth: [Runtime_V1_AuthConfig],
                       sandbox: Runtime_V1_PodSandboxConfig, lastFailure: Swift.Duration?) async -> Outcome {
        guard let image = container.image, !image.isEmpty else {
            return .waiting(ContainerWaitingReason("InvalidImageName", "Failed to apply default image tag \"\": couldn't parse image name \"\": invalid reference format"))
        }
        let policy = container.imagePullPolicy ?? Self.defaultPolicy(image)
        var present: Runtime_V1_Image?
        do {
            present = try await runtime.imageStatus(image)
        } catch {
            return .waiting(ContainerWaitingReason("ImageInspectError", "Failed to inspect image \"\(image)\": \(error)"))
        }
        if let present, policy != "Always" { return .ready(present.id, pulled: nil) }
        if policy == "Never" {
            return .waiting(ContainerWaitingReason("ErrImageNeverPull",
                                                   "Container image \"\(image)\" is not present with pull policy of Never"))
        }
        let key = "\(podKey)/\(image)"
        if let lastFailure, backoff.remaining(key, elapsed: lastFailure) != nil {
            return .waiting(ContainerWaitingReason("ImagePullBackOff", "Back-off pulling image \"\(image)\""))
        }
        var lastError: (any Error)?
        for credential in auth.isEmpty ? [nil] : auth.map(Optional.some) {
            do {
                let start = ContinuousClock.now
                let reference = try await runtime.pullImage(image, auth: credential, sandboxConfig: sandbox)
                backoff.reset(key)
                return .ready(reference, pulled: ContinuousClock.now - start)
            } catch {
                lastError = error
            }
        }
        backoff.next(key)
        return .waiting(ContainerWaitingReason("ErrImagePull", "\(lastError.map { "\($0)" } ?? "pull failed")"))
    }

    /// The credentials of `secrets` (`kubernetes.io/dockerconfigjson` or `.dockercfg`) that
    /// match `image`'s registry, most specific first.
    /// A secret whose data cannot be read is skipped and reported to `onProblem`.
    public static func credentials(for image: String, secrets: [CoreV1.Secret],
                                   onProblem: (String) -> Void = { _ in }) -> [Runtime_V1_AuthConfig] {
        let registry = Self.registry(of: image)
        let path = Self.repositoryPath(of: image)
        var found: [(Int, Runtime_V1_AuthConfig)] = []
        for secret in secrets {
            let data = secret.data ?? [:]
            var auths: JSONValue?
            do {
                if let bytes = data[".dockerconfigjson"] {
                    auths = try JSONCodec.parse(bytes.bytes)["auths"]
                } else if let bytes = data[".dockercfg"] {
                    auths = try JSONCodec.parse(bytes.bytes)
                }
            } catch {
                onProblem("image pull secret \(secret.metadata?.namespace ?? "")/\(secret.metadata?.name ?? ""): not valid JSON: \(error)")
                continue
            }
            guard let entries = auths?.objectValue else { continue }
            for member in entries.members {
                var host = member.key
                for scheme in ["https://", "http://"] where host.hasPrefix(scheme) { host.removeFirst(scheme.count) }
                var keyPath = ""
                if let slash = host.firstIndex(of: "/") {
                    keyPath = String(host[host.index(after: slash)...])
                    host = String(host[..<slash])
                }
                if host == "index.docker.io" { host = "docker.io" }
                // A key with a path (`host/team`) covers only repositories under that path.
                if keyPath.hasPrefix("v1") || keyPath.hasPrefix("v2") { keyPath = "" }
                while keyPath.hasSuffix("/") { keyPath.removeLast() }
                guard host == registry, keyPath.isEmpty || path == keyPath || path.hasPrefix(keyPath + "/") else { continue }
                var config = Runtime_V1_AuthConfig()
                config.serverAddress = member.key
                if let user = member.value["username"]?.stringValue { config.username = user }
                if let password = member.value["password"]?.stringValue { config.password = password }
                if let auth = member.value["auth"]?.stringValue { config.auth = auth }
                if let token = member.value["identitytoken"]?.stringValue { config.identityToken = token }
                found.append((member.key.count, config))
            }
        }
        return found.sorted { $0.0 > $1.0 }.map(\.1)
    }

    /// The repository path of an image reference without registry, tag or digest
    /// (`library/busybox` for `busybox:1.36`).
    static func repositoryPath(of image: String) -> String {
        var rest = image
        if let at = rest.firstIndex(of: "@") { rest = String(rest[..<at]) }
        var parts = rest.split(separator: "/").map(String.init)
        if let first = parts.first, parts.count > 1, first.contains(".") || first.contains(":") || first == "localhost" { parts.removeFirst() }
        if var last = parts.last, let colon = last.lastIndex(of: ":") {
            last = String(last[..<colon])
            parts[parts.count - 1] = last
        }
        if parts.count == 1 && registry(of: image) == "docker.io" { parts.insert("library", at: 0) }
        return parts.joined(separator: "/")
    }

    /// The registry host of an image reference (`docker.io` when it names none).
    public static func registry(of image: String) -> String {
        guard let slash = image.firstIndex(of: "/") else { return "docker.io" }
        let first = String(image[..<slash])
        if first.contains(".") || first.contains(":") || first == "localhost" {
            return first == "index.docker.io" ? "docker.io" : first
        }
        return "docker.io"
    }
}
