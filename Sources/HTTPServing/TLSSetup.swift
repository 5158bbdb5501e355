import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import X509

/// A server's HTTPS identity: the given PEM files, or a self-signed certificate generated into a
/// directory (as kube-apiserver's and the kubelet's own self-signed certificates). The generated
/// certificate is reused on later starts while it names every address and DNS name asked for,
/// and made again when it does not.
public enum TLSSetup {
    /// What a self-signed certificate is made for: `<name>.crt` and `<name>.key`, its subject's
    /// common name, and the DNS names and IP addresses it covers (localhost, 127.0.0.1 and ::1
    /// always).
    public struct SelfSigned: Sendable {
        public var name: String
        public var commonName: String
        public var dnsNames: [String]
        public var addresses: [String]

        public init(name: String, commonName: String, dnsNames: [String] = [], addresses: [String] = []) {
            self.name = name
            self.commonName = commonName
            self.dnsNames = dnsNames
            self.addresses = addresses
        }

        /// The apiserver's: the in-cluster names of the `kubernetes` Service and `alternateIPs`
        /// (bind and advertise addresses, the Service's cluster IP).
        public static func apiserver(alternateIPs: [String]) -> SelfSigned {
            SelfSigned(name: "apiserver", commonName: "localhost@skiff-apiserver", dnsNames: serviceNames, addresses: alternateIPs)
        }
    }

    /// The apiserver's server context (HTTP/2 and HTTP/1.1 by ALPN).
    public static func context(certFile: String?, keyFile: String?, certDir: String, alternateIPs: [String] = []) throws -> NIOSSLContext {
        try context(certFile: certFile, keyFile: keyFile, certDir: certDir, selfSigned: .apiserver(alternateIPs: alternateIPs))
    }

    /// A server context from the PEM files when both are given, else from the self-signed
    /// identity in `certDir`.
    public static func context(
        certFile: String?, keyFile: String?, certDir: String, selfSigned: SelfSigned, protocols: [String] = ["h2", "http/1.1"]
    ) throws -> NIOSSLContext {
        let (cert, key): (String, String)
        if let certFile, let keyFile {
            (cert, key) = (certFile, keyFile)
        } else {
            (cert, key) = try ensureSelfSigned(in: certDir, selfSigned)
        }
        var config = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(cert).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
        config.applicationProtocols = protocols
        return try NIOSSLContext(configuration: config)
    }

    static let serviceNames = ["kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"]

    /// The bytes of an IPv4 or IPv6 address, or nil when `text` is neither.
    static func addressBytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    /// Whether the certificate at `path` names every address in `ips` and every name in `dnsNames`.
    static func covers(_ path: String, ips: [[UInt8]], dnsNames: [String]) -> Bool {
        do {
            let certificate = try Certificate(pemEncoded: String(contentsOfFile: path, encoding: .utf8))
            guard let names = try certificate.extensions.subjectAlternativeNames else { return false }
            var have = Set<[UInt8]>(), dns = Set<String>()
            for name in names {
                switch name {
                case .ipAddress(let bytes): have.insert(Array(bytes.bytes))
                case .dnsName(let text): dns.insert(text)
                default: break
                }
            }
            return ips.allSatisfy(have.contains) && dnsNames.allSatisfy(dns.contains)
        } catch {
            return false
        }
    }

    /// Paths of the apiserver's `apiserver.crt` and `apiserver.key` in `directory`.
    public static func ensureSelfSigned(in directory: String, alternateIPs: [String] = []) throws -> (cert: String, key: String) {
        try ensureSelfSigned(in: directory, .apiserver(alternateIPs: alternateIPs))
    }

    /// Paths of `<name>.crt` and `<name>.key` in `directory`, generated when missing or when the
    /// existing certificate does not name every address and DNS name of `identity`.
    public static func ensureSelfSigned(in directory: String, _ identity: SelfSigned) throws -> (cert: String, key: String) {
        let certPath = directory + "/\(identity.name).crt"
        let keyPath = directory + "/\(identity.name).key"
        let files = FileManager.default
        let loopback: [[UInt8]] = [[127, 0, 0, 1], Array(repeating: 0, count: 15) + [1]]
        var extra: [[UInt8]] = []
        for bytes in identity.addresses.compactMap(addressBytes) where !loopback.contains(bytes) && bytes.contains(where: { $0 != 0 }) && !extra.contains(bytes) {
            extra.append(bytes)
        }
        let dns = identity.dnsNames.filter { $0 != "localhost" }
        if files.fileExists(atPath: certPath) && files.fileExists(atPath: keyPath) && covers(certPath, ips: extra, dnsNames: dns) {
            return (certPath, keyPath)
        }
        try files.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName { CommonName(identity.commonName) }
        let now = Date()
        let names: [GeneralName] = [.dnsName("localhost")] + dns.map { .dnsName($0) }
            + (loopback + extra).map { .ipAddress(ASN1OctetString(contentBytes: ArraySlice($0))) }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(),
            publicKey: .init(key.publicKey), notValidBefore: now.addingTimeInterval(-3600),
            notValidAfter: now.addingTimeInterval(365 * 24 * 3600), issuer: name, subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(names)
            },
            issuerPrivateKey: .init(key))
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        let pem = PEMDocument(type: "CERTIFICATE", derBytes: serializer.serializedBytes).pemString
        try (pem + "\n").write(toFile: certPath, atomically: true, encoding: .utf8)
        try (key.pemRepresentation + "\n").write(toFile: keyPath, atomically: true, encoding: .utf8)
        chmod(keyPath, 0o600)
        return (certPath, keyPath)
    }
}
