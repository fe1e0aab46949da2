using Gateway.Approvals;
using Gateway.Policy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Gateway.Admin;

/// <summary>
/// Ask mode's admin endpoints: pending approvals live only in the running daemon, so
/// <c>policy pending|approve|reject</c> are thin clients of these.
/// <c>GET /policy/pending</c> (JSON array), <c>POST /policy/pending/{id}/approve?for=1h&amp;allSandboxes=true</c>
/// and <c>POST /policy/pending/{id}/reject</c>; an unknown id is a 404 naming it.
/// </summary>
internal static class AdminApprovals
{
    public const string PendingPath = "/policy/pending";

    public static void Map(IEndpointRouteBuilder endpoints, AskMode approvals)
    {
        endpoints.MapGet(PendingPath, () =>
        {
            var rows = new List<PendingApprovalRow>();
            foreach (PendingApproval pending in approvals.Pending.List())
            {
                rows.Add(PendingApprovalRow.From(pending));
            }

            return Results.Json(rows, ApprovalJsonContext.Default.ListPendingApprovalRow);
        });
        endpoints.MapPost(PendingPath + "/{id}/approve", (string id, HttpContext context) =>
        {
            TimeSpan? lifetime = null;
            if (context.Request.Query["for"].ToString() is { Length: > 0 } forText)
            {
                if (!RuleLifetime.TryParse(forText, out TimeSpan duration, out string error))
                {
                    return Errors(400, error);
                }

                lifetime = duration;
            }

            bool allSandboxes = string.Equals(context.Request.Query["allSandboxes"].ToString(), "true", StringComparison.OrdinalIgnoreCase);
            var errors = new List<string>();
            ApprovalAnswer? answer = approvals.Approve(id, lifetime, allSandboxes, errors);
            if (answer is not null)
            {
                return Results.Json(answer, ApprovalJsonContext.Default.ApprovalAnswer);
            }

            return errors.Count == 0
                ? NotPending(id, approvals)
                : Errors(409, "the rule could not be made live, the request still waits: " + string.Join("; ", errors));
        });
        endpoints.MapPost(PendingPath + "/{id}/reject", (string id) =>
            approvals.Reject(id) is { } answer
                ? Results.Json(answer, ApprovalJsonContext.Default.ApprovalAnswer)
                : NotPending(id, approvals));
    }

    private static IResult NotPending(string id, AskMode approvals) => Errors(
        404,
        approvals.Enabled
            ? $"no pending approval \"{id}\": it was answered, or its request stopped waiting (policy.ask.holdFor); see `gateway policy pending`"
            : $"no pending approval \"{id}\": ask mode is off in the running gateway (policy.ask.enabled)");

    private static IResult Errors(int status, string message) =>
        Results.Json(new AdminErrors([message]), AdminJsonContext.Default.AdminErrors, statusCode: status);
}
