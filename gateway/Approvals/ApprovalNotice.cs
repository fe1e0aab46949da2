namespace Gateway.Approvals;

/// <summary>
/// The body of the webhook POST for a new pending approval. <paramref name="Approve"/> and
/// <paramref name="Reject"/> are the commands an operator runs, so a chat message can quote them.
/// </summary>
internal sealed record ApprovalNotice(
    string Event, string Id, string Sandbox, string Host, int Port, string Proxy, string Listener,
    DateTimeOffset Since, DateTimeOffset Expires, string Approve, string Reject)
{
    public static ApprovalNotice Pending(PendingApproval pending) => new(
        "pending", pending.Id, pending.Sandbox, pending.Host, pending.Port, pending.Proxy, pending.Listener,
        pending.Since, pending.Expires, "gateway policy approve " + pending.Id, "gateway policy reject " + pending.Id);
}
