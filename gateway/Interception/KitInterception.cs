using System.Collections.Immutable;
using Gateway.Interception.Forwarding;
using PolicyCompiler.Kits;
using PolicyCompiler.Patterns;

namespace Gateway.Interception;

/// <summary>What interception needs from one kit, taken from its <see cref="KitSpec"/> when the policy is compiled.</summary>
internal sealed class KitInterception
{
    public KitInterception(KitSpec kit)
    {
        Name = kit.Name;
        Environment = kit.Environment;
        var bindings = ImmutableArray.CreateBuilder<ServiceBinding>();
        foreach ((RulePattern pattern, string source) in kit.Network.ServiceDomains)
        {
            kit.Network.ServiceAuth.TryGetValue(source, out KitServiceAuth? auth);
            bindings.Add(new ServiceBinding(kit.Name, pattern, kit.Credentials.Sources[source], auth));
        }

        // Exact names before wildcards, longer suffixes first: the first match is the most specific.
        bindings.Sort(static (a, b) => Specificity(b.Pattern).CompareTo(Specificity(a.Pattern)));
        Bindings = bindings.ToImmutable();
        var rules = ImmutableArray.CreateBuilder<HttpRuleEntry>(kit.Network.Rules.Length);
        for (int i = 0; i < kit.Network.Rules.Length; i++)
        {
            rules.Add(new HttpRuleEntry(kit.Name, i, kit.Network.Rules[i]));
        }

        Rules = rules.MoveToImmutable();
        Inspect = kit.Network.Inspect;
        DlpReports = kit.Network.Dlp == KitDlpMode.Report;
    }

    /// <summary>The kit name.</summary>
    public string Name { get; }

    /// <summary>Its service-domain bindings, most specific first.</summary>
    public ImmutableArray<ServiceBinding> Bindings { get; }

    /// <summary>Its L7 rules in declaration order.</summary>
    public ImmutableArray<HttpRuleEntry> Rules { get; }

    /// <summary>Hosts it intercepts with no credential (<c>network.inspect</c>), so that L7 rules and DLP apply.</summary>
    public ImmutableArray<RulePattern> Inspect { get; }

    /// <summary>True when its <c>network.dlp</c> is <c>report</c>: a hit is audited and let through.</summary>
    public bool DlpReports { get; }

    /// <summary>Its environment section (literal variables and proxy-managed names), for the admin API.</summary>
    public KitEnvironment Environment { get; }

    /// <summary>True when the kit makes some host need interception.</summary>
    public bool Intercepts => !Bindings.IsEmpty || !Rules.IsEmpty || !Inspect.IsEmpty;

    /// <summary>True when <paramref name="pattern"/> covers (<paramref name="host"/>, <paramref name="port"/>); host canonical.</summary>
    public static bool Matches(RulePattern pattern, string host, int port)
    {
        if (pattern.Port != 0 && pattern.Port != port)
        {
            return false;
        }

        return pattern.Kind switch
        {
            PatternKind.Everything => true,
            PatternKind.Wildcard => host.Length > pattern.Host.Length + 1
                && host.EndsWith(pattern.Host, StringComparison.Ordinal)
                && host[host.Length - pattern.Host.Length - 1] == '.',
            _ => string.Equals(host, pattern.Host, StringComparison.Ordinal),
        };
    }

    private static int Specificity(RulePattern pattern) => pattern.Kind switch
    {
        PatternKind.Exact or PatternKind.Address => int.MaxValue,
        PatternKind.Wildcard => pattern.Host.Length,
        _ => -1,
    };
}
