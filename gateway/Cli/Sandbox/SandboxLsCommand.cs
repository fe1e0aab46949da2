using System.CommandLine;
using System.Text.Json;
using Gateway.Admin;
using Gateway.Configuration;
using Gateway.Sandboxes;

namespace Gateway.Cli.Sandbox;

/// <summary>`gateway sandbox ls [--json]`: the sandboxes the gateway knows.</summary>
internal static class SandboxLsCommand
{
    public static Command Create(CliContext context, GlobalOptions options)
    {
        var json = new Option<bool>("--json") { Description = "Print a JSON array instead of a table" };
        var ls = new Command(
            "ls",
            "List sandboxes: those in the config and those registered by vmm. Tokens are never shown.\n\n"
            + "Examples:\n  gateway sandbox ls\n  gateway sandbox ls --json")
        {
            json,
        };
        ls.SetAction(async (result, cancellation) =>
        {
            // As `policy explain`: without --config the running daemon answers; with --config (or
            // no daemon) the same registry the daemon loads answers: that config's static sandboxes
            // and vmm's registrations in the state directory.
            GatewayConfig config = options.LoadConfig(result, context);
            List<SandboxRow>? rows = result.GetValue(options.Config) is null
                ? await AdminClient.TryListSandboxesAsync(config.Listen.Admin, cancellation).ConfigureAwait(false)
                : null;
            rows ??= FromState(config);
            if (result.GetValue(json))
            {
                context.Out.WriteLine(JsonSerializer.Serialize(rows, SandboxJsonContext.Default.ListSandboxRow));
                return ExitCodes.Ok;
            }

            var table = new TableWriter("NAME", "ADDRESSES", "KITS", "SOURCE", "TOKEN");
            foreach (SandboxRow row in rows)
            {
                table.Add(row.Name, string.Join(", ", row.Addresses), row.Kits.Count == 0 ? "-" : string.Join(", ", row.Kits), row.Source, row.HasToken ? "yes" : "no");
            }

            table.WriteTo(context.Out);
            return ExitCodes.Ok;
        });
        return new Command("sandbox", "Sandboxes the gateway knows.\n\nExample:\n  gateway sandbox ls") { ls };
    }

    // No daemon: the same registry the daemon would load, read-only.
    private static List<SandboxRow> FromState(GatewayConfig config)
    {
        var rows = new List<SandboxRow>();
        foreach (Sandboxes.Sandbox sandbox in new SandboxRegistry(config.Sandboxes, config.StateDir).All)
        {
            rows.Add(SandboxRow.From(sandbox));
        }

        return rows;
    }
}
