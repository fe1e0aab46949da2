using System.Collections.Immutable;
using PolicyCompiler.Groups;
using PolicyCompiler.Patterns;
using PolicyCompiler.Rules;

namespace Gateway.Policy;

/// <summary>Turns the stored policy into compiler rules, and applies the changes `gateway policy` makes.</summary>
internal static class LocalRules
{
    /// <summary>
    /// The global rules: the default's built-in groups, then local rules in the order they were
    /// added (sandbox-scoped ones included), leaving out those expired at <paramref name="now"/>.
    /// </summary>
    public static List<PolicyRule> GlobalRules(StoredPolicy stored, DefaultPolicy initialDefault, DateTimeOffset now)
    {
        var rules = new List<PolicyRule>(DefaultPolicies.RulesFor(EffectiveDefault(stored, initialDefault)));
        foreach (StoredRule rule in stored.Rules)
        {
            if (!rule.IsExpired(now))
            {
                rules.Add(ToPolicyRule(rule));
            }
        }

        return rules;
    }

    /// <summary>The store without the rules expired at <paramref name="now"/> (the same instance when none is).</summary>
    public static StoredPolicy WithoutExpired(StoredPolicy policy, DateTimeOffset now)
    {
        var live = new List<StoredRule>(policy.Rules.Count);
        foreach (StoredRule rule in policy.Rules)
        {
            if (!rule.IsExpired(now))
            {
                live.Add(rule);
            }
        }

        return live.Count == policy.Rules.Count ? policy : policy with { Rules = live };
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

        return new PolicyRule(rule.Id, decision, resources.MoveToImmutable(), RuleSource.Local)
        {
            Sandbox = rule.Sandbox,
            ExpiresAt = rule.ExpiresAt,
        };
    }

    /// <summary>
    /// Adds one local rule with the patterns not already covered by a live local rule of the same
    /// decision and scope that lasts at least as long. Returns the new rule (null when every
    /// pattern was there) and the ones skipped; rules expired at <paramref name="now"/> are dropped.
    /// </summary>
    public static (StoredPolicy Policy, StoredRule? Added, List<string> AlreadyPresent) Add(
        StoredPolicy policy, RuleDecision decision, IReadOnlyList<RulePattern> patterns, DateTimeOffset now,
        string? sandbox = null, DateTimeOffset? expiresAt = null)
    {
        policy = WithoutExpired(policy, now);
        string decisionText = decision == RuleDecision.Allow ? "allow" : "deny";
        var fresh = new List<string>();
        var present = new List<string>();
        foreach (RulePattern pattern in patterns)
        {
            bool exists = false;
            foreach (StoredRule rule in policy.Rules)
            {
                if (rule.Decision == decisionText && rule.HasScope(sandbox) && Outlasts(rule.ExpiresAt, expiresAt)
                    && rule.Resources.Contains(pattern.Text, StringComparer.Ordinal))
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

        var added = new StoredRule(Guid.NewGuid().ToString(), PolicyRule.Type, decisionText, fresh, now, sandbox, expiresAt);
        return (policy with { Rules = [.. policy.Rules, added] }, added, present);
    }

    // An existing rule makes a new one redundant only if it lasts at least as long.
    private static bool Outlasts(DateTimeOffset? existing, DateTimeOffset? wanted) =>
        existing is null || (wanted is not null && existing >= wanted);

    /// <summary>
    /// Removes a resource from every local rule of scope <paramref name="sandbox"/> (null: the rules
    /// that apply to every sandbox) that has it; rules left empty go too, and so do expired ones.
    /// </summary>
    public static (StoredPolicy Policy, int Removed) RemoveResource(StoredPolicy policy, RulePattern pattern, string? sandbox, DateTimeOffset now)
    {
        policy = WithoutExpired(policy, now);
        int removed = 0;
        var rules = new List<StoredRule>(policy.Rules.Count);
        foreach (StoredRule rule in policy.Rules)
        {
            if (!rule.HasScope(sandbox) || !rule.Resources.Contains(pattern.Text, StringComparer.Ordinal))
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

    /// <summary>Removes the local rule with <paramref name="id"/> (with or without the "local:" prefix); expired rules go too.</summary>
    public static (StoredPolicy Policy, StoredRule? Removed) RemoveById(StoredPolicy policy, string id, DateTimeOffset now)
    {
        policy = WithoutExpired(policy, now);
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
