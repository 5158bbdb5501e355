import Foundation

/// Writes a volume's files so that a reader never sees a mix of old and new contents
/// (upstream `volumeutil.AtomicWriter`): the payload goes into a fresh hidden directory
/// `..<timestamp>`, the symlink `..data` is swapped to it with one rename, and each top-level
/// entry of the payload is a symlink through `..data`. Entries no longer in the payload are
/// removed; an unchanged payload writes nothing.
public struct AtomicWriter: Sendable {
    public struct File: Sendable, Equatable {
        public var data: [UInt8]
        public var mode: Int
        public init(data: [UInt8], mode: Int) {
            self.data = data
            self.mode = mode
        }
    }

    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// Writes `payload` (relative path → file); returns whether anything changed.
    @discardableResult
    public func write(_ payload: [String: File]) throws -> Bool {
        let fm = FileManager.default
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for path in payload.keys {
            guard !path.isEmpty, !path.hasPrefix("/"), !path.split(separator: "/").contains(where: { $0 == ".." || $0.hasPrefix("..") }) else {
                throw CocoaError(.fileWriteInvalidFileName, userInfo: [NSFilePathErrorKey: path])
            }
        }
        let dataLink = directory + "/..data"
        if let current = Self.readLink(dataLink), Self.matches(directory + "/" + current, payload) {
            return false
        }
        let stamp = "..\(Self.timestamp())"
        let target = directory + "/" + stamp
        try fm.createDirectory(atPath: target, withIntermediateDirectories: true)
        for (path, file) in payload {
            let full = target + "/" + path
            try fm.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            guard fm.createFile(atPath: full, contents: Data(file.data), attributes: [.posixPermissions: file.mode]) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: full])
            }
            try fm.setAttributes([.posixPermissions: file.mode], ofItemAtPath: full)
        }
        let old = Self.readLink(dataLink)
        let temporary = directory + "/..data_tmp"
        unlink(temporary)
        try fm.createSymbolicLink(atPath: temporary, withDestinationPath: stamp)
        guard rename(temporary, dataLink) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: dataLink])
        }
        // Top-level user-visible links.
        let topLevel = Set(payload.keys.map { String($0.split(separator: "/")[0]) })
        for name in try fm.contentsOfDirectory(atPath: directory) where !name.hasPrefix("..") && !topLevel.contains(name) {
            try fm.removeItem(atPath: directory + "/" + name)
        }
        for name in topLevel {
            let link = directory + "/" + name
            if Self.readLink(link) == "..data/" + name { continue }
            unlink(link)
            try fm.createSymbolicLink(atPath: link, withDestinationPath: "..data/" + name)
        }
        if let old, old != stamp { try fm.removeItem(atPath: directory + "/" + old) }
        return true
    }

    static func matches(_ directory: String, _ payload: [String: File]) -> Bool {
        let fm = FileManager.default
        var count = 0
        guard let enumerator = fm.enumerator(atPath: directory) else { return false }
        for case let path as String in enumerator {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: directory + "/" + path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            count += 1
            guard let file = payload[path], let data = fm.contents(atPath: directory + "/" + path), Array(data) == file.data,
                Self.mode(directory + "/" + path) == file.mode
            else { return false }
        }
        return count == payload.count
    }

    /// The target of the symlink at `path`, or nil when there is none.
    static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The permission bits of the file at `path`, or nil when it cannot be read.
    static func mode(_ path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int(info.st_mode & 0o7777)
    }

    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return "\(now.tv_sec).\(String(format: "%09d", now.tv_nsec))"
    }
}
