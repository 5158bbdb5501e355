/// An IPv4 CIDR block: the service range the apiserver allocates cluster IPs from, and the
/// cluster range the node IPAM controller cuts pod ranges from.
public struct IPv4Network: Sendable, Hashable {
    public let base: UInt32
    public let prefixLength: Int

    public init?(cidr: String) {
        let parts = cidr.split(separator: "/")
        guard parts.count == 2, let length = Int(parts[1]), (0...32).contains(length),
            let address = Self.parse(String(parts[0]))
        else { return nil }
        prefixLength = length
        let mask: UInt32 = length == 0 ? 0 : ~UInt32(0) << (32 - length)
        base = address & mask
    }

    public var size: Int { 1 << (32 - prefixLength) }
    public var cidr: String { "\(Self.format(base))/\(prefixLength)" }

    public func address(at offset: Int) -> String { Self.format(base &+ UInt32(offset)) }

    /// The `index`th block of prefix length `length` inside this one (`10.244.3.0/24` is block 3
    /// of length 24 in `10.244.0.0/16`); nil past the end or when `length` is shorter.
    public func subnet(_ index: Int, length: Int) -> IPv4Network? {
        guard length >= prefixLength, length <= 32, index >= 0, index < subnetCount(length: length) else { return nil }
        return IPv4Network(base: base &+ UInt32(index) << UInt32(32 - length), prefixLength: length)
    }

    /// How many blocks of prefix length `length` fit in this one.
    public func subnetCount(length: Int) -> Int {
        guard length >= prefixLength, length <= 32 else { return 0 }
        return 1 << (length - prefixLength)
    }

    /// The index of `subnet` among this block's subnets of its length; nil when outside.
    public func index(of subnet: IPv4Network) -> Int? {
        guard subnet.prefixLength >= prefixLength, subnet.base >= base, Int(subnet.base - base) < size else { return nil }
        return Int((subnet.base - base) >> UInt32(32 - subnet.prefixLength))
    }

    private init(base: UInt32, prefixLength: Int) {
        self.base = base
        self.prefixLength = prefixLength
    }

    public func offset(of ip: String) -> Int? {
        guard let address = Self.parse(ip), address >= base, Int(address - base) < size else { return nil }
        return Int(address - base)
    }

    public static func parse(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var value: UInt32 = 0
        for octet in octets {
            guard let byte = UInt8(octet), String(byte) == octet else { return nil }
            value = value << 8 | UInt32(byte)
        }
        return value
    }

    public static func format(_ value: UInt32) -> String {
        "\(value >> 24).\(value >> 16 & 0xff).\(value >> 8 & 0xff).\(value & 0xff)"
    }
}
