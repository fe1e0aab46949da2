using System.Net;

namespace Gateway.Configuration;

/// <summary>How allowed traffic leaves the host.</summary>
/// <param name="Socks5">The customer's SOCKS5 proxy (host canonical, IPv6 without brackets), or null to dial directly.</param>
/// <param name="Socks5Credential">Name of a username/password source in <see cref="CredentialsConfig.Sources"/> (RFC 1929), or null.</param>
internal sealed record UpstreamConfig(DnsEndPoint? Socks5, string? Socks5Credential);
