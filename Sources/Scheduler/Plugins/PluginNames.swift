/// The names of the in-tree plugins, as configuration files spell them.
public enum PluginNames {
    public static let prioritySort = "PrioritySort"
    public static let nodeUnschedulable = "NodeUnschedulable"
    public static let nodeName = "NodeName"
    public static let nodePorts = "NodePorts"
    public static let nodeResourcesFit = "NodeResourcesFit"
    public static let nodeResourcesBalancedAllocation = "NodeResourcesBalancedAllocation"
    public static let nodeAffinity = "NodeAffinity"
    public static let taintToleration = "TaintToleration"
    public static let imageLocality = "ImageLocality"
    public static let interPodAffinity = "InterPodAffinity"
    public static let podTopologySpread = "PodTopologySpread"
    public static let defaultPreemption = "DefaultPreemption"
}
