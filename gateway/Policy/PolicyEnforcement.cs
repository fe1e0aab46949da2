using System.Runtime.CompilerServices;
using Gateway.Configuration;
using PolicyCompiler.Compilation;

namespace Gateway.Policy;

/// <summary>
/// <c>policy.mode</c> at the decision points. Under <see cref="PolicyMode.Report"/> a policy
/// denial (a deny rule, or no rule at all) is let through and audited as <c>wouldBlock</c>, for
/// rolling a policy out without breaking agents. Only the domain policy's verdict is relaxed:
/// an invalid host or port is no denial that may pass, and the checks that are not the policy's
/// (egress guard, Host/SNI agreement, placeholder leaks, loop refusal, sandbox identity) are
/// never asked here. Read once from the configuration at start; the gateway does not reload it.
/// </summary>
internal sealed class PolicyEnforcement
{
    private readonly bool _report;

    /// <summary>Applies <paramref name="mode"/>.</summary>
    public PolicyEnforcement(PolicyMode mode)
    {
        Mode = mode;
        _report = mode == PolicyMode.Report;
    }

    /// <summary>The mode in force.</summary>
    public PolicyMode Mode { get; }

    /// <summary>True under <see cref="PolicyMode.Report"/>: denials are reported, not enforced.</summary>
    public bool Reports => _report;

    /// <summary>
    /// True when <paramref name="decision"/> denied the traffic and report mode lets it through
    /// anyway: the connection or request goes on, its audit event says <c>wouldBlock</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool WouldBlock(in Decision decision) =>
        _report && decision.Reason is DecisionReason.NoMatchingRule or DecisionReason.DenyRule;

    /// <summary>True when the traffic goes on: the policy allowed it, or report mode lets its denial through.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool LetsThrough(in Decision decision) => decision.IsAllowed || WouldBlock(in decision);
}
