using PolicyCompiler.Patterns;

namespace PolicyCompiler.Kits;

/// <summary>Whether every host and port one pattern matches is also matched by another.</summary>
internal static class PatternCoverage
{
    public static bool Covers(RulePattern outer, RulePattern inner)
    {
        if (outer.Port != 0 && outer.Port != inner.Port)
        {
            return false;
        }

        return outer.Kind switch
        {
            PatternKind.Everything => true,
            PatternKind.Exact or PatternKind.Address => inner.Kind == outer.Kind && inner.Host == outer.Host,
            // "*.example.com" never matches "example.com" itself, but covers "*.example.com" and "*.api.example.com".
            PatternKind.Wildcard => inner.Kind switch
            {
                PatternKind.Exact => IsStrictSubdomain(inner.Host, outer.Host),
                PatternKind.Wildcard => inner.Host == outer.Host || IsStrictSubdomain(inner.Host, outer.Host),
                _ => false,
            },
            _ => false,
        };
    }

    private static bool IsStrictSubdomain(string host, string domain) =>
        host.Length > domain.Length + 1
        && host.EndsWith(domain, StringComparison.Ordinal)
        && host[host.Length - domain.Length - 1] == '.';
}
