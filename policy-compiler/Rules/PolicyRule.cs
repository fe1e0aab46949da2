using System.Collections.Immutable;
using PolicyCompiler.Patterns;

namespace PolicyCompiler.Rules;

/// <summary>A network rule: <c>{id, type: network, decision, resources[], source}</c>.</summary>
public sealed class PolicyRule
{
    /// <summary>Creates a rule.</summary>
    public PolicyRule(string id, RuleDecision decision, ImmutableArray<RulePattern> resources, RuleSource source)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        Id = id;
        Decision = decision;
        Resources = resources;
        Source = source;
        DisplayId = source.Kind == RuleSourceKind.Local ? "local:" + id : id;
    }

    /// <summary>The only rule type so far; kept in output so new types can come without breaking parsers.</summary>
    public const string Type = "network";

    /// <summary>The rule id: a group name, a UUID for local rules, "kit:NAME/allow|deny" for kit rules.</summary>
    public string Id { get; }

    /// <summary>Allow or deny.</summary>
    public RuleDecision Decision { get; }

    /// <summary>The patterns the rule applies to.</summary>
    public ImmutableArray<RulePattern> Resources { get; }

    /// <summary>Where the rule came from.</summary>
    public RuleSource Source { get; }

    /// <summary>The id as listed: local rules are prefixed "local:" (`policy rm --id` accepts both forms).</summary>
    public string DisplayId { get; }

    /// <summary>
    /// The one sandbox this rule applies to (<c>--sandbox NAME</c>), or null for every sandbox.
    /// A scoped rule decides only for connections of that sandbox; deny still beats allow across scopes.
    /// </summary>
    public string? Sandbox { get; init; }

    /// <summary>
    /// When the rule stops deciding (<c>--for DURATION</c>), or null for never. The compiler keeps
    /// the earliest expiry of a snapshot in <see cref="Compilation.PolicySnapshot.NextExpiry"/>; whoever
    /// holds the live snapshot recompiles then, so the lookup itself never reads a clock.
    /// </summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>"all" for a rule of every sandbox, else "sandbox:NAME": the SCOPE column of `policy ls`.</summary>
    public string Scope => Sandbox is null ? AllSandboxes : "sandbox:" + Sandbox;

    /// <summary>The scope of a rule that applies to every sandbox.</summary>
    public const string AllSandboxes = "all";
}
