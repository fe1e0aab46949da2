using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Gateway.Admin;
using Gateway.Approvals;
using Gateway.Configuration;

namespace Gateway.Cli.Policy;

/// <summary>`gateway policy pending [--json]`: the requests ask mode holds, as the running daemon has them.</summary>
internal static class PolicyPendingCommand
{
    public static Command Create(CliContext context, GlobalOptions options)
    {
        Option<bool> json = PolicyCommand.JsonOption();
        var command = new Command(
            "pending",
            "List the requests waiting for approval (ask mode, policy.ask.enabled): id, sandbox, host, port, proxy, "
            + "since when it waits and when it stops waiting (UTC). Answer with `policy approve ID` or `policy reject ID`.\n\n"
            + "Examples:\n  gateway policy pending\n  gateway policy pending --json")
        {
            json,
        };
        command.SetAction(async (result, cancellation) =>
        {
            GatewayConfig config = options.LoadConfig(result, context);
            List<PendingApprovalRow>? rows = await AdminClient.TryListPendingAsync(config.Listen.Admin, cancellation).ConfigureAwait(false);
            if (rows is null)
            {
                // Pending approvals live in the daemon only: with none running, nothing waits.
                context.Error.WriteLine("gateway: no gateway is running (no admin socket at " + config.Listen.Admin + "); nothing waits for approval");
                rows = [];
            }

            if (result.GetValue(json))
            {
                context.Out.WriteLine(JsonSerializer.Serialize(rows, ApprovalJsonContext.Default.ListPendingApprovalRow));
                return ExitCodes.Ok;
            }

            var table = new TableWriter("ID", "SANDBOX", "HOST", "PORT", "PROXY", "SINCE", "EXPIRES");
            foreach (PendingApprovalRow row in rows)
            {
                table.Add(row.Id, row.Sandbox, row.Host, row.Port.ToString(CultureInfo.InvariantCulture), row.Proxy,
                    RuleRow.FormatExpiry(row.Since), RuleRow.FormatExpiry(row.Expires));
            }

            table.WriteTo(context.Out);
            return ExitCodes.Ok;
        });
        return command;
    }
}
