/// Skiff's scheduler: the scheduling framework and its plugins (`Framework/`, `Plugins/`), the
/// scheduling queue (`Queue/`), and the service that binds pods through the apiserver.
public enum SchedulerLibrary {
    /// The scheduler name pods get when they do not ask for one.
    public static let defaultSchedulerName = "default-scheduler"
}
