using System.Net;
using PolicyCompiler.Hosts;

namespace Gateway.Configuration;

/// <summary><c>socks5://host:port</c> for <c>upstream.socks5</c>.</summary>
internal static class Socks5UrlSyntax
{
    private const string Scheme = "socks5://";

    /// <summary>
    /// Parses <paramref name="text"/>. The host is canonicalised like every other host; credentials
    /// in the URL are refused because they belong in a credential source, not in a file or a log.
    /// </summary>
    public static bool TryParse(string text, out DnsEndPoint endpoint, out string error)
    {
        endpoint = new DnsEndPoint("invalid", 1);
        string authority = text.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) ? text[Scheme.Length..] : "";
        if (authority.EndsWith('/'))
        {
            authority = authority[..^1];
        }

        if (authority.Contains('@'))
        {
            error = "a SOCKS5 URL carries no credentials; name a credential source in upstream.socks5Credential";
            return false;
        }

        if (authority.Length == 0
            || authority.AsSpan().IndexOfAny("/?#") >= 0
            || !EndpointSyntax.TrySplitHostPort(authority, out string host, out string port))
        {
            error = $"\"{text}\" is not a SOCKS5 URL; use socks5://host:port, e.g. socks5://127.0.0.1:1080";
            return false;
        }

        if (!EndpointSyntax.TryParsePort(port, out int number))
        {
            error = $"\"{text}\": the port must be 1-65535";
            return false;
        }

        string? canonical = HostCanonicalizer.Canonicalize(host, out _, out HostError hostError);
        if (canonical is null)
        {
            error = $"\"{text}\": {HostErrorMessages.Describe(hostError)}";
            return false;
        }

        endpoint = new DnsEndPoint(canonical, number);
        error = "";
        return true;
    }
}
