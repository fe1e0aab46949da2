using System.Globalization;
using Gateway.Policy;
using PolicyCompiler.Rules;

namespace Gateway.Approvals;

/// <summary>An operator's answers: approve (a rule, then the waiters go on) and reject.</summary>
internal sealed partial class AskMode
{
    /// <summary>
    /// Approves <paramref name="id"/>: an allow rule for its host and port (scoped to its sandbox
    /// unless <paramref name="allSandboxes"/>, expiring after <paramref name="lifetime"/> when given)
    /// is added by the same <see cref="PolicyEditor"/> as <c>policy allow</c>, live before the waiting
    /// requests are released. Null with no errors: no such pending approval. Null with errors: the
    /// rule could not be made live; the request still waits.
    /// </summary>
    public ApprovalAnswer? Approve(string id, TimeSpan? lifetime, bool allSandboxes, List<string> errors)
    {
        if (Pending.Find(id) is not { } pending)
        {
            return null;
        }

        string hostPattern = pending.Host.Contains(':', StringComparison.Ordinal) ? "[" + pending.Host + "]" : pending.Host;
        string? scope = allSandboxes ? null : pending.Sandbox;
        RuleAddition addition;
        try
        {
            addition = _editor.Add(RuleDecision.Allow, hostPattern + ":" + pending.Port.ToString(CultureInfo.InvariantCulture), scope, lifetime);
        }
        catch (PolicyEditException e)
        {
            errors.AddRange(e.Errors);
            return null;
        }

        bool released = Pending.Resolve(id, ApprovalOutcome.Approved) is not null;
        Log.Answered(_logger, id, pending.Sandbox, pending.Host, pending.Port, "approved");
        ReleaseCovered(pending, scope);
        return new ApprovalAnswer(
            id, "approved", pending.Sandbox, pending.Host, pending.Port, addition.Added is { } added ? "local:" + added.Id : null,
            scope is null ? "all" : "sandbox:" + scope, addition.Added?.ExpiresAt ?? ExpiryOf(lifetime), released);
    }

    private DateTimeOffset? ExpiryOf(TimeSpan? lifetime) => lifetime is { } duration ? _time.GetUtcNow() + duration : null;

    // Other sandboxes' requests for the same host and port that the new rule (scoped to every
    // sandbox) covers go on too, rather than wait out holdFor for an answer already given. Each
    // decides again: a deny that still applies to one of them (a kit's) refuses it as usual.
    private void ReleaseCovered(PendingApproval approved, string? scope)
    {
        if (scope is not null)
        {
            return;
        }

        foreach (PendingApproval other in Pending.List())
        {
            if (other.Port == approved.Port && string.Equals(other.Host, approved.Host, StringComparison.Ordinal)
                && Pending.Resolve(other.Id, ApprovalOutcome.Approved) is not null)
            {
                Log.Answered(_logger, other.Id, other.Sandbox, other.Host, other.Port, "approved with " + approved.Id + " (--all-sandboxes)");
            }
        }
    }

    /// <summary>Rejects <paramref name="id"/>: its waiting requests get their 403 now. Null: no such pending approval.</summary>
    public ApprovalAnswer? Reject(string id)
    {
        if (Pending.Resolve(id, ApprovalOutcome.Rejected) is not { } pending)
        {
            return null;
        }

        Log.Answered(_logger, id, pending.Sandbox, pending.Host, pending.Port, "rejected");
        return new ApprovalAnswer(id, "rejected", pending.Sandbox, pending.Host, pending.Port, null, "sandbox:" + pending.Sandbox, null, Released: true);
    }
}
