import APIMachinery
import ArgumentParser
import Foundation

/// `skiff bench codec`: µs per decode and encode of the Pod, Deployment and Node fixtures and
/// of a 1000-pod PodList, the untyped tree parse the apiserver uses (`JSONCodec.parse`), the
/// apiserver's canonical ordering of that tree (`APISchema.canonical`, on Go-ordered input and
/// on the same members in reverse order), with
/// Foundation's untyped JSONSerialization on the same bytes as a baseline measured in the same run.
struct CodecBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codec",
        abstract: "µs per JSON decode/encode of typed Pod, Deployment, Node and a 1000-pod PodList."
    )

    @Option(help: "Folder holding the upstream fixtures (core.v1.Pod.json, …).")
    var fixtures = "Tests/APIMachineryTests/Fixtures"

    @Option(help: "Minimum seconds spent measuring each case.")
    var seconds = 1.0

    func run() throws {
        let folder = URL(fileURLWithPath: fixtures)
        func load(_ name: String) throws -> [UInt8] {
            try [UInt8](Data(contentsOf: folder.appendingPathComponent(name)))
        }
        let pod = try load("core.v1.Pod.json")
        let deployment = try load("apps.v1.Deployment.json")
        let node = try load("core.v1.Node.json")
        let podList = try makePodList(from: pod, count: 1000)

        print("skiff bench codec: release=\(isRelease) (typed decode = bytes → struct, encode = struct → bytes)")
        print(pad("case", 22) + pad("bytes", 10) + pad("decode µs", 12) + pad("encode µs", 12) + pad("tree parse µs", 15) + pad("canonical µs", 14) + pad("reordered µs", 14) + pad("Foundation parse µs", 22) + "typed decode / Foundation")
        try report("Pod", CoreV1.Pod.self, pod)
        try report("Deployment", AppsV1.Deployment.self, deployment)
        try report("Node", CoreV1.Node.self, node)
        try report("PodList (1000 pods)", CoreV1.PodList.self, podList)
    }

    private var isRelease: Bool {
        #if DEBUG
            false
        #else
            true
        #endif
    }

    private static func reversed(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object): .object(JSONObject(members: object.members.reversed().map { .init(key: $0.key, value: reversed($0.value)) }))
        case .array(let elements): .array(elements.map { reversed($0) })
        default: value
        }
    }

    private func report<T: KubernetesResource>(_ name: String, _ type: T.Type, _ bytes: [UInt8]) throws {
        let value = try JSONCodec.decode(type, from: bytes)
        let decode = try measure { _ = try JSONCodec.decode(type, from: bytes) }
        let encode = try measure { _ = JSONCodec.encode(value, capacity: bytes.count) }
        let data = Data(bytes)
        let tree = try measure { _ = try JSONCodec.parse(bytes) }
        let parsed = try JSONCodec.parse(bytes)
        let reversed = Self.reversed(parsed)
        let canonical = try measure { _ = APISchema.kubernetes.canonical(parsed, gvk: T.groupVersionKind) }
        let reordered = try measure { _ = APISchema.kubernetes.canonical(reversed, gvk: T.groupVersionKind) }
        let foundation = try measure { _ = try JSONSerialization.jsonObject(with: data) }
        print(
            pad(name, 22) + pad(String(bytes.count), 10) + pad(format(decode), 12) + pad(format(encode), 12)
                + pad(format(tree), 15) + pad(format(canonical), 14) + pad(format(reordered), 14) + pad(format(foundation), 22) + String(format: "%.2f", decode / foundation))
    }

    /// Mean µs per call over at least `seconds`, after a warm-up.
    private func measure(_ body: () throws -> Void) throws -> Double {
        for _ in 0..<3 { try body() }
        let clock = ContinuousClock()
        var iterations = 0
        let start = clock.now
        var elapsed = Swift.Duration.zero
        while elapsed < .seconds(seconds) {
            for _ in 0..<8 { try body() }
            iterations += 8
            elapsed = clock.now - start
        }
        let (s, attoseconds) = elapsed.components
        return (Double(s) * 1e6 + Double(attoseconds) / 1e12) / Double(iterations)
    }

    private func makePodList(from pod: [UInt8], count: Int) throws -> [UInt8] {
        let template = try JSONCodec.decode(CoreV1.Pod.self, from: pod)
        var list = CoreV1.PodList(items: []).withTypeMeta()
        list.metadata = MetaV1.ListMeta(resourceVersion: "12345")
        for i in 0..<count {
            var item = template
            item.metadata?.name = "pod-\(i)"
            item.metadata?.uid = "00000000-0000-0000-0000-\(String(format: "%012d", i))"
            list.items.append(item)
        }
        return JSONCodec.encode(list, capacity: pod.count * count)
    }

    private func format(_ value: Double) -> String { String(format: value < 100 ? "%.2f" : "%.0f", value) }
    private func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count) }
}
