using PolicyCompiler.Kits;
using PolicyCompiler.Rules;

namespace Gateway.Interception;

/// <summary>
/// Decides one intercepted request against the L7 rules of its host. A host with rules is
/// closed by default: a request passes only when an allow rule matches and no deny rule does
/// (deny wins, as for network rules).
/// </summary>
internal static class HttpRuleMatcher
{
    /// <summary>
    /// True when the request may proceed; <paramref name="deciding"/> is the matching deny rule, the
    /// matching allow rule, or null when no rule matched (or there are none).
    /// </summary>
    public static bool Decide(IReadOnlyList<HttpRuleEntry> rules, string method, string path, out HttpRuleEntry? deciding)
    {
        deciding = null;
        if (rules.Count == 0)
        {
            return true;
        }

        HttpRuleEntry? allow = null;
        foreach (HttpRuleEntry entry in rules)
        {
            if (!Matches(entry.Rule, method, path))
            {
                continue;
            }

            if (entry.Rule.Decision == RuleDecision.Deny)
            {
                deciding = entry;
                return false;
            }

            allow ??= entry;
        }

        deciding = allow;
        return allow is not null;
    }

    /// <summary>True when <paramref name="rule"/> covers the method and the normalised path.</summary>
    public static bool Matches(KitHttpRule rule, string method, string path)
    {
        if (!rule.Methods.IsEmpty && !rule.Methods.Contains(method, StringComparer.Ordinal))
        {
            return false;
        }

        if (rule.Paths.IsEmpty)
        {
            return true;
        }

        foreach (string pattern in rule.Paths)
        {
            if (PathMatches(pattern, path))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A pattern with "*" is a glob over the whole path ("*" is any run of characters, "/"
    /// included); one without is a prefix that ends at a segment boundary, so "/repos" covers
    /// "/repos" and "/repos/x" but not "/repository".
    /// </summary>
    public static bool PathMatches(string pattern, string path)
    {
        if (!pattern.Contains('*', StringComparison.Ordinal))
        {
            return path.StartsWith(pattern, StringComparison.Ordinal)
                && (path.Length == pattern.Length || pattern.EndsWith('/') || path[pattern.Length] == '/');
        }

        return Glob(pattern, path);
    }

    // Iterative wildcard match with one backtrack point: linear in practice, never exponential.
    private static bool Glob(string pattern, string text)
    {
        int p = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = t;
            }
            else if (p < pattern.Length && pattern[p] == text[t])
            {
                p++;
                t++;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++mark;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
