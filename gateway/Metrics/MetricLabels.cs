using Gateway.Listeners;

namespace Gateway.Metrics;

/// <summary>
/// Every label value the gateway's metrics can carry, indexed by the enum they name. These
/// closed sets are the whole vocabulary: no host name, sandbox name or other value a client
/// chooses ever becomes a label (unbounded cardinality; hosts live in the audit log).
/// </summary>
internal static class MetricLabels
{
    /// <summary><c>listener</c> of <c>gateway_connections_total</c>: the listeners sandboxes connect to.</summary>
    public static readonly string[] Listeners = [ListenerKind.Forward, ListenerKind.TransparentHttp, ListenerKind.TransparentTls];

    /// <summary><c>decision</c>, indexed by 0 = allowed, 1 = blocked.</summary>
    public static readonly string[] Decisions = ["allowed", "blocked"];

    /// <summary><c>proxy</c>, by <see cref="ProxyKind"/> (as the audit log's field).</summary>
    public static readonly string[] Proxies = ["forward", "transparent", "network", "dns"];

    /// <summary><c>direction</c> of <c>gateway_bytes_total</c>.</summary>
    public static readonly string[] Directions = ["from_client", "to_client"];

    /// <summary><c>source</c> of <c>gateway_injections_total</c>, by <see cref="InjectionSource"/>.</summary>
    public static readonly string[] InjectionSources = ["service_auth", "placeholder"];

    /// <summary><c>source</c> of <c>gateway_credential_fetches_total</c>, by <see cref="PolicyCompiler.Kits.KitSourceKind"/>.</summary>
    public static readonly string[] CredentialSources = ["env", "file", "command", "aws", "oauth", "google_service_account", "github_app"];

    /// <summary><c>source</c> of <c>gateway_policy_rules</c>, by <see cref="PolicyCompiler.Rules.RuleSourceKind"/>.</summary>
    public static readonly string[] RuleSources = ["builtin", "local", "kit"];

    /// <summary><c>kind</c> of <c>gateway_errors_total</c>, by <see cref="ErrorKind"/>.</summary>
    public static readonly string[] Errors =
    [
        "malformed_request", "header_timeout", "too_many_connections", "unknown_sandbox", "proxy_authentication",
        "name_not_resolved", "egress_guard", "upstream_refused", "upstream_unreachable", "upstream_timeout",
        "client_reset", "upstream_reset", "idle_timeout", "policy_error", "tls_handshake", "placeholder_leak",
        "audit_write", "socks_proxy", "out_of_sockets", "abandoned_connection", "control_frame_flood",
        "approval_webhook",
    ];
}
