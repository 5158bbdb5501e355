import APIMachinery

extension DefaultPreemption {
    /// The fewest lower-priority pods to remove from `nodeInfo` for `pod` to fit (upstream
    /// `SelectVictimsOnNode`), most important first, with how many of them violate a PDB.
    /// `state` is changed (pass a clone). The status is `.success`, the unresolvable "no
    /// victims" verdict, or the filters' rejection with every lower-priority pod removed.
    func selectVictims(
        on nodeInfo: NodeInfo, state: CycleState, pod: PodInfo, context: PostFilterContext,
        budgets: [DisruptionBudget]
    ) -> (victims: [PodInfo], pdbViolations: Int, status: Status) {
        let framework = context.framework
        var potential: [PodInfo] = []
        var kept: [PodInfo] = []
        for other in nodeInfo.pods {
            if other.priority < pod.priority { potential.append(other) } else { kept.append(other) }
        }
        if potential.isEmpty { return ([], 0, Status(.unschedulableAndUnresolvable, Self.noVictimsReason)) }
        guard let node = nodeInfo.node else { return ([], 0, .error("node \"\(nodeInfo.name)\" not found")) }

        var current = NodeInfo(node: node, pods: kept)
        for other in potential {
            let status = framework.runPreFilterExtensionRemovePod(
                state: state, podToSchedule: pod, podToRemove: other, nodeInfo: current)
            if !status.isSuccess { return ([], 0, status) }
        }
        let fits = framework.runFilterPluginsWithNominatedPods(
            state: state, pod: pod, nodeInfo: current, nominatedPods: context.nominatedPods)
        if !fits.isSuccess { return ([], 0, fits) }

        potential = potential.stableSorted { $0.isMoreImportant(than: $1) }
        let (violating, nonViolating) = Self.splitByBudgetViolation(potential, budgets: budgets)
        var victims: [PodInfo] = []
        var failure: Status?

        /// Puts `other` back; keeps it when the pod still fits, else makes it a victim.
        func reprieve(_ other: PodInfo) -> Bool {
            let withPod = current.adding(other)
            let added = framework.runPreFilterExtensionAddPod(
                state: state, podToSchedule: pod, podToAdd: other, nodeInfo: withPod)
            if !added.isSuccess {
                failure = added
                return false
            }
            let status = framework.runFilterPluginsWithNominatedPods(
                state: state, pod: pod, nodeInfo: withPod, nominatedPods: context.nominatedPods)
            if status.isSuccess {
                current = withPod
                return true
            }
            let removed = framework.runPreFilterExtensionRemovePod(
                state: state, podToSchedule: pod, podToRemove: other, nodeInfo: current)
            if !removed.isSuccess { failure = removed }
            victims.append(other)
            return false
        }

        var violations = 0
        for other in violating {
            if !reprieve(other) { violations += 1 }
            if let failure { return ([], 0, failure) }
        }
        for other in nonViolating {
            _ = reprieve(other)
            if let failure { return ([], 0, failure) }
        }
        if !violating.isEmpty && !nonViolating.isEmpty {
            victims = victims.stableSorted { $0.isMoreImportant(than: $1) }
        }
        return (victims, violations, .success)
    }

    /// Splits `pods` (order kept) into those whose eviction would exceed a covering budget's
    /// allowed disruptions, counting the pods before them, and the others (upstream
    /// `filterPodsWithPDBViolation`). Pods the budget already lists as disrupted do not count.
    static func splitByBudgetViolation(_ pods: [PodInfo], budgets: [DisruptionBudget]) -> (
        violating: [PodInfo], nonViolating: [PodInfo]
    ) {
        var allowed = budgets.map { Int64($0.disruptionsAllowed) }
        var violating: [PodInfo] = []
        var nonViolating: [PodInfo] = []
        for pod in pods {
            var violated = false
            for (index, budget) in budgets.enumerated()
            where budget.covers(pod) && !budget.disruptedPods.contains(pod.name) {
                allowed[index] -= 1
                if allowed[index] < 0 { violated = true }
            }
            if violated { violating.append(pod) } else { nonViolating.append(pod) }
        }
        return (violating, nonViolating)
    }
}

extension Array {
    /// A stable sort: elements `areInIncreasingOrder` does not order keep their relative order.
    func stableSorted(by areInIncreasingOrder: (Element, Element) -> Bool) -> [Element] {
        enumerated().sorted { lhs, rhs in
            if areInIncreasingOrder(lhs.element, rhs.element) { return true }
            if areInIncreasingOrder(rhs.element, lhs.element) { return false }
            return lhs.offset < rhs.offset
        }.map(\.element)
    }
}
