/// Turns a protobuf message into the JSON tree Go's `encoding/json` writes for the same object
/// once Kubernetes' generated code has unmarshalled it:
///
/// - members in Go declaration order, under their JSON names; inline embeddings flattened;
/// - a field on the wire is written, except a zero scalar or empty list/map of an `omitempty`
///   non-pointer field (Go clients put every non-pointer scalar on the wire, zero or not);
/// - a field not on the wire is left out when Go would omit it (`omitempty`), is `null` for a
///   nil pointer, slice or map without `omitempty`, and is the zero value's JSON for a
///   non-pointer struct (so `metadata.creationTimestamp` reads `null`, `strategy` reads `{}`);
/// - map keys sorted bytewise; `bytes` as standard base64; special messages (`Quantity`,
///   `IntOrString`, `Time`, `RawExtension`, …) in their own JSON form.
///
/// Unknown fields are skipped. Repeated scalars are accepted packed and unpacked; a singular
/// message seen more than once is merged, a singular scalar seen more than once keeps the last
/// value (protobuf's rules). Cost: one pass over the bytes per nesting level, plus the tree.
struct ProtobufDecoder {
    /// Deeper nesting is refused (a guard against stack exhaustion on hostile input).
    static let maximumDepth = 100

    let schema: ProtobufSchema

    typealias Value = ProtobufReader.Value

    // MARK: - Messages

    func decodeMessage(_ index: Int, _ bytes: [UInt8], _ range: Range<Int>,
                       depth: Int) throws(ProtobufError) -> JSONValue {
        guard depth <= Self.maximumDepth else {
            throw ProtobufError("messages nested more than \(Self.maximumDepth) deep")
        }
        let message = schema.messages[index]
        if let special = message.special {
            return try decodeSpecial(special, message, bytes, range, depth: depth)
        }
        var object = JSONObject()
        try decodeMembers(index, bytes, range, depth: depth, into: &object)
        return .object(object)
    }

    /// Appends the members of message `index` to `object` (shared by nested and inline fields).
    func decodeMembers(_ index: Int, _ bytes: [UInt8], _ range: Range<Int>, depth: Int,
                       into object: inout JSONObject) throws(ProtobufError) {
        let message = schema.messages[index]
        var occurrences = [[Value]](repeating: [], count: message.fields.count)
        var reader = ProtobufReader(bytes: bytes, range: range)
        while let (number, value) = try reader.readField() {
            if let field = message.fieldIndex(number: number) { occurrences[field].append(value) }
        }
        for (position, field) in message.fields.enumerated() {
            do throws(ProtobufError) {
                try decodeField(field, occurrences[position], bytes, depth: depth, into: &object)
            } catch {
                throw error.within(field.jsonName)
            }
        }
    }

    private func decodeField(_ field: ProtobufSchema.Field, _ values: [Value], _ bytes: [UInt8], depth: Int,
                             into object: inout JSONObject) throws(ProtobufError) {
        if field.isInline {
            guard case .value(.message(let inner)) = field.type else {
                preconditionFailure("protobuf table: inline field \(field.number) is not a message")
            }
            let (payload, range) = try merged(values, bytes)
            try decodeMembers(inner, payload, range, depth: depth + 1, into: &object)
            return
        }
        guard !values.isEmpty else {
            if let absent = try absentValue(field, depth: depth) { object[field.jsonName] = absent }
            return
        }
        let value: JSONValue
        switch field.type {
        case .map(let key, let valueType):
            value = try decodeMap(key: key, value: valueType, values, bytes, depth: depth)
        case .value(let type) where field.isRepeated:
            value = .array(try decodeRepeated(type, values, bytes, depth: depth))
        case .value(.scalar(let scalar)):
            value = try decodeScalar(scalar, values[values.count - 1], bytes)
        case .value(.message(let inner)):
            let (payload, range) = try merged(values, bytes)
            value = try decodeMessage(inner, payload, range, depth: depth + 1)
        }
        if field.omitEmpty, !field.isPointer, canBeOmitted(field), isEmpty(value) { return }
        object[field.jsonName] = value
    }

