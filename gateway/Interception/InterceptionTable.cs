using System.Collections.Frozen;
using Gateway.Interception.Forwarding;
using PolicyCompiler.Compilation;
using PolicyCompiler.Kits;
using PolicyCompiler.Patterns;

namespace Gateway.Interception;

/// <summary>
/// Which (sandbox kits, host) pairs are terminated instead of relayed, compiled with the policy
/// snapshot and swapped with it, so the answer always agrees with the decision. The relayed path
/// pays one flag test when no kit intercepts, and otherwise one set probe per label suffix of the
/// host, without allocating; only a host some kit names gets the per-kit scan and a plan.
/// </summary>
internal sealed class InterceptionTable
{
    private readonly KitInterception?[] _byIndex;
    private readonly int[] _intercepting;
    private readonly FrozenDictionary<string, KitInterception> _byName;
    private readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _names;
    private readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _suffixes;
    private readonly bool _everything;

    private InterceptionTable(
        KitInterception?[] byIndex, int[] intercepting, FrozenDictionary<string, KitInterception> byName, FrozenSet<string> names, FrozenSet<string> suffixes, bool everything)
    {
        _byIndex = byIndex;
        _intercepting = intercepting;
        _byName = byName;
        _names = names.GetAlternateLookup<ReadOnlySpan<char>>();
        _suffixes = suffixes.GetAlternateLookup<ReadOnlySpan<char>>();
        _everything = everything;
    }

    /// <summary>No kit intercepts anything.</summary>
    public static InterceptionTable Empty { get; } = Build(null, []);

    /// <summary>True when no kit binds a credential, declares an L7 rule or inspects a host.</summary>
    public bool IsEmpty => _intercepting.Length == 0;

    /// <summary>Compiles the table for <paramref name="snapshot"/>, whose kit indices it shares.</summary>
    public static InterceptionTable Build(PolicySnapshot? snapshot, IReadOnlyList<KitSpec> kits)
    {
        var byIndex = new KitInterception?[KitSet.Capacity];
        var byName = new Dictionary<string, KitInterception>(StringComparer.Ordinal);
        var intercepting = new List<int>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var suffixes = new HashSet<string>(StringComparer.Ordinal);
        bool everything = false;
        foreach (KitSpec spec in kits)
        {
            var kit = new KitInterception(spec);
            byName[kit.Name] = kit;
            if (!kit.Intercepts || snapshot is null || !snapshot.TryGetKitIndex(kit.Name, out int index))
            {
                continue;
            }

            byIndex[index] = kit;
            intercepting.Add(index);
            foreach (ServiceBinding binding in kit.Bindings)
            {
                everything |= Add(binding.Pattern, names, suffixes);
            }

            foreach (HttpRuleEntry rule in kit.Rules)
            {
                everything |= Add(rule.Rule.Host, names, suffixes);
            }

            foreach (RulePattern pattern in kit.Inspect)
            {
                everything |= Add(pattern, names, suffixes);
            }
        }

        return new InterceptionTable(
            byIndex,
            [.. intercepting],
            byName.ToFrozenDictionary(StringComparer.Ordinal),
            names.ToFrozenSet(StringComparer.Ordinal),
            suffixes.ToFrozenSet(StringComparer.Ordinal),
            everything);
    }

    /// <summary>The kit named <paramref name="name"/>, intercepting or not (its environment is served to vmm).</summary>
    public KitInterception? Kit(string name) => _byName.GetValueOrDefault(name);

    /// <summary>
    /// The plan for a connection of a sandbox with <paramref name="kits"/> to the canonical
    /// <paramref name="host"/>, or null when it is relayed untouched.
    /// </summary>
    public InterceptionPlan? Find(KitSet kits, string host, int port)
    {
        if (_intercepting.Length == 0 || kits.IsEmpty || !MayIntercept(host))
        {
            return null;
        }

        List<ServiceBinding>? injections = null;
        List<HttpRuleEntry>? rules = null;
        List<string>? variables = null;
        List<string>? bodyVariables = null;
        bool inspected = false;
        bool dlpReports = true; // report only when every kit that intercepts this host says so
        foreach (int index in _intercepting)
        {
            if (!kits.Contains(index))
            {
                continue;
            }

            KitInterception kit = _byIndex[index]!;
            bool contributes = false;
            foreach (ServiceBinding binding in kit.Bindings)
            {
                if (KitInterception.Matches(binding.Pattern, host, port))
                {
                    (injections ??= []).Add(binding);
                    AddBoundVariables(kit, binding, ref variables);
                    if (binding.Source.Body)
                    {
                        AddBoundVariables(kit, binding, ref bodyVariables);
                    }

                    contributes = true;
                    break; // the most specific binding of a kit wins
                }
            }

            foreach (HttpRuleEntry rule in kit.Rules)
            {
                if (KitInterception.Matches(rule.Rule.Host, host, port))
                {
                    (rules ??= []).Add(rule);
                    contributes = true;
                }
            }

            foreach (RulePattern pattern in kit.Inspect)
            {
                if (KitInterception.Matches(pattern, host, port))
                {
                    inspected = true;
                    contributes = true;
                    break;
                }
            }

            if (contributes)
            {
                dlpReports &= kit.DlpReports;
            }
        }

        return injections is null && rules is null && !inspected
            ? null
            : new InterceptionPlan(host, port, injections ?? [], rules ?? [], variables ?? []) { BodyVariables = bodyVariables ?? [], DlpReports = dlpReports };
    }

    private bool MayIntercept(string host)
    {
        if (_everything || _names.Contains(host))
        {
            return true;
        }

        ReadOnlySpan<char> rest = host;
        for (int dot = rest.IndexOf('.'); dot >= 0; dot = rest.IndexOf('.'))
        {
            rest = rest[(dot + 1)..];
            if (_suffixes.Contains(rest))
            {
                return true;
            }
        }

        return false;
    }

    private static void AddBoundVariables(KitInterception kit, ServiceBinding binding, ref List<string>? variables)
    {
        foreach (string name in kit.Environment.ProxyManaged)
        {
            if (binding.Source.Variables().Contains(name))
            {
                variables ??= [];
                if (!variables.Contains(name))
                {
                    variables.Add(name);
                }
            }
        }
    }

    // Returns true for "**", which makes every host a candidate.
    private static bool Add(RulePattern pattern, HashSet<string> names, HashSet<string> suffixes)
    {
        switch (pattern.Kind)
        {
            case PatternKind.Everything:
                return true;
            case PatternKind.Wildcard:
                suffixes.Add(pattern.Host);
                return false;
            default:
                names.Add(pattern.Host);
                return false;
        }
    }
}
