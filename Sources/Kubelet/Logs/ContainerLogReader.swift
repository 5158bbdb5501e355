import Foundation

/// Reads one container's CRI log file for a `/containerLogs` request: from the start or the
/// last `tailLines` lines, formatted by `LogFormatter`; when following, it waits for more
/// (polling every `pollInterval`), reopens the file when rotation replaced it, and ends once
/// the container has stopped and nothing new is left.
public struct ContainerLogReader: Sendable {
    public let path: String
    public let options: LogOptions
    public var pollInterval: Duration = .milliseconds(50)
    /// How often, while idle, `stillRunning` is asked.
    public var runningCheckInterval: Duration = .seconds(1)

    public init(path: String, options: LogOptions) {
        self.path = path
        self.options = options
    }

    public struct Unreadable: Error, CustomStringConvertible {
        public var description: String
    }

    /// Fails at once when the file cannot be opened, so the caller can answer with an error
    /// before any output.
    public func open() throws -> FileHandle {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw Unreadable(description: "failed to open log file \"\(path)\": \(String(cString: strerror(errno)))")
        }
        return handle
    }

    /// Writes the log through `write` until it is done, the limit is reached, or `write`
    /// returns false (the client left).
    public func run(
        _ opened: FileHandle, write: (ArraySlice<UInt8>) async -> Bool, stillRunning: () async -> Bool
    ) async {
        var handle = opened
        defer { handle.closeFile() }
        var formatter = LogFormatter(options)
        if let tail = options.tailLines {
            do { try handle.seek(toOffset: Self.tailOffset(handle, lines: tail)) } catch { return }
        }
        var pending: [UInt8] = []
        // Idle time since the container was last seen running; nil before the first look.
        var sinceCheck: Duration?
        var checkedStopped = false
        while true {
            let chunk: Data
            do { chunk = try handle.read(upToCount: 64 * 1024) ?? Data() } catch { return }
            if !chunk.isEmpty {
                pending.append(contentsOf: chunk)
                var output: [UInt8] = []
                var start = 0
                while let newline = pending[start...].firstIndex(of: UInt8(ascii: "\n")) {
                    output += formatter.format(pending[start..<newline])
                    start = newline + 1
                    if formatter.exhausted { break }
                }
                pending.removeFirst(start)
                if !output.isEmpty, !(await write(output[...])) { return }
                if formatter.exhausted { return }
                continue
            }
            guard options.follow, !checkedStopped else {
                // The file's last record, unfinished: shown as it is, as upstream does.
                if !pending.isEmpty {
                    let output = formatter.format(pending[...])
                    if !output.isEmpty { _ = await write(output[...]) }
                }
                return
            }
            if let replaced = reopenIfRotated(handle) {
                handle.closeFile()
                handle = replaced
                pending = []
                continue
            }
            if sinceCheck.map({ $0 >= runningCheckInterval }) ?? true {
                if !(await stillRunning()) {
                    // One more pass for what was written before the container stopped.
                    checkedStopped = true
                    continue
                }
                sinceCheck = .zero
            }
            do { try await Task.sleep(for: pollInterval) } catch { return }
            sinceCheck = (sinceCheck ?? .zero) + pollInterval
        }
    }

    /// A handle on the file now at `path` when it is no longer the one open (rotated), else nil.
    private func reopenIfRotated(_ handle: FileHandle) -> FileHandle? {
        var open = stat(), current = stat()
        guard fstat(handle.fileDescriptor, &open) == 0, stat(path, &current) == 0,
              open.st_ino != current.st_ino || open.st_dev != current.st_dev else { return nil }
        return FileHandle(forReadingAtPath: path)
    }

    /// The offset where the last `lines` newline-terminated lines of the file begin.
    static func tailOffset(_ handle: FileHandle, lines: Int64) throws -> UInt64 {
        let size = try handle.seekToEnd()
        if lines == 0 || size == 0 { return size }
        var position = size
        var newlines: Int64 = 0
        let block: UInt64 = 64 * 1024
        try handle.seek(toOffset: size - 1)
        let endsWithNewline = (try handle.read(upToCount: 1)).map { $0.first == UInt8(ascii: "\n") } ?? false
        // The file's final newline ends the last line rather than starting a new one; an
        // unfinished last line is shown beside the lines asked for without counting as one.
        var skipLast = endsWithNewline
        let wanted = endsWithNewline ? lines : lines + 1
        while position > 0 {
            let start = position > block ? position - block : 0
            try handle.seek(toOffset: start)
            let bytes = [UInt8](try handle.read(upToCount: Int(position - start)) ?? Data())
            for index in bytes.indices.reversed() where bytes[index] == UInt8(ascii: "\n") {
                if skipLast && start + UInt64(index) == size - 1 {
                    skipLast = false
                    continue
                }
                newlines += 1
                if newlines == wanted { return start + UInt64(index) + 1 }
            }
            position = start
        }
        return 0
    }
}
