import APIMachinery
import Foundation
import Testing
@testable import Kubelet

/// `AtomicWriter` against upstream's `volumeutil.AtomicWriter`; the payload, downward-API and
/// hostPath-type helpers of `VolumeManager` against upstream's configMap/secret/downwardAPI
/// volume plugins and `hostpath` type checks.
@Suite("Atomic writer")
struct AtomicWriterTests {
    static func file(_ text: String, mode: Int = 0o644) -> AtomicWriter.File {
        AtomicWriter.File(data: Array(text.utf8), mode: mode)
    }

    static func read(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }

    static func link(_ path: String) -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: path)
    }

    /// The timestamped payload directories (`..2026…`), not `..data`.
    static func payloadDirectories(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasPrefix("..") && $0 != "..data" && $0 != "..data_tmp" }
    }

    @Test("files are written with their modes under a timestamped directory that ..data points to")
    func writesPayload() throws {
        let directory = Fx.temporaryDirectory("atomic")
        defer { Fx.remove(directory) }
        let writer = AtomicWriter(directory: directory + "/volume")
        let changed = try writer.write([
            "config.yaml": Self.file("level: debug\n"),
            "tls/tls.key": Self.file("KEY", mode: 0o600),
        ])
        #expect(changed)
        let root = directory + "/volume"
        let target = try #require(Self.link(root + "/..data"))
        #expect(target.hasPrefix(".."))
        #expect(Self.payloadDirectories(root) == [target])
        #expect(Self.read(root + "/config.yaml") == "level: debug\n")
        #expect(Self.read(root + "/tls/tls.key") == "KEY")
        #expect(Fx.mode(root + "/..data/config.yaml") == 0o644)
        #expect(Fx.mode(root + "/..data/tls/tls.key") == 0o600)
    }

    @Test("each top-level entry is a symlink through ..data")
    func topLevelLinks() throws {
        let directory = Fx.temporaryDirectory("atomic")
        defer { Fx.remove(directory) }
        try AtomicWriter(directory: directory).write(["a": Self.file("1"), "nested/b": Self.file("2")])
        #expect(Self.link(directory + "/a") == "..data/a")
        #expect(Self.link(directory + "/nested") == "..data/nested")
        let visible = try FileManager.default.contentsOfDirectory(atPath: directory).filter { !$0.hasPrefix("..") }.sorted()
        #expect(visible == ["a", "nested"])
    }

    @Test("writing the same payload again changes nothing and returns false")
    func samePayloadNoChange() throws {
        let directory = Fx.temporaryDirectory("atomic")
        defer { Fx.remove(directory) }
        let writer = AtomicWriter(directory: directory)
        let payload = ["a": Self.file("1"), "b": Self.file("2", mode: 0o400)]
        #expect(try writer.write(payload))
        let before = Self.link(directory + "/..data")
        #expect(try writer.write(payload) == false)
        #expect(Self.link(directory + "/..data") == before)
    }

    @Test("an update replaces the contents at once and removes keys no longer in the payload")
    func updateReplaces() throws {
        let directory = Fx.temporaryDirectory("atomic")
        defer { Fx.remove(directory) }
        let writer = AtomicWriter(directory: directory)
        try writer.write(["a": Self.file("old"), "dropped": Self.file("x"), "dir/c": Self.file("c")])
        let first = try #require(Self.link(directory + "/..data"))

        #expect(try writer.write(["a": Self.file("new"), "added": Self.file("y")]))
        let second = try #require(Self.link(directory + "/..data"))
        #expect(second != first)
        #expect(Self.read(directory + "/a") == "new")
        #expect(Self.read(directory + "/added") == "y")
        #expect(!FileManager.default.fileExists(atPath: directory + "/dropped"))
        #expect(Self.link(directory + "/dropped") == nil)
        #expect(Self.link(directory + "/dir") == nil)
        // The previous payload directory is gone.
        #expect(Self.payloadDirectories(directory) == [second])
    }

    @Test("a change of mode alone is an update")
    func modeChangeIsUpdate() throws {
        let directory = Fx.temporaryDirectory("atomic")
        defer { Fx.remove(directory) }
        let writer = AtomicWriter(directory: directory)
        try writer.write(["a": Self.file("1", mode: 0o644)])
        #expect(try writer.write(["a": Self.file("1", mode: 0o600)]))
        #expect(Fx.mode(directory + "/..data/a") == 0o600)
    }

    @Test("paths that are absolute, climb out or start with .. are refused")
    func invalidPaths() {
        let directory = Fx.temporaryDirectory("atomic")
        defer { Fx.remove(directory) }
        let writer = AtomicWriter(directory: directory)
        for path in ["/etc/passwd", "../escape", "a/../../escape", "..data", "..hidden/x", ""] {
            #expect(throws: (any Error).self, "\(path)") { try writer.write([path: Self.file("x")]) }
        }
        #expect(!FileManager.default.fileExists(atPath: directory + "/..data"))
    }

    @Test("an empty payload leaves no visible entries")
    func emptyPayload() throws {
        let directory = Fx.temporaryDirectory("atomic")
        defer { Fx.remove(directory) }
        let writer = AtomicWriter(directory: directory)
        try writer.write(["a": Self.file("1")])
        #expect(try writer.write([:]))
        let visible = try FileManager.default.contentsOfDirectory(atPath: directory).filter { !$0.hasPrefix("..") }
        #expect(visible.isEmpty)
        #expect(Self.link(directory + "/..data") != nil)
    }
}

