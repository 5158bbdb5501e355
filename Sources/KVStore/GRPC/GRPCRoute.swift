import GRPCCore
import NIOCore
import SwiftProtobuf

/// What the server does for one gRPC method path (`/package.Service/Method`).
///
/// A unary method gets the request message's bytes and returns the response's; a streaming
/// method (client-, server- or bidirectional) reads requests from a sequence that ends when
/// the client half-closes and writes any number of responses. Thrown `RPCError`s become the
/// call's status; any other error is `internal`.
public enum GRPCRoute: Sendable {
    case unary(@Sendable (ByteBuffer) async throws -> [UInt8])
    case streaming(@Sendable (AsyncStream<ByteBuffer>, GRPCStreamWriter) async throws -> Void)

    /// A unary method on typed protobuf messages.
    public static func unary<Request: Message, Response: Message>(
        _: Request.Type, _ body: @escaping @Sendable (Request) async throws -> Response
    ) -> GRPCRoute {
        .unary { bytes in
            let response = try await body(try decode(Request.self, bytes))
            return try response.serializedBytes()
        }
    }

    /// A streaming method on typed protobuf messages.
    public static func streaming<Request: Message, Response: Message>(
        _: Request.Type, _: Response.Type,
        _ body: @escaping @Sendable (AsyncThrowingMapSequence<AsyncStream<ByteBuffer>, Request>, GRPCTypedWriter<Response>) async throws -> Void
    ) -> GRPCRoute {
        .streaming { requests, writer in
            try await body(requests.map { try decode(Request.self, $0) }, GRPCTypedWriter(writer: writer))
        }
    }

    static func decode<Request: Message>(_: Request.Type, _ buffer: ByteBuffer) throws(RPCError) -> Request {
        do {
            return try Request(serializedBytes: Array(buffer.readableBytesView))
        } catch {
            throw RPCError(code: .internalError, message: "grpc: error unmarshalling request: \(error)")
        }
    }
}

/// Writes typed responses on a streaming call.
public struct GRPCTypedWriter<Response: Message>: Sendable {
    let writer: GRPCStreamWriter
    public func write(_ response: Response) async throws {
        try await writer.write(try response.serializedBytes())
    }
}
