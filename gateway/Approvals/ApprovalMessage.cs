using System.Globalization;

namespace Gateway.Approvals;

/// <summary>
/// The 403 body of a request ask mode held and did not let through: what was asked, the pending
/// id, what became of it, and the commands that would have let it (or will let the next one) through.
/// </summary>
internal static class ApprovalMessage
{
    public static string For(string host, int port, string sandbox, in ApprovalWait wait, TimeSpan holdFor, int maxPerSandbox)
    {
        string hostPattern = host.Contains(':', StringComparison.Ordinal) ? "[" + host + "]" : host;
        string head = $"Blocked by the egress gateway: {hostPattern}:{port} for sandbox {sandbox}.\nRule: no-match (source: no-match): no rule allows it.\n";
        string allow = $"To allow it for good: gateway policy allow network {hostPattern}:{port.ToString(CultureInfo.InvariantCulture)}"
            + (sandbox is "host" or "unknown" ? string.Empty : " --sandbox " + sandbox) + "\n";
        return wait.Outcome switch
        {
            ApprovalOutcome.Rejected =>
                head + $"It was held for approval as {wait.Id} and an operator rejected it (gateway policy reject {wait.Id}).\n",
            ApprovalOutcome.Full =>
                head + $"It was not held for approval: sandbox {sandbox} already has {maxPerSandbox} requests waiting (policy.ask.maxPendingPerSandbox); the pending list is full (or {PendingApprovals.MaxWaiters} connections already wait on this host).\n"
                + "See them with: gateway policy pending\n" + allow,
            _ =>
                head + $"It was held for approval as {wait.Id} for {FormatHold(holdFor)} and nobody approved it in time.\n"
                + $"While a request waits, an operator lets it through with: gateway policy approve {wait.Id} (see gateway policy pending); retry to ask again.\n"
                + allow,
        };
    }

    private static string FormatHold(TimeSpan holdFor) => holdFor.TotalSeconds < 60
        ? holdFor.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + "s"
        : holdFor.TotalMinutes.ToString("0.##", CultureInfo.InvariantCulture) + "m";
}
