import APIMachinery

/// Server-side printing for `kubectl get`: turns objects into a `meta.k8s.io/v1` Table, as the
/// apiserver answers `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`.
///
/// Pure and total: objects are JSON trees of any shape (missing or ill-typed fields print as
/// Go's zero values or the usual placeholders), and the clock is the `now` argument. Columns and
/// cells follow kube-apiserver 1.32 for the built-in kinds (see `TableKind`); every other kind
/// gets the generic Name / Created At table. As upstream, the server always produces the wide
/// form: every column, every cell, load-balancer addresses untruncated.
public enum TablePrinter {
    /// What each row carries in `object` (the `includeObject` query parameter).
    public enum IncludeObject: String, Sendable, Hashable {
        /// `object` is `null`.
        case none = "None"
        /// `object` is a `meta.k8s.io/v1` PartialObjectMetadata with the object's metadata (the
        /// default, and what kubectl uses unless it sorts).
        case metadata = "Metadata"
        /// `object` is the whole object, as given.
        case object = "Object"
    }

    /// The columns for objects of `gvk`, in cell order.
    public static func columns(for gvk: GroupVersionKind) -> [TableColumn] {
        TableKind(gvk).columns
    }

    /// The cells of one object's row, one per column of `columns(for: gvk)`: strings, integers
    /// (`.int`) and booleans as upstream emits them. Ages are measured at `now`.
    public static func cells(for object: JSONValue, gvk: GroupVersionKind, now: Time) -> [JSONValue] {
        let field = TableField(object)
        switch TableKind(gvk) {
        case .pod: return podCells(field, now: now)
        case .podTemplate: return podTemplateCells(field)
        case .node: return nodeCells(field, now: now)
        case .namespace: return namespaceCells(field, now: now)
        case .service: return serviceCells(field, now: now)
        case .endpoints: return endpointsCells(field, now: now)
        case .configMap: return configMapCells(field, now: now)
        case .secret: return secretCells(field, now: now)
        case .serviceAccount: return serviceAccountCells(field, now: now)
        case .event: return eventCells(field, eventsAPI: gvk.group == "events.k8s.io", now: now)
        case .replicationController: return replicationControllerCells(field, now: now)
        case .persistentVolume: return persistentVolumeCells(field, now: now)
        case .persistentVolumeClaim: return persistentVolumeClaimCells(field, now: now)
        case .resourceQuota: return resourceQuotaCells(field, now: now)
        case .componentStatus: return componentStatusCells(field)
        case .deployment: return deploymentCells(field, now: now)
        case .replicaSet: return replicaSetCells(field, now: now)
        case .statefulSet: return statefulSetCells(field, now: now)
        case .daemonSet: return daemonSetCells(field, now: now)
        case .controllerRevision: return controllerRevisionCells(field, now: now)
        case .job: return jobCells(field, now: now)
        case .cronJob: return cronJobCells(field, now: now)
        case .horizontalPodAutoscaler:
            return horizontalPodAutoscalerCells(field, legacyV1: gvk.version == "v1", now: now)
        case .podDisruptionBudget: return podDisruptionBudgetCells(field, now: now)
        case .ingress: return ingressCells(field, now: now)
        case .ingressClass: return ingressClassCells(field, now: now)
        case .networkPolicy: return networkPolicyCells(field, now: now)
        case .endpointSlice: return endpointSliceCells(field, now: now)
        case .roleBinding, .clusterRoleBinding: return roleBindingCells(field, now: now)
        case .storageClass: return storageClassCells(field, now: now)
        case .csiDriver: return csiDriverCells(field, now: now)
        case .csiNode: return csiNodeCells(field, now: now)
        case .csiStorageCapacity: return csiStorageCapacityCells(field)
        case .volumeAttachment: return volumeAttachmentCells(field, now: now)
        case .mutatingWebhookConfiguration, .validatingWebhookConfiguration: return webhookConfigurationCells(field, now: now)
        case .validatingAdmissionPolicy: return validatingAdmissionPolicyCells(field, now: now)
        case .validatingAdmissionPolicyBinding: return validatingAdmissionPolicyBindingCells(field, now: now)
        case .priorityClass: return priorityClassCells(field, now: now)
        case .lease: return leaseCells(field, now: now)
        case .runtimeClass: return runtimeClassCells(field, now: now)
        case .certificateSigningRequest: return certificateSigningRequestCells(field, now: now)
        case .generic: return genericCells(field)
        }
    }

    /// The whole Table for `objects` (one row each, in order):
    /// `{"kind":"Table","apiVersion":"meta.k8s.io/v1","metadata":{…},"columnDefinitions":[…],"rows":[…]}`.
    ///
    /// - `metadata` carries `resourceVersion`, `continue` and `remainingItemCount` when
    ///   non-empty / given (a list's values; for a single object or a watch event, pass the
    ///   object's resourceVersion and no continue token).
    /// - `noHeaders` (TableOptions `noHeaders`; a watch sets it after the first event) writes
    ///   `columnDefinitions` as `null`.
    /// - Each row is `{"cells":[…],"object":…}`, plus `conditions` for pods that have
    ///   succeeded or failed; `object` follows `includeObject`.
    public static func table(
        gvk: GroupVersionKind,
        objects: [JSONValue],
        resourceVersion: String,
        continueToken: String? = nil,
        remainingItemCount: Int64? = nil,
        includeObject: IncludeObject = .metadata,
        noHeaders: Bool = false,
        now: Time
    ) -> JSONValue {
        var metadata = JSONObject()
        if !resourceVersion.isEmpty { metadata["resourceVersion"] = .string(resourceVersion) }
        if let continueToken, !continueToken.isEmpty { metadata["continue"] = .string(continueToken) }
        if let remainingItemCount { metadata["remainingItemCount"] = .int(remainingItemCount) }

        var table = JSONObject()
        table["kind"] = .string("Table")
        table["apiVersion"] = .string("meta.k8s.io/v1")
        table["metadata"] = .object(metadata)
        table["columnDefinitions"] = noHeaders ? JSONValue.null : .array(columns(for: gvk).map(\.json))
        table["rows"] = .array(objects.map { row(for: $0, gvk: gvk, includeObject: includeObject, now: now) })
        return .object(table)
    }

    /// One `TableRow`: cells, row conditions if any, and the object as `includeObject` asks.
    static func row(for object: JSONValue, gvk: GroupVersionKind, includeObject: IncludeObject, now: Time) -> JSONValue {
        var row = JSONObject()
        row["cells"] = .array(cells(for: object, gvk: gvk, now: now))
        if TableKind(gvk) == .pod {
            let conditions = podRowConditions(TableField(object))
            if !conditions.isEmpty { row["conditions"] = .array(conditions) }
        }
        switch includeObject {
        case .none:
            row["object"] = JSONValue.null
        case .metadata:
            var partial = JSONObject()
            partial["kind"] = .string("PartialObjectMetadata")
            partial["apiVersion"] = .string("meta.k8s.io/v1")
            let metadata: JSONValue = object["metadata"] ?? .object(JSONObject())
            partial["metadata"] = metadata
            row["object"] = .object(partial)
        case .object:
            row["object"] = object
        }
        return .object(row)
    }

    /// The generic table's cells: the name and `creationTimestamp` as RFC 3339 in UTC (Go's
    /// zero time, `0001-01-01T00:00:00Z`, when missing).
    static func genericCells(_ object: TableField) -> [JSONValue] {
        let created = object["metadata"]["creationTimestamp"].time ?? .zero
        return [.string(TableFormat.name(object)), .string(created.description)]
    }
}
