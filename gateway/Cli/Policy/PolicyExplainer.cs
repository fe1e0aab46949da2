using PolicyCompiler.Compilation;
using PolicyCompiler.Rules;

namespace Gateway.Cli.Policy;

/// <summary>
/// Turns a snapshot's decision for one host into the answer of <c>policy explain</c>: the same
/// for the CLI working on files and for a running daemon asked over its admin socket.
/// </summary>
internal static class PolicyExplainer
{
    /// <summary>Explains <paramref name="host"/>:<paramref name="port"/> for a sandbox with <paramref name="kitNames"/> (already checked to be loaded).</summary>
    public static ExplainResult Explain(PolicySnapshot snapshot, string host, string canonical, int port, string sandbox, List<string> kitNames, string configuration)
    {
        KitSet kitSet = snapshot.TryGetSandboxIndex(sandbox, out int scope) ? KitSet.None.WithSandbox(scope) : KitSet.None;
        foreach (string name in kitNames)
        {
            if (snapshot.TryGetKitIndex(name, out int index))
            {
                kitSet = kitSet.With(index);
            }
        }

        Decision decision = snapshot.Decide(host.AsSpan(), port, kitSet);
        var matches = new List<ExplainMatch>();
        foreach (PolicyMatch match in snapshot.Explain(host.AsSpan(), port, kitSet))
        {
            matches.Add(new ExplainMatch(
                match.Rule.DisplayId, match.Rule.Source.Display, match.Rule.Decision == RuleDecision.Allow ? "allow" : "deny", match.Pattern.Text, match.Rule.Scope));
        }

        string hostPattern = canonical.Contains(':', StringComparison.Ordinal) ? $"[{canonical}]" : canonical;
        string? next = decision.Reason switch
        {
            DecisionReason.NoMatchingRule => $"to allow:  gateway policy allow network {hostPattern}",
            DecisionReason.DenyRule when decision.Rule!.Source.Kind == RuleSourceKind.Local => $"to unblock: gateway policy rm network --id {decision.RuleId}"
                + (decision.Rule.Sandbox is { } scoped ? $" --sandbox {scoped}" : string.Empty),
            _ => null,
        };
        return new ExplainResult(
            host, canonical, port, sandbox, kitNames, decision.IsAllowed ? "allowed" : "blocked", Describe(decision),
            decision.RuleId, decision.Source, decision.Pattern?.Text, matches, configuration, next,
            decision.Rule?.Scope ?? PolicyRule.AllSandboxes, decision.Rule?.ExpiresAt);
    }

    private static string Describe(Decision decision) => decision.Reason switch
    {
        DecisionReason.AllowRule => "an allow rule matches and no deny rule does",
        DecisionReason.DenyRule => "a deny rule matches; deny beats allow whatever the specificity",
        DecisionReason.NoMatchingRule => "no rule matches; everything not allowed is blocked",
        _ => decision.Reason.ToString(),
    };
}
