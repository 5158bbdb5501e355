import APIMachinery

/// What a reader of a container's log asked for (the kubelet's `/containerLogs` query, in
/// `PodLogOptions`' names).
public struct LogOptions: Sendable, Equatable {
    public var follow = false
    public var previous = false
    public var timestamps = false
    /// Only the last this many lines.
    public var tailLines: Int64?
    /// At most this many bytes of output.
    public var limitBytes: Int64?
    /// Only records written at or after this time (nanoseconds since the epoch).
    public var since: Int64?

    public init() {}

    public struct Invalid: Error, CustomStringConvertible, Sendable {
        public var description: String
        /// A value that could not be read at all (as opposed to one out of range).
        public var undecodable = false
    }

    /// Reads the query; `now` (nanoseconds since the epoch) resolves `sinceSeconds`.
    public init(query: [String: [String]], now: Int64) throws(Invalid) {
        func flag(_ name: String) -> Bool {
            guard let text = query[name]?.first else { return false }
            // As the query decoder upstream: anything but a false spelling turns a flag on.
            switch text.lowercased() {
            case "0", "f", "false": return false
            default: return true
            }
        }
        func integer(_ name: String, minimum: Int64) throws(Invalid) -> Int64? {
            guard let text = query[name]?.first, !text.isEmpty else { return nil }
            guard let value = Int64(text) else { throw Invalid(description: "invalid value for \(name): \(text)", undecodable: true) }
            guard value >= minimum else {
                let bound = minimum == 0 ? "must be greater than or equal to 0" : "must be greater than 0"
                throw Invalid(description: "\(name): Invalid value: \(value): \(bound)")
            }
            return value
        }
        follow = flag("follow")
        previous = flag("previous")
        timestamps = flag("timestamps")
        tailLines = try integer("tailLines", minimum: 0)
        limitBytes = try integer("limitBytes", minimum: 1)
        let sinceSeconds = try integer("sinceSeconds", minimum: 1)
        var sinceTime: Int64?
        if let text = query["sinceTime"]?.first, !text.isEmpty {
            do {
                let (seconds, nanos) = try RFC3339.parse(text)
                sinceTime = seconds * 1_000_000_000 + Int64(nanos)
            } catch {
                throw Invalid(description: "invalid value for sinceTime: \(text)", undecodable: true)
            }
        }
        if sinceSeconds != nil && sinceTime != nil {
            throw Invalid(description: "at most one of sinceTime or sinceSeconds may be specified")
        }
        if let sinceSeconds { since = now - sinceSeconds * 1_000_000_000 } else { since = sinceTime }
    }
}

/// Turns CRI log records into what the reader sees: the content (a newline after full
/// lines), prefixed by its time when asked (once per line, not per partial record), records before `since` left out, and output cut
/// at `limitBytes`. Lines that are not CRI records are skipped, as upstream does.
public struct LogFormatter: Sendable {
    public let options: LogOptions
    private var remaining: Int64?
    /// Whether the next record starts a line (the one after a partial record continues it).
    private var atLineStart = true

    public init(_ options: LogOptions) {
        self.options = options
        remaining = options.limitBytes
    }

    /// True once `limitBytes` have been written.
    public var exhausted: Bool { remaining.map { $0 <= 0 } ?? false }

    /// The output of one record (without its trailing newline).
    public mutating func format(_ record: ArraySlice<UInt8>) -> [UInt8] {
        guard !exhausted, let line = CRILogLine(record) else { return [] }
        if let since = options.since, line.time < since { return [] }
        var out: [UInt8] = []
        if options.timestamps && atLineStart { out += Array((RFC3339.format(nanosecondsSinceEpoch: line.time) + " ").utf8) }
        atLineStart = !line.partial
        out += line.content
        if !line.partial { out.append(UInt8(ascii: "\n")) }
        if let left = remaining {
            if Int64(out.count) > left { out.removeLast(out.count - Int(left)) }
            remaining = left - Int64(out.count)
        }
        return out
    }
}
