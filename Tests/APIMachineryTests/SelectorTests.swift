import Testing

@testable import APIMachinery

// Cases follow the behaviour exercised by k8s.io/apimachinery's
// pkg/labels/selector_test.go and pkg/fields/selector_test.go.

private let keyNameRule =
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
private let labelValueRule =
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"

/// Runs `body` and returns the thrown selector error's message, or nil.
private func errorMessage(_ body: () throws(SelectorParseError) -> Void) -> String? {
    do {
        try body()
        return nil
    } catch {
        return error.message
    }
}

@Suite struct LabelSelectorGrammarTests {
    @Test(arguments: [
        ("x=a,y=b,z=c", "x=a,y=b,z=c"),
        ("", ""),
        ("   ", ""),
        ("x!=a,y=b", "x!=a,y=b"),
        ("x=", "x="),
        ("x= ", "x="),
        ("x=,z= ", "x=,z="),
        ("x= ,z= ", "x=,z="),
        ("!x", "!x"),
        ("! x", "!x"),
        ("x>1", "x>1"),
        ("x>1,z<5", "x>1,z<5"),
        ("x==y", "x==y"),
        ("x=a,a=x", "a=x,x=a"),
        ("a=x,x=a", "a=x,x=a"),
        ("x=a,x!=b", "x=a,x!=b"),
        ("\rx", "x"),
        ("a ", "a"),
        ("notin=in", "notin=in"),
        ("in in (in)", "in in (in)"),
        ("this-is-a-dns.domain.com/key-with-dash", "this-is-a-dns.domain.com/key-with-dash"),
        ("this-is-another-dns.domain.com/key-with-dash in (so,what)",
         "this-is-another-dns.domain.com/key-with-dash in (so,what)"),
        ("0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)", "0.1.2.domain/99 notin (10.10.100.1,tick.tack.clock)"),
        ("foo  in\t (abc)", "foo in (abc)"),
        ("x notin\n (abc)", "x notin (abc)"),
        ("x  notin\t\t(abc,def)", "x notin (abc,def)"),
        ("x in (def,abc)", "x in (abc,def)"),
        ("x in (abc,)", "x in (,abc)"),
        ("x in (abc,abc)", "x in (abc)"),
        ("x in ()", "x in ()"),
        ("x in (a,,)", "x in (,a)"),
        ("x in (a,,,)", "x in (,a)"),
        ("x in (a,,,,,,)", "x in (,a)"),
        ("x in (a,,a,,a,,a,,)", "x in (,a)"),
        ("x notin ( )", "x notin ()"),
        ("x notin (, a)", "x notin (,a)"),
        ("x notin (abc,,def),bar,z in (),w", "bar,w,x notin (,abc,def),z in ()"),
        ("x,y in (a)", "x,y in (a)"),
        ("a in (x,y,notin, z,in)", "a in (in,notin,x,y,z)"),
        ("x=a,y!=b,z in (h,i,j)", "x=a,y!=b,z in (h,i,j)"),
    ])
    func parsesToCanonicalForm(input: String, canonical: String) throws {
        let selector = try LabelSelectorQuery(parsing: input)
        #expect(selector.description == canonical)
        #expect(try LabelSelectorQuery(parsing: selector.description) == selector)
    }

