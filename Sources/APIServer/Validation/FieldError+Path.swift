extension FieldError {
    /// A field path printed as Kubernetes prints `field.Path`: children joined with `.`,
    /// list indexes as `[0]`, map keys as `[key]` (unquoted).
    struct Path: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
        private(set) var description: String

        init(_ root: String) { description = root }
        init(stringLiteral value: String) { description = value }

        /// The path of one or more nested fields, e.g. `child("template", "spec")`.
        func child(_ names: String...) -> Path {
            var path = self
            for name in names {
                path.description = path.description.isEmpty ? name : path.description + "." + name
            }
            return path
        }

        func index(_ index: Int) -> Path {
            var path = self
            path.description += "[\(index)]"
            return path
        }

        func key(_ key: String) -> Path {
            var path = self
            path.description += "[\(key)]"
            return path
        }
    }
}
