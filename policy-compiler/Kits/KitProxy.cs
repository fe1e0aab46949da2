namespace PolicyCompiler.Kits;

/// <summary>
/// The customer's SOCKS5 proxy a kit routes its allowed TCP traffic through (<c>network.proxy</c>,
/// reference 004): it overrides the gateway's <c>upstream.socks5</c> for sandboxes started with
/// the kit. Policy is still decided by the gateway before the proxy is ever contacted.
/// </summary>
/// <param name="Host">The proxy's canonical host name or IP literal (IPv6 without brackets).</param>
/// <param name="Port">The proxy's port, 1-65535.</param>
/// <param name="CredentialRef">
/// The name of a username/password source in the gateway configuration's <c>credentials.sources</c>
/// (RFC 1929), or null for a proxy without authentication. Proxy credentials are operator
/// secrets on the host: a kit only names them, so the policy compiler cannot check the name
/// and the gateway does when it loads the kit.
/// </param>
public sealed record KitProxy(string Host, int Port, string? CredentialRef)
{
    /// <summary>The only proxy type (reference 004: HTTP proxies, UDP, QUIC and VPN tunnels are not part of the feature).</summary>
    public const string Socks5Type = "socks5";
}