    /// What Go writes for a field that was not on the wire; nil when it writes nothing.
    private func absentValue(_ field: ProtobufSchema.Field, depth: Int) throws(ProtobufError) -> JSONValue? {
        if field.isPointer || field.isRepeated { return field.omitEmpty ? nil : .null }
        switch field.type {
        case .map:
            return field.omitEmpty ? nil : .null
        case .value(.scalar(let scalar)):
            if field.omitEmpty { return nil }
            return scalar == .bytes ? .null : zero(scalar)
        case .value(.message(let inner)):
            if schema.messages[inner].special == .slice { return field.omitEmpty ? nil : .null }
            // A Go struct is never omitted: write its zero value.
            return try decodeMessage(inner, [], 0..<0, depth: depth + 1)
        }
    }

    /// Go's `omitempty` applies to scalars, slices and maps, never to structs.
    private func canBeOmitted(_ field: ProtobufSchema.Field) -> Bool {
        switch field.type {
        case .map: return true
        case .value(.scalar): return true
        case .value(.message(let inner)): return field.isRepeated || schema.messages[inner].special == .slice
        }
    }

    private func isEmpty(_ value: JSONValue) -> Bool {
        switch value {
        case .null: return true
        case .bool(let b): return !b
        case .int(let i): return i == 0
        case .double(let d): return d == 0
        case .string(let s): return s.isEmpty
        case .array(let a): return a.isEmpty
        case .object(let o): return o.members.isEmpty
        }
    }

    private func zero(_ scalar: ProtobufSchema.Scalar) -> JSONValue {
        switch scalar {
        case .bool: .bool(false)
        case .string, .bytes: .string("")
        case .double, .float: .int(0)
        default: .int(0)
        }
    }

    /// The payload of a singular message field; several occurrences are concatenated, which
    /// protobuf defines as merging them.
    private func merged(_ values: [Value], _ bytes: [UInt8]) throws(ProtobufError) -> ([UInt8], Range<Int>) {
        if values.count <= 1 {
            guard let value = values.first else { return (bytes, 0..<0) }
            guard case .bytes(let range) = value else { throw wrongWireType(value, expected: "a message") }
            return (bytes, range)
        }
        var joined: [UInt8] = []
        for value in values {
            guard case .bytes(let range) = value else { throw wrongWireType(value, expected: "a message") }
            joined.append(contentsOf: bytes[range])
        }
        return (joined, joined.indices)
    }

    // MARK: - Lists and maps

    private func decodeRepeated(_ type: ProtobufSchema.ValueType, _ values: [Value], _ bytes: [UInt8],
                                depth: Int) throws(ProtobufError) -> [JSONValue] {
        var out: [JSONValue] = []
        out.reserveCapacity(values.count)
        for value in values {
            do throws(ProtobufError) {
                switch type {
                case .scalar(let scalar):
                    if case .bytes(let range) = value, scalar.wireType != .lengthDelimited {
                        // A packed run of numbers.
                        var reader = ProtobufReader(bytes: bytes, range: range)
                        while !reader.isAtEnd {
                            let element: Value
                            switch scalar.wireType {
                            case .fixed32: element = .fixed32(try reader.readFixed32())
                            case .fixed64: element = .fixed64(try reader.readFixed64())
                            default: element = .varint(try reader.readVarint())
                            }
                            out.append(try decodeScalar(scalar, element, bytes))
                        }
                    } else {
                        out.append(try decodeScalar(scalar, value, bytes))
                    }
                case .message(let inner):
                    guard case .bytes(let range) = value else { throw wrongWireType(value, expected: "a message") }
                    out.append(try decodeMessage(inner, bytes, range, depth: depth + 1))
                }
            } catch {
                throw error.within("[\(out.count)]")
            }
        }
        return out
    }

