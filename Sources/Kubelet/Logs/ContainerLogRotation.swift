import Foundation

/// Container log rotation, as upstream's container log manager: a running container's log
/// above `containerLogMaxSize` is renamed to `<log>.<UTC time as 20060102-150405>` and the
/// runtime reopens the log path; rotated files beyond `containerLogMaxFiles - 1` are removed,
/// oldest first. (Upstream also gzips older rotated files; this kubelet keeps them as they are.)
public enum ContainerLogRotation {
    /// The rotated files of `log` among a directory's `entries`, oldest first.
    public static func rotated(of log: String, in entries: [String]) -> [String] {
        let base = (log as NSString).lastPathComponent + "."
        return entries.filter { $0.hasPrefix(base) && !$0.hasSuffix(".tmp") && $0.count == base.count + 15 }.sorted()
    }

    /// Which rotated files to remove so that, with the live log and the one about to be made,
    /// at most `maxFiles` remain.
    public static func excess(rotated: [String], maxFiles: Int) -> [String] {
        let keep = max(0, maxFiles - 2)
        return rotated.count > keep ? Array(rotated.prefix(rotated.count - keep)) : []
    }

    /// The suffix of a rotated file made at `date`.
    public static func suffix(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return formatter.string(from: date)
    }
}

extension Kubelet {
    /// Rotates logs every `period` until cancelled.
    func rotateLogs(period: Swift.Duration) async {
        while !Task.isCancelled {
            do { try await clock.sleep(for: period) } catch { return }
            await rotateLogsOnce()
        }
    }

    /// One pass over the running containers' logs.
    func rotateLogsOnce() async {
        let config = options.config
        let containers: [String]
        do {
            containers = try await runtime.listContainers(podUID: nil).filter { $0.state == .containerRunning }.map(\.id)
        } catch {
            logger.warning("log rotation: cannot list containers", metadata: ["error": "\(error)"])
            return
        }
        let files = FileManager.default
        for id in containers {
            let path: String
            do { path = try await runtime.containerStatus(id).logPath } catch { continue }
            guard !path.isEmpty else { continue }
            var info = stat()
            // A log not written yet (or already rotated away) has nothing to rotate.
            guard stat(path, &info) == 0, Int64(info.st_size) > config.containerLogMaxSize else { continue }
            let directory = (path as NSString).deletingLastPathComponent
            do {
                let entries = try files.contentsOfDirectory(atPath: directory)
                for name in ContainerLogRotation.excess(rotated: ContainerLogRotation.rotated(of: path, in: entries), maxFiles: config.containerLogMaxFiles) {
                    try files.removeItem(atPath: directory + "/" + name)
                }
                let rotated = path + "." + ContainerLogRotation.suffix(Date(timeIntervalSince1970: Double(clock.wallNow.nanosecondsSinceEpoch) / 1e9))
                guard !files.fileExists(atPath: rotated) else { continue }
                try files.moveItem(atPath: path, toPath: rotated)
                do {
                    try await runtime.reopenContainerLog(id)
                } catch {
                    // The runtime still writes to the renamed file: put it back.
                    try files.moveItem(atPath: rotated, toPath: path)
                    throw error
                }
            } catch {
                logger.warning("log rotation failed", metadata: ["container": "\(id)", "path": "\(path)", "error": "\(error)"])
            }
        }
    }
}
