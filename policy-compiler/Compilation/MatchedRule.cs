using PolicyCompiler.Patterns;
using PolicyCompiler.Rules;

namespace PolicyCompiler.Compilation;

/// <summary>
/// The rule and pattern a match stands for, made once per match when a snapshot is compiled,
/// so a <see cref="Decision"/> carries one reference and fits in two registers.
/// </summary>
internal sealed class MatchedRule(PolicyRule rule, RulePattern pattern)
{
    public PolicyRule Rule { get; } = rule;

    public RulePattern Pattern { get; } = pattern;
}