    @Test(arguments: [
        ("x=a||y=b", "unable to parse requirement: values[0][x]: Invalid value: \"a||y\": " + labelValueRule),
        ("x==a==b", "found '==', expected: ',' or 'end of string'"),
        ("!x=a", "found '=', expected: ',' or 'end of string'"),
        ("x<a", "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value must be an integer"),
        ("x>", "unable to parse requirement: values[0]: Invalid value: \"\": for 'Gt', 'Lt' operators, the value must be an integer"),
        ("x>a.", "unable to parse requirement: [values[0]: Invalid value: \"a.\": for 'Gt', 'Lt' operators, the value must be an integer, values[0][x]: Invalid value: \"a.\": "),
        ("x,,y", "found ',', expected: identifier after ','"),
        (",x,y", "found ',', expected: !, identifier, or 'end of string'"),
        ("x nott in (y)", "unable to parse requirement: found 'nott', expected: in, notin, =, ==, !=, gt, lt"),
        ("a in (xyz),", "found '', expected: identifier after ','"),
        ("a in (xyz)b notin ()", "found 'b', expected: ',' or 'end of string'"),
        ("a in (xyz abc)", "unable to parse requirement: found 'abc', expected: ',' or ')'"),
        ("a notin(", "unable to parse requirement: found '', expected: ',', ')' or identifier"),
        ("a in (b,", "unable to parse requirement: found '', expected: ',', or identifier"),
        ("a in (b,=)", "unable to parse requirement: found '=', expected: ',', or identifier"),
        ("a in b", "unable to parse requirement: found 'b' expected: '('"),
        ("a (", "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt"),
        ("(", "found '(', expected: !, identifier, or 'end of string'"),
        ("x=(", "unable to parse requirement: found '(', expected: identifier"),
        ("!", "unable to parse requirement: found '', expected: identifier"),
        ("-x", "unable to parse requirement: <nil>: Invalid value: \"-x\": " + keyNameRule),
        ("a/b/c", "unable to parse requirement: <nil>: Invalid value: \"a/b/c\": a valid label key must consist of"),
        ("/x", "unable to parse requirement: <nil>: Invalid value: \"/x\": prefix part must be non-empty"),
        ("Example.com/x", "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters"),
        ("x=" + String(repeating: "a", count: 64), "values[0][x]: Invalid value: \"\(String(repeating: "a", count: 64))\": must be no more than 63 bytes"),
    ])
    func rejectsInvalidSyntax(input: String, expected: String) {
        let message = errorMessage { () throws(SelectorParseError) in _ = try LabelSelectorQuery(parsing: input) }
        #expect(message?.contains(expected) == true, "\(input): got \(message ?? "no error")")
    }

    @Test func everythingMatchesAll() {
        #expect(LabelSelectorQuery.everything.isEmpty)
        #expect(LabelSelectorQuery.everything.matches(["x": "y"]))
        #expect(LabelSelectorQuery.everything.description == "")
        #expect((try? LabelSelectorQuery(parsing: "")) == .everything)
    }
}

@Suite struct LabelSelectorMatchingTests {
    @Test(arguments: [
        ("", ["x": "y"], true),
        ("x=y", ["x": "y"], true),
        ("x=y,z=w", ["x": "y", "z": "w"], true),
        ("x!=y,z!=w", ["x": "z", "z": "a"], true),
        ("notin=in", ["notin": "in"], true),
        ("x", ["x": "z"], true),
        ("!x", ["y": "z"], true),
        ("x>1", ["x": "2"], true),
        ("x<1", ["x": "0"], true),
        ("x<1", ["x": "-5"], true),
        ("x=z", [:], false),
        ("x=y", ["x": "z"], false),
        ("x=y,z=w", ["x": "w", "z": "w"], false),
        ("x!=y,z!=w", ["x": "z", "z": "w"], false),
        ("x", ["y": "z"], false),
        ("!x", ["x": "z"], false),
        ("x>1", ["x": "0"], false),
        ("x<1", ["x": "2"], false),
        ("x>1", ["x": "v2"], false),
        ("x>1", [:], false),
        ("x!=y", [:], true),
        ("x in (foo),y notin (alpha)", ["x": "foo", "y": "baz"], true),
        ("x in (foo),y in (alpha)", ["x": "foo", "y": "baz"], false),
        ("x notin (),y", ["y": ""], true),
        ("!x,y", ["y": ""], true),
        ("x notin (),!y", ["y": ""], false),
        ("x in ()", ["y": "baz"], false),
        ("x in ()", ["x": ""], true),
        ("x=", ["x": ""], true),
        ("foo=bar", ["foo": "bar", "baz": "blah"], true),
        ("foo=bar,baz=blah", ["foo": "bar", "baz": "blah"], true),
        ("foo=blah", ["foo": "bar", "baz": "blah"], false),
        ("foo=bar,foobar=bar,baz=blah", ["foo": "bar", "baz": "blah"], false),
    ] as [(String, [String: String], Bool)])
    func matchesLabels(selector: String, labels: [String: String], expected: Bool) throws {
        #expect(try LabelSelectorQuery(parsing: selector).matches(labels) == expected)
    }

    @Test(arguments: [
        ("key in (value)", "key", "value"),
        ("key in (value,value2)", "key", nil),
        ("key in (value,value1),key2 in (value2)", "key2", "value2"),
        ("key=value", "key", "value"),
        ("key==value", "key", "value"),
        ("key!=value", "key", nil),
        ("key in (value),key2 in (value2)", "key", "value"),
        ("key", "key", nil),
        ("other=value", "key", nil),
    ] as [(String, String, String?)])
    func requiresExactMatch(selector: String, key: String, expected: String?) throws {
        #expect(try LabelSelectorQuery(parsing: selector).requiresExactMatch(key) == expected)
    }

