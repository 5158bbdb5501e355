import GRPCCore
import NIOCore
import Testing

@testable import KVStore

/// gRPC's length-prefixed framing as the server reads and writes it.
@Suite struct GRPCWireTests {
    private func buffer(_ bytes: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: bytes) }

    @Test func messagesSplitAcrossDataFramesComeOutWhole() throws {
        let one = GRPCWire.framed([1, 2, 3], allocator: .init())
        let two = GRPCWire.framed([], allocator: .init())
        let three = GRPCWire.framed(Array(repeating: 7, count: 300), allocator: .init())
        var all = one
        all.writeImmutableBuffer(two)
        all.writeImmutableBuffer(three)
        let bytes = Array(all.readableBytesView)
        var reader = GRPCMessageReader(maximumBytes: 1000)
        var messages: [[UInt8]] = []
        // Fed one byte at a time, then in one piece: the same three messages.
        for byte in bytes {
            reader.append(buffer([byte]))
            while let m = try reader.next() { messages.append(Array(m.readableBytesView)) }
        }
        #expect(messages == [[1, 2, 3], [], Array(repeating: 7, count: 300)])
        #expect(reader.bufferedBytes == 0)
        reader.append(all)
        var again = 0
        while try reader.next() != nil { again += 1 }
        #expect(again == 3)
    }

    @Test func compressedAndOversizedMessagesAreRefused() {
        var compressed = GRPCMessageReader(maximumBytes: 100)
        compressed.append(buffer([1, 0, 0, 0, 1, 9]))
        #expect(throws: RPCError.self) { try compressed.next() }
        var large = GRPCMessageReader(maximumBytes: 100)
        large.append(buffer([0, 0, 0, 0, 101]))  // refused on the prefix alone, before the body arrives
        do {
            _ = try large.next()
            Issue.record("an oversized message was accepted")
        } catch {
            #expect(error.code == .resourceExhausted)
            #expect(error.message == "grpc: received message larger than max (101 vs. 100)")
        }
    }

    @Test func statusTrailers() {
        let status = RPCError(code: .invalidArgument, message: "etcdserver: bad % value\n")
        let trailers = GRPCWire.trailersOnly(status)
        #expect(trailers.first(name: ":status") == "200")
        #expect(trailers.first(name: "content-type") == "application/grpc")
        #expect(trailers.first(name: "grpc-status") == "3")
        #expect(trailers.first(name: "grpc-message") == "etcdserver: bad %25 value%0A")
        #expect(GRPCWire.trailers(nil).first(name: "grpc-status") == "0")
        #expect(GRPCWire.percentEncoded("é") == "%C3%A9")
    }
}