    private func decodeMap(key: ProtobufSchema.Scalar, value valueType: ProtobufSchema.ValueType, _ values: [Value],
                           _ bytes: [UInt8], depth: Int) throws(ProtobufError) -> JSONValue {
        var entries: [String: JSONValue] = [:]
        for entry in values {
            guard case .bytes(let range) = entry else { throw wrongWireType(entry, expected: "a map entry") }
            var reader = ProtobufReader(bytes: bytes, range: range)
            var keyValue: Value?
            var valueValues: [Value] = []
            while let (number, value) = try reader.readField() {
                if number == 1 { keyValue = value } else if number == 2 { valueValues.append(value) }
            }
            let name: String
            let decodedKey: JSONValue? = if let keyValue { try decodeScalar(key, keyValue, bytes) } else { nil }
            switch decodedKey {
            case .some(.string(let s)): name = s
            case .some(.int(let i)): name = String(i)
            case .some(.bool(let b)): name = b ? "true" : "false"
            case .some(let other): name = JSONCodec.encodeToString(other)
            case .none: name = key == .string ? "" : key == .bool ? "false" : "0"
            }
            do throws(ProtobufError) {
                switch valueType {
                case .scalar(let scalar):
                    if let last = valueValues.last {
                        entries[name] = try decodeScalar(scalar, last, bytes)
                    } else {
                        entries[name] = scalar == .bytes ? .null : zero(scalar)
                    }
                case .message(let inner):
                    let (payload, range) = try merged(valueValues, bytes)
                    entries[name] = try decodeMessage(inner, payload, range, depth: depth + 1)
                }
            } catch {
                throw error.within(name)
            }
        }
        // Go writes map keys sorted by their bytes.
        let sorted = entries.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        return .object(JSONObject(members: sorted.map { JSONObject.Member(key: $0.key, value: $0.value) }))
    }

    // MARK: - Scalars

