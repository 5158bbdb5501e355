import APIMachinery

/// One record of a container log file in the CRI format that runtimes write:
/// `<RFC 3339 time> <stdout|stderr> <F|P>[:more tags] <content>\n`, where `P` marks a partial
/// line that the next record continues.
public struct CRILogLine: Equatable, Sendable {
    /// Nanoseconds since the Unix epoch.
    public var time: Int64
    public var stream: String
    public var partial: Bool
    public var content: ArraySlice<UInt8>

    /// Parses one record, without its newline; nil when it is not in the CRI format.
    public init?(_ line: ArraySlice<UInt8>) {
        guard let first = line.firstIndex(of: UInt8(ascii: " ")),
              let time = Self.parseTime(line[line.startIndex..<first]) else { return nil }
        let rest = line[(first + 1)...]
        guard let second = rest.firstIndex(of: UInt8(ascii: " ")) else { return nil }
        let stream = String(decoding: rest[rest.startIndex..<second], as: UTF8.self)
        guard stream == "stdout" || stream == "stderr" else { return nil }
        let afterStream = rest[(second + 1)...]
        let third = afterStream.firstIndex(of: UInt8(ascii: " ")) ?? afterStream.endIndex
        let tags = afterStream[afterStream.startIndex..<third]
        guard let tag = tags.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false).first,
              tag.elementsEqual("F".utf8) || tag.elementsEqual("P".utf8) else { return nil }
        self.time = time
        self.stream = stream
        self.partial = tag.elementsEqual("P".utf8)
        self.content = third < afterStream.endIndex ? afterStream[(third + 1)...] : afterStream[third...]
    }

    /// Nanoseconds since the epoch of an RFC 3339 time, or nil.
    public static func parseTime<C: Collection<UInt8>>(_ text: C) -> Int64? {
        do {
            let (seconds, nanos) = try RFC3339.parse(String(decoding: text, as: UTF8.self))
            return seconds * 1_000_000_000 + Int64(nanos)
        } catch {
            return nil
        }
    }
}
