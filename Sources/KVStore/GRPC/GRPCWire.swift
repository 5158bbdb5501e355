import GRPCCore
import NIOCore
import NIOHPACK

/// The pieces of gRPC's HTTP/2 wire format the server writes: response headers, status
/// trailers and length-prefixed messages.
enum GRPCWire {
    static let responseHeaders: HPACKHeaders = [":status": "200", "content-type": "application/grpc"]

    /// Trailers carrying a call's status (`grpc-message` percent-encoded as the spec asks).
    static func trailers(_ status: RPCError?) -> HPACKHeaders {
        guard let status else { return ["grpc-status": "0"] }
        return ["grpc-status": String(status.code.rawValue), "grpc-message": percentEncoded(status.message)]
    }

    /// A "Trailers-Only" response: the status in the one HEADERS frame of the response.
    static func trailersOnly(_ status: RPCError?) -> HPACKHeaders {
        var headers = responseHeaders
        headers.add(contentsOf: trailers(status))
        return headers
    }

    /// One uncompressed message: a zero flag byte, its length (big-endian UInt32), its bytes.
    static func framed(_ message: [UInt8], allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 5 + message.count)
        buffer.writeInteger(UInt8(0))
        buffer.writeInteger(UInt32(truncatingIfNeeded: message.count))
        buffer.writeBytes(message)
        return buffer
    }

    /// Percent-encodes every byte outside printable ASCII, and `%` itself.
    static func percentEncoded(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if byte >= 0x20, byte <= 0x7E, byte != UInt8(ascii: "%") {
                out.append(byte)
            } else {
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Splits a request stream's DATA into gRPC messages.
///
/// Contract: `append` the DATA payloads in order; `next()` returns each complete message once,
/// `nil` while the next one is incomplete, and throws for a compressed message (the server
/// offers no compression) or one longer than `maximumBytes` — gRPC's own errors for those.
struct GRPCMessageReader {
    let maximumBytes: Int
    private var buffer: ByteBuffer?

    init(maximumBytes: Int) { self.maximumBytes = maximumBytes }

    /// Bytes received and not yet returned as messages.
    var bufferedBytes: Int { buffer?.readableBytes ?? 0 }

    mutating func append(_ data: ByteBuffer) {
        if buffer == nil { buffer = data } else { buffer!.writeImmutableBuffer(data) }
    }

    mutating func next() throws(RPCError) -> ByteBuffer? {
        guard var b = buffer, b.readableBytes >= 5,
              let flag: UInt8 = b.getInteger(at: b.readerIndex),
              let length: UInt32 = b.getInteger(at: b.readerIndex + 1)
        else { return nil }
        guard flag == 0 else {
            throw RPCError(code: .internalError, message: "grpc: compressed flag set with identity or empty encoding")
        }
        guard Int(length) <= maximumBytes else {
            throw RPCError(code: .resourceExhausted, message: "grpc: received message larger than max (\(length) vs. \(maximumBytes))")
        }
        guard b.readableBytes >= 5 + Int(length) else { return nil }
        b.moveReaderIndex(forwardBy: 5)
        let message = b.readSlice(length: Int(length))!
        buffer = b.readableBytes == 0 ? nil : b
        return message
    }
}