    @Test func exactMatchSetSelector() {
        let selector = LabelSelectorQuery(exactMatch: ["app": "foo", "a": "b"])
        #expect(selector.description == "a=b,app=foo")
        #expect(selector.matches(["app": "foo", "a": "b", "extra": "x"]))
        #expect(!selector.matches(["app": "foo"]))
        #expect(LabelSelectorQuery(exactMatch: [:]).isEmpty)
    }
}

@Suite struct LabelRequirementTests {
    @Test(arguments: [
        ("x1", LabelRequirement.Operator.in_, [String](),
         "values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty"),
        ("x2", .notIn, [], "values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty"),
        ("x5", .equals, ["foo", "bar"], "values: Invalid value: [\"foo\",\"bar\"]: exact-match compatibility requires one single value"),
        ("x8", .exists, ["foo"], "values: Invalid value: [\"foo\"]: values set must be empty for exists and does not exist"),
        ("x13", .greaterThan, [], "values: Invalid value: []: for 'Gt', 'Lt' operators, exactly one value is required"),
        ("x14", .greaterThan, ["bar"], "values[0]: Invalid value: \"bar\": for 'Gt', 'Lt' operators, the value must be an integer"),
        ("x15", .lessThan, ["bar"], "values[0]: Invalid value: \"bar\": for 'Gt', 'Lt' operators, the value must be an integer"),
        (String(repeating: "a", count: 254), .exists, [], "key: Invalid value: \"\(String(repeating: "a", count: 254))\": name part must be no more than 63 bytes"),
        ("x16", .equals, [String(repeating: "a", count: 254)], "values[0][x16]: Invalid value: \"\(String(repeating: "a", count: 254))\": must be no more than 63 bytes"),
        ("x17", .equals, ["a b"], "values[0][x17]: Invalid value: \"a b\": " + labelValueRule),
    ] as [(String, LabelRequirement.Operator, [String], String)])
    func rejectsInvalidRequirement(key: String, op: LabelRequirement.Operator, values: [String], expected: String) {
        let message = errorMessage { () throws(SelectorParseError) in
            _ = try LabelRequirement(key: key, op: op, values: values)
        }
        #expect(message == expected)
    }

    @Test(arguments: [
        ("x3", LabelRequirement.Operator.in_, ["foo"]), ("x4", .notIn, ["foo"]), ("x6", .exists, []),
        ("x7", .doesNotExist, []), ("x9", .in_, ["bar", "baz"]), ("x11", .greaterThan, ["1"]),
        ("x12", .lessThan, ["6"]), ("x18", .equals, [""]),
    ] as [(String, LabelRequirement.Operator, [String])])
    func acceptsValidRequirement(key: String, op: LabelRequirement.Operator, values: [String]) {
        #expect(throws: Never.self) { try LabelRequirement(key: key, op: op, values: values) }
    }

    @Test(arguments: [
        ([("x", LabelRequirement.Operator.in_, ["abc", "def"]), ("y", .notIn, ["jkl"]), ("z", .exists, [])],
         "x in (abc,def),y notin (jkl),z"),
        ([("x", .notIn, ["abc", "def"]), ("y", .notEquals, ["jkl"]), ("z", .doesNotExist, [])],
         "x notin (abc,def),y!=jkl,!z"),
        ([("x", .notIn, ["abc"]), ("y", .in_, ["mno", "jkl"]), ("z", .notIn, [""])],
         "x notin (abc),y in (jkl,mno),z notin ()"),
        ([("x", .equals, ["abc"]), ("y", .doubleEquals, ["jkl"]), ("z", .notEquals, ["a"]), ("z", .exists, [])],
         "x=abc,y==jkl,z!=a,z"),
        ([("z", .exists, []), ("y", .lessThan, ["8"]), ("x", .greaterThan, ["2"])], "x>2,y<8,z"),
    ] as [([(String, LabelRequirement.Operator, [String])], String)])
    func describesRequirements(parts: [(String, LabelRequirement.Operator, [String])], expected: String) throws {
        let requirements = try parts.map { part throws(SelectorParseError) in
            try LabelRequirement(key: part.0, op: part.1, values: part.2)
        }
        #expect(LabelSelectorQuery(requirements: requirements).description == expected)
    }
}

@Suite struct LabelSelectorObjectTests {
    typealias Expr = MetaV1.LabelSelectorRequirement

