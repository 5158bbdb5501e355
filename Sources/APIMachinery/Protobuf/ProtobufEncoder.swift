/// Writes a JSON tree as a protobuf message by the generated table: fields in number order,
/// `null` and absent members left out, map entries sorted by key, special messages from their
/// JSON form (quantity and time strings, int-or-string, embedded JSON). Members the table does
/// not know (`kind` and `apiVersion` at the top, unknown fields) are ignored.
struct ProtobufEncoder {
    let schema: ProtobufSchema

    func encodeMessage(_ index: Int, _ value: JSONValue, depth: Int) throws(ProtobufError) -> [UInt8] {
        guard depth <= ProtobufDecoder.maximumDepth else {
            throw ProtobufError("objects nested more than \(ProtobufDecoder.maximumDepth) deep")
        }
        let message = schema.messages[index]
        var writer = ProtobufWriter()
        if let special = message.special {
            try encodeSpecial(special, message, value, into: &writer, depth: depth)
            return writer.bytes
        }
        switch value {
        case .null: try encodeMembers(message, JSONObject(), into: &writer, depth: depth)
        case .object(let object): try encodeMembers(message, object, into: &writer, depth: depth)
        default: throw mismatch(value, expected: "object")
        }
        return writer.bytes
    }

    private func encodeMembers(_ message: ProtobufSchema.Message, _ object: JSONObject,
                               into writer: inout ProtobufWriter, depth: Int) throws(ProtobufError) {
        for position in message.encodingOrder {
            let field = message.fields[position]
            if field.isInline {
                guard case .value(.message(let inner)) = field.type else {
                    preconditionFailure("protobuf table: inline field \(field.number) is not a message")
                }
                var nested = ProtobufWriter()
                try encodeMembers(schema.messages[inner], object, into: &nested, depth: depth + 1)
                writer.writeBytesField(field.number, nested.bytes)
                continue
            }
            guard let member = object[field.jsonName], member != .null else {
                try encodeAbsent(field, into: &writer, depth: depth)
                continue
            }
            do throws(ProtobufError) {
                try encodeField(field, member, into: &writer, depth: depth)
            } catch {
                throw error.within(field.jsonName)
            }
        }
    }

    /// Go writes a non-pointer scalar or struct field even when it holds the zero value; so do
    /// we, which keeps our bytes identical to a Go client's for the same object.
    private func encodeAbsent(_ field: ProtobufSchema.Field, into writer: inout ProtobufWriter,
                              depth: Int) throws(ProtobufError) {
        guard !field.isPointer, !field.isRepeated, case .value(let type) = field.type else { return }
        switch type {
        case .scalar(.bytes):
            return
        case .scalar(let scalar):
            try encodeScalar(scalar, field.number, zero(scalar), into: &writer)
        case .message(let inner):
            if schema.messages[inner].special == .slice { return }
            do throws(ProtobufError) {
                writer.writeBytesField(field.number, try encodeMessage(inner, .null, depth: depth + 1))
            } catch {
                throw error.within(field.jsonName)
            }
        }
    }

    private func encodeField(_ field: ProtobufSchema.Field, _ value: JSONValue, into writer: inout ProtobufWriter,
                             depth: Int) throws(ProtobufError) {
        switch field.type {
        case .map(let keyType, let valueType):
            guard case .object(let object) = value else { throw mismatch(value, expected: "object") }
            let sorted = object.members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            for member in sorted {
                var entry = ProtobufWriter()
                do throws(ProtobufError) {
                    try encodeScalar(keyType, 1, mapKey(member.key, keyType), into: &entry)
                    if member.value != .null {
                        try encodeValue(valueType, 2, member.value, into: &entry, depth: depth)
                    } else if case .message = valueType {
                        entry.writeBytesField(2, [])
                    }
                } catch {
                    throw error.within(member.key)
                }
                writer.writeBytesField(field.number, entry.bytes)
            }
        case .value(let type) where field.isRepeated:
            guard case .array(let elements) = value else { throw mismatch(value, expected: "array") }
            for (i, element) in elements.enumerated() {
                do throws(ProtobufError) {
                    try encodeValue(type, field.number, element, into: &writer, depth: depth)
                } catch {
                    throw error.within("[\(i)]")
                }
            }
        case .value(let type):
            try encodeValue(type, field.number, value, into: &writer, depth: depth)
        }
    }

    private func mapKey(_ key: String, _ type: ProtobufSchema.Scalar) throws(ProtobufError) -> JSONValue {
        switch type {
        case .string: return .string(key)
        case .bool: return .bool(key == "true")
        default:
            guard let number = Int64(key) else { throw ProtobufError("map key \"\(key)\" is not an integer") }
            return .int(number)
        }
    }

