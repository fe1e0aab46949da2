namespace Gateway.Metrics;

/// <summary>
/// How a decided connection reached the gateway: the audit log's <c>proxy</c> field and the
/// <c>proxy</c> label of <c>gateway_decisions_total</c>. The values index label arrays.
/// </summary>
internal enum ProxyKind
{
    /// <summary>CONNECT or absolute-form on the forward listener.</summary>
    Forward,

    /// <summary>Redirected HTTP or TLS, decided by Host or SNI.</summary>
    Transparent,

    /// <summary>Non-HTTP traffic (CONNECT to a port that carries no HTTP).</summary>
    Network,

    /// <summary>A query to the sandbox-facing resolver.</summary>
    Dns,
}
