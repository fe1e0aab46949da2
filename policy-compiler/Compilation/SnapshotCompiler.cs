using System.Collections.Frozen;
using System.Collections.Immutable;
using PolicyCompiler.Patterns;
using PolicyCompiler.Rules;

namespace PolicyCompiler.Compilation;

/// <summary>Compiles rules into an immutable <see cref="PolicySnapshot"/>. Knows nothing of the daemon.</summary>
public static class SnapshotCompiler
{
    /// <summary>
    /// Compiles the global rules (some perhaps scoped to one sandbox, <see cref="PolicyRule.Sandbox"/>)
    /// and the rules of every known kit. Rules are compiled as given: the caller leaves out the
    /// expired ones (<see cref="PolicyRule.ExpiresAt"/>).
    /// </summary>
    /// <exception cref="ArgumentException">More than <see cref="KitSet.Capacity"/> kits, or two kits with one name.</exception>
    public static PolicySnapshot Compile(IReadOnlyList<PolicyRule> globalRules, IReadOnlyList<KitRules>? kits = null)
    {
        kits ??= [];
        if (kits.Count > KitSet.Capacity)
        {
            throw new ArgumentException($"{kits.Count} kits are loaded; one gateway supports at most {KitSet.Capacity}", nameof(kits));
        }

        var rules = new List<PolicyRule>();
        var patterns = new List<RulePattern>();
        var builder = new DomainTrie.Builder();
        var addresses = new Dictionary<UInt128, List<RuleMatch>>();
        var kitNames = ImmutableArray.CreateBuilder<string>(kits.Count);
        var kitProxies = new Kits.KitProxy?[kits.Count];
        var sandboxNames = ImmutableArray.CreateBuilder<string>();
        var sandboxIndices = new Dictionary<string, int>(StringComparer.Ordinal);
        DateTimeOffset? nextExpiry = null;

        void Add(PolicyRule rule, int kitIndex)
        {
            int ruleIndex = rules.Count;
            rules.Add(rule);
            if (rule.ExpiresAt is { } expires && (nextExpiry is null || expires < nextExpiry))
            {
                nextExpiry = expires;
            }

            foreach (RulePattern pattern in rule.Resources)
            {
                var match = new RuleMatch(ruleIndex, patterns.Count, pattern.Port, rule.Decision == RuleDecision.Deny, kitIndex);
                patterns.Add(pattern);
                switch (pattern.Kind)
                {
                    case PatternKind.Everything:
                        builder.AddWildcard(DomainTrie.Root, match);
                        break;
                    case PatternKind.Wildcard:
                        builder.AddWildcard(builder.GetOrAdd(pattern.Host), match);
                        break;
                    case PatternKind.Exact:
                        builder.AddExact(builder.GetOrAdd(pattern.Host), match);
                        break;
                    case PatternKind.Address:
                        if (!addresses.TryGetValue(pattern.Address, out List<RuleMatch>? list))
                        {
                            addresses[pattern.Address] = list = [];
                        }

                        list.Add(match);
                        break;
                }
            }
        }

        foreach (PolicyRule rule in globalRules)
        {
            if (rule.Sandbox is not { } sandbox)
            {
                Add(rule, RuleMatch.Global);
                continue;
            }

            if (!sandboxIndices.TryGetValue(sandbox, out int scope))
            {
                sandboxIndices[sandbox] = scope = sandboxNames.Count;
                sandboxNames.Add(sandbox);
            }

            Add(rule, RuleMatch.SandboxScope(scope));
        }

        for (int k = 0; k < kits.Count; k++)
        {
            if (kitNames.Contains(kits[k].Name))
            {
                throw new ArgumentException($"two kits are named \"{kits[k].Name}\"; kit names must be unique", nameof(kits));
            }

            kitNames.Add(kits[k].Name);
            kitProxies[k] = kits[k].Proxy;
            foreach (PolicyRule rule in kits[k].Rules)
            {
                Add(rule, k);
            }
        }

        var matches = new List<RuleMatch>();
        DomainTrie trie = builder.Build(matches, Order);
        var addressTable = new Dictionary<UInt128, (int Start, int Count)>();
        foreach ((UInt128 address, List<RuleMatch> list) in addresses)
        {
            addressTable[address] = DomainTrie.Builder.Append(list, matches, Order);
        }

        return new PolicySnapshot(
            [.. rules], [.. patterns], [.. matches], trie, addressTable.ToFrozenDictionary(), kitNames.ToImmutable(), sandboxNames.ToImmutable())
        {
            KitProxies = kitProxies,
            NextExpiry = nextExpiry,
        };
    }

    // Within one node: port-specific patterns before port-less ones, then rule order, so the
    // reported rule is the most specific one and the result never depends on sort stability.
    private static int Order(RuleMatch a, RuleMatch b)
    {
        int bySpecificity = (a.Port == 0).CompareTo(b.Port == 0);
        return bySpecificity != 0 ? bySpecificity
            : a.RuleIndex != b.RuleIndex ? a.RuleIndex.CompareTo(b.RuleIndex)
            : a.PatternIndex.CompareTo(b.PatternIndex);
    }
}
