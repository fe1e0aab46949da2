using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Gateway.Admin;
using Gateway.Audit;
using Gateway.Configuration;

namespace Gateway.Cli.Policy;

/// <summary>
/// `gateway policy log`: which hosts sandboxes contacted, blocked first, as `sbx policy log`
/// prints it; `--follow` streams decisions as they happen. From the running daemon's
/// in-memory view when one answers on the admin socket, else from the audit files.
/// </summary>
internal static partial class PolicyLogCommand
{
    public static Command Create(CliContext context, GlobalOptions options)
    {
        var sandbox = new Argument<string?>("SANDBOX")
        {
            Description = "Only this sandbox's requests",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var limit = new Option<int?>("--limit")
        {
            Description = "Only the N most recently seen rows of each table",
            HelpName = "N",
        };
        limit.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is < 1)
            {
                r.AddError("--limit must be at least 1");
            }
        });
        var follow = new Option<bool>("--follow", "-f") { Description = "Print each decision as it happens, until Ctrl-C" };
        Option<string?> type = PolicyCommand.TypeOption();
        Option<bool> json = PolicyCommand.JsonOption();
        var command = new Command(
            "log",
            "Show which hosts sandboxes contacted: blocked requests first, then (under policy.mode: report) "
            + "the denials let through, then allowed ones, one row per sandbox, host, proxy and rule, most "
            + "recently seen first.\n\n"
            + "Examples:\n  gateway policy log\n  gateway policy log my-sandbox --limit 20\n"
            + "  gateway policy log --json\n  gateway policy log my-sandbox --follow")
        {
            sandbox,
            limit,
            json,
            follow,
            type,
        };
        command.SetAction(async (result, cancellation) =>
        {
            GatewayConfig config = options.LoadConfig(result, context);
            var filter = new RowFilter(result.GetValue(sandbox), result.GetValue(type));
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation, context.Cancellation);
            if (result.GetValue(follow))
            {
                await FollowAsync(context, config, filter, result.GetValue(json), stop.Token).ConfigureAwait(false);
                return ExitCodes.Ok;
            }

            IReadOnlyList<AuditLogRow> rows = await ReadAggregateAsync(context, config, stop.Token).ConfigureAwait(false);
            (List<AuditLogRow> blocked, List<AuditLogRow> wouldBlock, List<AuditLogRow> allowed) = Split(rows, filter, result.GetValue(limit));
            if (result.GetValue(json))
            {
                List<AuditLogRow> all = [.. blocked, .. wouldBlock, .. allowed];
                context.Out.WriteLine(JsonSerializer.Serialize(all, CliJsonContext.Default.ListAuditLogRow));
                return ExitCodes.Ok;
            }

            context.Out.WriteLine("Blocked requests:");
            WriteTable(context, blocked);
            context.Out.WriteLine();

            // Only when there are any: an enforcing gateway's output stays as it always was.
            if (wouldBlock.Count > 0)
            {
                context.Out.WriteLine("Would be blocked (policy.mode: report, let through):");
                WriteTable(context, wouldBlock);
                context.Out.WriteLine();
            }

            context.Out.WriteLine("Allowed requests:");
            WriteTable(context, allowed);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>
    /// Rows in print order: blocked, let through by report mode (<c>wouldBlock</c>) and allowed apart, each most
    /// recently seen first and cut to <paramref name="limit"/>.
    /// </summary>
    internal static (List<AuditLogRow> Blocked, List<AuditLogRow> WouldBlock, List<AuditLogRow> Allowed) Split(IReadOnlyList<AuditLogRow> rows, RowFilter filter, int? limit)
    {
        var blocked = new List<AuditLogRow>();
        var wouldBlock = new List<AuditLogRow>();
        var allowed = new List<AuditLogRow>();
        foreach (AuditLogRow row in rows)
        {
            if (filter.Matches(row.Sandbox, row.Type))
            {
                (row.Decision == AuditEvent.Blocked ? blocked : row.WouldBlock ? wouldBlock : allowed).Add(row);
            }
        }

        foreach (List<AuditLogRow> table in (List<AuditLogRow>[])[blocked, wouldBlock, allowed])
        {
            table.Sort(static (a, b) =>
            {
                int byTime = b.LastSeen.CompareTo(a.LastSeen);
                return byTime != 0 ? byTime : string.CompareOrdinal(a.Host, b.Host);
            });
            if (limit is { } n && table.Count > n)
            {
                table.RemoveRange(n, table.Count - n);
            }
        }

        return (blocked, wouldBlock, allowed);
    }

    /// <summary>`LAST SEEN`: local time as `HH:mm:ss dd-MMM` (`10:15:25 29-Jan`), as `sbx policy log` prints it.</summary>
    internal static string FormatLastSeen(DateTimeOffset time, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(time, zone).ToString("HH:mm:ss dd-MMM", CultureInfo.InvariantCulture);

    /// <summary>
    /// One `--follow` line: UTC time, sandbox, ALLOWED or BLOCKED, host:port, listener, method and path
    /// of an intercepted request (query string dropped; `-` for a connection), status (`-` when none),
    /// and the deciding rule; then, when they apply, `wouldBlock` (report mode let a denial through:
    /// the rule is the one that would block), the reason, and the injected credential source.
    /// </summary>
    internal static string FormatLive(in AuditEvent e)
    {
        string status = e.Status > 0 ? e.Status.ToString(CultureInfo.InvariantCulture) : "-";
        string request = e.Method is { } method ? method + " " + (e.Path ?? "/") : "-";
        string line = string.Create(CultureInfo.InvariantCulture,
            $"{e.Time.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}   {e.Sandbox}   {(e.IsBlocked ? "BLOCKED" : "ALLOWED")}   {e.Host}:{e.Port}   {AuditListener.Of(in e)}   {request}   {status}   rule {e.RuleId} ({e.Rule})");
        line = e.WouldBlock && !e.IsBlocked ? line + "   wouldBlock" : line;
        line = e.Reason is { } reason && reason != Decisions.EgressReason.Rule ? $"{line}   reason {reason}" : line;
        return e.Injected is { } injected ? $"{line}   injected {injected}" : line;
    }

    /// <summary>One `--follow --json` line: the audit event's JSON with its <c>listener</c> (derived when the event lacks one).</summary>
    internal static string FormatLiveJson(in AuditEvent e) =>
        e.Listener is null ? AuditEventJson.ToLine(e with { Listener = AuditListener.Of(in e) }) : AuditEventJson.ToLine(in e);

    private static void WriteTable(CliContext context, List<AuditLogRow> rows)
    {
        // INJECTED appears only when a row of the table had a credential put on it, so a log without
        // interception keeps the columns sbx prints.
        bool injected = rows.Exists(static r => r.Injected is not null);
        var table = injected
            ? new TableWriter("SANDBOX", "TYPE", "HOST", "PROXY", "RULE", "LAST SEEN", "COUNT", "INJECTED")
            : new TableWriter("SANDBOX", "TYPE", "HOST", "PROXY", "RULE", "LAST SEEN", "COUNT");
        foreach (AuditLogRow row in rows)
        {
            string lastSeen = FormatLastSeen(row.LastSeen, context.Time.LocalTimeZone);
            string count = row.Count.ToString(CultureInfo.InvariantCulture);
            if (injected)
            {
                table.Add(row.Sandbox, row.Type, row.Host, row.ProxyCell, row.Rule, lastSeen, count, row.Injected ?? "-");
            }
            else
            {
                table.Add(row.Sandbox, row.Type, row.Host, row.ProxyCell, row.Rule, lastSeen, count);
            }
        }

        table.WriteTo(context.Out);
    }

    private static async Task<IReadOnlyList<AuditLogRow>> ReadAggregateAsync(CliContext context, GatewayConfig config, CancellationToken cancellation)
    {
        List<AuditLogRow>? live = await AdminClient.TryGetAuditAggregateAsync(config.Listen.Admin, cancellation).ConfigureAwait(false);
        if (live is not null)
        {
            return live;
        }

        var files = new AuditFileSource(config.Audit, context.Time);
        IReadOnlyList<AuditLogRow> rows = await files.ReadAggregateAsync(cancellation).ConfigureAwait(false);
        if (files.LastRead is { Malformed: > 0 } read)
        {
            context.Error.WriteLine($"gateway: skipped {read.Malformed} lines of {config.Audit.File}* that are not audit events");
        }

        return rows;
    }

    /// <summary>The SANDBOX argument and `--type`.</summary>
    internal readonly record struct RowFilter(string? Sandbox, string? Type)
    {
        public bool Matches(string sandbox, string type) =>
            (Sandbox is null || sandbox == Sandbox) && (Type is null || type == Type);
    }
}
