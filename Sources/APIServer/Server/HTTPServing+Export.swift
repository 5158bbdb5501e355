// The HTTP listener, request and response types and TLS set-up live in `HTTPServing`, shared
// with the kubelet's server; the apiserver's code and its users see them as before.
@_exported import HTTPServing
