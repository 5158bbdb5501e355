import Foundation
import Logging

/// The one log line format of every Skiff process, written to stderr:
///
///     2026-12-07T04:35:01.234Z INFO apiserver: listening address=127.0.0.1:6443
///
/// UTC timestamp with milliseconds, the level in capitals, the component, the message, then
/// the metadata as `key=value` pairs sorted by key (values with spaces, quotes or `=` are
/// quoted as Go's `%q` would). Each line is one `write(2)`, so lines of concurrent tasks never
/// interleave.
public struct ComponentLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level
    let component: String
    let sink: @Sendable (String) -> Void

    /// A handler for `component` at `level`, writing each finished line to `sink` (stderr by default).
    public init(component: String, level: Logger.Level, sink: @escaping @Sendable (String) -> Void = ComponentLogHandler.standardError) {
        self.component = component
        self.logLevel = level
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        if let error = event.error { merged["error"] = "\(error)" }
        sink(Self.line(date: Date(), level: event.level, component: component, message: event.message.description, metadata: merged))
    }

    /// One formatted line, newline included.
    public static func line(date: Date, level: Logger.Level, component: String, message: String, metadata: Logger.Metadata) -> String {
        var line = timestamp(date) + " " + level.rawValue.uppercased() + " " + component + ": " + message
        for key in metadata.keys.sorted() {
            line += " " + key + "=" + quoted(render(metadata[key]!))
        }
        return line + "\n"
    }

    static func render(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let text): text
        case .stringConvertible(let convertible): convertible.description
        case .array(let values): "[" + values.map(render).joined(separator: ",") + "]"
        case .dictionary(let map): "{" + map.keys.sorted().map { "\($0)=\(render(map[$0]!))" }.joined(separator: ",") + "}"
        }
    }

    /// The value as is when it is one plain word, else quoted with Swift's escapes.
    static func quoted(_ text: String) -> String {
        let plain = !text.isEmpty && text.unicodeScalars.allSatisfy { $0.value > 0x20 && $0.value < 0x7F && $0 != "\"" && $0 != "=" && $0 != "\\" }
        return plain ? text : text.debugDescription
    }

    static func timestamp(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        let millis = Int((date.timeIntervalSince1970 - Double(seconds)) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(parts.tm_year + 1900) + "-" + String(parts.tm_mon + 1).leftPadded(2) + "-" + String(parts.tm_mday).leftPadded(2)
            + "T" + String(parts.tm_hour).leftPadded(2) + ":" + String(parts.tm_min).leftPadded(2) + ":" + String(parts.tm_sec).leftPadded(2)
            + "." + String(millis).leftPadded(3) + "Z"
    }

    /// Writes the whole line with one `write(2)` to file descriptor 2.
    public static let standardError: @Sendable (String) -> Void = { line in
        var bytes = Array(line.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress! + offset, $0.count - offset) }
            if written <= 0 { return }
            offset += written
        }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
