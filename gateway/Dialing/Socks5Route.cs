using System.Net;
using Gateway.Configuration;

namespace Gateway.Dialing;

/// <summary>
/// Where a dial goes when it goes through SOCKS5: the proxy, and the username/password source
/// for it (null: only "no authentication" is offered). The source is read at each dial, never held.
/// </summary>
/// <param name="Proxy">The proxy's host (canonical, IPv6 without brackets) and port.</param>
/// <param name="Credential">A username/password source, or null.</param>
/// <param name="CredentialName">
/// The configured source name (<c>upstream.socks5Credential</c> or a kit's <c>credentialRef</c>), or
/// null. Set while <paramref name="Credential"/> is null means no such username/password source
/// exists: the dial then fails closed rather than trying the proxy without authentication.
/// </param>
internal sealed record Socks5Route(DnsEndPoint Proxy, CredentialSourceConfig? Credential, string? CredentialName = null);
