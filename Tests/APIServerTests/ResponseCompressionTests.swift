import APIMachinery
import CompressNIO
import NIOCore
import NIOHTTP1
import Testing

@testable import APIServer

/// A handler answering a fixed body, to see what the compressing wrapper does to it.
private struct FixedHandler: RequestHandler {
    let body: [UInt8]
    var headers: [(String, String)] = [("Content-Type", "application/json")]
    func handle(_ request: APIRequest) async -> APIResponse { .full(status: 200, headers: headers, body: body) }
}

private func request(acceptEncoding: String?) -> APIRequest {
    var headers = HTTPHeaders()
    if let acceptEncoding { headers.add(name: "Accept-Encoding", value: acceptEncoding) }
    return APIRequest(method: "GET", uri: "/api/v1/pods", headers: headers)
}

private func header(_ response: APIResponse, _ name: String) -> [String] {
    guard case .full(_, let headers, _) = response else { return [] }
    return headers.filter { $0.0.lowercased() == name.lowercased() }.map(\.1)
}

private func body(_ response: APIResponse) -> [UInt8] {
    guard case .full(_, _, let body) = response else { return [] }
    return body
}

@Suite("Response compression (kube-apiserver's APIResponseCompression)")
struct ResponseCompressionTests {
    /// A list-like body just over the 128 KiB threshold.
    static let large: [UInt8] = {
        var text = "{\"kind\":\"PodList\",\"items\":["
        var index = 0
        while text.utf8.count <= CompressingRequestHandler.thresholdBytes {
            text += "{\"metadata\":{\"name\":\"pod-\(index)\",\"namespace\":\"default\"}},"
            index += 1
        }
        return Array((text.dropLast() + "]}").utf8)
    }()

    @Test func largeBodiesAreGzippedWhenAccepted() async throws {
        let handler = CompressingRequestHandler(FixedHandler(body: Self.large), logger: .init(label: "test"))
        let response = await handler.handle(request(acceptEncoding: "gzip"))
        #expect(header(response, "Content-Encoding") == ["gzip"])
        #expect(header(response, "Vary") == ["Accept-Encoding"])
        #expect(header(response, "Content-Type") == ["application/json"])
        var compressed = ByteBuffer(bytes: body(response))
        #expect(compressed.readableBytes < Self.large.count / 5)
        let plain = try compressed.decompress(with: .gzip())
        #expect(Array(plain.readableBytesView) == Self.large)
    }

    @Test(arguments: [nil, "", "identity", "deflate, br", "gzip;q=0", "gzip; q=0.0"])
    func notCompressedUnlessGzipIsAccepted(_ acceptEncoding: String?) async {
        let handler = CompressingRequestHandler(FixedHandler(body: Self.large), logger: .init(label: "test"))
        let response = await handler.handle(request(acceptEncoding: acceptEncoding))
        #expect(header(response, "Content-Encoding").isEmpty)
        #expect(header(response, "Vary").isEmpty)
        #expect(body(response) == Self.large)
    }

    @Test(arguments: ["gzip", "GZIP", "br, gzip", "deflate, gzip;q=0.5", " gzip , deflate"])
    func acceptEncodingForms(_ acceptEncoding: String) {
        #expect(CompressingRequestHandler.acceptsGzip([Substring(acceptEncoding)]))
    }

    @Test func smallBodiesPassThrough() async {
        let small = Array(Self.large.prefix(CompressingRequestHandler.thresholdBytes))
        let handler = CompressingRequestHandler(FixedHandler(body: small), logger: .init(label: "test"))
        let response = await handler.handle(request(acceptEncoding: "gzip"))
        #expect(header(response, "Content-Encoding").isEmpty)
        #expect(body(response) == small)
    }

    @Test func alreadyEncodedBodiesPassThrough() async {
        let inner = FixedHandler(body: Self.large, headers: [("Content-Encoding", "br")])
        let response = await CompressingRequestHandler(inner, logger: .init(label: "test")).handle(request(acceptEncoding: "gzip"))
        #expect(header(response, "Content-Encoding") == ["br"])
        #expect(body(response) == Self.large)
    }
}
