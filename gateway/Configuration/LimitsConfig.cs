namespace Gateway.Configuration;

/// <summary>Bounds on connections and time.</summary>
/// <param name="MaxConnections">Connections held at once; beyond it new ones get 503 or a close.</param>
/// <param name="HeaderTimeout">Time a client has to send the CONNECT head, ClientHello or request head.</param>
/// <param name="IdleTimeout">A tunnel with no bytes either way for this long is closed.</param>
/// <param name="ConnectTimeout">Time allowed to connect upstream (directly or through SOCKS5).</param>
internal sealed record LimitsConfig(int MaxConnections, TimeSpan HeaderTimeout, TimeSpan IdleTimeout, TimeSpan ConnectTimeout)
{
    /// <summary>
    /// Requests one intercepted client connection may have in flight upstream at once; more wait for
    /// one to finish. Each in-flight request holds at most one upstream socket, so this bounds the
    /// upstream sockets one HTTP/2 client connection can cause (one per stream otherwise).
    /// </summary>
    public int UpstreamRequestsPerConnection { get; init; } = 16;

    /// <summary>
    /// HTTP/2 control frames (SETTINGS, PING, PRIORITY, WINDOW_UPDATE, empty DATA, unknown types) an
    /// intercepted client connection may send per second, beyond one per HEADERS frame and one per
    /// KiB sent to it; past it the connection is closed.
    /// </summary>
    public int Http2ControlFramesPerSecond { get; init; } = 1000;
}
