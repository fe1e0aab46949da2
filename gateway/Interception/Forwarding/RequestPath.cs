using System.Text;

namespace Gateway.Interception.Forwarding;

/// <summary>
/// The path L7 rules are matched against: the request target without its query, percent-decoded,
/// with runs of "/" merged into one (nginx's <c>merge_slashes</c>, and what most routers do with an
/// empty segment), so "//user//keys" is decided as "/user/keys". A path an upstream could read
/// differently from the rule is refused rather than guessed at: "." and ".." segments (the upstream
/// would resolve them past a prefix rule), an encoded "/" or "\" (one segment here, two there), a
/// decoded NUL or control character, malformed escapes, a ";" (path parameters: Tomcat, Jetty and
/// Spring drop ";x" from a segment before routing, others keep it), and a segment ending in "." or
/// a space (IIS and Windows file APIs trim them, so "keys." or "keys%20" is "keys" there).
/// Letter case is left alone here; <see cref="HttpRuleMatcher"/> matches deny rules in any case.
/// </summary>
internal static class RequestPath
{
    /// <summary>The decoded path, or null with <paramref name="problem"/> saying why it is refused.</summary>
    public static string? TryNormalize(string rawTarget, out string? problem)
    {
        problem = null;
        ReadOnlySpan<char> target = rawTarget;
        int end = target.IndexOfAny('?', '#');
        if (end >= 0)
        {
            target = target[..end];
        }

        // An absolute-form target inside the tunnel ("GET https://host/path"): the path is after the authority.
        if (!target.StartsWith("/", StringComparison.Ordinal))
        {
            int scheme = target.IndexOf("://", StringComparison.Ordinal);
            int slash = scheme < 0 ? -1 : target[(scheme + 3)..].IndexOf('/');
            target = slash < 0 ? "/" : target[(scheme + 3 + slash)..];
        }

        if (target.Contains('\\'))
        {
            problem = "a backslash in the path";
            return null;
        }

        var bytes = new List<byte>(target.Length);
        for (int i = 0; i < target.Length; i++)
        {
            char c = target[i];
            if (c != '%')
            {
                if (c > 0x7F)
                {
                    problem = "a raw non-ASCII character in the path";
                    return null;
                }

                bytes.Add((byte)c);
                continue;
            }

            if (i + 2 >= target.Length || !IsHex(target[i + 1]) || !IsHex(target[i + 2]))
            {
                problem = "a malformed percent escape in the path";
                return null;
            }

            byte decoded = (byte)((Hex(target[i + 1]) << 4) | Hex(target[i + 2]));
            if (decoded is (byte)'/' or (byte)'\\' or < 0x20 or 0x7F)
            {
                problem = "an encoded slash, backslash or control character in the path";
                return null;
            }

            bytes.Add(decoded);
            i += 2;
        }

        if (bytes.Contains((byte)';'))
        {
            problem = "a \";\" in the path (path parameters are read differently by different servers)";
            return null;
        }

        string path;
        try
        {
            path = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString([.. bytes]);
        }
        catch (DecoderFallbackException)
        {
            problem = "percent escapes that are not UTF-8";
            return null;
        }

        foreach (string segment in path.Split('/'))
        {
            if (segment is "." or "..")
            {
                problem = "a \".\" or \"..\" segment in the path";
                return null;
            }

            if (segment.EndsWith('.') || segment.EndsWith(' '))
            {
                problem = "a path segment ending in \".\" or a space (some servers trim them)";
                return null;
            }
        }

        return MergeSlashes(path);
    }

    private static string MergeSlashes(string path)
    {
        if (!path.Contains("//", StringComparison.Ordinal))
        {
            return path;
        }

        var merged = new StringBuilder(path.Length);
        foreach (char c in path)
        {
            if (c != '/' || merged.Length == 0 || merged[^1] != '/')
            {
                merged.Append(c);
            }
        }

        return merged.ToString();
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int Hex(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