@Suite("Volume payloads and hostPath checks")
struct VolumeManagerTests {
    static let data: [String: [UInt8]] = ["app.properties": Array("a=1".utf8), "log.level": Array("debug".utf8)]

    @Test("without items every key becomes a file with the default mode")
    func payloadAllKeys() throws {
        let payload = try VolumeManager.payload(Self.data, items: nil, defaultMode: 0o640, optional: false, kind: "configmap", name: "settings")
        #expect(payload == [
            "app.properties": AtomicWriter.File(data: Array("a=1".utf8), mode: 0o640),
            "log.level": AtomicWriter.File(data: Array("debug".utf8), mode: 0o640),
        ])
    }

    @Test("items pick and rename keys, each with its own mode or the default")
    func payloadItems() throws {
        let items = [
            CoreV1.KeyToPath(key: "log.level", mode: 0o400, path: "conf/level"),
            CoreV1.KeyToPath(key: "app.properties", path: "app.properties"),
        ]
        let payload = try VolumeManager.payload(Self.data, items: items, defaultMode: 0o644, optional: false, kind: "configmap", name: "settings")
        #expect(payload == [
            "conf/level": AtomicWriter.File(data: Array("debug".utf8), mode: 0o400),
            "app.properties": AtomicWriter.File(data: Array("a=1".utf8), mode: 0o644),
        ])
    }

    @Test("an item naming a missing key fails unless the source is optional")
    func payloadMissingKey() throws {
        let items = [CoreV1.KeyToPath(key: "absent", path: "absent"), CoreV1.KeyToPath(key: "log.level", path: "level")]
        let error = #expect(throws: VolumeError.self) {
            try VolumeManager.payload(Self.data, items: items, defaultMode: 0o644, optional: false, kind: "configmap", name: "settings")
        }
        #expect(error?.message.contains("absent") == true)
        let optional = try VolumeManager.payload(Self.data, items: items, defaultMode: 0o644, optional: true, kind: "configmap", name: "settings")
        #expect(Array(optional.keys) == ["level"])
    }

    @Test("a ConfigMap's binaryData and data both become files")
    func configMapBytes() {
        let map = CoreV1.ConfigMap(binaryData: ["blob": Base64Bytes([0, 1, 2])], data: ["text": "hello"])
        let bytes = VolumeManager.bytes(of: map)
        #expect(bytes == ["blob": [0, 1, 2], "text": Array("hello".utf8)])
    }

    @Test("downwardAPI volume files hold pod fields and container resources")
    func downwardFiles() throws {
        var main = Fx.container("main")
        main.resources = Fx.resources(limits: ["memory": "64Mi", "cpu": "250m"])
        var pod = Fx.pod(containers: [main])
        pod.metadata?.labels = ["app": "web", "tier": "front"]
        let environment = EnvironmentBuilder(pod: pod, nodeName: "node-1", hostIPs: ["192.168.1.10"], podIPs: ["10.88.0.5"],
                                             configMaps: [:], secrets: [:], services: [], nodeAllocatable: [:])
        let items = [
            CoreV1.DownwardAPIVolumeFile(fieldRef: CoreV1.ObjectFieldSelector(fieldPath: "metadata.labels"), path: "labels"),
            CoreV1.DownwardAPIVolumeFile(fieldRef: CoreV1.ObjectFieldSelector(fieldPath: "metadata.name"), mode: 0o400, path: "name"),
            CoreV1.DownwardAPIVolumeFile(path: "mem", resourceFieldRef: CoreV1.ResourceFieldSelector(
                containerName: "main", divisor: Fx.q("1Mi"), resource: "limits.memory")),
            CoreV1.DownwardAPIVolumeFile(path: "cpu", resourceFieldRef: CoreV1.ResourceFieldSelector(
                containerName: "main", divisor: Fx.q("1m"), resource: "limits.cpu")),
        ]
        let payload = try VolumeManager.downward(items, defaultMode: 0o644, environment: environment)
        #expect(payload["labels"] == AtomicWriter.File(data: Array("app=\"web\"\ntier=\"front\"".utf8), mode: 0o644))
        #expect(payload["name"] == AtomicWriter.File(data: Array("web".utf8), mode: 0o400))
        #expect(payload["mem"]?.data == Array("64".utf8))
        #expect(payload["cpu"]?.data == Array("250".utf8))
    }

    @Test("hostPath DirectoryOrCreate creates a missing directory with mode 0755")
    func directoryOrCreate() throws {
        let directory = Fx.temporaryDirectory("hostpath")
        defer { Fx.remove(directory) }
        let path = directory + "/a/b"
        try VolumeManager.checkHostPath(path, type: "DirectoryOrCreate")
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        #expect(exists && isDirectory.boolValue)
        #expect(Fx.mode(path) == 0o755)
        // An existing directory passes; an existing file does not.
        try VolumeManager.checkHostPath(path, type: "DirectoryOrCreate")
        _ = FileManager.default.createFile(atPath: directory + "/file", contents: Data())
        let error = #expect(throws: VolumeError.self) { try VolumeManager.checkHostPath(directory + "/file", type: "DirectoryOrCreate") }
        #expect(error?.message == "hostPath type check failed: \(directory)/file is not a directory")
    }

    @Test("hostPath FileOrCreate creates a missing empty file with mode 0644")
    func fileOrCreate() throws {
        let directory = Fx.temporaryDirectory("hostpath")
        defer { Fx.remove(directory) }
        let path = directory + "/state.lock"
        try VolumeManager.checkHostPath(path, type: "FileOrCreate")
        #expect(FileManager.default.contents(atPath: path) == Data())
        #expect(Fx.mode(path) == 0o644)
        #expect(throws: VolumeError.self) { try VolumeManager.checkHostPath(directory, type: "FileOrCreate") }
    }

    @Test("hostPath FileOrCreate does not create a missing parent directory")
    func fileOrCreateNeedsParent() {
        let directory = Fx.temporaryDirectory("hostpath")
        defer { Fx.remove(directory) }
        let path = directory + "/missing/state.lock"
        #expect(throws: (any Error).self) { try VolumeManager.checkHostPath(path, type: "FileOrCreate") }
        #expect(!FileManager.default.fileExists(atPath: directory + "/missing"))
    }

    @Test("hostPath Directory and File require an existing entry of that kind")
    func directoryAndFile() throws {
        let directory = Fx.temporaryDirectory("hostpath")
        defer { Fx.remove(directory) }
        let file = directory + "/file"
        _ = FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
        try VolumeManager.checkHostPath(directory, type: "Directory")
        try VolumeManager.checkHostPath(file, type: "File")
        let missing = #expect(throws: VolumeError.self) { try VolumeManager.checkHostPath(directory + "/absent", type: "Directory") }
        #expect(missing?.message == "hostPath type check failed: \(directory)/absent is not a directory")
        #expect(throws: VolumeError.self) { try VolumeManager.checkHostPath(file, type: "Directory") }
        #expect(throws: VolumeError.self) { try VolumeManager.checkHostPath(directory, type: "File") }
        #expect(throws: VolumeError.self) { try VolumeManager.checkHostPath(directory + "/absent", type: "File") }
        #expect(!FileManager.default.fileExists(atPath: directory + "/absent"))
    }

    @Test("hostPath without a type is not checked; special types check the file kind; unknown types fail")
    func otherTypes() throws {
        let directory = Fx.temporaryDirectory("hostpath")
        defer { Fx.remove(directory) }
        try VolumeManager.checkHostPath(directory + "/absent", type: "")
        #expect(!FileManager.default.fileExists(atPath: directory + "/absent"))
        let file = directory + "/file"
        _ = FileManager.default.createFile(atPath: file, contents: Data())
        let socket = #expect(throws: VolumeError.self) { try VolumeManager.checkHostPath(file, type: "Socket") }
        #expect(socket?.message == "hostPath type check failed: \(file) is not a socket file")
        #expect(throws: VolumeError.self) { try VolumeManager.checkHostPath(file, type: "BlockDevice") }
        try VolumeManager.checkHostPath("/dev/null", type: "CharDevice")
        #expect(throws: VolumeError.self) { try VolumeManager.checkHostPath(file, type: "Pipe") }
    }
}
