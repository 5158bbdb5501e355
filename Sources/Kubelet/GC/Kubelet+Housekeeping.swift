import CRIAPI
import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension Kubelet {
    /// Every `period`: removes the directories of pods that are gone (no API object, nothing
    /// in the runtime; upstream `cleanupOrphanedPodDirs`), then collects images.
    func housekeeping(period: Swift.Duration) async {
        while !Task.isCancelled {
            do { try await clock.sleep(for: period) } catch { return }
            await removeOrphanedPodDirectories()
            await collectImages()
        }
    }

    func removeOrphanedPodDirectories() async {
        let base = options.rootDir + "/pods"
        guard FileManager.default.fileExists(atPath: base) else { return }  // no pod has had a directory yet
        let entries: [String]
        do {
            entries = try FileManager.default.contentsOfDirectory(atPath: base)
        } catch {
            logger.warning("housekeeping: cannot list pod directories", metadata: ["path": "\(base)", "error": "\(error)"])
            return
        }
        let known = knownPodUIDs
        let running: Set<String>
        do {
            running = Set(try await runtime.listPodSandboxes(podUID: nil).compactMap { $0.labels[RuntimeLabels.podUID] })
        } catch {
            logger.warning("housekeeping: the runtime did not list sandboxes", metadata: ["error": "\(error)"])
            return
        }
        for uid in entries where !known.contains(uid) && !running.contains(uid) {
            do {
                try volumes.tearDown(uid: uid)
                logger.debug("orphaned pod directory removed", metadata: ["podUID": "\(uid)"])
            } catch {
                logger.warning("removing an orphaned pod directory failed", metadata: ["podUID": "\(uid)", "error": "\(error)"])
            }
        }
    }

    /// Image garbage collection (upstream `realImageGCManager`): when the image filesystem is
    /// fuller than `imageGCHighThresholdPercent`, images no container uses, first seen at least
    /// `imageMinimumGCAge` ago, are removed, largest first, until usage is under
    /// `imageGCLowThresholdPercent`.
    func collectImages() async {
        let config = options.config
        guard config.imageGCHighThresholdPercent < 100 else { return }
        do {
            let filesystems = try await runtime.imageFsInfo()
            guard let fs = filesystems.first, !fs.fsID.mountpoint.isEmpty else { return }
            var info = statvfs()
            guard statvfs(fs.fsID.mountpoint, &info) == 0 else { return }
            let capacity = Double(info.f_blocks) * Double(info.f_frsize)
            let available = Double(info.f_bavail) * Double(info.f_frsize)
            guard capacity > 0 else { return }
            let usedPercent = Int((capacity - available) * 100 / capacity)
            let images = try await runtime.listImages()
            let now = clock.now
            let firstSeen = memory.withLock { memory in
                for image in images where memory.imagesFirstSeen[image.id] == nil { memory.imagesFirstSeen[image.id] = now }
                return memory.imagesFirstSeen
            }
            guard usedPercent > config.imageGCHighThresholdPercent else { return }
            let inUse = Set(try await runtime.listContainers(podUID: nil).flatMap { [$0.imageRef, $0.image.image] })
            var toFree = capacity * Double(usedPercent - config.imageGCLowThresholdPercent) / 100
            let candidates = images.filter { image in
                !inUse.contains(image.id) && !image.repoTags.contains(where: inUse.contains) && !image.pinned
                    && (firstSeen[image.id].map { now - $0 >= config.imageMinimumGCAge } ?? false)
            }.sorted { $0.size > $1.size }
            for image in candidates where toFree > 0 {
                do {
                    try await runtime.removeImage(image.id)
                    toFree -= Double(image.size)
                    logger.info("image removed by garbage collection", metadata: ["image": "\(image.repoTags.first ?? image.id)", "bytes": "\(image.size)"])
                } catch {
                    logger.warning("removing an unused image failed", metadata: ["image": "\(image.id)", "error": "\(error)"])
                }
            }
        } catch {
            logger.warning("image garbage collection failed", metadata: ["error": "\(error)"])
        }
    }
}
