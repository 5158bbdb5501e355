import APIMachinery

/// ConfigMaps and Secrets: key format, the 1 MiB size limit, type-specific required keys of
/// Secrets, and the `immutable` flag on update.
enum ConfigValidation {
    typealias Path = FieldError.Path

    static let maxSize = 1024 * 1024
    static let immutableWhenSet = "field is immutable when `immutable` is set"

    // MARK: ConfigMap

    static func validateConfigMap(_ configMap: CoreV1.ConfigMap) -> [FieldError] {
        var errors: [FieldError] = []
        var total = 0
        let data = configMap.data ?? [:]
        let binary = configMap.binaryData ?? [:]
        for key in data.keys.sorted() {
            for message in ValidationFormats.configMapKey(key) {
                errors.append(.invalid(Path("data").key(key), .string(key), message))
            }
            if binary[key] != nil {
                errors.append(.invalid(Path("data").key(key), .string(key), "duplicate of key present in binaryData"))
            }
            total += data[key]?.utf8.count ?? 0
        }
        for key in binary.keys.sorted() {
            for message in ValidationFormats.configMapKey(key) {
                errors.append(.invalid(Path("binaryData").key(key), .string(key), message))
            }
            total += binary[key]?.bytes.count ?? 0
        }
        if total > maxSize { errors.append(.tooLong(Path(""), max: maxSize)) }
        return errors
    }

    static func validateConfigMapUpdate(_ new: CoreV1.ConfigMap, old: CoreV1.ConfigMap) -> [FieldError] {
        guard old.immutable == true else { return [] }
        var errors: [FieldError] = []
        if new.immutable != true { errors.append(.forbidden("immutable", immutableWhenSet)) }
        if (new.data ?? [:]) != (old.data ?? [:]) { errors.append(.forbidden("data", immutableWhenSet)) }
        if (new.binaryData ?? [:]) != (old.binaryData ?? [:]) { errors.append(.forbidden("binaryData", immutableWhenSet)) }
        return errors
    }

    // MARK: Secret

    /// `data` with `stringData` merged in, as the apiserver converts it before validating.
    static func effectiveData(_ secret: CoreV1.Secret) -> [String: [UInt8]] {
        var data = (secret.data ?? [:]).mapValues(\.bytes)
        for (key, value) in secret.stringData ?? [:] { data[key] = Array(value.utf8) }
        return data
    }

    static func validateSecret(_ secret: CoreV1.Secret) -> [FieldError] {
        var errors: [FieldError] = []
        let dataPath: Path = "data"
        let data = effectiveData(secret)
        var total = 0
        for key in data.keys.sorted() {
            for message in ValidationFormats.configMapKey(key) {
                errors.append(.invalid(dataPath.key(key), .string(key), message))
            }
            total += data[key]?.count ?? 0
        }
        if total > maxSize { errors.append(.tooLong(dataPath, max: maxSize)) }
        switch secret.type ?? "" {
        case "kubernetes.io/service-account-token":
            let key = "kubernetes.io/service-account.name"
            if (secret.metadata?.annotations?[key] ?? "").isEmpty {
                errors.append(.required(Path("metadata.annotations").key(key)))
            }
        case "kubernetes.io/dockercfg":
            errors += jsonKey(".dockercfg", in: data, path: dataPath)
        case "kubernetes.io/dockerconfigjson":
            errors += jsonKey(".dockerconfigjson", in: data, path: dataPath)
        case "kubernetes.io/basic-auth":
            if data["username"] == nil && data["password"] == nil {
                errors.append(.required(dataPath.key("username")))
                errors.append(.required(dataPath.key("password")))
            }
        case "kubernetes.io/ssh-auth":
            if (data["ssh-privatekey"] ?? []).isEmpty { errors.append(.required(dataPath.key("ssh-privatekey"))) }
        case "kubernetes.io/tls":
            if data["tls.crt"] == nil { errors.append(.required(dataPath.key("tls.crt"))) }
            if data["tls.key"] == nil { errors.append(.required(dataPath.key("tls.key"))) }
        default:
            break
        }
        return errors
    }

    /// The key must exist and hold a JSON object.
    private static func jsonKey(_ key: String, in data: [String: [UInt8]], path: Path) -> [FieldError] {
        guard let bytes = data[key] else { return [.required(path.key(key))] }
        let problem: String?
        do {
            let value = try JSONCodec.parse(bytes)
            if case .object = value {
                problem = nil
            } else {
                problem = "json: cannot unmarshal \(value.typeName) into Go value of type map[string]interface {}"
            }
        } catch {
            problem = (error as? JSONDecodeError)?.message ?? "\(error)"
        }
        guard let problem else { return [] }
        return [.invalid(path.key(key), .string("<secret contents redacted>"), problem)]
    }

    static func validateSecretUpdate(_ new: CoreV1.Secret, old: CoreV1.Secret) -> [FieldError] {
        var errors: [FieldError] = []
        if (new.type ?? "") != (old.type ?? "") {
            errors.append(.immutable("type", .string(new.type ?? "")))
        }
        if old.immutable == true {
            if new.immutable != true { errors.append(.forbidden("immutable", immutableWhenSet)) }
            if effectiveData(new) != effectiveData(old) { errors.append(.forbidden("data", immutableWhenSet)) }
        }
        return errors
    }
}
