using PolicyCompiler.Compilation;
using PolicyCompiler.Rules;

namespace Gateway.Listeners;

/// <summary>The body of a 403: the host, the deciding rule and its source, and the command that would change it.</summary>
internal static class BlockedMessage
{
    public static string For(Decision decision, string host, int port, string sandbox)
    {
        string hostPattern = host.Contains(':', StringComparison.Ordinal) ? "[" + host + "]" : host;
        string fix = decision.Reason switch
        {
            DecisionReason.DenyRule when decision.Rule!.Source.Kind == RuleSourceKind.Local =>
                $"To unblock it: gateway policy rm network --id {decision.RuleId}"
                + (decision.Rule.Sandbox is { } scoped ? " --sandbox " + scoped : string.Empty),
            DecisionReason.DenyRule when decision.Rule!.Source.Kind == RuleSourceKind.Kit =>
                $"To unblock it: remove \"{decision.Pattern}\" from deniedDomains of {decision.Source}",
            _ when sandbox is "host" or "unknown" => $"To allow it: gateway policy allow network {hostPattern}",
            _ => $"To allow it: gateway policy allow network {hostPattern} --sandbox {sandbox} (without --sandbox: for every sandbox)",
        };
        string matched = decision.Pattern is null ? string.Empty : $" matching \"{decision.Pattern}\"";
        return $"Blocked by the egress gateway: {hostPattern}:{port} for sandbox {sandbox}.\n"
            + $"Rule: {decision.RuleId} (source: {decision.Source}{(decision.Rule?.Sandbox is { } scope ? ", scope: sandbox:" + scope : string.Empty)}){matched}.\n"
            + fix + "\n";
    }

    public static string ForGuard(string host, int port, string reason) =>
        $"Blocked by the egress gateway: {host}:{port} resolves to {reason}.\n"
        + "Rule: egress-guard (source: egress-guard).\n"
        + "To allow it: name the exact IP literal in a rule, or list its range in egress.allowCidrs.\n";

    public static string ForPolicyError(string host, int port) =>
        $"Blocked by the egress gateway: {host}:{port} could not be decided (an error inside the gateway; it was logged).\n"
        + "Rule: policy-error (source: policy-error).\n"
        + "Nothing was sent. Retry; if it persists, the gateway's log says why.\n";
}
