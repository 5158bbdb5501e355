import APIServer
import Testing

/// Request URIs as the API layer reads them: decoded path, repeated query parameters,
/// percent and `+` decoding, and Go's ParseBool forms for boolean parameters.
struct APIRequestTests {
    @Test func pathWithoutQuery() {
        let request = APIRequest(method: "GET", uri: "/api/v1/pods")
        #expect(request.path == "/api/v1/pods")
        #expect(request.query.isEmpty)
        #expect(request.method == "GET")
    }

    @Test func queryParametersKeepEveryValueInOrder() {
        let request = APIRequest(method: "GET", uri: "/api/v1/pods?limit=5&watch=true&fieldSelector=a&fieldSelector=b")
        #expect(request.path == "/api/v1/pods")
        #expect(request.parameter("limit") == "5")
        #expect(request.query["fieldSelector"] == ["a", "b"])
        #expect(request.parameter("fieldSelector") == "a")
        #expect(request.parameter("missing") == nil)
    }

    @Test func parameterWithoutValueIsEmpty() {
        let request = APIRequest(method: "GET", uri: "/api/v1/pods?watch&&limit=")
        #expect(request.query["watch"] == [""])
        #expect(request.query["limit"] == [""])
        #expect(request.query.count == 2)
    }

    @Test func onlyTheFirstQuestionMarkAndEqualsSplit() {
        let request = APIRequest(method: "GET", uri: "/p?labelSelector=a=b?c")
        #expect(request.path == "/p")
        #expect(request.parameter("labelSelector") == "a=b?c")
    }

    @Test func queryIsPercentDecodedWithPlusAsSpace() {
        let request = APIRequest(
            method: "GET", uri: "/api/v1/pods?labelSelector=app%3Dweb%2Ctier+in+%28a%2Cb%29&field%20Selector=x%2By")
        #expect(request.parameter("labelSelector") == "app=web,tier in (a,b)")
        #expect(request.parameter("field Selector") == "x+y")
    }

    @Test func pathIsPercentDecodedButKeepsPlus() {
        let request = APIRequest(method: "GET", uri: "/api/v1/namespaces/ns/configmaps/a%2Bb+c%3A")
        #expect(request.path == "/api/v1/namespaces/ns/configmaps/a+b+c:")
    }

    @Test func multiByteEscapesDecodeAsUTF8() {
        #expect(APIRequest(method: "GET", uri: "/x?name=caf%C3%A9").parameter("name") == "café")
        #expect(APIRequest(method: "GET", uri: "/caf%c3%a9").path == "/café")
    }

    @Test(arguments: [
        ("100%", "100%"),
        ("%zz", "%zz"),
        ("%4", "%4"),
        ("a%2", "a%2"),
        ("%41%", "A%"),
        ("%%41", "%A"),
    ])
    func malformedEscapesStayAsIs(raw: String, decoded: String) {
        #expect(APIRequest(method: "GET", uri: "/p?v=\(raw)").parameter("v") == decoded)
    }

    @Test(arguments: ["1", "t", "T", "true", "True", "TRUE"])
    func trueForms(value: String) {
        #expect(APIRequest(method: "GET", uri: "/p?watch=\(value)").flag("watch") == true)
    }

    @Test(arguments: ["0", "f", "F", "false", "False", "FALSE"])
    func falseForms(value: String) {
        #expect(APIRequest(method: "GET", uri: "/p?watch=\(value)").flag("watch") == false)
    }

    @Test(arguments: ["", "yes", "tRUE", "2", "on"])
    func unreadableFlagsAreNil(value: String) {
        #expect(APIRequest(method: "GET", uri: "/p?watch=\(value)").flag("watch") == nil)
    }

    @Test func absentFlagIsNilAndTheFirstValueDecides() {
        #expect(APIRequest(method: "GET", uri: "/p").flag("watch") == nil)
        #expect(APIRequest(method: "GET", uri: "/p?watch=false&watch=true").flag("watch") == false)
    }
}
