namespace Gateway.Metrics;

/// <summary>
/// The <c>kind</c> label of <c>gateway_errors_total</c>: a closed set, one per outcome an
/// operator alerts on. The values index label arrays; <see cref="MetricLabels"/> names them.
/// </summary>
internal enum ErrorKind
{
    /// <summary>A request head or host that could not be parsed (400, 431).</summary>
    MalformedRequest,

    /// <summary>The request head, ClientHello or Host did not arrive within <c>limits.headerTimeout</c> (408).</summary>
    HeaderTimeout,

    /// <summary>Refused at <c>limits.maxConnections</c> (503).</summary>
    TooManyConnections,

    /// <summary>The source address belongs to no sandbox (403).</summary>
    UnknownSandbox,

    /// <summary>A proxy token was required and missing or wrong (407).</summary>
    ProxyAuthentication,

    /// <summary>The decided name has no address (502).</summary>
    NameNotResolved,

    /// <summary>Every address of an allowed name is in a refused range (403, rule <c>egress-guard</c>).</summary>
    EgressGuard,

    /// <summary>The upstream reset the connection attempt (502).</summary>
    UpstreamRefused,

    /// <summary>No route to the upstream (502).</summary>
    UpstreamUnreachable,

    /// <summary>Resolving and connecting took longer than <c>limits.connectTimeout</c> (504).</summary>
    UpstreamTimeout,

    /// <summary>A tunnel ended because the client reset it.</summary>
    ClientReset,

    /// <summary>A tunnel ended because the upstream reset it.</summary>
    UpstreamReset,

    /// <summary>A tunnel was closed after <c>limits.idleTimeout</c> without a byte.</summary>
    IdleTimeout,

    /// <summary>Deciding failed and the connection was refused (fail closed, reason <c>policy-error</c>).</summary>
    PolicyError,

    /// <summary>A TLS handshake with the client or the upstream failed.</summary>
    TlsHandshake,

    /// <summary>A credential placeholder was sent to a host its kit does not bind it to.</summary>
    PlaceholderLeak,

    /// <summary>The audit writer could not write the audit file.</summary>
    AuditWrite,

    /// <summary>
    /// The SOCKS5 proxy was unreachable, refused the gateway (authentication, ruleset) or broke
    /// the protocol (502). Label <c>socks_proxy</c>: label values are letters and underscores only.
    /// </summary>
    Socks5,

    /// <summary>The gateway could not open an upstream socket: descriptors, socket memory or local ports exhausted (503).</summary>
    OutOfSockets,

    /// <summary>
    /// An intercepted connection whose HTTP stack had not finished <c>limits.headerTimeout</c> after
    /// its client went away: aborted, and its connection-limit slot returned.
    /// </summary>
    AbandonedConnection,

    /// <summary>
    /// An intercepted HTTP/2 connection sent more control frames (SETTINGS, PING, PRIORITY,
    /// WINDOW_UPDATE, empty DATA, unknown types) than <c>limits.http2ControlFramesPerSecond</c>
    /// allows and was closed.
    /// </summary>
    Http2ControlFlood,

    /// <summary>The ask-mode webhook (<c>policy.ask.webhook</c>) could not be told of a pending approval; the decision went on regardless.</summary>
    ApprovalWebhook,
}
