using System.CommandLine;
using System.Text.Json;
using Vmm.Admin;
using Vmm.Sandboxes;

namespace Vmm.Cli;

/// <summary><c>vmm ls [--json]</c>: the sandboxes of this state directory. Needs neither root nor a running gateway.</summary>
internal static class LsCommand
{
    public static Command Create(VmmContext context)
    {
        var json = new Option<bool>("--json") { Description = "Print a JSON array with camelCase fields instead of a table" };
        var ls = new Command("ls", "List sandboxes.\n\nExamples:\n  vmm ls\n  vmm ls --json") { json };
        ls.SetAction(result =>
        {
            var rows = new List<SandboxRow>();
            foreach (SandboxRecord record in new SandboxStore(context.StateDirectory(result)).All())
            {
                rows.Add(SandboxRow.From(record));
            }

            if (result.GetValue(json))
            {
                context.Out.WriteLine(JsonSerializer.Serialize(rows, VmmJsonContext.Default.ListSandboxRow));
                return ExitCodes.Ok;
            }

            const string Format = "{0,-24} {1,-8} {2,-9} {3,-14} {4,-10} {5}";
            context.Out.WriteLine(string.Format(System.Globalization.CultureInfo.InvariantCulture, Format, "NAME", "KIND", "STATUS", "ADDRESS", "INTERFACE", "KITS"));
            foreach (SandboxRow row in rows)
            {
                context.Out.WriteLine(string.Format(
                    System.Globalization.CultureInfo.InvariantCulture, Format, row.Name, row.Kind, row.Status, row.Address, row.Interface, row.Kits.Count == 0 ? "-" : string.Join(",", row.Kits)));
            }

            return ExitCodes.Ok;
        });
        return ls;
    }
}
