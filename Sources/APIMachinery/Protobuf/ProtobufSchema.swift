/// The Kubernetes protobuf schema as Skiff needs it to translate between protobuf and JSON:
/// every message of the served API groups with its fields (number, JSON name, type and the Go
/// field traits the JSON form depends on), and the message of each top-level group/version/kind.
///
/// Built once from the generated table (`ProtobufTable.swift`, written by
/// `scripts/codegen/gen-protobuf-table.py`). Its text has one record a line:
///
///     M <message> [<special>]                 a message; its F lines follow
///     F <number> <json> <type> <flags>        a field, in Go declaration order (= JSON member order)
///     K <group or -> <version> <kind> <message>
///
/// `<type>` is a scalar (`string`, `int32`, `bytes`, …), a message name, or
/// `map<key,value>`. `<flags>` is `-` or letters: `r` repeated, `o` omitempty in Go, `p` the Go
/// field is a pointer, `i` embedded inline (its members appear in the enclosing JSON object;
/// the JSON name is then `-`). `<special>` names a message whose JSON form is not an object of
/// its fields (see `Special`).
struct ProtobufSchema: Sendable {
    /// Protobuf scalar types.
    enum Scalar: String, Sendable {
        case double, float, int32, int64, uint32, uint64, sint32, sint64
        case fixed32, fixed64, sfixed32, sfixed64, bool, string, bytes

        /// The wire type a single value of this scalar is written with.
        var wireType: ProtobufWireType {
            switch self {
            case .double, .fixed64, .sfixed64: .fixed64
            case .float, .fixed32, .sfixed32: .fixed32
            case .string, .bytes: .lengthDelimited
            default: .varint
            }
        }
    }

    /// Messages with a JSON form of their own (upstream's custom `MarshalJSON`).
    enum Special: String, Sendable {
        /// `resource.Quantity` (1 string): the canonical quantity string.
        case quantity
        /// `intstr.IntOrString` (1 type, 2 intVal, 3 strVal): a number or a string.
        case intOrString
        /// `meta/v1.Time` (1 seconds, 2 nanos): RFC 3339 in seconds; empty is `null`.
        case time
        /// `meta/v1.MicroTime`: RFC 3339 with six fractional digits; empty is `null`.
        case microTime
        /// `meta/v1.Duration` (1 nanoseconds): Go's duration string.
        case duration
        /// `RawExtension`, `FieldsV1`, apiextensions `JSON` (1 raw bytes): the embedded JSON.
        case rawJSON
        /// `JSONSchemaPropsOrArray` (1 schema, 2 schemas): an object or an array.
        case schemaOrArray
        /// `JSONSchemaPropsOrBool` (1 allows, 2 schema): an object or a boolean.
        case schemaOrBool
        /// `JSONSchemaPropsOrStringArray` (1 schema, 2 strings): an object or an array.
        case schemaOrStringArray
        /// A wrapper for a named Go slice (`ExtraValue`, `Verbs`; 1 repeated items): an array.
        case slice
    }

    /// A single value's type: a scalar or a message (an index into `messages`).
    enum ValueType: Sendable, Hashable {
        case scalar(Scalar)
        case message(Int)
    }

    enum FieldType: Sendable, Hashable {
        case value(ValueType)
        case map(key: Scalar, value: ValueType)
    }

    struct Field: Sendable {
        var number: Int
        /// The JSON member name (`$ref`, `x-kubernetes-…` included); empty for inline fields.
        var jsonName: String
        var type: FieldType
        var isRepeated: Bool
        /// Go's `omitempty`: a zero scalar, empty slice or map is left out of the JSON.
        var omitEmpty: Bool
        /// The Go field is a pointer: present means written, even when zero.
        var isPointer: Bool
        /// Embedded with `json:",inline"`: the message's members belong to the enclosing object.
        var isInline: Bool
    }

