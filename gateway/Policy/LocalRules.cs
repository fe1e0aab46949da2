using System.Collections.Immutable;
using PolicyCompiler.Groups;
using PolicyCompiler.Patterns;
using PolicyCompiler.Rules;

namespace Gateway.Policy;

/// <summary>Turns the stored policy into compiler rules, and applies the changes `gateway policy` makes.</summary>
internal static class LocalRules
{
    /// <summary>The global rules: the default's built-in groups, then local rules in the order they were added.</summary>
    public static List<PolicyRule> GlobalRules(StoredPolicy stored, DefaultPolicy initialDefault)
    {
        var rules = new List<PolicyRule>(DefaultPolicies.RulesFor(EffectiveDefault(stored, initialDefault)));
        foreach (StoredRule rule in stored.Rules)
        {
            rules.Add(ToPolicyRule(rule));
        }

        return rules;
    }

    /// <summary>The default in force: the one chosen with set-default, else the configured initial one.</summary>
    public static DefaultPolicy EffectiveDefault(StoredPolicy stored, DefaultPolicy initialDefault) =>
        stored.Default is not null && DefaultPolicies.TryParse(stored.Default, out DefaultPolicy chosen) ? chosen : initialDefault;

    /// <summary>A stored rule as a compiler rule; a hand-edited store with a bad pattern is reported, not ignored.</summary>
    public static PolicyRule ToPolicyRule(StoredRule rule)
    {
        RuleDecision decision = rule.Decision switch
        {
            "allow" => RuleDecision.Allow,
            "deny" => RuleDecision.Deny,
            _ => throw new PolicyStoreException($"local rule {rule.Id} has decision \"{rule.Decision}\"; expected allow or deny"),
        };
        var resources = ImmutableArray.CreateBuilder<RulePattern>(rule.Resources.Count);
        foreach (string text in rule.Resources)
        {
            if (!PatternParser.TryParse(text, out RulePattern? pattern, out string? error))
            {
                throw new PolicyStoreException($"local rule {rule.Id}: {error}");
            }

            resources.Add(pattern!);
        }

        return new PolicyRule(rule.Id, decision, resources.MoveToImmutable(), RuleSource.Local);
    }

    /// <summary>
    /// Adds one local rule with the patterns not already covered by a local rule of the same
    /// decision. Returns the new rule (null when every pattern was there) and the ones skipped.
    /// </summary>
    public static (StoredPolicy Policy, StoredRule? Added, List<string> AlreadyPresent) Add(
        StoredPolicy policy, RuleDecision decision, IReadOnlyList<RulePattern> patterns, DateTimeOffset now)
    {
        string decisionText = decision == RuleDecision.Allow ? "allow" : "deny";
        var fresh = new List<string>();
        var present = new List<string>();
        foreach (RulePattern pattern in patterns)
        {
            bool exists = false;
            foreach (StoredRule rule in policy.Rules)
            {
                if (rule.Decision == decisionText && rule.Resources.Contains(pattern.Text, StringComparer.Ordinal))
                {
                    exists = true;
                    break;
                }
            }

            (exists ? present : fresh).Add(pattern.Text);
        }

        if (fresh.Count == 0)
        {
            return (policy, null, present);
        }

        var added = new StoredRule(Guid.NewGuid().ToString(), PolicyRule.Type, decisionText, fresh, now);
        return (policy with { Rules = [.. policy.Rules, added] }, added, present);
    }

    /// <summary>Removes a resource from every local rule that has it; rules left empty go too.</summary>
    public static (StoredPolicy Policy, int Removed) RemoveResource(StoredPolicy policy, RulePattern pattern)
    {
        int removed = 0;
        var rules = new List<StoredRule>(policy.Rules.Count);
        foreach (StoredRule rule in policy.Rules)
        {
            if (!rule.Resources.Contains(pattern.Text, StringComparer.Ordinal))
            {
                rules.Add(rule);
                continue;
            }

            removed++;
            var rest = new List<string>(rule.Resources.Count);
            foreach (string resource in rule.Resources)
            {
                if (!string.Equals(resource, pattern.Text, StringComparison.Ordinal))
                {
                    rest.Add(resource);
                }
            }

            if (rest.Count > 0)
            {
                rules.Add(rule with { Resources = rest });
            }
        }

        return removed == 0 ? (policy, 0) : (policy with { Rules = rules }, removed);
    }

    /// <summary>Removes the local rule with <paramref name="id"/> (with or without the "local:" prefix).</summary>
    public static (StoredPolicy Policy, StoredRule? Removed) RemoveById(StoredPolicy policy, string id)
    {
        string bare = NormalizeId(id);
        var rules = new List<StoredRule>(policy.Rules.Count);
        StoredRule? removed = null;
        foreach (StoredRule rule in policy.Rules)
        {
            if (removed is null && string.Equals(rule.Id, bare, StringComparison.OrdinalIgnoreCase))
            {
                removed = rule;
            }
            else
            {
                rules.Add(rule);
            }
        }

        return removed is null ? (policy, null) : (policy with { Rules = rules }, removed);
    }

    /// <summary>Strips the "local:" prefix that `policy ls` shows.</summary>
    public static string NormalizeId(string id) =>
        id.StartsWith("local:", StringComparison.OrdinalIgnoreCase) ? id["local:".Length..] : id;
}