    @Test(arguments: [
        (MetaV1.LabelSelector(), ""),
        (MetaV1.LabelSelector(matchExpressions: [], matchLabels: [:]), ""),
        (MetaV1.LabelSelector(matchLabels: ["foo": "bar", "baz": "blah"]), "baz=blah,foo=bar"),
        (MetaV1.LabelSelector(matchExpressions: [Expr(key: "x", operator: "In", values: ["b", "a"])]), "x in (a,b)"),
        (MetaV1.LabelSelector(matchExpressions: [
            Expr(key: "env", operator: "NotIn", values: ["dev"]),
            Expr(key: "tier", operator: "Exists"),
            Expr(key: "legacy", operator: "DoesNotExist", values: []),
        ], matchLabels: ["app": "web"]), "app=web,env notin (dev),!legacy,tier"),
    ])
    func convertsToQuery(selector: MetaV1.LabelSelector, expected: String) throws {
        let query = try selector.query()
        #expect(query.description == expected)
        #expect(query.isEmpty == expected.isEmpty)
    }

    @Test(arguments: [
        (MetaV1.LabelSelector(matchExpressions: [Expr(key: "x", operator: "in", values: ["a"])]),
         "\"in\" is not a valid label selector operator"),
        (MetaV1.LabelSelector(matchExpressions: [Expr(key: "x", operator: "Gt", values: ["1"])]),
         "\"Gt\" is not a valid label selector operator"),
        (MetaV1.LabelSelector(matchExpressions: [Expr(key: "x", operator: "In", values: [])]),
         "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty"),
        (MetaV1.LabelSelector(matchExpressions: [Expr(key: "x", operator: "NotIn")]),
         "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty"),
        (MetaV1.LabelSelector(matchExpressions: [Expr(key: "x", operator: "Exists", values: ["a"])]),
         "values: Invalid value: [\"a\"]: values set must be empty for exists and does not exist"),
        (MetaV1.LabelSelector(matchExpressions: [Expr(key: "a b", operator: "Exists")]),
         "key: Invalid value: \"a b\": " + keyNameRule),
        (MetaV1.LabelSelector(matchLabels: ["foo": "-bar"]),
         "values[0][foo]: Invalid value: \"-bar\": " + labelValueRule),
    ])
    func rejectsInvalidSelector(selector: MetaV1.LabelSelector, expected: String) {
        let message = errorMessage { () throws(SelectorParseError) in _ = try selector.query() }
        #expect(message == expected)
    }

    @Test func matchesLikeParsedSelector() throws {
        let object = MetaV1.LabelSelector(
            matchExpressions: [Expr(key: "env", operator: "In", values: ["prod", "qa"])], matchLabels: ["app": "web"])
        let query = try object.query()
        #expect(query == (try LabelSelectorQuery(parsing: "app=web,env in (qa,prod)")))
        #expect(query.matches(["app": "web", "env": "qa"]))
        #expect(!query.matches(["app": "web", "env": "dev"]))
    }
}

@Suite struct NameValidationTests {
    @Test(arguments: [
        ("simple", true), ("now-with-dashes", true), ("1-starts-with-num", true), ("1234", true),
        ("simple/simple", true), ("example.com/MyName", true), ("a" + String(repeating: "b", count: 62), true),
        ("", false), ("-starts", false), ("ends-", false), ("a/b/c", false), ("/name", false), ("Example.com/x", false),
        ("prefix/", false), ("a" + String(repeating: "b", count: 63), false), ("no spaces", false),
    ])
    func qualifiedNames(value: String, valid: Bool) {
        #expect(NameValidation.isQualifiedName(value).isEmpty == valid)
    }

    @Test func messages() {
        #expect(NameValidation.isQualifiedName("") == ["name part must be non-empty", keyNameRule])
        #expect(NameValidation.isValidLabelValue("") == [])
        #expect(NameValidation.isValidLabelValue("-x") == [labelValueRule])
        #expect(NameValidation.isDNS1123Label("a.b") == ["must not contain dots"])
        #expect(NameValidation.isDNS1123Label("A") == [
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
        ])
        #expect(NameValidation.isDNS1123Subdomain("example.com") == [])
        #expect(NameValidation.isDNS1123Subdomain("a..b") == [
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
        ])
        #expect(NameValidation.isDNS1123Subdomain(String(repeating: "a", count: 254)) == ["must be no more than 253 bytes"])
    }
}

