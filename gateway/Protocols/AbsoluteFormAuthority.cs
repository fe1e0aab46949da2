using System.Globalization;

namespace Gateway.Protocols;

/// <summary>
/// The authority of an absolute-form request target (RFC 9112 §3.2.2, <c>http://host[:port]/…</c>):
/// a pure function over the target Kestrel read. It splits, it does not judge the host: that is
/// canonicalisation's job, in the decision.
/// </summary>
internal static class AbsoluteFormAuthority
{
    /// <summary>The scheme this proxy serves in absolute form; anything else is tunnelled with CONNECT.</summary>
    public const string HttpScheme = "http://";

    /// <summary>True when <paramref name="target"/> starts with <see cref="HttpScheme"/>, in any case.</summary>
    public static bool IsAbsolute(string target) => target.StartsWith(HttpScheme, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Reads host and port (80 when absent) from <paramref name="target"/>, which starts with
    /// <see cref="HttpScheme"/>. False for an empty authority, userinfo, or a port outside 1-65535.
    /// </summary>
    public static bool TryParse(string target, out string host, out int port)
    {
        ReadOnlySpan<char> rest = target.AsSpan(HttpScheme.Length);
        int end = rest.IndexOfAny('/', '?', '#');
        ReadOnlySpan<char> authority = end < 0 ? rest : rest[..end];
        host = string.Empty;
        port = 80;
        if (authority.IsEmpty || authority.Contains('@'))
        {
            return false; // userinfo in a proxy request is a credential leak or a confusion attack
        }

        int colon = authority[0] == '[' ? authority.IndexOf("]:", StringComparison.Ordinal) + 1 : authority.LastIndexOf(':');
        if (colon > 0 && (authority[0] != '[' || authority[colon - 1] == ']'))
        {
            if (!int.TryParse(authority[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
            {
                return false;
            }

            authority = authority[..colon];
        }

        host = authority.ToString();
        return true;
    }
}
