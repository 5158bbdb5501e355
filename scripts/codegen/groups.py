"""The API groups Skiff serves, shared by the schema trimmer and the code generator."""

# Schema namespace prefix -> Swift namespace enum.
NAMESPACES = {
    "io.k8s.api.core.v1": "CoreV1",
    "io.k8s.api.apps.v1": "AppsV1",
    "io.k8s.api.batch.v1": "BatchV1",
    "io.k8s.api.autoscaling.v1": "AutoscalingV1",
    "io.k8s.api.autoscaling.v2": "AutoscalingV2",
    "io.k8s.api.networking.v1": "NetworkingV1",
    "io.k8s.api.policy.v1": "PolicyV1",
    "io.k8s.api.rbac.v1": "RBACV1",
    "io.k8s.api.coordination.v1": "CoordinationV1",
    "io.k8s.api.discovery.v1": "DiscoveryV1",
    "io.k8s.api.events.v1": "EventsV1",
    "io.k8s.api.storage.v1": "StorageV1",
    "io.k8s.api.scheduling.v1": "SchedulingV1",
    "io.k8s.api.node.v1": "NodeV1",
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1": "APIExtensionsV1",
    "io.k8s.api.admissionregistration.v1": "AdmissionRegistrationV1",
    "io.k8s.api.authentication.v1": "AuthenticationV1",
    "io.k8s.api.authorization.v1": "AuthorizationV1",
    "io.k8s.api.certificates.v1": "CertificatesV1",
    "io.k8s.apimachinery.pkg.apis.meta.v1": "MetaV1",
}

# Definitions implemented by hand in Sources/APIMachinery (schema name -> Swift type).
SPECIAL = {
    "io.k8s.apimachinery.pkg.api.resource.Quantity": "Quantity",
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": "IntOrString",
    "io.k8s.apimachinery.pkg.apis.meta.v1.Time": "Time",
    "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime": "MicroTime",
    "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1": "JSONValue",
    "io.k8s.apimachinery.pkg.apis.meta.v1.Patch": "JSONValue",
    "io.k8s.apimachinery.pkg.runtime.RawExtension": "JSONValue",
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON": "JSONValue",
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray": "APIExtensionsV1.JSONSchemaPropsOrArray",
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool": "APIExtensionsV1.JSONSchemaPropsOrBool",
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray": "APIExtensionsV1.JSONSchemaPropsOrStringArray",
}

# Single generated definitions outside the namespaces above (schema name -> Swift type).
EXTRA = {
    "io.k8s.apimachinery.pkg.version.Info": "VersionInfo",
}


def included(name):
    return name in SPECIAL or name in EXTRA or name.rsplit(".", 1)[0] in NAMESPACES