    struct Message: Sendable {
        var name: String
        var special: Special?
        /// In Go declaration order, which is the order JSON members are written in.
        var fields: [Field]
        /// Field number → index into `fields`, -1 where no field has that number.
        var indexByNumber: [Int32]
        /// Indices into `fields` in field-number order (the order protobuf writers use).
        var encodingOrder: [Int]

        func fieldIndex(number: Int) -> Int? {
            guard number >= 0, number < indexByNumber.count else { return nil }
            let index = indexByNumber[number]
            return index >= 0 ? Int(index) : nil
        }
    }

    var messages: [Message]
    var messageIndex: [String: Int]
    var kinds: [GroupVersionKind: Int]

    /// The table for Kubernetes 1.32, parsed on first use.
    static let builtin = ProtobufSchema(parsing: source)

    func message(named name: String) -> Int? { messageIndex[name] }

    /// Parses the generated table; a malformed table is a generator bug, not an input error.
    init(parsing text: String) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true)
        var index: [String: Int] = [:]
        var names: [String] = []
        for line in lines where line.hasPrefix("M ") {
            let name = String(line.split(separator: " ")[1])
            index[name] = names.count
            names.append(name)
        }
        func valueType(_ text: Substring) -> ValueType {
            if let scalar = Scalar(rawValue: String(text)) { return .scalar(scalar) }
            guard let message = index[String(text)] else {
                preconditionFailure("protobuf table: unknown type \(text)")
            }
            return .message(message)
        }
        var messages: [Message] = []
        var kinds: [GroupVersionKind: Int] = [:]
        messages.reserveCapacity(names.count)
        for line in lines {
            let parts = line.split(separator: " ")
            switch parts.first {
            case "M":
                let special = parts.count > 2 ? Special(rawValue: String(parts[2])) : nil
                precondition(parts.count == 2 || special != nil, "protobuf table: bad line \(line)")
                messages.append(Message(name: String(parts[1]), special: special, fields: [], indexByNumber: [],
                                        encodingOrder: []))
            case "F":
                precondition(parts.count == 5 && !messages.isEmpty, "protobuf table: bad line \(line)")
                guard let number = Int(parts[1]) else { preconditionFailure("protobuf table: bad line \(line)") }
                let typeText = parts[3]
                let type: FieldType
                if typeText.hasPrefix("map<") {
                    let inner = typeText.dropFirst(4).dropLast()
                    let pair = inner.split(separator: ",")
                    guard pair.count == 2, case .scalar(let key) = valueType(pair[0]) else {
                        preconditionFailure("protobuf table: bad map type \(typeText)")
                    }
                    type = .map(key: key, value: valueType(pair[1]))
                } else {
                    type = .value(valueType(typeText))
                }
                let flags = parts[4]
                let inline = flags.contains("i")
                messages[messages.count - 1].fields.append(Field(
                    number: number, jsonName: inline ? "" : String(parts[2]), type: type,
                    isRepeated: flags.contains("r"), omitEmpty: flags.contains("o"),
                    isPointer: flags.contains("p"), isInline: inline))
            case "K":
                precondition(parts.count == 5, "protobuf table: bad line \(line)")
                guard let message = index[String(parts[4])] else {
                    preconditionFailure("protobuf table: unknown message in \(line)")
                }
                let group = parts[1] == "-" ? "" : String(parts[1])
                kinds[GroupVersionKind(group: group, version: String(parts[2]), kind: String(parts[3]))] = message
            default:
                preconditionFailure("protobuf table: bad line \(line)")
            }
        }
        for i in messages.indices {
            let fields = messages[i].fields
            let highest = fields.map(\.number).max() ?? 0
            var byNumber = [Int32](repeating: -1, count: highest + 1)
            for (position, field) in fields.enumerated() { byNumber[field.number] = Int32(position) }
            messages[i].indexByNumber = byNumber
            messages[i].encodingOrder = fields.indices.sorted { fields[$0].number < fields[$1].number }
        }
        self.messages = messages
        self.messageIndex = index
        self.kinds = kinds
    }
}
