using System.Collections.Immutable;
using PolicyCompiler.Patterns;
using PolicyCompiler.Rules;

namespace PolicyCompiler.Tests;

/// <summary>Builds rules from pattern text the way `policy allow|deny` would.</summary>
internal static class TestRules
{
    public static RulePattern Pattern(string text)
    {
        Assert.True(PatternParser.TryParse(text, out RulePattern? pattern, out string? error), error);
        return pattern!;
    }

    public static PolicyRule Allow(string id, params string[] patterns) => Rule(id, RuleDecision.Allow, RuleSource.Local, patterns);

    public static PolicyRule Deny(string id, params string[] patterns) => Rule(id, RuleDecision.Deny, RuleSource.Local, patterns);

    public static PolicyRule Rule(string id, RuleDecision decision, RuleSource source, params string[] patterns) =>
        new(id, decision, [.. patterns.Select(Pattern)], source);

    public static ImmutableArray<PolicyRule> Rules(params PolicyRule[] rules) => [.. rules];
}
