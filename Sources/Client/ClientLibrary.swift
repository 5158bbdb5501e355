/// Skiff's client side of the Kubernetes API: the workqueue and controller runner
/// (`Workqueue/`) and the informer machinery (`Informers/`); the REST client joins them.
public enum ClientLibrary {
    /// The User-Agent Skiff components send, as `<component>/<version>`.
    public static func userAgent(component: String) -> String { "\(component)/v1.32.0-skiff" }
}
