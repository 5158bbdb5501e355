/// An IP address read the way Kubernetes' "sloppy" parser (`netutils.ParseIPSloppy`, Go 1.16's
/// `net.ParseIP`) reads it: dotted quads may have leading zeros, IPv6 may end in a dotted quad,
/// zones are rejected. Used where validation depends on the address family or on special
/// ranges (endpoints, endpoint slices, network policy blocks).
struct IPAddress: Hashable, Sendable {
    /// Always 16 bytes; an IPv4 address is stored IPv4-mapped (`::ffff:a.b.c.d`), as Go does.
    let bytes: [UInt8]

    private static let v4MappedPrefix: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF]

    /// Nil when `text` is not an address: the first `.` or `:` decides the family.
    init?(_ text: String) {
        let utf8 = Array(text.utf8)
        for byte in utf8 {
            if byte == UInt8(ascii: ".") {
                guard let v4 = Self.parseIPv4(utf8[...]) else { return nil }
                bytes = Self.v4MappedPrefix + v4
                return
            }
            if byte == UInt8(ascii: ":") {
                guard let v6 = Self.parseIPv6(utf8[...]) else { return nil }
                bytes = v6
                return
            }
        }
        return nil
    }

    init(bytes: [UInt8]) {
        self.bytes = bytes.count == 4 ? Self.v4MappedPrefix + bytes : bytes
    }

    /// The four bytes of an IPv4 (or IPv4-mapped) address, like Go's `To4()`; nil otherwise.
    var v4Bytes: [UInt8]? {
        Array(bytes[0..<12]) == Self.v4MappedPrefix ? Array(bytes[12...]) : nil
    }

    var isIPv4: Bool { v4Bytes != nil }

    var isUnspecified: Bool {
        if let v4 = v4Bytes { return v4 == [0, 0, 0, 0] }
        return bytes.allSatisfy { $0 == 0 }
    }

    var isLoopback: Bool {
        if let v4 = v4Bytes { return v4[0] == 127 }
        return bytes == [UInt8](repeating: 0, count: 15) + [1]
    }

    var isLinkLocalUnicast: Bool {
        if let v4 = v4Bytes { return v4[0] == 169 && v4[1] == 254 }
        return bytes[0] == 0xFE && bytes[1] & 0xC0 == 0x80
    }

    var isLinkLocalMulticast: Bool {
        if let v4 = v4Bytes { return v4[0] == 224 && v4[1] == 0 && v4[2] == 0 }
        return bytes[0] == 0xFF && bytes[1] & 0x0F == 0x02
    }

    // MARK: Parsing

    /// Decimal digits up to 0xFFFFFF (Go's `dtoi`): the value and the digit count, or nil.
    private static func decimalPrefix(_ text: ArraySlice<UInt8>) -> (value: Int, count: Int)? {
        var value = 0
        var count = 0
        for byte in text {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { break }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
            count += 1
            if value >= 0xFF_FFFF { return nil }
        }
        return count == 0 ? nil : (value, count)
    }

    /// Hexadecimal digits up to 0xFFFFFF (Go's `xtoi`).
    private static func hexPrefix(_ text: ArraySlice<UInt8>) -> (value: Int, count: Int)? {
        var value = 0
        var count = 0
        for byte in text {
            let digit: Int
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = Int(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = Int(byte - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = Int(byte - UInt8(ascii: "A")) + 10
            default: return count == 0 ? nil : (value, count)
            }
            value = value * 16 + digit
            count += 1
            if value >= 0xFF_FFFF { return nil }
        }
        return count == 0 ? nil : (value, count)
    }

    /// Four dot-separated decimal bytes, the whole text.
    static func parseIPv4(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        var rest = text
        var result: [UInt8] = []
        for index in 0..<4 {
            if index > 0 {
                guard rest.first == UInt8(ascii: ".") else { return nil }
                rest = rest.dropFirst()
            }
            guard let (value, count) = decimalPrefix(rest), value <= 0xFF else { return nil }
            rest = rest.dropFirst(count)
            result.append(UInt8(value))
        }
        return rest.isEmpty ? result : nil
    }

    /// Hex groups with at most one `::`, optionally ending in a dotted quad; 16 bytes.
    static func parseIPv6(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        var ip = [UInt8](repeating: 0, count: 16)
        var rest = text
        var ellipsis = -1
        let colon = UInt8(ascii: ":")
        if rest.count >= 2 && rest.first == colon && rest.dropFirst().first == colon {
            ellipsis = 0
            rest = rest.dropFirst(2)
            if rest.isEmpty { return ip }
        }
        var index = 0
        while index < 16 {
            guard let (value, count) = hexPrefix(rest), value <= 0xFFFF else { return nil }
            if count < rest.count && rest[rest.startIndex + count] == UInt8(ascii: ".") {
                if ellipsis < 0 && index != 12 { return nil }
                if index + 4 > 16 { return nil }
                guard let v4 = parseIPv4(rest) else { return nil }
                ip.replaceSubrange(index..<(index + 4), with: v4)
                rest = []
                index += 4
                break
            }
            ip[index] = UInt8(value >> 8)
            ip[index + 1] = UInt8(value & 0xFF)
            index += 2
            rest = rest.dropFirst(count)
            if rest.isEmpty { break }
            if rest.first != colon || rest.count == 1 { return nil }
            rest = rest.dropFirst()
            if rest.first == colon {
                if ellipsis >= 0 { return nil }
                ellipsis = index
                rest = rest.dropFirst()
                if rest.isEmpty { break }
            }
        }
        if !rest.isEmpty { return nil }
        if index < 16 {
            if ellipsis < 0 { return nil }
            let shift = 16 - index
            for position in stride(from: index - 1, through: ellipsis, by: -1) { ip[position + shift] = ip[position] }
            for position in ellipsis..<(ellipsis + shift) { ip[position] = 0 }
        } else if ellipsis >= 0 {
            return nil
        }
        return ip
    }
}

