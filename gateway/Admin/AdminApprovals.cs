using System.Buffers;
using System.Text.Json;
using Gateway.Approvals;
using Gateway.Policy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

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
    public const string FollowPath = "/policy/pending/follow";

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
        endpoints.MapGet(FollowPath, (HttpContext http) => FollowAsync(http, approvals));
        endpoints.MapPost(PendingPath + "/{id}/reject", (string id) =>
            approvals.Reject(id) is { } answer
                ? Results.Json(answer, ApprovalJsonContext.Default.ApprovalAnswer)
                : NotPending(id, approvals));
    }

    // What waits now, then each new pending approval as it is created (JSON Lines, one flush each),
    // until the client leaves or the daemon stops. Subscribed before the listing: none falls between.
    private static async Task FollowAsync(HttpContext http, AskMode approvals)
    {
        CancellationToken stopping = http.RequestServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var end = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, stopping);
        using ApprovalFeed.Watch watch = approvals.Feed.Subscribe();
        http.Response.ContentType = "application/x-ndjson";
        var sent = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            await http.Response.StartAsync(end.Token).ConfigureAwait(false);
            foreach (PendingApproval pending in approvals.Pending.List())
            {
                sent.Add(pending.Id);
                await WriteAsync(http.Response, ApprovalNotice.Pending(pending), end.Token).ConfigureAwait(false);
            }

            await foreach (ApprovalNotice notice in watch.Reader.ReadAllAsync(end.Token).ConfigureAwait(false))
            {
                if (!sent.Remove(notice.Id))
                {
                    await WriteAsync(http.Response, notice, end.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (end.IsCancellationRequested)
        {
        }
    }

    private static async Task WriteAsync(HttpResponse response, ApprovalNotice notice, CancellationToken cancellation)
    {
        response.BodyWriter.Write(JsonSerializer.SerializeToUtf8Bytes(notice, ApprovalJsonContext.Default.ApprovalNotice));
        response.BodyWriter.Write("\n"u8);
        await response.BodyWriter.FlushAsync(cancellation).ConfigureAwait(false);
    }

    private static IResult NotPending(string id, AskMode approvals) => Errors(
        404,
        approvals.Enabled
            ? $"no pending approval \"{id}\": it was answered, or its request stopped waiting (policy.ask.holdFor); see `gateway policy pending`"
            : $"no pending approval \"{id}\": ask mode is off in the running gateway (policy.ask.enabled)");

    private static IResult Errors(int status, string message) =>
        Results.Json(new AdminErrors([message]), AdminJsonContext.Default.AdminErrors, statusCode: status);
}
