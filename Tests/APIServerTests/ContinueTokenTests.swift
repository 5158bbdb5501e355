import APIMachinery
import Foundation
import Testing

@testable import APIServer

/// List continue tokens: kube-apiserver's format (unpadded base64url of
/// `{"v":"meta.k8s.io/v1","rv":N,"start":"<key>"}`), and what a client may not smuggle in.
struct ContinueTokenTests {
    /// Tokens below were produced with Python's `base64.urlsafe_b64encode` (padding stripped),
    /// as Go's `base64.RawURLEncoding` writes them.
    static let kubeToken = "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MTIzNDUsInN0YXJ0IjoiZGVmYXVsdC93ZWItMFx1MDAwMCJ9"
    /// `{"v":"meta.k8s.io/v1","rv":9,"start":"ns/ab~?"}`: its standard base64 has `/` and `=`.
    static let urlSafeToken = "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6OSwic3RhcnQiOiJucy9hYn4_In0"

    static func isRejected(_ text: String) -> Bool {
        do {
            _ = try ContinueToken(decoding: text)
            return false
        } catch let error as StatusError {
            return error.status.code == 400 && (error.status.message ?? "").hasPrefix("continue key is not valid")
        } catch {
            return false
        }
    }

    @Test func roundTrip() throws {
        let token = ContinueToken(revision: 4711, start: "kube-system/coredns-5d78c9869d-abcde\u{0}")
        let decoded = try ContinueToken(decoding: token.encoded)
        #expect(decoded.revision == 4711)
        #expect(decoded.start == "kube-system/coredns-5d78c9869d-abcde\u{0}")
    }

    @Test func decodesKubeAPIServerTokens() throws {
        let decoded = try ContinueToken(decoding: Self.kubeToken)
        #expect(decoded.revision == 12345)
        #expect(decoded.start == "default/web-0\u{0}")
        let urlSafe = try ContinueToken(decoding: Self.urlSafeToken)
        #expect(urlSafe.revision == 9)
        #expect(urlSafe.start == "ns/ab~?")
    }

    @Test func encodesAsKubeAPIServerDoes() {
        let encoded = ContinueToken(revision: 9, start: "ns/ab~?").encoded
        #expect(encoded == Self.urlSafeToken)
        #expect(!encoded.contains("=") && !encoded.contains("+") && !encoded.contains("/"))
    }

    @Test func encodedIsBase64URLWithoutPaddingForEveryLength() throws {
        // Starts of every length mod 3 exercise each padding case.
        for start in ["a", "ab", "abc", "ns/ÿþ", "ns/p>>>?"] {
            let encoded = ContinueToken(revision: 1, start: start).encoded
            #expect(!encoded.contains("=") && !encoded.contains("+") && !encoded.contains("/"), "\(start)")
            var standard = encoded.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            while standard.count % 4 != 0 { standard += "=" }
            let data = try #require(Data(base64Encoded: standard))
            let tree = try JSONCodec.parse(Array(data))
            #expect(tree == ["v": "meta.k8s.io/v1", "rv": 1, "start": .string(start)])
        }
    }

    @Test(arguments: [
        "", "!!!", "not base64 at all", "WzEsMl0",  // [1,2]
        "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6NX0",  // no start
        "eyJ2IjoibWV0YS5rOHMuaW8vdjIiLCJydiI6NSwic3RhcnQiOiJhIn0",  // v: meta.k8s.io/v2
        "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6IjUiLCJzdGFydCI6ImEifQ",  // rv: "5"
    ])
    func rejectsGarbage(text: String) {
        #expect(Self.isRejected(text))
    }

    @Test(arguments: [
        "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MCwic3RhcnQiOiJhIn0",  // rv 0
        "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6LTMsInN0YXJ0IjoiYSJ9",  // rv -3
    ])
    func rejectsRevisionsBelowOne(text: String) {
        #expect(Self.isRejected(text))
    }

    @Test(arguments: [
        "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6NSwic3RhcnQiOiIuLi9zZWNyZXRzL3gifQ",  // ../secrets/x
        "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6NSwic3RhcnQiOiJucy8uLi8uLi9zZWNyZXRzL3gifQ",  // ns/../../secrets/x
    ])
    func rejectsPathsClimbingOutOfTheList(text: String) {
        #expect(Self.isRejected(text))
    }

    @Test func rejectsEncodedTraversalBuiltHere() {
        #expect(Self.isRejected(ContinueToken(revision: 3, start: "../../registry/secrets/").encoded))
        #expect(Self.isRejected(ContinueToken(revision: 0, start: "a").encoded))
    }
}
