using PolicyCompiler.Hosts;
using PolicyCompiler.Patterns;
using PolicyCompiler.Rules;

namespace PolicyCompiler.Compilation;

/// <summary>
/// A decision as data: the verdict, the reason, and the rule and pattern that decided it.
/// Every reference points into the immutable snapshot, so returning one never allocates.
/// </summary>
public readonly struct Decision
{
    /// <summary>The rule id reported when nothing matched.</summary>
    public const string NoMatchRuleId = "no-match";

    /// <summary>The source reported when nothing matched.</summary>
    public const string DefaultSource = "default";

    /// <summary>The rule id and source reported when the host was refused before matching.</summary>
    public const string InvalidInputRuleId = "invalid-host";

    /// <summary>The rule id and source reported when the port was outside 1-65535.</summary>
    public const string InvalidPortRuleId = "invalid-port";

    // One reference and three bytes: 16 bytes, returned in two registers rather than through
    // a return buffer (which costs a checked write barrier per reference stored).
    private readonly MatchedRule? _matched;

    internal Decision(DecisionVerdict verdict, DecisionReason reason, MatchedRule? matched, HostError hostError)
    {
        Verdict = verdict;
        Reason = reason;
        _matched = matched;
        HostError = hostError;
    }

    /// <summary>Allowed or blocked.</summary>
    public DecisionVerdict Verdict { get; }

    /// <summary>Why.</summary>
    public DecisionReason Reason { get; }

    /// <summary>The deciding rule; null when nothing matched or the input was refused.</summary>
    public PolicyRule? Rule => _matched?.Rule;

    /// <summary>The pattern of <see cref="Rule"/> that matched.</summary>
    public RulePattern? Pattern => _matched?.Pattern;

    /// <summary>For <see cref="DecisionReason.InvalidHost"/>: what was wrong with the host.</summary>
    public HostError HostError { get; }

    /// <summary>True when the connection may proceed.</summary>
    public bool IsAllowed => Verdict == DecisionVerdict.Allowed;

    /// <summary>The deciding rule id as operators see it ("local:UUID", a group name, …).</summary>
    public string RuleId => Rule?.DisplayId ?? UnmatchedLabel(NoMatchRuleId);

    /// <summary>The deciding rule's source as operators see it ("local", "kit:NAME", a group name).</summary>
    public string Source => Rule?.Source.Display ?? UnmatchedLabel(DefaultSource);

    private string UnmatchedLabel(string noMatch) => Reason switch
    {
        DecisionReason.NoMatchingRule => noMatch,
        DecisionReason.InvalidPort => InvalidPortRuleId,
        _ => InvalidInputRuleId,
    };
}
