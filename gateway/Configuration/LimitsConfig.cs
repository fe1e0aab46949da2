namespace Gateway.Configuration;

/// <summary>Bounds on connections and time.</summary>
/// <param name="MaxConnections">Connections held at once; beyond it new ones get 503 or a close.</param>
/// <param name="HeaderTimeout">Time a client has to send the CONNECT head, ClientHello or request head.</param>
/// <param name="IdleTimeout">A tunnel with no bytes either way for this long is closed.</param>
/// <param name="ConnectTimeout">Time allowed to connect upstream (directly or through SOCKS5).</param>
internal sealed record LimitsConfig(int MaxConnections, TimeSpan HeaderTimeout, TimeSpan IdleTimeout, TimeSpan ConnectTimeout);
