import CompressNIO
import Logging
import NIOCore

/// gzip for large responses, as kube-apiserver's APIResponseCompression (on by default): a
/// complete body over 128 KiB is compressed at level 1 (speed over ratio) when the request's
/// `Accept-Encoding` lists `gzip`, and the response says `Content-Encoding: gzip` and
/// `Vary: Accept-Encoding`. Smaller bodies, watch streams and bodies that already carry an
/// encoding pass through untouched, so small requests pay one header lookup.
public struct CompressingRequestHandler: RequestHandler {
    /// kube-apiserver's threshold: bodies of at most this many bytes are sent as they are.
    public static let thresholdBytes = 128 * 1024

    let inner: any RequestHandler
    let logger: Logger

    public init(_ inner: any RequestHandler, logger: Logger) {
        self.inner = inner
        self.logger = logger
    }

    public func handle(_ request: APIRequest) async -> APIResponse {
        let response = await inner.handle(request)
        guard case .full(let status, let headers, let body) = response,
            body.count > Self.thresholdBytes,
            Self.acceptsGzip(request.headers[canonicalForm: "Accept-Encoding"]),
            !headers.contains(where: { $0.0.lowercased() == "content-encoding" })
        else { return response }
        do {
            let compressed = try Self.gzip(body)
            return .full(
                status: status,
                headers: headers + [("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding")],
                body: compressed)
        } catch {
            // zlib failing on a complete in-memory body is an allocation failure; the client
            // still gets its answer, uncompressed.
            logger.error("response compression failed", metadata: ["error": "\(error)", "URI": "\(request.path)"])
            return response
        }
    }

    /// True when one of the `Accept-Encoding` values names gzip with a non-zero quality.
    static func acceptsGzip(_ values: [Substring]) -> Bool {
        for value in values {
            for item in value.split(separator: ",") {
                let parts = item.split(separator: ";")
                guard let coding = parts.first, coding.trimmingSpaces.lowercased() == "gzip" else { continue }
                let zero = parts.dropFirst().contains { parameter in
                    let pair = parameter.split(separator: "=", maxSplits: 1)
                    guard pair.count == 2, pair[0].trimmingSpaces.lowercased() == "q" else { return false }
                    return Double(pair[1].trimmingSpaces) == 0
                }
                if !zero { return true }
            }
        }
        return false
    }

    /// The gzip member of `body` at compression level 1.
    static func gzip(_ body: [UInt8]) throws -> [UInt8] {
        var input = ByteBuffer(bytes: body)
        let algorithm = CompressionAlgorithm.gzip(configuration: .init(compressionLevel: 1))
        let output = try input.compress(with: algorithm)
        return Array(output.readableBytesView)
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return text
    }
}
