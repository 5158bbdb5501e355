/// etcd's key/range_end convention: empty `end` is the single key; `end == [0]` means every
/// key ≥ `key`; otherwise the half-open range [key, end). `prefix(_:)` builds the range of a
/// prefix the way etcdctl does.
public struct KeyRange: Sendable, Hashable {
    public var key: [UInt8]
    public var end: [UInt8]

    public init(key: [UInt8], end: [UInt8] = []) {
        self.key = key
        self.end = end
    }

    /// Every key starting with `prefix` (an empty prefix: every key).
    public static func prefix(_ prefix: [UInt8]) -> KeyRange {
        var end = prefix
        while let last = end.last {
            if last < 0xff {
                end[end.count - 1] = last + 1
                return KeyRange(key: prefix, end: end)
            }
            end.removeLast()
        }
        return KeyRange(key: prefix, end: [0])
    }

    public var isSingleKey: Bool { end.isEmpty }

    public func contains(_ k: [UInt8]) -> Bool {
        if end.isEmpty { return k == key }
        guard compareKeys(k, key) >= 0 else { return false }
        if end == [0] { return true }
        return compareKeys(k, end) < 0
    }
}