@Suite struct FieldSelectorTests {
    @Test(arguments: [
        ("x=a,y=b,z=c", "x=a,y=b,z=c"),
        ("", ""),
        ("x!=a,y=b", "x!=a,y=b"),
        (#"x=a||y\=b"#, #"x=a||y\=b"#),
        (#"x=a\=\=b"#, #"x=a\=\=b"#),
        ("x=a,a=x", "a=x,x=a"),
        ("x==a", "x=a"),
        ("x=", "x="),
        ("a=a,", "a=a"),
        (",a=a", "a=a"),
        ("=", ""),
        ("metadata.name=foo,status.phase!=Running", "metadata.name=foo,status.phase!=Running"),
        (#"k=\,,k2=v2"#, #"k2=v2,k=\,"#),
        (#"k=\\,k2=v2"#, #"k2=v2,k=\\"#),
        ("함=수,목=록", "목=록,함=수"),
    ])
    func parsesToCanonicalForm(input: String, canonical: String) throws {
        let selector = try FieldSelectorQuery(parsing: input)
        #expect(selector.description == canonical)
        #expect(selector.isEmpty == canonical.isEmpty)
    }

    @Test(arguments: [
        ("x=a||y=b", "invalid field selector: unescaped character in value: 61"),
        ("x==a==b", "invalid field selector: unescaped character in value: 61"),
        ("x=a,b", "invalid selector: 'x=a,b'; can't understand 'b'"),
        ("x in (a)", "invalid selector: 'x in (a)'; can't understand 'x in (a)'"),
        ("x in (a,b,c)", "invalid selector: 'x in (a,b,c)'; can't understand 'b'"),
        ("x", "invalid selector: 'x'; can't understand 'x'"),
        (#"k=\a"#, #"invalid field selector: invalid escape sequence: \a"#),
        (#"k=\"#, #"invalid field selector: invalid escape sequence: \"#),
    ])
    func rejectsInvalidSyntax(input: String, expected: String) {
        let message = errorMessage { () throws(SelectorParseError) in _ = try FieldSelectorQuery(parsing: input) }
        #expect(message == expected)
    }

    @Test(arguments: [
        ("", ["x": "y"], true),
        ("x=y", ["x": "y"], true),
        ("x=y,z=w", ["x": "y", "z": "w"], true),
        ("x!=y,z!=w", ["x": "z", "z": "a"], true),
        ("notin=in", ["notin": "in"], true),
        ("x=y", ["x": "z"], false),
        ("x=y,z=w", ["x": "w", "z": "w"], false),
        ("x!=y,z!=w", ["x": "z", "z": "w"], false),
        ("x=", [:], true),
        ("x!=", [:], false),
        ("x!=y", [:], true),
        (#"foo=bar,baz=blah,complex=\=value\\\,\\"#, ["foo": "bar", "baz": "blah", "complex": #"=value\,\"#], true),
        ("foo=bar,foobar=bar,baz=blah", ["foo": "bar", "baz": "blah"], false),
    ] as [(String, [String: String], Bool)])
    func matchesFields(selector: String, fields: [String: String], expected: Bool) throws {
        #expect(try FieldSelectorQuery(parsing: selector).matches(fields) == expected)
    }

    @Test(arguments: [
        ("", #""#), ("a", "a"), ("=", #"\="#), (",", #"\,"#), (#"\"#, #"\\"#), (#"\=\,\"#, #"\\\=\\\,\\"#),
    ])
    func escapesRoundTrip(literal: String, escaped: String) throws {
        #expect(FieldSelectorQuery.escapeValue(literal) == escaped)
        #expect(try FieldSelectorQuery.unescapeValue(escaped) == literal)
    }

    @Test(arguments: [
        ("", [String]()), ("a", ["a"]), ("a=avalue,b=bvalue", ["a=avalue", "b=bvalue"]),
        ("a=a,", ["a=a", ""]), (",a=a", ["", "a=a"]), (#"k=\,,k2=v2"#, [#"k=\,"#, "k2=v2"]),
        (#"k=\\,k2=v2"#, [#"k=\\"#, "k2=v2"]), (#"k=\\\,,k2=v2"#, [#"k=\\\,"#, "k2=v2"]),
        (#"k=\a\b\"#, [#"k=\a\b\"#]), ("함=수,목=록", ["함=수", "목=록"]),
    ])
    func splitsTerms(selector: String, terms: [String]) {
        #expect(FieldSelectorQuery.splitTerms(selector) == terms)
    }

    @Test(arguments: [
        ("a=test,test=c", "test", "c"), ("test!=b", "test", nil), ("test=", "test", ""), ("a=b", "test", nil),
        ("test!=x,test=y", "test", "y"),
    ] as [(String, String, String?)])
    func requiresExactMatch(selector: String, field: String, expected: String?) throws {
        #expect(try FieldSelectorQuery(parsing: selector).requiresExactMatch(field) == expected)
    }
}
