namespace Gateway.Audit;

/// <summary>
/// Which listener an event came in on (<c>forward</c>, <c>transparentTls</c>, <c>transparentHttp</c>,
/// <c>dns</c>), for <c>policy log</c>: the event's own <c>listener</c>, or for a line written before events
/// carried one, derived from the proxy and, for the transparent listeners, the destination port, since nftables redirects
/// only TCP 443 (to the TLS listener) and 80 (to the HTTP one), and without a redirect the configured
/// dial ports (443 and 80 by default) stand in. A transparent event on another port says "transparent".
/// </summary>
internal static class AuditListener
{
    private const int TlsPort = 443;
    private const int HttpPort = 80;

    /// <summary>The listener of <paramref name="e"/>.</summary>
    public static string Of(in AuditEvent e) => e.Listener ?? Of(e.Proxy, e.Port);

    /// <summary>The listener of an event of <paramref name="proxy"/> to <paramref name="port"/>.</summary>
    public static string Of(string proxy, int port) => proxy switch
    {
        AuditEvent.TransparentProxy when port == TlsPort => "transparentTls",
        AuditEvent.TransparentProxy when port == HttpPort => "transparentHttp",
        _ => proxy,
    };
}