    func decodeScalar(_ scalar: ProtobufSchema.Scalar, _ value: Value,
                      _ bytes: [UInt8]) throws(ProtobufError) -> JSONValue {
        switch (scalar, value) {
        case (.int32, .varint(let v)): return .int(Int64(Int32(truncatingIfNeeded: v)))
        case (.int64, .varint(let v)): return .int(Int64(bitPattern: v))
        case (.uint32, .varint(let v)): return .int(Int64(UInt32(truncatingIfNeeded: v)))
        case (.uint64, .varint(let v)): return v <= UInt64(Int64.max) ? .int(Int64(v)) : .double(Double(v))
        case (.sint32, .varint(let v)):
            let u = UInt32(truncatingIfNeeded: v)
            return .int(Int64(Int32(bitPattern: (u >> 1) ^ (0 &- (u & 1)))))
        case (.sint64, .varint(let v)): return .int(Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1))))
        case (.bool, .varint(let v)): return .bool(v != 0)
        case (.fixed32, .fixed32(let v)): return .int(Int64(v))
        case (.sfixed32, .fixed32(let v)): return .int(Int64(Int32(bitPattern: v)))
        case (.fixed64, .fixed64(let v)): return v <= UInt64(Int64.max) ? .int(Int64(v)) : .double(Double(v))
        case (.sfixed64, .fixed64(let v)): return .int(Int64(bitPattern: v))
        case (.float, .fixed32(let v)): return try finite(Double(Float(bitPattern: v)))
        case (.double, .fixed64(let v)): return try finite(Double(bitPattern: v))
        case (.string, .bytes(let range)): return .string(String(decoding: bytes[range], as: UTF8.self))
        case (.bytes, .bytes(let range)): return .string(Base64Bytes(Array(bytes[range])).base64)
        default: throw wrongWireType(value, expected: "a \(scalar.rawValue)")
        }
    }

    private func finite(_ value: Double) throws(ProtobufError) -> JSONValue {
        guard value.isFinite else { throw ProtobufError("\(value) has no JSON form") }
        return .double(value)
    }

    private func wrongWireType(_ value: Value, expected: String) -> ProtobufError {
        ProtobufError("wire type \(value.wireType) cannot hold \(expected)")
    }

    // MARK: - Special messages

    /// Decodes a message whose JSON form is its own. Errors inside are reported at the
    /// enclosing field: the special types' inner fields are not JSON members.
    private func decodeSpecial(_ special: ProtobufSchema.Special, _ message: ProtobufSchema.Message,
                               _ bytes: [UInt8], _ range: Range<Int>, depth: Int) throws(ProtobufError) -> JSONValue {
        var values: [Int: [Value]] = [:]
        var reader = ProtobufReader(bytes: bytes, range: range)
        while let (number, value) = try reader.readField() { values[number, default: []].append(value) }

        func scalar(_ number: Int, _ type: ProtobufSchema.Scalar) throws(ProtobufError) -> JSONValue? {
            guard let value = values[number]?.last else { return nil }
            return try decodeScalar(type, value, bytes)
        }
        func integer(_ number: Int, _ type: ProtobufSchema.Scalar) throws(ProtobufError) -> Int64 {
            if case .int(let i)? = try scalar(number, type) { return i }
            return 0
        }
        func submessage(_ number: Int) throws(ProtobufError) -> JSONValue? {
            guard let list = values[number], case .value(.message(let inner))? = fieldType(message, number) else {
                return nil
            }
            let (payload, range) = try merged(list, bytes)
            return try decodeMessage(inner, payload, range, depth: depth + 1)
        }
        func list(_ number: Int) throws(ProtobufError) -> [JSONValue] {
            guard let list = values[number], case .value(let type)? = fieldType(message, number) else { return [] }
            return try decodeRepeated(type, list, bytes, depth: depth)
        }

        switch special {
        case .quantity:
            guard case .string(let text)? = try scalar(1, .string) else { return .string("0") }
            do {
                return .string(try Quantity(text).canonical)
            } catch {
                throw ProtobufError("invalid quantity \"\(text)\": \(error.description)")
            }

        case .intOrString:
            if try integer(1, .int64) == 1 { return try scalar(3, .string) ?? .string("") }
            return .int(try integer(2, .int32))

        case .time:
            // An empty message is Go's zero time; nanoseconds are dropped, as upstream does.
            guard !range.isEmpty else { return .null }
            let seconds = try integer(1, .int64)
            let time = Time(secondsSinceEpoch: seconds)
            if time.isZero { return .null }
            try checkYear(seconds: seconds)
            return .string(time.description)

        case .microTime:
            guard !range.isEmpty else { return .null }
            var seconds = try integer(1, .int64)
            var nanos = try integer(2, .int32)
            // Normalise nanoseconds into [0, 1e9) as Go's time.Unix does.
            let carry = nanos >= 0 ? nanos / 1_000_000_000 : (nanos - 999_999_999) / 1_000_000_000
            seconds += carry
            nanos -= carry * 1_000_000_000
            try checkYear(seconds: seconds)
            let micro = MicroTime(microsecondsSinceEpoch: seconds * 1_000_000 + nanos / 1000)
            return micro.isZero ? .null : .string(micro.description)

        case .duration:
            return .string(Duration(nanoseconds: try integer(1, .int64)).description)

        case .rawJSON:
            guard case .bytes(let raw)? = values[1]?.last, !raw.isEmpty else { return .null }
            let payload = Array(bytes[raw])
            if payload.starts(with: KubernetesProtobuf.magic) {
                return try KubernetesProtobuf.decode(payload, depth: depth + 1)
            }
            do {
                return try JSONCodec.parse(payload)
            } catch {
                throw ProtobufError("embedded JSON is malformed: \(error)")
            }

        case .schemaOrArray:
            let schemas = try list(2)
            if !schemas.isEmpty { return .array(schemas) }
            return try submessage(1) ?? .null

        case .schemaOrBool:
            if let schema = try submessage(2) { return schema }
            return try scalar(1, .bool) ?? .bool(false)

        case .schemaOrStringArray:
            let strings = try list(2)
            if !strings.isEmpty { return .array(strings) }
            return try submessage(1) ?? .null

        case .slice:
            return .array(try list(1))
        }
    }

    /// Go refuses to write times outside years 0…9999 as RFC 3339.
    private func checkYear(seconds: Int64) throws(ProtobufError) {
        // 0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z.
        guard seconds >= -62_167_219_200, seconds < 253_402_300_800 else {
            throw ProtobufError("time \(seconds)s after the epoch is outside years 0 to 9999")
        }
    }

    private func fieldType(_ message: ProtobufSchema.Message, _ number: Int) -> ProtobufSchema.FieldType? {
        message.fieldIndex(number: number).map { message.fields[$0].type }
    }
}
