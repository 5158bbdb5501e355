import APIMachinery

/// The hash of a container's spec that the kubelet stores on the runtime container: when the
/// spec of a running container changes (only `image` may, on a live pod), the hashes differ and
/// the container is replaced. FNV-1a (64-bit) over the spec's JSON, in hex.
public enum ContainerHash {
    public static func of(_ container: CoreV1.Container) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in JSONCodec.encode(container) {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
