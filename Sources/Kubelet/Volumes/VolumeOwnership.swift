import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A pod's `fsGroup` applied to a volume, as upstream's SetVolumeOwnership: everything under
/// the volume gets the group, files gain group read (and write on writable volumes),
/// directories gain group access and the set-group-ID bit (so new files inherit the group).
/// Symbolic links (the `..data` link of configMap and secret volumes) get the group only.
/// With `fsGroupChangePolicy: OnRootMismatch` a volume whose root already has the group and the
/// permissions is left as it is.
public enum VolumeOwnership {
    /// The mode a path gets: its mode plus group read/write (read only on a read-only volume),
    /// and for directories group execute and set-group-ID.
    public static func mode(_ current: mode_t, isDirectory: Bool, readOnly: Bool) -> mode_t {
        var mask: mode_t = readOnly ? 0o440 : 0o660
        if isDirectory { mask |= mode_t(S_ISGID) | 0o110 }
        return current | mask
    }

    /// Whether a volume root already is as `apply` would leave it.
    public static func rootMatches(_ info: stat, group: gid_t, readOnly: Bool) -> Bool {
        info.st_gid == group && (info.st_mode & 0o7777) == (mode(info.st_mode, isDirectory: true, readOnly: readOnly) & 0o7777)
    }

    /// Applies `group` under `root`; the first failure is thrown with its path.
    public static func apply(root: String, group: Int64, readOnly: Bool, onRootMismatch: Bool) throws {
        let gid = gid_t(truncatingIfNeeded: group)
        var info = stat()
        guard lstat(root, &info) == 0 else { throw failure("stat", root) }
        if onRootMismatch && rootMatches(info, group: gid, readOnly: readOnly) { return }
        try change(root, info: info, gid: gid, readOnly: readOnly)
        guard (info.st_mode & S_IFMT) == S_IFDIR, let walker = FileManager.default.enumerator(atPath: root) else { return }
        while let relative = walker.nextObject() as? String {
            let path = root + "/" + relative
            guard lstat(path, &info) == 0 else { throw failure("stat", path) }
            try change(path, info: info, gid: gid, readOnly: readOnly)
            // Do not follow symbolic links to directories out of the volume.
            if (info.st_mode & S_IFMT) == S_IFLNK { walker.skipDescendants() }
        }
    }

    private static func change(_ path: String, info: stat, gid: gid_t, readOnly: Bool) throws {
        let kind = info.st_mode & S_IFMT
        if kind == S_IFLNK {
            guard lchown(path, uid_t.max, gid) == 0 else { throw failure("lchown", path) }
            return
        }
        guard chown(path, uid_t.max, gid) == 0 else { throw failure("chown", path) }
        let wanted = mode(info.st_mode & 0o7777, isDirectory: kind == S_IFDIR, readOnly: readOnly)
        guard chmod(path, wanted) == 0 else { throw failure("chmod", path) }
    }

    private static func failure(_ call: String, _ path: String) -> VolumeError {
        VolumeError("\(call) \(path): \(String(cString: strerror(errno)))")
    }
}
