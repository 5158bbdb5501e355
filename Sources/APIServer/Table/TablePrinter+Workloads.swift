import APIMachinery

// Cells for the workload kinds: apps/v1, batch/v1 and policy/v1 PodDisruptionBudget.

extension TablePrinter {
    // MARK: apps

    /// NAME, READY (`ready/desired`), UP-TO-DATE, AVAILABLE, AGE, CONTAINERS, IMAGES, SELECTOR.
    /// SELECTOR is the canonical selector text, "" when absent or empty, `<invalid>` when it
    /// does not convert.
    static func deploymentCells(_ deployment: TableField, now: Time) -> [JSONValue] {
        let spec = deployment["spec"]
        let status = deployment["status"]
        let (names, images) = TableFormat.containers(spec["template"]["spec"]["containers"])
        let selector: String
        switch TableFormat.selector(spec["selector"]) {
        case .nothing: selector = ""
        case .invalid: selector = "<invalid>"
        case .query(let query): selector = query.description
        }
        return [
            .string(TableFormat.name(deployment)),
            .string("\(status["readyReplicas"].number)/\(spec["replicas"].number)"),
            .int(status["updatedReplicas"].number),
            .int(status["availableReplicas"].number),
            .string(TableFormat.age(deployment, now: now)),
            .string(names), .string(images), .string(selector),
        ]
    }

    /// NAME, DESIRED, CURRENT, READY, AGE, CONTAINERS, IMAGES, SELECTOR.
    static func replicaSetCells(_ replicaSet: TableField, now: Time) -> [JSONValue] {
        let spec = replicaSet["spec"]
        let status = replicaSet["status"]
        let (names, images) = TableFormat.containers(spec["template"]["spec"]["containers"])
        return [
            .string(TableFormat.name(replicaSet)),
            .int(spec["replicas"].number), .int(status["replicas"].number), .int(status["readyReplicas"].number),
            .string(TableFormat.age(replicaSet, now: now)),
            .string(names), .string(images), .string(TableFormat.labelSelector(spec["selector"])),
        ]
    }

    /// NAME, READY (`ready/desired`), AGE, CONTAINERS, IMAGES.
    static func statefulSetCells(_ statefulSet: TableField, now: Time) -> [JSONValue] {
        let spec = statefulSet["spec"]
        let (names, images) = TableFormat.containers(spec["template"]["spec"]["containers"])
        return [
            .string(TableFormat.name(statefulSet)),
            .string("\(statefulSet["status"]["readyReplicas"].number)/\(spec["replicas"].number)"),
            .string(TableFormat.age(statefulSet, now: now)),
            .string(names), .string(images),
        ]
    }

    /// NAME, DESIRED, CURRENT, READY, UP-TO-DATE, AVAILABLE, NODE SELECTOR, AGE, CONTAINERS,
    /// IMAGES, SELECTOR.
    static func daemonSetCells(_ daemonSet: TableField, now: Time) -> [JSONValue] {
        let spec = daemonSet["spec"]
        let status = daemonSet["status"]
        let (names, images) = TableFormat.containers(spec["template"]["spec"]["containers"])
        return [
            .string(TableFormat.name(daemonSet)),
            .int(status["desiredNumberScheduled"].number),
            .int(status["currentNumberScheduled"].number),
            .int(status["numberReady"].number),
            .int(status["updatedNumberScheduled"].number),
            .int(status["numberAvailable"].number),
            .string(TableFormat.labels(spec["template"]["spec"]["nodeSelector"])),
            .string(TableFormat.age(daemonSet, now: now)),
            .string(names), .string(images), .string(TableFormat.labelSelector(spec["selector"])),
        ]
    }

    /// NAME, CONTROLLER (`kind.group/name` of the controlling owner, lower-cased kind and group,
    /// or `<none>`), REVISION, AGE.
    static func controllerRevisionCells(_ revision: TableField, now: Time) -> [JSONValue] {
        var controller = "<none>"
        if let owner = revision["metadata"]["ownerReferences"].array.first(where: { $0["controller"].bool == true }) {
            let apiVersion = owner["apiVersion"].text
            let group = apiVersion.contains("/") ? String(apiVersion.prefix { $0 != "/" }) : ""
            let kind = owner["kind"].text
            let name = owner["name"].text
            if group.isEmpty && kind.isEmpty {
                controller = name
            } else {
                controller = (group.isEmpty ? kind : "\(kind).\(group)").lowercased() + "/" + name
            }
        }
        return [
            .string(TableFormat.name(revision)), .string(controller), .int(revision["revision"].number),
            .string(TableFormat.age(revision, now: now)),
        ]
    }

