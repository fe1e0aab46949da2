using System.Collections.Immutable;
using PolicyCompiler.Patterns;
using PolicyCompiler.Rules;

namespace PolicyCompiler.Groups;

/// <summary>The rules each <see cref="DefaultPolicy"/> stands for, and its command-line names.</summary>
public static class DefaultPolicies
{
    /// <summary>The id and source of the rule that allow-all consists of.</summary>
    public const string AllowAllGroup = "default-allow-all";

    private static readonly ImmutableArray<PolicyRule> s_allowAll =
    [
        new PolicyRule(AllowAllGroup, RuleDecision.Allow, [Parse("**")], RuleSource.BuiltIn(AllowAllGroup)),
    ];

    /// <summary>The names accepted by `policy set-default` and `policy.initialDefault`.</summary>
    public static IReadOnlyList<string> Names { get; } = ["allow-all", "balanced", "deny-all"];

    /// <summary>Parses "allow-all", "balanced" or "deny-all".</summary>
    public static bool TryParse(string? text, out DefaultPolicy policy)
    {
        switch (text)
        {
            case "allow-all":
                policy = DefaultPolicy.AllowAll;
                return true;
            case "balanced":
                policy = DefaultPolicy.Balanced;
                return true;
            case "deny-all":
                policy = DefaultPolicy.DenyAll;
                return true;
            default:
                policy = DefaultPolicy.Balanced;
                return false;
        }
    }

    /// <summary>The command-line name of <paramref name="policy"/>.</summary>
    public static string ToName(DefaultPolicy policy) => policy switch
    {
        DefaultPolicy.AllowAll => "allow-all",
        DefaultPolicy.DenyAll => "deny-all",
        _ => "balanced",
    };

    /// <summary>The built-in rules of <paramref name="policy"/>.</summary>
    public static ImmutableArray<PolicyRule> RulesFor(DefaultPolicy policy) => policy switch
    {
        DefaultPolicy.AllowAll => s_allowAll,
        DefaultPolicy.Balanced => BuiltInGroups.All,
        _ => [],
    };

    internal static RulePattern Parse(string text) =>
        PatternParser.TryParse(text, out RulePattern? pattern, out string? error)
            ? pattern!
            : throw new InvalidOperationException("built-in pattern is invalid: " + error);
}
