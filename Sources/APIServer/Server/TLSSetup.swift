import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import X509

/// The HTTPS identity: the given PEM files, or a self-signed certificate generated into
/// `certDir` for localhost, 127.0.0.1, ::1, the in-cluster names of the `kubernetes` Service
/// and `alternateIPs` (the bind and advertise addresses and the Service's cluster IP, as
/// kube-apiserver's own self-signed certificate has them). It is reused on later starts while
/// it covers those names, and made again when it does not.
public enum TLSSetup {
    public static func context(certFile: String?, keyFile: String?, certDir: String, alternateIPs: [String] = []) throws -> NIOSSLContext {
        let (cert, key): (String, String)
        if let certFile, let keyFile {
            (cert, key) = (certFile, keyFile)
        } else {
            (cert, key) = try ensureSelfSigned(in: certDir, alternateIPs: alternateIPs)
        }
        var config = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(cert).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
        config.applicationProtocols = ["h2", "http/1.1"]
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

    /// Whether the certificate at `path` names every address in `ips` and the Service names.
    static func covers(_ path: String, ips: [[UInt8]]) -> Bool {
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
            return ips.allSatisfy(have.contains) && serviceNames.allSatisfy(dns.contains)
        } catch {
            return false
        }
    }

    /// Paths of `apiserver.crt` and `apiserver.key` in `directory`, generated when missing or
    /// when the existing certificate does not name every address in `alternateIPs`.
    public static func ensureSelfSigned(in directory: String, alternateIPs: [String] = []) throws -> (cert: String, key: String) {
        let certPath = directory + "/apiserver.crt"
        let keyPath = directory + "/apiserver.key"
        let files = FileManager.default
        let extra = alternateIPs.compactMap(addressBytes).filter { $0 != [127, 0, 0, 1] && $0 != Array(repeating: 0, count: 15) + [1] && $0.contains { $0 != 0 } }
        if files.fileExists(atPath: certPath) && files.fileExists(atPath: keyPath) && covers(certPath, ips: extra) { return (certPath, keyPath) }
        try files.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName { CommonName("localhost@skiff-apiserver") }
        let now = Date()
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(),
            publicKey: .init(key.publicKey), notValidBefore: now.addingTimeInterval(-3600),
            notValidAfter: now.addingTimeInterval(365 * 24 * 3600), issuer: name, subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames([
                    .dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
                    .ipAddress(ASN1OctetString(contentBytes: Array(repeating: 0, count: 15) + [1])),
                ] + serviceNames.map { .dnsName($0) } + extra.map { .ipAddress(ASN1OctetString(contentBytes: ArraySlice($0))) })
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
