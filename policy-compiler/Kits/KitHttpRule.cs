using System.Collections.Immutable;
using PolicyCompiler.Patterns;
using PolicyCompiler.Rules;

namespace PolicyCompiler.Kits;

/// <summary>An L7 rule on an intercepted host (<c>network.rules[i]</c>), decided per request.</summary>
/// <param name="Host">The hosts the rule applies to.</param>
/// <param name="Methods">Request methods (case-sensitive, RFC 9110 §9.1); empty means every method.</param>
/// <param name="Paths">Path patterns starting with "/", "*" matching any run of characters; empty means every path.</param>
/// <param name="Decision">What happens to a matching request.</param>
public sealed record KitHttpRule(RulePattern Host, ImmutableArray<string> Methods, ImmutableArray<string> Paths, RuleDecision Decision);
