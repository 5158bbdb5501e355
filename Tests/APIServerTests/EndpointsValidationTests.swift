import APIMachinery
import APIServer
import Testing

/// Core Endpoints and discovery EndpointSlices.
struct EndpointsValidationTests {
    static let endpoints = GroupVersionKind(group: "", version: "v1", kind: "Endpoints")
    static let slice = GroupVersionKind(group: "discovery.k8s.io", version: "v1", kind: "EndpointSlice")

    static func endpointsJSON(_ subsets: String) -> String {
        #"{"kind":"Endpoints","metadata":{"name":"web","namespace":"default"},"subsets":\#(subsets)}"#
    }

    static func sliceJSON(addressType: String = #""IPv4""#, endpoints: String, ports: String = #"[{"name":"http","port":80}]"#) -> String {
        #"{"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice","metadata":{"name":"web-abc12","namespace":"default"},"addressType":\#(addressType),"endpoints":\#(endpoints),"ports":\#(ports)}"#
    }

    // MARK: Endpoints

    static let endpointsCases: [KindValidationCase] = [
        KindValidationCase(
            "valid endpoints",
            endpointsJSON(
                #"[{"addresses":[{"ip":"10.1.2.3","hostname":"web-0","nodeName":"node-1"}],"notReadyAddresses":[{"ip":"2001:db8::5"}],"ports":[{"name":"http","port":80,"protocol":"TCP"},{"name":"h2","port":443,"appProtocol":"kubernetes.io/h2c"}]}]"#
            ), []),
        KindValidationCase(
            "headless endpoints need no ports", endpointsJSON(#"[{"addresses":[{"ip":"10.1.2.3"}]}]"#), []),
        KindValidationCase(
            "subset without addresses", endpointsJSON(#"[{"ports":[{"port":80}]}]"#),
            ["subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`"]),
        KindValidationCase(
            "unparseable address", endpointsJSON(#"[{"addresses":[{"ip":"10.1.2"}]}]"#),
            [
                #"subsets[0].addresses[0].ip: Invalid value: "10.1.2": "# + KindValidation.ipMessage,
                #"subsets[0].addresses[0].ip: Invalid value: "10.1.2": must be a valid IP address"#,
            ]),
        KindValidationCase(
            "special addresses",
            endpointsJSON(
                #"[{"addresses":[{"ip":"127.0.0.1"},{"ip":"0.0.0.0"},{"ip":"169.254.169.254"},{"ip":"fe80::1"},{"ip":"224.0.0.251"},{"ip":"::ffff:127.0.0.2"}],"notReadyAddresses":[{"ip":"::1"},{"ip":"::"}]}]"#
            ),
            [
                #"subsets[0].addresses[0].ip: Invalid value: "127.0.0.1": "# + KindValidation.loopbackMessage,
                #"subsets[0].addresses[1].ip: Invalid value: "0.0.0.0": may not be unspecified (0.0.0.0)"#,
                #"subsets[0].addresses[2].ip: Invalid value: "169.254.169.254": "# + KindValidation.linkLocalMessage,
                #"subsets[0].addresses[3].ip: Invalid value: "fe80::1": "# + KindValidation.linkLocalMessage,
                #"subsets[0].addresses[4].ip: Invalid value: "224.0.0.251": may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"#,
                #"subsets[0].addresses[5].ip: Invalid value: "::ffff:127.0.0.2": "# + KindValidation.loopbackMessage,
                #"subsets[0].notReadyAddresses[0].ip: Invalid value: "::1": "# + KindValidation.loopbackMessage,
                #"subsets[0].notReadyAddresses[1].ip: Invalid value: "::": may not be unspecified (::)"#,
            ]),
        KindValidationCase(
            "hostname and node name", endpointsJSON(#"[{"addresses":[{"ip":"10.0.0.1","hostname":"Web_0","nodeName":"Node_1"}]}]"#),
            [
                #"subsets[0].addresses[0].hostname: Invalid value: "Web_0": "# + KindValidation.labelMessage,
                #"subsets[0].addresses[0].nodeName: Invalid value: "Node_1": "# + KindValidation.subdomainMessage,
            ]),
        KindValidationCase(
            "ports",
            endpointsJSON(
                #"[{"addresses":[{"ip":"10.0.0.1"}],"ports":[{"port":80},{"name":"Metrics","port":0,"protocol":"HTTP","appProtocol":"a b"}]}]"#),
            [
                "subsets[0].ports[0].name: Required value",
                #"subsets[0].ports[1].name: Invalid value: "Metrics": "# + KindValidation.labelMessage,
                "subsets[0].ports[1].port: Invalid value: 0: must be between 1 and 65535, inclusive",
                #"subsets[0].ports[1].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP""#,
                #"subsets[0].ports[1].appProtocol: Invalid value: "a b": "# + KindValidation.qualifiedNameMessage,
            ]),
    ]

    @Test(arguments: endpointsCases)
    func endpoints(_ testCase: KindValidationCase) throws {
        #expect(try KindValidation.errors(testCase.json, kind: Self.endpoints, namespaced: true) == testCase.expected)
    }

    @Test func endpointsUpdatesAreCheckedLikeCreates() throws {
        let old = Self.endpointsJSON(#"[{"addresses":[{"ip":"10.0.0.1","nodeName":"node-1"}]}]"#)
        let moved = Self.endpointsJSON(#"[{"addresses":[{"ip":"10.0.0.2","nodeName":"node-2"}]}]"#)
        #expect(try KindValidation.errors(moved, kind: Self.endpoints, namespaced: true, old: old) == [])
        let broken = Self.endpointsJSON(#"[{"addresses":[{"ip":"127.0.0.1"}]}]"#)
        #expect(
            try KindValidation.errors(broken, kind: Self.endpoints, namespaced: true, old: old) == [
                #"subsets[0].addresses[0].ip: Invalid value: "127.0.0.1": "# + KindValidation.loopbackMessage
            ])
    }

    // MARK: EndpointSlices

    static let sliceCases: [KindValidationCase] = [
        KindValidationCase(
            "valid slice",
            sliceJSON(
                endpoints:
                    #"[{"addresses":["10.1.2.3"],"conditions":{"ready":true,"serving":true,"terminating":false},"hostname":"web-0","nodeName":"node-1","zone":"us-east-1a","hints":{"forZones":[{"name":"us-east-1a"}]}}]"#
            ), []),
        KindValidationCase(
            "valid FQDN slice", sliceJSON(addressType: #""FQDN""#, endpoints: #"[{"addresses":["db.example.com."]}]"#), []),
        KindValidationCase(
            "missing address type", sliceJSON(addressType: #""""#, endpoints: "[]"), ["addressType: Required value"]),
        KindValidationCase(
            "deprecated address type", sliceJSON(addressType: #""IP""#, endpoints: "[]"),
            [#"addressType: Unsupported value: "IP": supported values: "FQDN", "IPv4", "IPv6""#]),
        KindValidationCase(
            "IPv4 addresses", sliceJSON(endpoints: #"[{"addresses":["2001:db8::1","10.0.0","127.0.0.1"]}]"#),
            [
                #"endpoints[0].addresses[0]: Invalid value: "2001:db8::1": must be a valid IPv4 address"#,
                #"endpoints[0].addresses[1]: Invalid value: "10.0.0": must be a valid IPv4 address"#,
                #"endpoints[0].addresses[1]: Invalid value: "10.0.0": must be a valid IP address"#,
                #"endpoints[0].addresses[2]: Invalid value: "127.0.0.1": "# + KindValidation.loopbackMessage,
            ]),
        KindValidationCase(
            "IPv6 addresses", sliceJSON(addressType: #""IPv6""#, endpoints: #"[{"addresses":["10.0.0.1","fe80::1","::ffff:10.0.0.1"]}]"#),
            [
                #"endpoints[0].addresses[0]: Invalid value: "10.0.0.1": must be a valid IPv6 address"#,
                #"endpoints[0].addresses[1]: Invalid value: "fe80::1": "# + KindValidation.linkLocalMessage,
                #"endpoints[0].addresses[2]: Invalid value: "::ffff:10.0.0.1": must be a valid IPv6 address"#,
            ]),
        KindValidationCase(
            "FQDN addresses", sliceJSON(addressType: #""FQDN""#, endpoints: #"[{"addresses":["localhost","Bad_Name.com","a.-b.com"]}]"#),
            [
                #"endpoints[0].addresses[0]: Invalid value: "localhost": should be a domain with at least two segments separated by dots"#,
                #"endpoints[0].addresses[1]: Invalid value: "Bad_Name.com": "# + KindValidation.subdomainMessage,
                #"endpoints[0].addresses[2]: Invalid value: "a.-b.com": "# + KindValidation.subdomainMessage,
            ]),
        KindValidationCase(
            "endpoint without addresses", sliceJSON(endpoints: #"[{"addresses":[]}]"#),
            ["endpoints[0].addresses: Required value: must contain at least 1 address"]),
        KindValidationCase(
            "too many addresses",
            sliceJSON(endpoints: #"[{"addresses":["# + (1...101).map { #""10.0.\#($0 / 250).\#($0 % 250 + 1)""# }.joined(separator: ",") + "]}]"),
            ["endpoints[0].addresses: Too many: 101: must have at most 100 items"]),
        KindValidationCase(
            "too many endpoints",
            sliceJSON(endpoints: "[" + Array(repeating: #"{"addresses":["10.0.0.1"]}"#, count: 1001).joined(separator: ",") + "]"),
            ["endpoints: Too many: 1001: must have at most 1000 items"]),
        KindValidationCase(
            "endpoint names and topology",
            sliceJSON(endpoints: #"[{"addresses":["10.0.0.1"],"hostname":"Web.0","nodeName":"-node","deprecatedTopology":{"bad key!":"x"}}]"#),
            [
                #"endpoints[0].nodeName: Invalid value: "-node": "# + KindValidation.subdomainMessage,
                #"endpoints[0].deprecatedTopology: Invalid value: "bad key!": "# + KindValidation.qualifiedNameMessage,
                #"endpoints[0].hostname: Invalid value: "Web.0": "# + KindValidation.labelMessage,
            ]),
        KindValidationCase(
            "zone hints", sliceJSON(endpoints: #"[{"addresses":["10.0.0.1"],"hints":{"forZones":[{"name":"a"},{"name":"a"},{"name":"-bad"}]}}]"#),
            [
                #"endpoints[0].hints.forZones[1].name: Duplicate value: "a""#,
                #"endpoints[0].hints.forZones[2].name: Invalid value: "-bad": "# + KindValidation.labelValueMessage,
            ]),
        KindValidationCase(
            "too many zone hints",
            sliceJSON(
                endpoints: #"[{"addresses":["10.0.0.1"],"hints":{"forZones":["# + (1...9).map { #"{"name":"z\#($0)"}"# }.joined(separator: ",")
                    + "]}}]"),
            ["endpoints[0].hints.forZones: Too many: 9: must have at most 8 items"]),
        KindValidationCase(
            "slice ports",
            sliceJSON(
                endpoints: "[]",
                ports: #"[{"name":"http","port":80},{"name":"http","port":81},{"name":"Bad","protocol":"ICMP","appProtocol":"-x"},{"port":90},{"port":91}]"#),
            [
                #"ports[1].name: Duplicate value: "http""#,
                #"ports[2].name: Invalid value: "Bad": "# + KindValidation.labelMessage,
                #"ports[2].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP""#,
                #"ports[2].appProtocol: Invalid value: "-x": "# + KindValidation.qualifiedNameMessage,
                #"ports[4].name: Duplicate value: """#,
            ]),
    ]

    @Test(arguments: sliceCases)
    func endpointSlice(_ testCase: KindValidationCase) throws {
        #expect(try KindValidation.errors(testCase.json, kind: Self.slice, namespaced: true) == testCase.expected)
    }

    @Test func sliceAddressTypeIsImmutable() throws {
        let old = Self.sliceJSON(endpoints: #"[{"addresses":["10.0.0.1"]}]"#)
        let changed = Self.sliceJSON(addressType: #""IPv6""#, endpoints: #"[{"addresses":["2001:db8::1"]}]"#)
        #expect(
            try KindValidation.errors(changed, kind: Self.slice, namespaced: true, old: old) == [
                #"addressType: Invalid value: "IPv6": field is immutable"#
            ])
        let moreEndpoints = Self.sliceJSON(endpoints: #"[{"addresses":["10.0.0.1"]},{"addresses":["10.0.0.2"]}]"#)
        #expect(try KindValidation.errors(moreEndpoints, kind: Self.slice, namespaced: true, old: old) == [])
    }
}
