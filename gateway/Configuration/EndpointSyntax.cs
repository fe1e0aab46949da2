using System.Globalization;
using System.Net;

namespace Gateway.Configuration;

/// <summary>Listener endpoints: <c>IPv4:port</c> or <c>[IPv6]:port</c>, IP literals only.</summary>
internal static class EndpointSyntax
{
    /// <summary>The prefix of a unix socket endpoint: <c>unix:/path</c>.</summary>
    public const string UnixPrefix = "unix:";

    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="error"/> says how to write it.</summary>
    public static bool TryParse(string text, out IPEndPoint endpoint, out string error)
    {
        endpoint = new IPEndPoint(IPAddress.None, 0);
        if (!TrySplitHostPort(text, out string host, out string port)
            || host.StartsWith('[') != host.Contains(':')
            || !IpSyntax.TryParse(host, foldMapped: false, out IPAddress address))
        {
            error = $"\"{text}\" is not an endpoint; use IPv4:port or [IPv6]:port, e.g. 127.0.0.1:3128";
            return false;
        }

        if (!TryParsePort(port, out int number))
        {
            error = $"\"{text}\": the port must be 1-65535";
            return false;
        }

        endpoint = new IPEndPoint(address, number);
        error = "";
        return true;
    }

    /// <summary>Splits <c>host:port</c> at the last colon (after the brackets of an IPv6 literal).</summary>
    public static bool TrySplitHostPort(string text, out string host, out string port)
    {
        int colon = text.LastIndexOf(':');
        int bracket = text.LastIndexOf(']');
        host = "";
        port = "";
        if (colon <= 0 || colon < bracket)
        {
            return false;
        }

        host = text[..colon];
        port = text[(colon + 1)..];
        return true;
    }

    /// <summary>A decimal port 1-65535, digits only.</summary>
    public static bool TryParsePort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 1 and <= 65535;
}