    private func encodeValue(_ type: ProtobufSchema.ValueType, _ number: Int, _ value: JSONValue,
                             into writer: inout ProtobufWriter, depth: Int) throws(ProtobufError) {
        switch type {
        case .scalar(let scalar):
            // A null list element or map value is the zero value, as Go reads it.
            try encodeScalar(scalar, number, value == .null ? zero(scalar) : value, into: &writer)
        case .message(let inner):
            writer.writeBytesField(number, try encodeMessage(inner, value, depth: depth + 1))
        }
    }

    private func zero(_ scalar: ProtobufSchema.Scalar) -> JSONValue {
        switch scalar {
        case .bool: .bool(false)
        case .string, .bytes: .string("")
        default: .int(0)
        }
    }

    // MARK: - Scalars

    private func encodeScalar(_ scalar: ProtobufSchema.Scalar, _ number: Int, _ value: JSONValue,
                              into writer: inout ProtobufWriter) throws(ProtobufError) {
        switch scalar {
        case .string:
            guard case .string(let s) = value else { throw mismatch(value, expected: "string") }
            writer.writeStringField(number, s)
        case .bytes:
            guard case .string(let s) = value else { throw mismatch(value, expected: "string") }
            do {
                writer.writeBytesField(number, try Base64Bytes(base64: s).bytes)
            } catch {
                throw ProtobufError(error.description)
            }
        case .bool:
            guard case .bool(let b) = value else { throw mismatch(value, expected: "bool") }
            writer.writeVarintField(number, b ? 1 : 0)
        case .double, .float:
            let d: Double
            switch value {
            case .int(let i): d = Double(i)
            case .double(let x): d = x
            default: throw mismatch(value, expected: "number")
            }
            if scalar == .double {
                writer.writeKey(number, .fixed64)
                writer.writeFixed64(d.bitPattern)
            } else {
                writer.writeKey(number, .fixed32)
                writer.writeFixed32(Float(d).bitPattern)
            }
        case .int32, .sint32, .sfixed32:
            let i = try integer(value, in: Int64(Int32.min)...Int64(Int32.max), scalar)
            switch scalar {
            case .sint32:
                let n = Int32(i)
                writer.writeVarintField(number, UInt64(UInt32(bitPattern: (n << 1) ^ (n >> 31))))
            case .sfixed32:
                writer.writeKey(number, .fixed32)
                writer.writeFixed32(UInt32(bitPattern: Int32(i)))
            default:
                writer.writeVarintField(number, UInt64(bitPattern: i))  // negative: sign-extended
            }
        case .uint32, .fixed32:
            let i = try integer(value, in: 0...Int64(UInt32.max), scalar)
            if scalar == .fixed32 {
                writer.writeKey(number, .fixed32)
                writer.writeFixed32(UInt32(i))
            } else {
                writer.writeVarintField(number, UInt64(i))
            }
        case .int64, .sint64, .sfixed64:
            let i = try integer(value, in: Int64.min...Int64.max, scalar)
            switch scalar {
            case .sint64: writer.writeVarintField(number, UInt64(bitPattern: (i << 1) ^ (i >> 63)))
            case .sfixed64:
                writer.writeKey(number, .fixed64)
                writer.writeFixed64(UInt64(bitPattern: i))
            default: writer.writeVarintField(number, UInt64(bitPattern: i))
            }
        case .uint64, .fixed64:
            let u: UInt64
            switch value {
            case .int(let i) where i >= 0: u = UInt64(i)
            case .double(let d) where d >= 0 && d < 18_446_744_073_709_551_616 && d == d.rounded(): u = UInt64(d)
            default: throw mismatch(value, expected: "unsigned integer")
            }
            if scalar == .fixed64 {
                writer.writeKey(number, .fixed64)
                writer.writeFixed64(u)
            } else {
                writer.writeVarintField(number, u)
            }
        }
    }

    private func integer(_ value: JSONValue, in range: ClosedRange<Int64>,
                         _ scalar: ProtobufSchema.Scalar) throws(ProtobufError) -> Int64 {
        let i: Int64
        switch value {
        case .int(let x): i = x
        case .double(let d) where d == d.rounded() && d >= -9.223372036854775808e18 && d < 9.223372036854775808e18:
            i = Int64(d)
        default: throw mismatch(value, expected: scalar.rawValue)
        }
        guard range.contains(i) else { throw ProtobufError("\(i) does not fit a \(scalar.rawValue)") }
        return i
    }

    private func mismatch(_ value: JSONValue, expected: String) -> ProtobufError {
        ProtobufError("expected \(expected), found \(value.typeName)")
    }

    // MARK: - Special messages

