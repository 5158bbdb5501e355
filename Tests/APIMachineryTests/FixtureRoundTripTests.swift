import Foundation
import Testing

@testable import APIMachinery

/// Upstream round-trip fixtures (every field set): decode into the typed resource, encode, and
/// compare JSON trees.
struct FixtureRoundTripTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static let files: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted()
    }()

    @Test func fixturesArePresent() {
        // 78 fixtures of the served groups' v1 (and autoscaling/v2) versions.
        #expect(Self.files.count == 78)
    }

    @Test(arguments: files)
    func roundTrip(file: String) throws {
        let bytes = try [UInt8](Data(contentsOf: Self.directory.appendingPathComponent(file)))
        let gvk = try #require(Self.groupVersionKind(ofFile: file))
        let type = try #require(GeneratedKinds.all[gvk], "no type for \(gvk)")

        let (encoded, issues) = try Self.roundTrip(type, bytes)
        #expect(issues.isEmpty, "strict decoding found \(issues) in \(file)")
        let original = try JSONCodec.parse(bytes)
        let again = try JSONCodec.parse(encoded)
        if original != again {
            Issue.record("\(file) changed on round trip:\n\(Self.difference(original, again, path: ""))")
        }
    }

    /// The fixtures are written by Go's encoding/json: the typed encoders must write the same
    /// members in the same order, byte for byte once compacted.
    @Test(arguments: files)
    func typedEncodingKeepsGoFieldOrder(file: String) throws {
        let bytes = try [UInt8](Data(contentsOf: Self.directory.appendingPathComponent(file)))
        let gvk = try #require(Self.groupVersionKind(ofFile: file))
        let type = try #require(GeneratedKinds.all[gvk])
        let (encoded, _) = try Self.roundTrip(type, bytes)
        #expect(String(decoding: encoded, as: UTF8.self) == JSONCodec.encodeToString(try JSONCodec.parse(bytes)))
    }

    /// `APISchema.canonical` leaves Go's output as it is, and puts any order of the same
    /// members (here: every object's members reversed) back into Go's order. Free-form values
    /// (`RawExtension`: a ControllerRevision's data, a WatchEvent's object) are kept as given.
    @Test(arguments: files)
    func canonicalOrderIsGoFieldOrder(file: String) throws {
        let original = try JSONCodec.parse(Data(contentsOf: Self.directory.appendingPathComponent(file)))
        let gvk = try #require(Self.groupVersionKind(ofFile: file))
        let expected = JSONCodec.encodeToString(original)
        #expect(JSONCodec.encodeToString(APISchema.kubernetes.canonical(original, gvk: gvk)) == expected)
        #expect(JSONCodec.encodeToString(APISchema.kubernetes.canonical(Self.reversed(original, keeping: ["data", "object"]), gvk: gvk)) == expected)
    }

    /// Every object's members in reverse order, except below the top-level members `keeping`.
    static func reversed(_ value: JSONValue, keeping: Set<String> = []) -> JSONValue {
        switch value {
        case .object(let object):
            return .object(JSONObject(members: object.members.reversed().map {
                .init(key: $0.key, value: keeping.contains($0.key) ? $0.value : reversed($0.value))
            }))
        case .array(let elements):
            return .array(elements.map { reversed($0) })
        default:
            return value
        }
    }

    /// `apps.v1.Deployment.json` → apps/v1 Deployment; `core` is the legacy group.
    static func groupVersionKind(ofFile file: String) -> GroupVersionKind? {
        var parts = file.dropLast(".json".count).split(separator: ".").map(String.init)
        guard parts.count >= 3 else { return nil }
        let kind = parts.removeLast()
        let version = parts.removeLast()
        let group = parts.joined(separator: ".")
        return GroupVersionKind(group: group == "core" ? "" : group, version: version, kind: kind)
    }

    static func roundTrip<T: JSONCodable>(_ type: T.Type, _ bytes: [UInt8]) throws -> ([UInt8], [StrictDecodingIssue]) {
        let (value, issues) = try JSONCodec.decodeReportingIssues(type, from: bytes, strict: true)
        return (JSONCodec.encode(value), issues)
    }

    /// The first differing paths of two trees, for a readable failure.
    static func difference(_ a: JSONValue, _ b: JSONValue, path: String) -> String {
        switch (a, b) {
        case (.object(let x), .object(let y)):
            var lines: [String] = []
            for key in Set(x.keys).union(y.keys).sorted() {
                let child = path + "." + key
                switch (x[key], y[key]) {
                case (let l?, let r?) where l != r: lines.append(difference(l, r, path: child))
                case (nil, _?): lines.append("\(child): added")
                case (_?, nil): lines.append("\(child): dropped")
                default: break
                }
            }
            return lines.joined(separator: "\n")
        case (.array(let x), .array(let y)) where x.count == y.count:
            return zip(x, y).enumerated().filter { $0.element.0 != $0.element.1 }
                .map { difference($0.element.0, $0.element.1, path: "\(path)[\($0.offset)]") }.joined(separator: "\n")
        default:
            return "\(path): \(JSONCodec.encodeToString(a)) != \(JSONCodec.encodeToString(b))"
        }
    }
}
