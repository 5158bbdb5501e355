import Foundation
import Testing
@testable import Kubelet
#if canImport(Glibc)
import Glibc
#endif

/// `VolumeOwnership`: the modes fsGroup gives, and a real tree changed on disk (as the test's
/// own user, so the group is one this user is in).
struct VolumeOwnershipTests {
    @Test func filesGainGroupReadAndWriteDirectoriesSetGroupID() {
        #expect(VolumeOwnership.mode(0o644, isDirectory: false, readOnly: false) == 0o664)
        #expect(VolumeOwnership.mode(0o644, isDirectory: false, readOnly: true) == 0o644)
        #expect(VolumeOwnership.mode(0o600, isDirectory: false, readOnly: true) == 0o640)
        #expect(VolumeOwnership.mode(0o777, isDirectory: true, readOnly: false) == 0o2777)
        #expect(VolumeOwnership.mode(0o700, isDirectory: true, readOnly: true) == 0o2750)
    }

    @Test func aTreeGetsTheGroupAndModesAndLinksAreNotFollowed() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("ownership-\(UUID().uuidString)").path
        let outside = root + "-outside"
        defer {
            try? FileManager.default.removeItem(atPath: root)
            try? FileManager.default.removeItem(atPath: outside)
        }
        try FileManager.default.createDirectory(atPath: root + "/sub", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: root + "/sub/file", contents: Data("x".utf8), attributes: [.posixPermissions: 0o600])
        FileManager.default.createFile(atPath: outside + "/other", contents: Data("y".utf8), attributes: [.posixPermissions: 0o600])
        try FileManager.default.createSymbolicLink(atPath: root + "/link", withDestinationPath: outside)
        chmod(root, 0o755)
        chmod(root + "/sub", 0o700)
        let group = Int64(getgid())
        try VolumeOwnership.apply(root: root, group: group, readOnly: false, onRootMismatch: false)
        func info(_ path: String) -> stat {
            var result = stat()
            lstat(path, &result)
            return result
        }
        #expect(info(root).st_mode & 0o7777 == 0o2775)
        #expect(info(root + "/sub").st_mode & 0o7777 == 0o2770)
        #expect(info(root + "/sub/file").st_mode & 0o7777 == 0o660)
        #expect(info(root + "/sub/file").st_gid == gid_t(group))
        #expect(info(outside + "/other").st_mode & 0o7777 == 0o600, "a link out of the volume is not followed")
        // OnRootMismatch leaves a volume whose root already matches.
        chmod(root + "/sub/file", 0o600)
        try VolumeOwnership.apply(root: root, group: group, readOnly: false, onRootMismatch: true)
        #expect(info(root + "/sub/file").st_mode & 0o7777 == 0o600)
        try VolumeOwnership.apply(root: root, group: group, readOnly: false, onRootMismatch: false)
        #expect(info(root + "/sub/file").st_mode & 0o7777 == 0o660)
    }

    @Test func aMissingRootIsAnErrorNamingIt() {
        #expect(throws: VolumeError.self) {
            try VolumeOwnership.apply(root: "/no/such/volume", group: 1, readOnly: false, onRootMismatch: false)
        }
    }
}
