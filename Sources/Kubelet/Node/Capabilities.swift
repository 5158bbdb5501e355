import CLibcap

/// The capabilities the kubelet needs to run pods (mounting volumes, managing cgroups and
/// files owned by containers), checked through libcap at start.
public enum Capabilities {
    static let needed: [(String, cap_value_t)] = [
        ("CAP_SYS_ADMIN", cap_value_t(CAP_SYS_ADMIN)), ("CAP_NET_ADMIN", cap_value_t(CAP_NET_ADMIN)),
        ("CAP_CHOWN", cap_value_t(CAP_CHOWN)), ("CAP_DAC_OVERRIDE", cap_value_t(CAP_DAC_OVERRIDE)),
        ("CAP_FOWNER", cap_value_t(CAP_FOWNER)), ("CAP_KILL", cap_value_t(CAP_KILL)),
    ]

    /// The needed capabilities this process lacks in its effective set (empty when it has all).
    public static func missing() -> [String] {
        guard let caps = cap_get_proc() else { return needed.map(\.0) }
        defer { cap_free(UnsafeMutableRawPointer(caps)) }
        var result: [String] = []
        for (name, value) in needed {
            var flag = cap_flag_value_t(rawValue: 0)
            if cap_get_flag(caps, value, CAP_EFFECTIVE, &flag) != 0 || flag != CAP_SET { result.append(name) }
        }
        return result
    }
}