    private func encodeSpecial(_ special: ProtobufSchema.Special, _ message: ProtobufSchema.Message, _ value: JSONValue,
                               into writer: inout ProtobufWriter, depth: Int) throws(ProtobufError) {
        func messageType(_ number: Int) -> Int {
            guard let position = message.fieldIndex(number: number),
                case .value(let type) = message.fields[position].type
            else { preconditionFailure("protobuf table: \(message.name) lacks field \(number)") }
            guard case .message(let inner) = type else { return -1 }
            return inner
        }
        if value == .null {
            // The zero value, as Go writes it.
            switch special {
            case .quantity: writer.writeStringField(1, "0")
            case .intOrString:
                writer.writeVarintField(1, 0)
                writer.writeVarintField(2, 0)
                writer.writeStringField(3, "")
            case .duration: writer.writeVarintField(1, 0)
            case .schemaOrBool: writer.writeVarintField(1, 0)
            default: break
            }
            return
        }
        switch special {
        case .quantity:
            let text: String
            switch value {
            case .string(let s): text = s
            case .int, .double: text = JSONCodec.encodeToString(value)
            default: throw mismatch(value, expected: "quantity string")
            }
            do {
                writer.writeStringField(1, try Quantity(text).canonical)
            } catch {
                throw ProtobufError("invalid quantity \"\(text)\": \(error.description)")
            }

        case .intOrString:
            switch value {
            case .string(let s):
                writer.writeVarintField(1, 1)
                writer.writeVarintField(2, 0)
                writer.writeStringField(3, s)
            default:
                let i = try integer(value, in: Int64(Int32.min)...Int64(Int32.max), .int32)
                writer.writeVarintField(1, 0)
                writer.writeVarintField(2, UInt64(bitPattern: i))
                writer.writeStringField(3, "")
            }

        case .time:
            guard case .string(let s) = value else { throw mismatch(value, expected: "string") }
            let time: Time
            do { time = try Time(rfc3339: s) } catch { throw ProtobufError(error.description) }
            if time.isZero { return }
            writer.writeVarintField(1, UInt64(bitPattern: time.secondsSinceEpoch))
            writer.writeVarintField(2, 0)

        case .microTime:
            guard case .string(let s) = value else { throw mismatch(value, expected: "string") }
            let time: MicroTime
            do { time = try MicroTime(rfc3339: s) } catch { throw ProtobufError(error.description) }
            if time.isZero { return }
            let micro = time.microsecondsSinceEpoch
            let seconds = micro >= 0 ? micro / 1_000_000 : (micro - 999_999) / 1_000_000
            writer.writeVarintField(1, UInt64(bitPattern: seconds))
            writer.writeVarintField(2, UInt64((micro - seconds * 1_000_000) * 1000))

        case .duration:
            guard case .string(let s) = value else { throw mismatch(value, expected: "string") }
            do {
                writer.writeVarintField(1, UInt64(bitPattern: try Duration(parsing: s).nanoseconds))
            } catch {
                throw ProtobufError(error.description)
            }

        case .rawJSON:
            writer.writeBytesField(1, JSONCodec.encode(value))

        case .schemaOrArray:
            switch value {
            case .object:
                writer.writeBytesField(1, try encodeMessage(messageType(1), value, depth: depth + 1))
            case .array(let schemas):
                for (i, schema) in schemas.enumerated() {
                    do throws(ProtobufError) {
                        writer.writeBytesField(2, try encodeMessage(messageType(2), schema, depth: depth + 1))
                    } catch {
                        throw error.within("[\(i)]")
                    }
                }
            default: throw mismatch(value, expected: "object or array")
            }

        case .schemaOrBool:
            switch value {
            case .bool(let b): writer.writeVarintField(1, b ? 1 : 0)
            case .object:
                writer.writeVarintField(1, 1)
                writer.writeBytesField(2, try encodeMessage(messageType(2), value, depth: depth + 1))
            default: throw mismatch(value, expected: "object or bool")
            }

        case .schemaOrStringArray:
            switch value {
            case .object:
                writer.writeBytesField(1, try encodeMessage(messageType(1), value, depth: depth + 1))
            case .array(let strings):
                for (i, string) in strings.enumerated() {
                    guard case .string(let s) = string else {
                        throw mismatch(string, expected: "string").within("[\(i)]")
                    }
                    writer.writeStringField(2, s)
                }
            default: throw mismatch(value, expected: "object or array")
            }

        case .slice:
            guard case .array(let items) = value else { throw mismatch(value, expected: "array") }
            guard let position = message.fieldIndex(number: 1),
                case .value(let type) = message.fields[position].type
            else {
                preconditionFailure("protobuf table: \(message.name) lacks field 1")
            }
            for (i, item) in items.enumerated() {
                do throws(ProtobufError) {
                    try encodeValue(type, 1, item, into: &writer, depth: depth)
                } catch {
                    throw error.within("[\(i)]")
                }
            }
        }
    }
}
