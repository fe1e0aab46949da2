using System.Text;
using PolicyCompiler.Compilation;

namespace Benchmarks;

/// <summary>
/// The hosts each benchmark rotates through: <see cref="Size"/> distinct hosts per case so a
/// measurement is not one host's warm path, each checked once against the snapshot so a
/// "hit" benchmark really hits the rule kind it is named after.
/// </summary>
internal sealed class HostSets
{
    public const int Size = 16;
    public const int Port = 443;

    public HostSets(RuleGenerator rules, PolicySnapshot snapshot)
    {
        ExactShallow = Pick(rules.ExactShallow, h => h, snapshot, DecisionReason.AllowRule);

        // 5–6 labels under a wildcard: "pod-7.eu.build.team42.example.test".
        DeepWildcard = Pick(
            rules.WildcardBases,
            b => b.Count(c => c == '.') >= 2
                ? rules.Label() + "." + rules.Label() + "." + rules.Label() + "." + b
                : rules.Label() + "." + rules.Label() + "." + rules.Label() + "." + rules.Label() + "." + b,
            snapshot,
            DecisionReason.AllowRule,
            requireWildcard: true);

        var deny = new List<string>();
        for (int i = 0; i < Math.Max(rules.DenyExact.Count, rules.DenyWildcardBases.Count); i++)
        {
            if (i < rules.DenyExact.Count)
            {
                deny.Add(rules.DenyExact[i]);
            }

            if (i < rules.DenyWildcardBases.Count)
            {
                deny.Add(rules.Label() + "." + rules.DenyWildcardBases[i]);
            }
        }

        Deny = Pick(deny, h => h, snapshot, DecisionReason.DenyRule);

        var missTld = new List<string>();
        for (int i = 0; i < Size; i++)
        {
            missTld.Add(rules.Label() + "." + rules.Label() + "." + RuleGenerator.UnknownTlds[i % RuleGenerator.UnknownTlds.Length]);
        }

        MissUnknownTld = Pick(missTld, h => h, snapshot, DecisionReason.NoMatchingRule);

        // A known TLD, a second label no rule uses: "www.nx17-metrics.com".
        var missSecond = new List<string>();
        string[] tlds = ["com", "org", "io", "dev"];
        for (int i = 0; missSecond.Count < Size; i++)
        {
            string registrable = "nx" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + "-" + rules.Label() + "." + tlds[i % tlds.Length];
            if (!rules.IsKnownRegistrable(registrable))
            {
                missSecond.Add("www." + registrable);
            }
        }

        MissKnownTld = Pick(missSecond, h => h, snapshot, DecisionReason.NoMatchingRule);
    }

    public Hosts ExactShallow { get; }

    public Hosts DeepWildcard { get; }

    public Hosts Deny { get; }

    public Hosts MissUnknownTld { get; }

    public Hosts MissKnownTld { get; }

    private static Hosts Pick(
        List<string> candidates, Func<string, string> toHost, PolicySnapshot snapshot, DecisionReason expected, bool requireWildcard = false)
    {
        // Spread the picks over the whole candidate list (deterministically), not just its head.
        var chosen = new List<string>(Size);
        int stride = Math.Max(1, candidates.Count / Size);
        for (int pass = 0; pass < 8 && chosen.Count < Size; pass++)
        {
            for (int i = pass; i < candidates.Count && chosen.Count < Size; i += stride)
            {
                string host = toHost(candidates[i]);
                Decision d = snapshot.Decide(host, Port, KitSet.None);
                if (d.Reason == expected
                    && (!requireWildcard || d.Pattern!.Kind == PolicyCompiler.Patterns.PatternKind.Wildcard)
                    && !chosen.Contains(host))
                {
                    chosen.Add(host);
                }
            }
        }

        if (chosen.Count == 0)
        {
            throw new InvalidOperationException($"no host for {expected} among {candidates.Count} candidates");
        }

        // Tiny policies have fewer than Size candidates: cycle them.
        var text = new string[Size];
        var bytes = new byte[Size][];
        for (int i = 0; i < Size; i++)
        {
            text[i] = chosen[i % chosen.Count];
            bytes[i] = Encoding.ASCII.GetBytes(text[i]);
        }

        return new Hosts(text, bytes);
    }

    internal sealed record Hosts(string[] Text, byte[][] Utf8);
}
