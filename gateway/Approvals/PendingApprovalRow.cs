namespace Gateway.Approvals;

/// <summary>One row of <c>policy pending --json</c> and <c>GET /policy/pending</c>: stable camelCase fields.</summary>
internal sealed record PendingApprovalRow(
    string Id, string Sandbox, string Host, int Port, string Proxy, string Listener, DateTimeOffset Since, DateTimeOffset Expires)
{
    public static PendingApprovalRow From(PendingApproval pending) => new(
        pending.Id, pending.Sandbox, pending.Host, pending.Port, pending.Proxy, pending.Listener, pending.Since, pending.Expires);
}
