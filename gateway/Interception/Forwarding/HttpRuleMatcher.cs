using PolicyCompiler.Kits;
using PolicyCompiler.Rules;

namespace Gateway.Interception.Forwarding;

/// <summary>
/// Decides one intercepted request against the L7 rules of its host. A host with rules is
/// closed by default: a request passes only when an allow rule matches and no deny rule does
/// (deny wins, as for network rules). Where upstreams differ, the reading that refuses wins: a
/// deny rule matches the path in any letter case (ASP.NET Core and Express route without regard
/// to case, so "/USER/KEYS" may be "/user/keys" there), an allow rule only as written; methods
/// compare without regard to case; and a request is decided under every method it names (its
/// own and those of <see cref="RequestMethods"/>' override headers), refused if any is refused.
/// </summary>
internal static class HttpRuleMatcher
{
    /// <summary>
    /// True when the request may proceed; <paramref name="deciding"/> is the matching deny rule, the
    /// matching allow rule, or null when no rule matched (or there are none).
    /// </summary>
    public static bool Decide(IReadOnlyList<HttpRuleEntry> rules, string method, string path, out HttpRuleEntry? deciding) =>
        Decide(rules, new RequestMethods(method, null), path, out deciding, out _);

    /// <summary>
    /// Decides the request under each of its <paramref name="methods"/>: true when every one may
    /// proceed; otherwise <paramref name="refusedMethod"/> is the first that may not and
    /// <paramref name="deciding"/> the rule that refused it (null: no allow rule matched).
    /// </summary>
    public static bool Decide(IReadOnlyList<HttpRuleEntry> rules, RequestMethods methods, string path, out HttpRuleEntry? deciding, out string refusedMethod)
    {
        refusedMethod = methods.Own;
        if (!DecideOne(rules, methods.Own, path, out deciding))
        {
            return false;
        }

        HttpRuleEntry? allowedBy = deciding;
        if (methods.Overrides is { } overrides)
        {
            foreach (string method in overrides)
            {
                if (!DecideOne(rules, method, path, out deciding))
                {
                    refusedMethod = method;
                    return false;
                }
            }
        }

        deciding = allowedBy;
        return true;
    }

    private static bool DecideOne(IReadOnlyList<HttpRuleEntry> rules, string method, string path, out HttpRuleEntry? deciding)
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
        if (!rule.Methods.IsEmpty && !rule.Methods.Contains(method, StringComparer.OrdinalIgnoreCase))
        {
            return false;
        }

        if (rule.Paths.IsEmpty)
        {
            return true;
        }

        bool anyCase = rule.Decision == RuleDecision.Deny;
        foreach (string pattern in rule.Paths)
        {
            if (PathMatches(pattern, path, anyCase))
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
    public static bool PathMatches(string pattern, string path, bool anyCase = false)
    {
        if (!pattern.Contains('*', StringComparison.Ordinal))
        {
            return path.StartsWith(pattern, anyCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal)
                && (path.Length == pattern.Length || pattern.EndsWith('/') || path[pattern.Length] == '/');
        }

        return Glob(pattern, path, anyCase);
    }

    private static bool Same(char a, char b, bool anyCase) => a == b || (anyCase && char.ToUpperInvariant(a) == char.ToUpperInvariant(b));

    // Iterative wildcard match with one backtrack point: linear in practice, never exponential.
    private static bool Glob(string pattern, string text, bool anyCase)
    {
        int p = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                mark = t;
            }
            else if (p < pattern.Length && Same(pattern[p], text[t], anyCase))
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