    // MARK: batch

    /// NAME, STATUS, COMPLETIONS, DURATION, AGE, CONTAINERS, IMAGES, SELECTOR.
    ///
    /// STATUS is the first that holds of `Complete`, `Failed` (true conditions), `Terminating`
    /// (deleting), `Suspended`, `FailureTarget` (true conditions), else `Running`. COMPLETIONS
    /// reads `succeeded/completions`, or `succeeded/1` (`… of P` when parallelism P > 1) without
    /// a completion count. DURATION runs from `startTime` to `completionTime`, or to now; empty
    /// before the job starts.
    static func jobCells(_ job: TableField, now: Time) -> [JSONValue] {
        let spec = job["spec"]
        let status = job["status"]
        let succeeded = status["succeeded"].number
        let completions: String
        if let required = spec["completions"].int {
            completions = "\(succeeded)/\(required)"
        } else {
            let parallelism = spec["parallelism"].number
            completions = parallelism > 1 ? "\(succeeded)/1 of \(parallelism)" : "\(succeeded)/1"
        }

        var duration = ""
        if let start = status["startTime"].time {
            if let end = status["completionTime"].time {
                duration = HumanDuration.between(start, end)
            } else {
                duration = HumanDuration.between(start, now)
            }
        }

        let conditions = status["conditions"].array
        func holds(_ type: String) -> Bool {
            guard let condition = conditions.first(where: { $0["type"].string == type }) else { return false }
            return condition["status"].string == "True"
        }
        let state: String
        if holds("Complete") {
            state = "Complete"
        } else if holds("Failed") {
            state = "Failed"
        } else if job["metadata"]["deletionTimestamp"].isPresent {
            state = "Terminating"
        } else if holds("Suspended") {
            state = "Suspended"
        } else if holds("FailureTarget") {
            state = "FailureTarget"
        } else {
            state = "Running"
        }

        let (names, images) = TableFormat.containers(spec["template"]["spec"]["containers"])
        return [
            .string(TableFormat.name(job)), .string(state), .string(completions), .string(duration),
            .string(TableFormat.age(job, now: now)),
            .string(names), .string(images), .string(TableFormat.labelSelector(spec["selector"])),
        ]
    }

    /// NAME, SCHEDULE, TIMEZONE, SUSPEND (`True`/`False`/`<unset>`), ACTIVE, LAST SCHEDULE,
    /// AGE, CONTAINERS, IMAGES, SELECTOR (of the job template).
    static func cronJobCells(_ cronJob: TableField, now: Time) -> [JSONValue] {
        let spec = cronJob["spec"]
        let status = cronJob["status"]
        var lastSchedule = "<none>"
        if status["lastScheduleTime"].isPresent {
            lastSchedule = HumanDuration.since(status["lastScheduleTime"].time, now: now)
        }
        let suspend = spec["suspend"].bool.map(TableFormat.bool) ?? "<unset>"
        let jobSpec = spec["jobTemplate"]["spec"]
        let (names, images) = TableFormat.containers(jobSpec["template"]["spec"]["containers"])
        return [
            .string(TableFormat.name(cronJob)),
            .string(spec["schedule"].text),
            .string(spec["timeZone"].string ?? "<none>"),
            .string(suspend),
            .int(Int64(status["active"].count)),
            .string(lastSchedule),
            .string(TableFormat.age(cronJob, now: now)),
            .string(names), .string(images), .string(TableFormat.labelSelector(jobSpec["selector"])),
        ]
    }

    // MARK: policy

    /// NAME, MIN AVAILABLE, MAX UNAVAILABLE (`N/A` when unset), ALLOWED DISRUPTIONS, AGE.
    static func podDisruptionBudgetCells(_ budget: TableField, now: Time) -> [JSONValue] {
        func intOrString(_ field: TableField) -> String {
            if let number = field.int { return String(number) }
            if let text = field.string { return text }
            return "N/A"
        }
        return [
            .string(TableFormat.name(budget)),
            .string(intOrString(budget["spec"]["minAvailable"])),
            .string(intOrString(budget["spec"]["maxUnavailable"])),
            .int(budget["status"]["disruptionsAllowed"].number),
            .string(TableFormat.age(budget, now: now)),
        ]
    }
}
