import APIMachinery
import Client
import Foundation

extension Kubelet {
    /// Reads `staticPodPath` every `fileCheckFrequency` until cancelled: new manifests become
    /// pods this kubelet runs, removed or edited ones are stopped (an edit is a new pod), and
    /// each static pod's mirror pod is kept in the apiserver.
    func runStaticPods(path: String, period: Swift.Duration) async {
        while !Task.isCancelled {
            await syncStaticPods(path: path)
            do { try await clock.sleep(for: period) } catch { return }
        }
    }

    /// One pass: the manifests on disk against the static pods this kubelet runs, then mirrors.
    func syncStaticPods(path: String) async {
        var found: [String: CoreV1.Pod] = [:]
        let files = FileManager.default
        let names: [String]
        do { names = try files.contentsOfDirectory(atPath: path) } catch {
            // A missing directory holds no static pods (upstream logs and waits for it).
            names = []
        }
        let seen = RFC3339.format(nanosecondsSinceEpoch: clock.wallNow.nanosecondsSinceEpoch)
        for name in names.sorted() where StaticPodSource.isManifest(name) {
            let file = path + "/" + name
            guard let data = files.contents(atPath: file) else { continue }
            do {
                let pod = try StaticPodSource.pod(path: file, contents: String(decoding: data, as: UTF8.self),
                                                  nodeName: options.nodeName, seen: seen)
                found[pod.metadata?.uid ?? ""] = pod
            } catch {
                logger.warning("static pod manifest skipped", metadata: ["file": "\(file)", "error": "\(error)"])
            }
        }
        let (added, removed) = memory.withLock { memory -> ([CoreV1.Pod], [CoreV1.Pod]) in
            let added = found.filter { memory.staticPods[$0.key] == nil }.map(\.value)
            let removed = memory.staticPods.filter { found[$0.key] == nil }.map(\.value)
            for pod in removed { memory.staticPods[pod.metadata?.uid ?? ""] = nil }
            for pod in added { memory.staticPods[pod.metadata?.uid ?? ""] = pod }
            return (added, removed)
        }
        for pod in added {
            logger.info("static pod added", metadata: ["pod": "\(pod.key)"])
            observe(pod)
        }
        for pod in removed {
            logger.info("static pod removed", metadata: ["pod": "\(pod.key)"])
            forget(pod)
            await deleteMirror(of: pod)
        }
        for pod in memory.withLock({ Array($0.staticPods.values) }) { await ensureMirror(of: pod) }
    }

    /// The mirror pod in the informer's cache for a static pod's name, if any.
    func mirrorPod(named name: String, namespace: String) -> CoreV1.Pod? {
        podInformer.store.list().first { $0.metadata?.name == name && $0.metadata?.namespace == namespace && StaticPodSource.isMirror($0) }
    }

    /// Creates the static pod's mirror when missing, and replaces one made for another version
    /// of the manifest.
    func ensureMirror(of pod: CoreV1.Pod) async {
        guard node.isRegistered, let name = pod.metadata?.name, let namespace = pod.metadata?.namespace else { return }
        let uid = pod.metadata?.uid ?? ""
        if let existing = mirrorPod(named: name, namespace: namespace) {
            if existing.metadata?.annotations?[StaticPodSource.mirrorAnnotation] == uid && existing.metadata?.deletionTimestamp == nil {
                memory.withLock { $0.mirrors[uid] = existing.metadata?.uid }
                return
            }
            await deleteMirror(existing)
        }
        do {
            let created = try await podClient.create(StaticPodSource.mirror(of: pod, node: node.current))
            memory.withLock { memory in
                memory.mirrors[uid] = created.metadata?.uid
                // The new mirror has no status yet: write the whole of it on the next sync.
                memory.written[uid] = nil
            }
            queue.add(uid)
            logger.info("mirror pod created", metadata: ["pod": "\(pod.key)"])
        } catch let error as StatusError where error.isAlreadyExists {
            // The informer has not seen it yet; the next pass adopts it.
            return
        } catch {
            logger.warning("mirror pod not created", metadata: ["pod": "\(pod.key)", "error": "\(error)"])
        }
    }

    /// Deletes the mirror of a static pod that is gone.
    func deleteMirror(of pod: CoreV1.Pod) async {
        guard let name = pod.metadata?.name, let namespace = pod.metadata?.namespace,
              let mirror = mirrorPod(named: name, namespace: namespace) else { return }
        await deleteMirror(mirror)
        memory.withLock { $0.mirrors[pod.metadata?.uid ?? ""] = nil }
    }

    private func deleteMirror(_ mirror: CoreV1.Pod) async {
        var options = MetaV1.DeleteOptions()
        options.gracePeriodSeconds = 0
        options.preconditions = MetaV1.Preconditions(uid: mirror.metadata?.uid)
        do {
            try await podClient.delete(mirror.metadata?.name ?? "", namespace: mirror.metadata?.namespace, options: options)
        } catch let error as StatusError where error.isNotFound || error.isConflict {
            return
        } catch {
            logger.warning("mirror pod not deleted", metadata: ["pod": "\(mirror.key)", "error": "\(error)"])
        }
    }
}
