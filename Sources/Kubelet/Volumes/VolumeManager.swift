import APIMachinery
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads the API objects volumes are made from (the kubelet's live view of the apiserver).
public protocol VolumeObjects: Sendable {
    func configMap(namespace: String, name: String) async throws -> CoreV1.ConfigMap?
    func secret(namespace: String, name: String) async throws -> CoreV1.Secret?
    func persistentVolumeClaim(namespace: String, name: String) async throws -> CoreV1.PersistentVolumeClaim?
    func persistentVolume(name: String) async throws -> CoreV1.PersistentVolume?
}

/// Makes a pod's volumes on the node under `<root-dir>/pods/<uid>/volumes/<plugin>/<name>`
/// (upstream's layout) and says where each one is on the host:
/// - emptyDir: a directory, or a tmpfs mount (`medium: Memory`, sized by `sizeLimit`);
/// - configMap, secret, downwardAPI, projected: files written by `AtomicWriter`, so updates
///   reach running containers whole; `items` pick and rename keys; modes as `defaultMode`/`mode`
///   (0644 by default); a missing, non-optional source fails the mount;
/// - hostPath with its `type` check (DirectoryOrCreate, Directory, FileOrCreate, File, Socket,
///   CharDevice, BlockDevice);
/// - persistentVolumeClaim bound to a hostPath or local PersistentVolume;
/// - the pod's `fsGroup` applied to every volume but hostPath ones (`VolumeOwnership`).
/// Setting up again (every sync) refreshes configMap/secret/downwardAPI contents.
public struct VolumeManager: Sendable {
    public let rootDir: String

    public init(rootDir: String) { self.rootDir = rootDir }

    public func podDirectory(_ uid: String) -> String { "\(rootDir)/pods/\(uid)" }

    /// Host paths by volume name; throws `VolumeError` naming the volume that failed.
    public func setUp(pod: CoreV1.Pod, objects: any VolumeObjects, environment: EnvironmentBuilder) async throws(VolumeError) -> [String: String] {
        let uid = pod.metadata?.uid ?? ""
        let namespace = pod.metadata?.namespace ?? "default"
        var paths: [String: String] = [:]
        let context = pod.spec?.securityContext
        for volume in pod.spec?.volumes ?? [] {
            do {
                let path = try await setUp(volume, uid: uid, namespace: namespace, objects: objects, environment: environment)
                paths[volume.name] = path
                if let group = context?.fsGroup, let path, let readOnly = Self.ownershipManaged(volume) {
                    do {
                        try VolumeOwnership.apply(root: path, group: group, readOnly: readOnly,
                                                  onRootMismatch: context?.fsGroupChangePolicy == "OnRootMismatch")
                    } catch {
                        throw VolumeError("MountVolume.SetUp failed for volume \"\(volume.name)\" : applying fsGroup: \(error)")
                    }
                }
            } catch let error as VolumeError {
                throw error
            } catch {
                throw VolumeError("MountVolume.SetUp failed for volume \"\(volume.name)\" : \(error)")
            }
        }
        return paths
    }

    /// Whether `fsGroup` applies to a volume (nil when it does not: hostPath keeps the host's
    /// ownership, as upstream; claims are left alone too, since hostPath-backed ones must be and
    /// local ones are not told apart here yet), and whether the volume is read-only (configMap,
    /// secret, downwardAPI and projected are).
    static func ownershipManaged(_ volume: CoreV1.Volume) -> Bool? {
        if volume.emptyDir != nil { return false }
        if volume.configMap != nil || volume.secret != nil || volume.downwardAPI != nil || volume.projected != nil { return true }
        return nil
    }

    func directory(_ uid: String, _ plugin: String, _ name: String) -> String {
        "\(podDirectory(uid))/volumes/kubernetes.io~\(plugin)/\(name)"
    }

    func setUp(_ volume: CoreV1.Volume, uid: String, namespace: String, objects: any VolumeObjects,
               environment: EnvironmentBuilder) async throws -> String? {
        let fm = FileManager.default
        let failed = { (message: String) in VolumeError("MountVolume.SetUp failed for volume \"\(volume.name)\" : \(message)") }
        if let source = volume.emptyDir {
            let path = directory(uid, "empty-dir", volume.name)
            try fm.createDirectory(atPath: path, withIntermediateDirectories: true)
            chmod(path, 0o777)
            if source.medium == "Memory" && !Self.isMountPoint(path) {
                var options = "mode=0777"
                if let limit = source.sizeLimit, !limit.isZero { options += ",size=\(limit.value())" }
                guard mount("tmpfs", path, "tmpfs", 0, options) == 0 else {
                    throw failed("mount tmpfs on \(path): \(String(cString: strerror(errno)))")
                }
            }
            return path
        }
        if let source = volume.hostPath {
            try Self.checkHostPath(source.path, type: source.type ?? "")
            return source.path
        }
        if let source = volume.configMap {
            let name = source.name ?? ""
            guard let map = try await objects.configMap(namespace: namespace, name: name) else {
                if source.optional == true { return try write(uid, "configmap", volume.name, [:]) }
                throw failed("configmap \"\(name)\" not found")
            }
            let payload = try Self.payload(Self.bytes(of: map), items: source.items, defaultMode: Int(source.defaultMode ?? 0o644),
                                           optional: source.optional == true, kind: "configmap", name: name)
            return try write(uid, "configmap", volume.name, payload)
        }
        if let source = volume.secret {
            let name = source.secretName ?? ""
            guard let secret = try await objects.secret(namespace: namespace, name: name) else {
                if source.optional == true { return try write(uid, "secret", volume.name, [:]) }
                throw failed("secret \"\(name)\" not found")
            }
            let payload = try Self.payload((secret.data ?? [:]).mapValues(\.bytes), items: source.items,
                                           defaultMode: Int(source.defaultMode ?? 0o644), optional: source.optional == true,
                                           kind: "secret", name: name)
            return try write(uid, "secret", volume.name, payload)
        }
        if let source = volume.downwardAPI {
            let payload = try Self.downward(source.items ?? [], defaultMode: Int(source.defaultMode ?? 0o644), environment: environment)
            return try write(uid, "downward-api", volume.name, payload)
        }
        if let source = volume.projected {
            var payload: [String: AtomicWriter.File] = [:]
            let mode = Int(source.defaultMode ?? 0o644)
            for projection in source.sources ?? [] {
                if let ref = projection.configMap {
                    let name = ref.name ?? ""
                    guard let map = try await objects.configMap(namespace: namespace, name: name) else {
                        if ref.optional == true { continue }
                        throw failed("configmap \"\(name)\" not found")
                    }
                    payload.merge(try Self.payload(Self.bytes(of: map), items: ref.items, defaultMode: mode, optional: ref.optional == true,
                                                   kind: "configmap", name: name)) { _, new in new }
                }
                if let ref = projection.secret {
                    let name = ref.name ?? ""
                    guard let secret = try await objects.secret(namespace: namespace, name: name) else {
                        if ref.optional == true { continue }
                        throw failed("secret \"\(name)\" not found")
                    }
                    payload.merge(try Self.payload((secret.data ?? [:]).mapValues(\.bytes), items: ref.items, defaultMode: mode,
                                                   optional: ref.optional == true, kind: "secret", name: name)) { _, new in new }
                }
                if let ref = projection.downwardAPI {
                    payload.merge(try Self.downward(ref.items ?? [], defaultMode: mode, environment: environment)) { _, new in new }
                }
                if projection.serviceAccountToken != nil {
                    throw failed("serviceAccountToken projections need the TokenRequest API, which this apiserver does not serve yet")
                }
            }
            return try write(uid, "projected", volume.name, payload)
        }
        if let source = volume.persistentVolumeClaim {
            guard let claim = try await objects.persistentVolumeClaim(namespace: namespace, name: source.claimName) else {
                throw failed("persistentvolumeclaim \"\(source.claimName)\" not found")
            }
            guard let volumeName = claim.spec?.volumeName, !volumeName.isEmpty, claim.status?.phase == "Bound" else {
                throw failed("PVC \(namespace)/\(source.claimName) is not bound")
            }
            guard let pv = try await objects.persistentVolume(name: volumeName) else {
                throw failed("persistentvolume \"\(volumeName)\" not found")
            }
            if let hostPath = pv.spec?.hostPath {
                try Self.checkHostPath(hostPath.path, type: hostPath.type ?? "")
                return hostPath.path
            }
            if let local = pv.spec?.local {
                guard fm.fileExists(atPath: local.path) else { throw failed("path \"\(local.path)\" does not exist") }
                return local.path
            }
            throw failed("persistentvolume \"\(volumeName)\": only hostPath and local volumes can be mounted on this node")
        }
        throw failed("this volume type is not supported by this kubelet")
    }

    func write(_ uid: String, _ plugin: String, _ name: String, _ payload: [String: AtomicWriter.File]) throws -> String {
        let path = directory(uid, plugin, name)
        try AtomicWriter(directory: path).write(payload)
        return path
    }

    static func bytes(of map: CoreV1.ConfigMap) -> [String: [UInt8]] {
        var result = (map.binaryData ?? [:]).mapValues(\.bytes)
        for (key, value) in map.data ?? [:] { result[key] = Array(value.utf8) }
        return result
    }

    /// The files of a configMap or secret volume: every key, or `items` (each key must exist
    /// unless the source is optional).
    static func payload(_ data: [String: [UInt8]], items: [CoreV1.KeyToPath]?, defaultMode: Int, optional: Bool,
                        kind: String, name: String) throws -> [String: AtomicWriter.File] {
        var payload: [String: AtomicWriter.File] = [:]
        guard let items, !items.isEmpty else {
            for (key, value) in data { payload[key] = AtomicWriter.File(data: value, mode: defaultMode) }
            return payload
        }
        for item in items {
            guard let value = data[item.key] else {
                if optional { continue }
                throw VolumeError("configuration error: \(kind) \"\(name)\" has no key \"\(item.key)\"")
            }
            payload[item.path] = AtomicWriter.File(data: value, mode: Int(item.mode ?? Int32(defaultMode)))
        }
        return payload
    }

    static func downward(_ items: [CoreV1.DownwardAPIVolumeFile], defaultMode: Int, environment: EnvironmentBuilder) throws -> [String: AtomicWriter.File] {
        var payload: [String: AtomicWriter.File] = [:]
        for item in items {
            var text = ""
            if let ref = item.fieldRef {
                text = try environment.fieldValue(ref.fieldPath)
            } else if let ref = item.resourceFieldRef {
                let containers = environment.pod.spec?.containers ?? []
                guard let container = containers.first(where: { $0.name == ref.containerName }) ?? containers.first else { continue }
                text = try environment.resourceValue(ref, container: container)
            }
            payload[item.path] = AtomicWriter.File(data: Array(text.utf8), mode: Int(item.mode ?? Int32(defaultMode)))
        }
        return payload
    }

    /// Upstream's hostPath type checks; the `…OrCreate` types create what is missing.
    static func checkHostPath(_ path: String, type: String) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        let exists = fm.fileExists(atPath: path, isDirectory: &isDirectory)
        var info = stat()
        let statted = stat(path, &info) == 0
        let format = info.st_mode & S_IFMT
        switch type {
        case "", "Unset": return
        case "DirectoryOrCreate":
            if !exists { try fm.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755]); return }
            guard isDirectory.boolValue else { throw VolumeError("hostPath type check failed: \(path) is not a directory") }
        case "Directory":
            guard exists && isDirectory.boolValue else { throw VolumeError("hostPath type check failed: \(path) is not a directory") }
        case "FileOrCreate":
            if !exists {
                // As upstream: the file is created, its parent directory is not.
                guard fm.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o644]) else {
                    throw VolumeError("hostPath type check failed: cannot create \(path)")
                }
                return
            }
            guard !isDirectory.boolValue else { throw VolumeError("hostPath type check failed: \(path) is not a file") }
        case "File":
            guard exists && !isDirectory.boolValue else { throw VolumeError("hostPath type check failed: \(path) is not a file") }
        case "Socket":
            guard statted && format == S_IFSOCK else { throw VolumeError("hostPath type check failed: \(path) is not a socket file") }
        case "CharDevice":
            guard statted && format == S_IFCHR else { throw VolumeError("hostPath type check failed: \(path) is not a character device") }
        case "BlockDevice":
            guard statted && format == S_IFBLK else { throw VolumeError("hostPath type check failed: \(path) is not a block device") }
        default:
            throw VolumeError("hostPath type check failed: unknown type \(type)")
        }
    }

    static func isMountPoint(_ path: String) -> Bool {
        var own = stat(), parent = stat()
        guard stat(path, &own) == 0, stat((path as NSString).deletingLastPathComponent, &parent) == 0 else { return false }
        return own.st_dev != parent.st_dev
    }

    /// Unmounts memory-backed emptyDirs and removes the pod's directory; for pods that are gone.
    public func tearDown(uid: String) throws {
        let base = "\(podDirectory(uid))/volumes/kubernetes.io~empty-dir"
        let fm = FileManager.default
        if fm.fileExists(atPath: base) {
            for name in try fm.contentsOfDirectory(atPath: base) where Self.isMountPoint(base + "/" + name) {
                guard umount2(base + "/" + name, 0) == 0 else {
                    throw VolumeError("unmount \(base)/\(name): \(String(cString: strerror(errno)))")
                }
            }
        }
        if fm.fileExists(atPath: podDirectory(uid)) { try fm.removeItem(atPath: podDirectory(uid)) }
    }
}

public struct VolumeError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
