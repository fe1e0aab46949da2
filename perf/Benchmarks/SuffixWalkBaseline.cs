using System.Collections.Frozen;
using PolicyCompiler.Patterns;
using PolicyCompiler.Rules;

namespace Benchmarks;

/// <summary>
/// The textbook alternative the trie is measured against: two <see cref="FrozenDictionary{TKey, TValue}"/>
/// (exact names, wildcard bases) probed for the name and then for every proper suffix, through a
/// span alternate lookup so it does not allocate either. It does not canonicalise or check
/// ports, so it does strictly less work than <c>PolicySnapshot.Decide</c>.
/// </summary>
internal sealed class SuffixWalkBaseline
{
    private readonly FrozenDictionary<string, bool>.AlternateLookup<ReadOnlySpan<char>> _exact;
    private readonly FrozenDictionary<string, bool>.AlternateLookup<ReadOnlySpan<char>> _wildcard;

    public SuffixWalkBaseline(IReadOnlyList<PolicyRule> rules)
    {
        var exact = new Dictionary<string, bool>(StringComparer.Ordinal);
        var wildcard = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (PolicyRule rule in rules)
        {
            foreach (RulePattern pattern in rule.Resources)
            {
                Dictionary<string, bool>? target = pattern.Kind switch
                {
                    PatternKind.Exact => exact,
                    PatternKind.Wildcard => wildcard,
                    _ => null,
                };
                if (target is not null)
                {
                    bool deny = rule.Decision == RuleDecision.Deny;
                    target[pattern.Host] = target.TryGetValue(pattern.Host, out bool d) ? d | deny : deny;
                }
            }
        }

        _exact = exact.ToFrozenDictionary(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
        _wildcard = wildcard.ToFrozenDictionary(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>1 allowed, 0 blocked (deny or no match); the most specific pattern decides.</summary>
    public int Decide(ReadOnlySpan<char> host)
    {
        if (_exact.TryGetValue(host, out bool deny))
        {
            return deny ? 0 : 1;
        }

        int dot = host.IndexOf('.');
        while (dot >= 0)
        {
            host = host[(dot + 1)..];
            if (_wildcard.TryGetValue(host, out deny))
            {
                return deny ? 0 : 1;
            }

            dot = host.IndexOf('.');
        }

        return 0;
    }
}
