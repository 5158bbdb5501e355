extension Swift.Duration {
    /// The duration in seconds, as metrics and logs report it.
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