extension IPAddress {
    /// A CIDR block as `netutils.ParseCIDRSloppy` returns it: the masked network address
    /// (4 bytes for dotted-quad text, else 16) and the prefix length.
    struct Network: Hashable, Sendable {
        let network: [UInt8]
        let prefixLength: Int

        init?(_ text: String) {
            let utf8 = Array(text.utf8)
            guard let slash = utf8.firstIndex(of: UInt8(ascii: "/")) else { return nil }
            let address = utf8[..<slash]
            let mask = utf8[(slash + 1)...]
            var bytes = IPAddress.parseIPv4(address)
            if bytes == nil { bytes = IPAddress.parseIPv6(address) }
            guard let bytes, let (length, count) = IPAddress.decimalPrefix(mask), count == mask.count,
                length <= bytes.count * 8
            else { return nil }
            prefixLength = length
            network = bytes.enumerated().map { index, byte in byte & Self.maskByte(index, length: length) }
        }

        private static func maskByte(_ index: Int, length: Int) -> UInt8 {
            let bits = max(0, min(8, length - index * 8))
            return bits == 0 ? 0 : UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
        }

        /// Go's `IPNet.Contains`: families must match (IPv4-mapped addresses count as IPv4).
        func contains(_ address: IPAddress) -> Bool {
            var base = network
            var length = prefixLength
            if base.count == 16, Array(base[0..<12]) == IPAddress.v4MappedPrefix {
                base = Array(base[12...])
                length = max(0, length - 96)
            }
            let candidate = address.v4Bytes ?? address.bytes
            guard candidate.count == base.count else { return false }
            for index in base.indices {
                let mask = Self.maskByte(index, length: length)
                if base[index] & mask != candidate[index] & mask { return false }
            }
            return true
        }

        /// The network address as an IP (for containment of another block's start).
        var address: IPAddress { IPAddress(bytes: network) }
    }
}
