import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import X509

/// The HTTPS identity: the given PEM files, or a self-signed certificate for localhost and
/// 127.0.0.1 generated once into `certDir` (and reused on later starts).
public enum TLSSetup {
    public static func context(certFile: String?, keyFile: String?, certDir: String) throws -> NIOSSLContext {
        let (cert, key): (String, String)
        if let certFile, let keyFile {
            (cert, key) = (certFile, keyFile)
        } else {
            (cert, key) = try ensureSelfSigned(in: certDir)
        }
        var config = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(cert).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
        config.applicationProtocols = ["h2", "http/1.1"]
        return try NIOSSLContext(configuration: config)
    }

    /// Paths of `apiserver.crt` and `apiserver.key` in `directory`, generated when missing.
    public static func ensureSelfSigned(in directory: String) throws -> (cert: String, key: String) {
        let certPath = directory + "/apiserver.crt"
        let keyPath = directory + "/apiserver.key"
        let files = FileManager.default
        if files.fileExists(atPath: certPath) && files.fileExists(atPath: keyPath) { return (certPath, keyPath) }
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
                ])
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
