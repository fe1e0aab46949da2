using System.Globalization;
using System.Text.Json;
using Gateway.Admin;
using Gateway.Approvals;
using Gateway.Audit;
using Gateway.Configuration;

namespace Gateway.Cli.Policy;

/// <summary>
/// `policy log --follow`: each decision as it happens, and from a running daemon each request that
/// starts waiting for approval (ask mode). A pending approval is not an audit event (its request
/// gets one, when the hold ends), so it comes from the daemon's approvals feed, as a PENDING line.
/// </summary>
internal static partial class PolicyLogCommand
{
    /// <summary>
    /// One `--follow` line for a request that started waiting: when, sandbox, PENDING, host:port,
    /// listener, `-` for method and status, then the approval id, until when it waits and the approve command.
    /// </summary>
    internal static string FormatPending(ApprovalNotice notice) => string.Create(CultureInfo.InvariantCulture,
        $"{notice.Since.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}   {notice.Sandbox}   PENDING   {FormatTarget(notice.Host, notice.Port)}   {notice.Listener}   -   -   "
        + $"approval {notice.Id} until {notice.Expires.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}: {notice.Approve}");

    private static string FormatTarget(string host, int port) =>
        (host.Contains(':', StringComparison.Ordinal) ? "[" + host + "]" : host) + ":" + port.ToString(CultureInfo.InvariantCulture);

    private static async Task FollowAsync(CliContext context, GatewayConfig config, RowFilter filter, bool json, CancellationToken cancellation)
    {
        using var writes = new SemaphoreSlim(1, 1);
        try
        {
            // The approvals feed first: what waits now is printed without waiting for the audit stream.
            AdminPendingStream? pending = await AdminClient.TryFollowPendingAsync(config.Listen.Admin, cancellation).ConfigureAwait(false);
            using var stopPending = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            Task printingPending = pending is null ? Task.CompletedTask : PrintPendingAsync(context, pending, filter, json, writes, stopPending.Token);
            AdminAuditStream? daemon = null;
            try
            {
                daemon = await AdminClient.TryFollowAuditAsync(config.Listen.Admin, cancellation).ConfigureAwait(false);
                IAsyncEnumerable<AuditEvent> events = daemon?.ReadAllAsync(cancellation)
                    ?? new AuditFileSource(config.Audit, context.Time).FollowAsync(cancellation);
                await foreach (AuditEvent e in events.ConfigureAwait(false))
                {
                    if (filter.Matches(e.Sandbox, e.Type))
                    {
                        await WriteLineAsync(context, json ? FormatLiveJson(in e) : FormatLive(in e), writes, cancellation).ConfigureAwait(false);
                    }
                }
            }
            finally
            {
                await stopPending.CancelAsync().ConfigureAwait(false);
                await printingPending.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                if (pending is not null)
                {
                    await pending.DisposeAsync().ConfigureAwait(false);
                }

                if (daemon is not null)
                {
                    await daemon.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // Ctrl-C: the normal end of --follow.
        }
    }

    private static async Task PrintPendingAsync(
        CliContext context, AdminPendingStream pending, RowFilter filter, bool json, SemaphoreSlim writes, CancellationToken cancellation)
    {
        await foreach (ApprovalNotice notice in pending.ReadAllAsync(cancellation).ConfigureAwait(false))
        {
            if (filter.Matches(notice.Sandbox, PolicyCompiler.Rules.PolicyRule.Type))
            {
                string line = json ? JsonSerializer.Serialize(notice, ApprovalJsonContext.Default.ApprovalNotice) : FormatPending(notice);
                await WriteLineAsync(context, line, writes, cancellation).ConfigureAwait(false);
            }
        }
    }

    // Two streams print to one terminal: a line is never cut by another.
    private static async Task WriteLineAsync(CliContext context, string line, SemaphoreSlim writes, CancellationToken cancellation)
    {
        await writes.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            await context.Out.WriteLineAsync(line).ConfigureAwait(false);
            await context.Out.FlushAsync(cancellation).ConfigureAwait(false);
        }
        finally
        {
            writes.Release();
        }
    }
}
