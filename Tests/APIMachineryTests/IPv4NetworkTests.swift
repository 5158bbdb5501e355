import APIMachinery
import Testing

/// IPv4 CIDR blocks: parsing (masked to the network), offsets and formatting.
struct IPv4NetworkTests {
    @Test func parsesAndMasksToTheNetwork() throws {
        let network = try #require(IPv4Network(cidr: "10.96.5.7/12"))
        #expect(network.cidr == "10.96.0.0/12")
        #expect(network.prefixLength == 12)
        #expect(network.size == 1 << 20)
        #expect(network.base == 0x0A60_0000)
    }

    @Test(arguments: [
        ("0.0.0.0/0", "0.0.0.0/0", 1 << 32), ("192.168.1.77/32", "192.168.1.77/32", 1),
        ("172.16.255.255/16", "172.16.0.0/16", 65536), ("10.0.0.9/29", "10.0.0.8/29", 8),
    ])
    func sizes(cidr: String, normalized: String, size: Int) throws {
        let network = try #require(IPv4Network(cidr: cidr))
        #expect(network.cidr == normalized)
        #expect(network.size == size)
    }

    @Test(arguments: [
        "", "10.96.0.0", "10.96.0.0/", "10.96.0.0/33", "10.96.0.0/-1", "10.96.0/12", "10.96.0.0.1/12", "256.0.0.0/8",
        "01.2.3.4/8", "+1.2.3.4/8", "a.b.c.d/8", "1..2.3/8", "10.0.0.0/8/9", "fd00::/64", " 10.0.0.0/8",
    ])
    func rejectsMalformed(cidr: String) {
        #expect(IPv4Network(cidr: cidr) == nil)
    }

    @Test func addressesAtOffsets() throws {
        let network = try #require(IPv4Network(cidr: "10.96.0.0/12"))
        #expect(network.address(at: 0) == "10.96.0.0")
        #expect(network.address(at: 1) == "10.96.0.1")
        #expect(network.address(at: 255) == "10.96.0.255")
        #expect(network.address(at: 256) == "10.96.1.0")
        #expect(network.address(at: network.size - 1) == "10.111.255.255")
    }

    @Test func offsetsOfAddresses() throws {
        let network = try #require(IPv4Network(cidr: "10.96.0.0/12"))
        #expect(network.offset(of: "10.96.0.0") == 0)
        #expect(network.offset(of: "10.96.1.0") == 256)
        #expect(network.offset(of: "10.111.255.255") == network.size - 1)
        #expect(network.offset(of: "10.112.0.0") == nil)
        #expect(network.offset(of: "10.95.255.255") == nil)
        #expect(network.offset(of: "10.96.0.256") == nil)
        #expect(network.offset(of: "not an ip") == nil)
    }

    @Test func offsetAndAddressAreInverse() throws {
        let network = try #require(IPv4Network(cidr: "192.168.0.0/22"))
        for offset in [0, 1, 254, 255, 256, 511, 1023] {
            #expect(network.offset(of: network.address(at: offset)) == offset)
        }
    }
}

@Suite struct IPv4NetworkSubnetTests {
    @Test func subnetsByIndex() throws {
        let cluster = try #require(IPv4Network(cidr: "10.244.0.0/16"))
        #expect(cluster.subnetCount(length: 24) == 256)
        #expect(cluster.subnet(0, length: 24)?.cidr == "10.244.0.0/24")
        #expect(cluster.subnet(3, length: 24)?.cidr == "10.244.3.0/24")
        #expect(cluster.subnet(255, length: 24)?.cidr == "10.244.255.0/24")
        #expect(cluster.subnet(256, length: 24) == nil)
        #expect(cluster.subnet(0, length: 8) == nil)
        let third = try #require(IPv4Network(cidr: "10.244.3.0/24"))
        #expect(cluster.index(of: third) == 3)
        #expect(cluster.index(of: try #require(IPv4Network(cidr: "10.245.0.0/24"))) == nil)
    }
}
