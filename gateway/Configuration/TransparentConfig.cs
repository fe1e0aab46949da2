namespace Gateway.Configuration;

/// <summary>
/// Ports dialled when a redirected connection's original destination is unknown;
/// SO_ORIGINAL_DST wins whenever the kernel reports it.
/// </summary>
/// <param name="DialTlsPort">Port for connections that arrived on the transparent TLS listener.</param>
/// <param name="DialHttpPort">Port for connections that arrived on the transparent HTTP listener.</param>
internal sealed record TransparentConfig(int DialTlsPort, int DialHttpPort);
