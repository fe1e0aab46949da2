using System.Globalization;
using PolicyCompiler.Hosts;

namespace PolicyCompiler.Patterns;

/// <summary>
/// Parses network rule patterns (`example.com`, `*.example.com`, `**`, IP literals,
/// `localhost`, each with an optional `:PORT`). Patterns that would match more than their
/// author meant are refused with a message that names the pattern and the fix.
/// </summary>
public static class PatternParser
{
    /// <summary>Parses one pattern.</summary>
    public static bool TryParse(string text, out RulePattern? pattern, out string? error)
    {
        pattern = null;
        error = Check(text, ref pattern);
        return error is null;
    }

    /// <summary>
    /// Parses a comma-separated list ("a.com, *.b.com,c.com:443"). Spaces around commas are
    /// ignored. Every bad entry is reported, not just the first; duplicates are kept once.
    /// </summary>
    public static bool TryParseList(string list, List<RulePattern> patterns, List<string> errors)
    {
        int errorCount = errors.Count;
        string[] items = list.Split(',');
        foreach (string raw in items)
        {
            string item = raw.Trim(' ');
            if (item.Length == 0)
            {
                errors.Add(items.Length == 1
                    ? "empty pattern; name a host such as \"example.com\""
                    : $"empty entry in \"{list}\"; remove the extra comma");
                continue;
            }

            if (TryParse(item, out RulePattern? pattern, out string? error))
            {
                if (!patterns.Contains(pattern!))
                {
                    patterns.Add(pattern!);
                }
            }
            else
            {
                errors.Add(error!);
            }
        }

        return errors.Count == errorCount;
    }

    private static string? Check(string text, ref RulePattern? pattern)
    {
        if (text.Length == 0)
        {
            return "empty pattern; name a host such as \"example.com\"";
        }

        if (text.Contains("://", StringComparison.Ordinal))
        {
            return Fail(text, "looks like a URL; write the host only, without scheme or path, e.g. \"example.com\" or \"example.com:8443\"");
        }

        foreach (char c in text)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                return Fail(text, "contains whitespace or a control character; write one host per entry and separate entries with commas");
            }
        }

        if (!TrySplitPort(text, out string host, out int port, out string? portError))
        {
            return Fail(text, portError!);
        }

        if (host == "**")
        {
            pattern = new RulePattern(PatternKind.Everything, "**", port, default);
            return null;
        }

        if (host == "*")
        {
            return Fail(text, "a lone \"*\" is ambiguous; use \"**\" to match every host, or \"*.example.com\" for subdomains");
        }

        if (host.Contains("**", StringComparison.Ordinal))
        {
            return Fail(text, "\"**\" may only stand alone as a whole rule; use \"*.example.com\" for subdomains or \"**\" for every host");
        }

        bool wildcard = host.StartsWith("*.", StringComparison.Ordinal);
        string name = wildcard ? host[2..] : host;
        if (name.Contains('*', StringComparison.Ordinal))
        {
            return Fail(text, WildcardPlacementProblem(host));
        }

        if (wildcard && name.Length == 0)
        {
            return Fail(text, "a wildcard needs a domain under it; use \"*.example.com\"");
        }

        string? canonical = HostCanonicalizer.Canonicalize(name, out HostKind kind, out HostError hostError);
        if (canonical is null)
        {
            return Fail(text, HostErrorMessages.Describe(hostError));
        }

        if (kind != HostKind.Name)
        {
            if (wildcard)
            {
                return Fail(text, "a wildcard cannot apply to an IP address; name the address alone, e.g. \"127.0.0.1\"");
            }

            HostCanonicalizer.TryCanonicalize(name.AsSpan(), stackalloc byte[HostCanonicalizer.BufferSize], out _, out _, out UInt128 address);
            pattern = new RulePattern(PatternKind.Address, canonical, port, address);
            return null;
        }

        if (wildcard)
        {
            if (PublicSuffixes.IsPublicSuffix(canonical))
            {
                return Fail(text, $"a wildcard directly over the public suffix \"{canonical}\" matches every site registered under it; name a domain, e.g. \"*.example.{canonical}\"");
            }

            if (PublicSuffixes.HasPublicSuffixChildren(canonical))
            {
                return Fail(text, $"every name directly under \"{canonical}\" is a public suffix, so the wildcard matches every site registered under them; name a domain, e.g. \"*.example.city.{canonical}\"");
            }
        }
        else if (!canonical.Contains('.', StringComparison.Ordinal) && canonical != "localhost")
        {
            return Fail(text, $"\"{canonical}\" is a single-label name that resolves differently on every network; use a fully qualified name (\"localhost\" is the only single-label name allowed)");
        }

        pattern = new RulePattern(wildcard ? PatternKind.Wildcard : PatternKind.Exact, canonical, port, default);
        return null;
    }

    private static bool TrySplitPort(string text, out string host, out int port, out string? error)
    {
        port = 0;
        error = null;
        host = text;
        int colon;
        if (text.StartsWith('['))
        {
            int close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                error = "an IPv6 literal is missing its closing \"]\"; write e.g. \"[2001:db8::1]:443\"";
                return false;
            }

            host = text[..(close + 1)];
            if (close == text.Length - 1)
            {
                return true;
            }

            if (text[close + 1] != ':')
            {
                error = "unexpected text after the IPv6 literal; write e.g. \"[2001:db8::1]:443\"";
                return false;
            }

            colon = close + 1;
        }
        else
        {
            colon = text.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                return true;
            }

            if (text.IndexOf(':', colon + 1) >= 0)
            {
                error = "an IPv6 literal must be written in brackets; write e.g. \"[2001:db8::1]\" or \"[2001:db8::1]:443\"";
                return false;
            }

            host = text[..colon];
        }

        string digits = text[(colon + 1)..];
        if (digits.Length == 0 || digits.Length > 5 || !digits.All(char.IsAsciiDigit)
            || !int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out port)
            || port < 1 || port > 65535)
        {
            error = $"port \"{digits}\" is not a port; use a number from 1 to 65535, or no port for every port";
            port = 0;
            return false;
        }

        if (digits[0] == '0')
        {
            error = $"port \"{digits}\" has a leading zero; write \"{port.ToString(CultureInfo.InvariantCulture)}\"";
            port = 0;
            return false;
        }

        return true;
    }

    private static string WildcardPlacementProblem(string host)
    {
        // Suggest the pattern the author most likely meant: the wildcard over what follows the last '*'.
        int lastStar = host.LastIndexOf('*');
        int nextDot = host.IndexOf('.', lastStar);
        string tail = nextDot < 0 ? "example.com" : host[(nextDot + 1)..];
        string first = host.Split('.')[0];
        if (first.Contains('*', StringComparison.Ordinal) && first != "*")
        {
            return $"a wildcard must be a whole label; use \"*.{tail}\"";
        }

        return $"a wildcard may only be the first label; use \"*.{tail}\"";
    }

    // Patterns can come from kit files shared over Git: echo them with control characters
    // escaped so a message cannot rewrite the operator's terminal or forge log lines.
    private static string Fail(string text, string problem) => $"pattern \"{Printable(text)}\": {problem}";

    private static string Printable(string text)
    {
        bool clean = true;
        foreach (char c in text)
        {
            clean &= !char.IsControl(c);
        }

        if (clean)
        {
            return text;
        }

        var builder = new System.Text.StringBuilder(text.Length + 8);
        foreach (char c in text)
        {
            builder.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString());
        }

        return builder.ToString();
    }
}
