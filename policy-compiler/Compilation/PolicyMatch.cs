using PolicyCompiler.Patterns;
using PolicyCompiler.Rules;

namespace PolicyCompiler.Compilation;

/// <summary>One rule pattern that matched a host, as `policy explain` lists them.</summary>
/// <param name="Rule">The rule.</param>
/// <param name="Pattern">Its pattern that matched.</param>
public sealed record PolicyMatch(PolicyRule Rule, RulePattern Pattern);
